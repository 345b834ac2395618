"""Lazy, quiet import of Keras: only code that trains or probes pays for it."""

import os

__all__ = ["import_keras"]

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


def import_keras():
    """Return the ``keras`` module, importing TensorFlow on first use."""
    for name, value in _ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    import keras

    return keras
