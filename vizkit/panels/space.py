"""Panels of a plane: points, regions, warped grids, boundaries, captions.

None of them changes axis limits: the caller fixes limits once for a whole
animation (see :class:`vizkit.limits.Bounds`), so that frames stay comparable.
"""

import numpy as np
from matplotlib.collections import LineCollection

from ..style import class_colors

__all__ = ["class_points", "class_centres", "region_image", "warped_mesh", "grid_lines", "boundary",
           "caption", "fix_limits"]


def fix_limits(ax, limits):
    """Set ``((xmin, xmax), (ymin, ymax))`` and switch autoscaling off."""
    (x0, x1), (y0, y1) = limits
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_autoscale_on(False)
    return ax


def class_points(ax, points, labels, *, colors=None, size=4.5, zorder=4):
    """Plot ``points`` (n, 2) coloured by integer class ``labels``, one marker line
    per class (Agg stamps markers of a line several times faster than a scatter).

    ``colors`` is one RGB row per class (default: :func:`vizkit.style.class_colors`);
    ``size`` is the marker diameter in points.
    """
    labels = np.asarray(labels).astype(int).ravel()
    points = np.asarray(points)
    if colors is None:
        colors = class_colors(int(labels.max()) + 1 if labels.size else 1)
    for label in np.unique(labels):
        chosen = points[labels == label]
        ax.plot(chosen[:, 0], chosen[:, 1], linestyle="none", marker="o",
                markersize=size, markerfacecolor=colors[label], markeredgecolor="white",
                markeredgewidth=0.5, zorder=zorder)
    return ax


def class_centres(ax, centres, *, colors=None, size=11, zorder=5):
    """Mark each class centre (one row per class) with a cross in its class colour."""
    centres = np.asarray(centres)
    if colors is None:
        colors = class_colors(len(centres))
    for centre, color in zip(centres, colors):
        ax.plot(centre[0], centre[1], linestyle="none", marker="X", markersize=size,
                markerfacecolor=color, markeredgecolor="black", markeredgewidth=1.0,
                zorder=zorder)
    return ax


def region_image(ax, extent, values, *, cmap, norm, alpha=1.0, zorder=1):
    """Per-pixel ``values`` (ny, nx) over the rectangle ``extent`` as an image."""
    ax.imshow(values, extent=extent, origin="lower", cmap=cmap, norm=norm, alpha=alpha,
              aspect="auto", interpolation="nearest", zorder=zorder)
    return ax


def warped_mesh(ax, mesh, cell_values, *, cmap, norm, zorder=1):
    """The input grid after a layer: quad ``mesh`` (ny, nx, 2) coloured per cell.

    ``cell_values`` (ny - 1, nx - 1) colour the quads (flat shading: fast, and
    right for categories too). Where the layer folds the plane, later quads
    cover earlier ones, as paper would.
    """
    ax.pcolormesh(mesh[..., 0], mesh[..., 1], cell_values, cmap=cmap, norm=norm,
                  shading="flat", zorder=zorder)
    return ax


def grid_lines(ax, mesh, rows, cols, *, color="#333333", linewidth=0.5, alpha=0.45,
               zorder=2):
    """Chosen ``rows`` and ``cols`` of a (possibly warped) ``mesh`` as lines."""
    segments = [mesh[r] for r in rows] + [mesh[:, c] for c in cols]
    ax.add_collection(LineCollection(segments, colors=color, linewidths=linewidth,
                                     alpha=alpha, zorder=zorder), autolim=False)
    return ax


def boundary(ax, mesh, values, level=0.5, *, color="#222222", linewidth=1.2, linestyle="solid",
             zorder=3):
    """The contour ``values == level`` on a (possibly warped) ``mesh`` (ny, nx, 2).

    Traced with contourpy (matplotlib's contouring engine) and drawn as one
    line collection: a tenth of the cost of a ``ContourSet`` per frame.
    """
    import contourpy

    values = np.asarray(values, dtype=np.float64)
    if values.min() < level < values.max():
        lines = contourpy.contour_generator(mesh[..., 0], mesh[..., 1], values).lines(level)
        ax.add_collection(LineCollection(lines, colors=color, linewidths=linewidth,
                                         linestyles=linestyle, zorder=zorder), autolim=False)
    return ax


def caption(ax, title, subtitle=None):
    """Per-frame text in a header ``ax`` (axis off): a bold ``title``, a ``subtitle``.

    Text artists, not ``ax.set_title``, so that they change from frame to frame.
    """
    ax.text(0.5, 0.95, title, transform=ax.transAxes, ha="center", va="top",
            fontsize=13, fontweight="bold")
    if subtitle:
        ax.text(0.5, 0.05, subtitle, transform=ax.transAxes, ha="center", va="bottom",
                fontsize=10.5)
    return ax
