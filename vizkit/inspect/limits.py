"""Axis limits that hold for every frame of an animation."""

import numpy as np

__all__ = ["Bounds", "robust_limits"]


class Bounds:
    """The smallest box around every point it has seen, in any number of updates.

    Feed it the points of every frame, then fix each axes to :meth:`limits` once,
    before the first frame, so that nothing jumps between frames.
    """

    def __init__(self):
        self.low = np.full(2, np.inf)
        self.high = np.full(2, -np.inf)

    def update(self, points):
        """Grow the box to contain ``points`` (n, 2); non-finite values are ignored."""
        points = np.asarray(points, dtype=float)
        points = points[np.isfinite(points).all(axis=1)]
        if len(points):
            self.low = np.minimum(self.low, points.min(axis=0))
            self.high = np.maximum(self.high, points.max(axis=0))
        return self

    def limits(self, margin=0.05):
        """``((xmin, xmax), (ymin, ymax))`` with ``margin`` of the span on each side."""
        if not np.isfinite(self.low).all():
            return ((-1.0, 1.0), (-1.0, 1.0))
        span = self.high - self.low
        pad = np.where(span > 0, span * margin, 0.5)
        low, high = self.low - pad, self.high + pad
        return ((float(low[0]), float(high[0])), (float(low[1]), float(high[1])))


def robust_limits(points, *, keep=0.996, margin=0.08):
    """Limits around the middle ``keep`` share of ``points`` (n, 2) on each axis,
    plus ``margin`` of that span on every side: a few outliers (or the far
    corners of a warped grid) cannot shrink everything else to a speck."""
    points = np.asarray(points, dtype=float)
    points = points[np.isfinite(points).all(axis=1)]
    if not len(points):
        return ((-1.0, 1.0), (-1.0, 1.0))
    cut = (1 - keep) / 2 * 100
    low, high = np.percentile(points, [cut, 100 - cut], axis=0)
    bounds = Bounds()
    bounds.low, bounds.high = low, high
    return bounds.limits(margin)
