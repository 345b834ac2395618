"""The recorded run on disk: the :class:`Trajectory` (weights per frame, data,
metrics, model config), its checks and fingerprint, and the transaction every file
vizkit writes goes through (``transaction``: staged, then all moved into place at
once), so that ``Trajectory.save`` writes as the commands do.

Imports only ``data`` (safe loading, model configs); everything that draws or
inspects a run reads it from here.
"""
