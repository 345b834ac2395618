"""Panels of a plane: points, regions, warped grids, boundaries, captions.

None of them changes axis limits: the caller fixes limits once for a whole
animation (see :class:`vizkit.inspect.limits.Bounds`), so that frames stay comparable.
"""

import numpy as np
from matplotlib.collections import LineCollection

from ..style import EDGE, INK, MUTED, POINT, TEXT, class_colors

__all__ = ["class_points", "class_centres", "stacked_counts", "region_image", "warped_mesh",
           "grid_lines", "boundary", "caption", "fix_limits", "value_points"]


def fix_limits(ax, limits):
    """Set ``((xmin, xmax), (ymin, ymax))`` and switch autoscaling off."""
    (x0, x1), (y0, y1) = limits
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_autoscale_on(False)
    return ax


def class_points(ax, points, labels, *, colors=None, size=None, alpha=None, zorder=4):
    """Plot ``points`` (n, 2) coloured by integer class ``labels``: saturated
    class colours with a thin dark edge, so that they read on any pale region.

    Drawn in one fixed shuffled order, so that where classes overlap neither
    hides the other by being drawn last. ``colors`` is one RGB row per class
    (default: :func:`vizkit.style.class_colors`); ``size`` is the marker
    diameter in points.
    """
    labels = np.asarray(labels).astype(int).ravel()
    points = np.asarray(points)
    if colors is None:
        colors = class_colors(int(labels.max()) + 1 if labels.size else 1)
    order = np.random.default_rng(0).permutation(len(labels))
    faces = np.asarray(colors)[labels[order]]
    alpha = POINT["alpha"] if alpha is None else alpha
    size = POINT["size"] if size is None else size
    ax.scatter(points[order, 0], points[order, 1], s=size ** 2, c=faces, alpha=alpha,
               edgecolors=EDGE, linewidths=POINT["edge"], zorder=zorder)
    return ax


def value_points(ax, points, values, *, cmap, norm, size=None, alpha=None, zorder=4):
    """Plot ``points`` (n, 2) filled by a continuous ``values`` (a regression's
    targets) on ``cmap``/``norm``, with the same thin dark edge as class points."""
    points = np.asarray(points)
    alpha = POINT["alpha"] if alpha is None else alpha
    size = POINT["size"] if size is None else size
    ax.scatter(points[:, 0], points[:, 1], s=size ** 2, c=np.asarray(values, float).ravel(),
               cmap=cmap, norm=norm, alpha=alpha, edgecolors=EDGE,
               linewidths=POINT["edge"], zorder=zorder)
    return ax


def stacked_counts(ax, points, *, min_count=4, cell=0.002, zorder=6):
    """Say how many points share one spot: ``25 points`` beside every pile of at
    least ``min_count`` points that coincide (closer than ``cell`` of the axes'
    span), such as all the points a ReLU layer sends to 0."""
    points = np.asarray(points, dtype=float)
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) < min_count:
        return ax
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    span = np.array([x1 - x0, y1 - y0])
    keys = np.floor((points - (x0, y0)) / (span * cell)).astype(np.int64)
    _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    for group in np.flatnonzero(counts >= min_count):
        x, y = points[inverse.ravel() == group].mean(axis=0)
        if not (min(x0, x1) <= x <= max(x0, x1) and min(y0, y1) <= y <= max(y0, y1)):
            continue
        right = (x - x0) / (x1 - x0) < 0.7
        ax.annotate(f"{counts[group]} points", (x, y), xytext=(7 if right else -7, 7),
                    textcoords="offset points", ha="left" if right else "right", va="bottom",
                    fontsize=TEXT["note"], color=INK, zorder=zorder,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none",
                              alpha=0.8),
                    arrowprops=dict(arrowstyle="-", color=INK, linewidth=0.6,
                                    shrinkA=0, shrinkB=3))
    return ax


def class_centres(ax, centres, *, colors=None, names=None, size=11, zorder=5,
                  tolerance=0.02):
    """Mark each class centre (one row per class) with a cross in its class colour.

    Centres closer than ``tolerance`` of the axes' span (e.g. of concentric
    rings) are drawn as one dark cross labelled with the classes that share it.
    """
    centres = np.asarray(centres, dtype=float)
    if colors is None:
        colors = class_colors(len(centres))
    names = [str(k) for k in range(len(centres))] if names is None else list(names)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    scaled = centres / np.abs([x1 - x0, y1 - y0])
    done = set()
    for k, (centre, color) in enumerate(zip(centres, colors)):
        if k in done or not np.isfinite(centre).all():  # a class without points
            continue
        near = [j for j in range(len(centres))
                if j not in done and np.linalg.norm(scaled[j] - scaled[k]) < tolerance]
        done.update(near)
        shared = len(near) > 1
        ax.plot(centre[0], centre[1], linestyle="none", marker="X", markersize=size,
                markerfacecolor=INK if shared else color, markeredgecolor="white" if shared
                else INK, markeredgewidth=1.0, zorder=zorder)
        if shared:  # under the cross, towards the middle of the panel (where there is room)
            where = (centre[0] - x0) / (x1 - x0)
            side, shift = (("left", 8) if where < 0.3 else
                           ("right", -8) if where > 0.7 else ("center", 0))
            ax.annotate("centre of " + " and ".join(names[j] for j in near), centre,
                        xytext=(shift, -9), textcoords="offset points", ha=side, va="top",
                        fontsize=TEXT["note"], color=INK, zorder=zorder,
                        bbox=dict(boxstyle="round,pad=0.15", facecolor="white",
                                  edgecolor="none", alpha=0.85))
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


def grid_lines(ax, mesh, rows, cols, *, color=MUTED, linewidth=0.6, alpha=0.55,
               outline=True, zorder=2):
    """Chosen ``rows`` and ``cols`` of a (possibly warped) ``mesh`` as lines; with
    ``outline`` the mesh's border is drawn darker, so the sheet's edge shows."""
    segments = [mesh[r] for r in rows] + [mesh[:, c] for c in cols]
    ax.add_collection(LineCollection(segments, colors=color, linewidths=linewidth,
                                     alpha=alpha, zorder=zorder), autolim=False)
    if outline:
        border = np.concatenate([mesh[0], mesh[1:, -1], mesh[-1, ::-1][1:], mesh[::-1, 0][1:]])
        ax.add_collection(LineCollection([border], colors=INK, linewidths=0.8, alpha=0.6,
                                         zorder=zorder), autolim=False)
    return ax


def boundary(ax, mesh, values, level=0.5, *, color=INK, linewidth=1.4, linestyle="solid",
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
    """Per-frame text at the top of a header ``ax`` (axis off): a bold ``title``
    and, under it, a ``subtitle`` (0.5 inch in all: see :func:`vizkit.views.layout.header`).

    Text artists, not ``ax.set_title``, so that they change from frame to frame.
    """
    ax.annotate(title, (0.5, 1.0), xycoords="axes fraction", xytext=(0, -2),
                textcoords="offset points", ha="center", va="top", fontsize=TEXT["header"],
                fontweight="bold")
    if subtitle:
        ax.annotate(subtitle, (0.5, 1.0), xycoords="axes fraction", xytext=(0, -21),
                    textcoords="offset points", ha="center", va="top",
                    fontsize=TEXT["subheader"])
    return ax
