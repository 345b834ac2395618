"""A seeded run is the same run whatever else in the process draws from Python's random."""

import random
import threading

import numpy as np

from vizkit._keras import import_keras
from vizkit.seeding import private_seeds, set_seed


def initial_weights(seed):
    """The weights and dropout seed of :func:`build` after ``set_seed(seed)``."""
    set_seed(seed)
    return build()


def build():
    """A model with unseeded initializers and dropout: its weights and dropout seed."""
    keras = import_keras()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    dropout = model.layers[1].seed_generator.state.numpy()
    return [w.copy() for w in model.get_weights()] + [dropout]


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_private_seeds_ignore_draws_from_other_threads():
    """While a thread builds a model in private_seeds, another thread draws from the global
    random without pause (as a Dask worker's event loop may): the weights and the dropout
    seed are those of the same build with nobody else drawing."""
    alone = initial_weights(7)
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.random()

    other = threading.Thread(target=draw)
    other.start()
    try:
        for _ in range(3):
            with private_seeds():
                assert same(initial_weights(7), alone)
    finally:
        stop.set()
        other.join()


def test_without_private_seeds_keras_follows_the_global_random():
    """Outside the block nothing changes, as in plain Keras: keras.utils.set_random_seed
    decides, and a draw from the global random in between changes the weights."""
    keras = import_keras()
    with private_seeds():
        initial_weights(1)
    keras.utils.set_random_seed(3)
    first = build()
    keras.utils.set_random_seed(3)
    assert same(build(), first)
    keras.utils.set_random_seed(3)
    random.random()
    assert not same(build(), first)
