"""Lazy, quiet import of Keras: only code that trains or probes pays for it."""

import os

__all__ = ["import_keras"]

_ENVIRONMENT = {
    # TensorFlow's C++ start-up chatter is noise on a command line.
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # oneDNN reorders float sums, changing weights in the last bits from one CPU
    # to another; without it the same seed gives the same numbers everywhere.
    "TF_ENABLE_ONEDNN_OPTS": "0",
}


def import_keras():
    """Return the ``keras`` module, importing TensorFlow on first use."""
    for name, value in _ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    import keras

    return keras
