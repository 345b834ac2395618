"""A regular grid over the input plane, the thing each layer bends."""

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from ..errors import VizkitError

__all__ = ["InputGrid", "GridMesh"]


class GridMesh(NamedTuple):
    """Which grid points a bent grid is drawn from (see :meth:`InputGrid.mesh`).

    ``rows``/``cols``: the grid lines' indices; ``nodes``: the mesh's corners
    (an ``np.ix_`` index into per-point values on the grid); ``cells``: the
    grid point at the middle of each mesh quad, whose value colours it.
    """

    rows: np.ndarray
    cols: np.ndarray
    nodes: tuple
    cells: tuple


@dataclass(frozen=True)
class InputGrid:
    """Grid points ``xs`` × ``ys`` over a rectangle of the 2-D input plane."""

    xs: np.ndarray
    ys: np.ndarray

    @classmethod
    def around(cls, points, resolution=200, padding=0.1):
        """A ``resolution`` × ``resolution`` grid covering ``points`` plus a margin.

        ``padding`` is a fraction of the data's extent added on every side.
        """
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            width = points.shape[1] if points.ndim == 2 else points.ndim
            raise VizkitError(f"a grid over a plane needs points of 2 coordinates, got {width}; "
                              "project them first (vizkit.inspect.input_plane.InputPlane)")
        low, high = points.min(axis=0), points.max(axis=0)
        margin = (high - low) * padding
        low, high = low - margin, high + margin
        return cls(np.linspace(low[0], high[0], resolution, dtype=np.float32),
                   np.linspace(low[1], high[1], resolution, dtype=np.float32))

    @property
    def shape(self):
        """``(len(ys), len(xs))``: the layout of per-point values on the grid."""
        return (len(self.ys), len(self.xs))

    @property
    def extent(self):
        """``(left, right, bottom, top)`` for ``imshow``."""
        return (float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1]))

    @cached_property
    def points(self):
        """All grid points as an ``(ny * nx, 2)`` array, row by row (computed once)."""
        gx, gy = np.meshgrid(self.xs, self.ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def to_grid(self, values):
        """Reshape per-point values ``(ny * nx, ...)`` to ``(ny, nx, ...)``."""
        values = np.asarray(values)
        return values.reshape(self.shape + values.shape[1:])

    def line_indices(self, n_lines=11):
        """Rows and columns of the grid to draw as grid lines (evenly spaced)."""
        return (np.unique(np.linspace(0, len(self.ys) - 1, n_lines).round().astype(int)),
                np.unique(np.linspace(0, len(self.xs) - 1, n_lines).round().astype(int)))

    def mesh(self, n_lines, resolution):
        """The :class:`GridMesh` of ``n_lines`` grid lines and ``resolution`` mesh
        nodes a side (``resolution - 1`` quads)."""
        rows, cols = self.line_indices(n_lines)
        mesh_rows, mesh_cols = self.line_indices(resolution)
        return GridMesh(rows, cols, np.ix_(mesh_rows, mesh_cols),
                        np.ix_((mesh_rows[:-1] + mesh_rows[1:]) // 2,
                               (mesh_cols[:-1] + mesh_cols[1:]) // 2))
