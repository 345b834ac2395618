"""Lazy, quiet import of Keras: only code that trains or probes pays for it."""

import os
import sys
import warnings

__all__ = ["import_keras", "apply_environment", "skip_keras_sklearn_wrappers",
           "defined_tensors"]

_ENVIRONMENT = {
    # TensorFlow's C++ start-up chatter is noise on a command line.
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # oneDNN reorders float sums, changing weights in the last bits from one CPU
    # to another; without it the same seed gives the same numbers everywhere.
    "TF_ENABLE_ONEDNN_OPTS": "0",
    # vizkit's networks are small: one thread per op beats waking (and spinning)
    # thread pools, which also leaves the second core to ffmpeg. 200-epoch
    # layer-spaces GIF: 16.6 s -> 14.7 s on 2 cores. Set them to override.
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}

_skip_sklearn_wrappers = False
_warned = False


def skip_keras_sklearn_wrappers():
    """Let Keras load without its scikit-learn wrappers (1.2 s of start-up).

    ``import keras`` imports scikit-learn, when installed, for
    ``keras.wrappers.SKLearnClassifier`` and friends, which vizkit never uses.
    For a vizkit program run as a whole (``vizkit ...``), scikit-learn is
    hidden while Keras imports, so those wrappers are disabled in that process;
    scikit-learn itself stays importable. Libraries and notebooks never call this.
    """
    global _skip_sklearn_wrappers
    _skip_sklearn_wrappers = True


def apply_environment():
    """Set vizkit's TensorFlow defaults (each only where the variable is unset).

    They only work before TensorFlow starts, so ``import vizkit`` applies them.
    If TensorFlow was imported already (a notebook that imported Keras first),
    vizkit says once which defaults could not apply and leaves the environment
    as it is, so that manifests record what was actually in force.
    """
    global _warned
    if "tensorflow" in sys.modules:
        missing = [f"{k}={v}" for k, v in _ENVIRONMENT.items() if k not in os.environ]
        if missing and not _warned:
            _warned = True
            warnings.warn("TensorFlow was imported before vizkit, so vizkit's defaults "
                          f"{', '.join(missing)} did not apply (numbers may differ in the last "
                          "bits between machines); import vizkit first, or set them before "
                          "importing TensorFlow", stacklevel=2)
    else:
        for name, value in _ENVIRONMENT.items():
            os.environ.setdefault(name, value)


def import_keras():
    """Return the ``keras`` module, importing TensorFlow on first use (see
    :func:`apply_environment`)."""
    apply_environment()
    if "keras" in sys.modules:
        return sys.modules["keras"]
    hide = _skip_sklearn_wrappers and "sklearn" not in sys.modules
    if hide:
        sys.modules["sklearn"] = None  # `import sklearn` raises ImportError
    try:
        import keras
    finally:
        if hide:
            del sys.modules["sklearn"]
    return keras


def defined_tensors(model, which):
    """``model.inputs`` or ``model.outputs`` (``which``), or ``[]`` where the model has
    none defined yet (a Sequential never built or called raises instead of answering)."""
    try:
        return list(getattr(model, which) or [])
    except (AttributeError, ValueError):
        return []
