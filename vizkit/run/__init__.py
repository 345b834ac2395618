"""The recorded run on disk: the :class:`Trajectory` (weights per frame, data,
metrics, model config), its checks and fingerprint.

Imports only ``data`` (safe loading, model configs); everything that draws or
inspects a run reads it from here.
"""
