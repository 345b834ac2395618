"""Seeds: the same seed gives the same run, also where other code shares the process.

Keras seeds every unseeded initializer and dropout layer from Python's global
``random`` (``keras.src.random.seed_generator.make_default_seed``). In a plain
run nothing else draws from it; in a Dask worker, the worker's event loop
may draw from it at any moment (connection back-off, retries), so a model
built there could start from other weights than the same run made alone.

:func:`private_seeds` gives the calling thread a generator of its own for
those seeds while a block runs; :func:`set_seed` (what vizkit's scenes and
:func:`vizkit.record` call) seeds it together with everything
``keras.utils.set_random_seed`` seeds. Outside such a block nothing changes:
Keras draws from the global ``random`` as it always does, so a notebook's
own ``keras.utils.set_random_seed`` keeps its meaning.
"""

import numbers
import random
import threading
from contextlib import contextmanager

from .errors import VizkitError, parameter

__all__ = ["set_seed", "check_seed", "private_seeds", "MAX_SEED"]

#: The largest seed: NumPy's and Keras's seeds are unsigned 32-bit numbers.
MAX_SEED = 2 ** 32 - 1

_THREAD = threading.local()  # .random: this thread's generator inside private_seeds


class _SeedSource:
    """Stands in for the ``random`` module where Keras draws its default seeds: this
    thread's own generator inside :func:`private_seeds`, else the global one."""

    def __getattr__(self, name):
        return getattr(getattr(_THREAD, "random", None) or random, name)


def _install():
    """Point Keras's default seeds at :class:`_SeedSource` (once per process)."""
    from keras.src.random import seed_generator

    source = getattr(seed_generator, "python_random", None)
    if isinstance(source, _SeedSource):
        return
    if source is not random:
        raise RuntimeError("this Keras draws its default seeds elsewhere than "
                           "keras.src.random.seed_generator.python_random; vizkit cannot keep "
                           "runs on Dask reproducible with it")
    seed_generator.python_random = _SeedSource()


def set_seed(seed):
    """``keras.utils.set_random_seed(seed)``, and inside :func:`private_seeds` the
    thread's own generator too, so that both give what a fresh process gives."""
    from ._keras import import_keras

    check_seed(seed)
    import_keras().utils.set_random_seed(seed)
    if getattr(_THREAD, "random", None) is not None:
        _THREAD.random.seed(seed)


def check_seed(seed):
    """``seed`` if it is a whole number from 0 to :data:`MAX_SEED`, else a one-line error
    naming it."""
    if (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
            or not 0 <= seed <= MAX_SEED):
        raise VizkitError(f"{parameter('seed', seed)} is not a seed: a seed must be at least 0 "
                          f"and at most {MAX_SEED} (2**32 - 1), a whole number")
    return seed


@contextmanager
def private_seeds():
    """Inside the block, Keras's default seeds drawn in this thread come from a
    generator of the thread's own (seeded by :func:`set_seed`), whatever other
    threads draw from the global ``random``."""
    _install()
    outer = getattr(_THREAD, "random", None)
    _THREAD.random = random.Random()
    try:
        yield
    finally:
        _THREAD.random = outer
