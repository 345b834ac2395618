"""Recording a run from Keras: train epoch by epoch and keep every frame's weights.

Owns :func:`record`, the :class:`Recorder` callback, image runs, the
learning-rate finder, and the training of a user's own model that
``vizkit animate``/``record`` and sweep workers share. May import ``data``,
``run`` and ``inspect``; never ``views`` or ``output``.
"""
