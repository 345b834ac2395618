"""Small 2-D data sets for the scenes, each made from an explicit seed.

Every function returns ``(x, y)``: ``x`` float32 of shape (n, 2), ``y`` int64 of
shape (n,).
"""

import numpy as np

__all__ = ["diagonal_clusters", "circles", "moons", "blobs"]


def diagonal_clusters(seed, size=200, sigma=0.5):
    """The two-class set of "Understanding Neural Networks (with Graphs)".

    Class 0: two Gaussians at (-1, -1) and (1, 1), ``size // 2`` points each;
    class 1: one Gaussian at the origin, ``size`` points; all with std ``sigma``.
    No straight line separates the classes, so the hidden layer has work to do.
    """
    rng = np.random.default_rng(seed)
    low = rng.normal(-1.0, sigma, (size // 2, 2))
    middle = rng.normal(0.0, sigma, (size, 2))
    high = rng.normal(1.0, sigma, (size // 2, 2))
    x = np.concatenate([low, middle, high]).astype(np.float32)
    y = np.concatenate([np.zeros(size // 2), np.ones(size), np.zeros(size // 2)])
    return x, y.astype(np.int64)


def circles(seed, n_samples=1000, noise=0.03, factor=0.8):
    """Two concentric rings (scikit-learn's ``make_circles``)."""
    from sklearn.datasets import make_circles

    x, y = make_circles(n_samples, noise=noise, factor=factor, random_state=seed)
    return x.astype(np.float32), y.astype(np.int64)


def moons(seed, n_samples=400, noise=0.1):
    """Two interleaving half circles (scikit-learn's ``make_moons``)."""
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples, noise=noise, random_state=seed)
    return x.astype(np.float32), y.astype(np.int64)


def blobs(seed, n_samples=100, centers=((-5, 2), (-2, -2), (1, 2), (5, -2)), std=1.0):
    """Gaussian blobs, one class each (scikit-learn's ``make_blobs``).

    The defaults are the 4-class set of the multiclass lab.
    """
    from sklearn.datasets import make_blobs

    x, y = make_blobs(n_samples, centers=np.asarray(centers, float), cluster_std=std,
                      random_state=seed)
    return x.astype(np.float32), y.astype(np.int64)
