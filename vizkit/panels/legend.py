"""Keys: which colour is which class, which line is which split, what a colour means."""

from matplotlib.cm import ScalarMappable
from matplotlib.lines import Line2D

from ..style import EDGE, INK, POINT, SERIES, TEXT, class_colors

__all__ = ["class_keys", "line_key", "marker_key", "keys_legend", "class_legend",
           "series_legend", "colour_bar", "legend_columns"]


def class_keys(names, colors=None):
    """``(handle, name)`` of each class marker, as :func:`class_points` draws them."""
    colors = class_colors(len(names)) if colors is None else colors
    return [(marker_key(color), str(name)) for color, name in zip(colors, names)]


def marker_key(color, marker="o", size=None, edge=EDGE):
    """A legend handle for a marker."""
    return Line2D([], [], linestyle="none", marker=marker,
                  markersize=(POINT["size"] + 2) if size is None else size,
                  markerfacecolor=color, markeredgecolor=edge, markeredgewidth=POINT["edge"])


def line_key(color=INK, linestyle="solid", linewidth=1.6):
    """A legend handle for a line."""
    return Line2D([], [], color=color, linestyle=linestyle, linewidth=linewidth)


def legend_columns(names, width):
    """How many columns a legend of entries ``names`` can have within ``width``
    inches (matplotlib fills a legend column by column)."""
    sizes = [0.42 + 0.074 * len(str(name)) for name in names]
    for columns in range(len(sizes), 1, -1):
        per = -(-len(sizes) // columns)
        widths = [max(sizes[i:i + per]) for i in range(0, len(sizes), per)]
        if sum(widths) + 0.14 * (len(widths) - 1) <= width:
            return len(widths)
    return 1


def keys_legend(ax, keys, *, columns=None, loc="lower left", anchor=(0.0, 0.0)):
    """A legend of ``keys`` (``(handle, name)`` pairs) on ``ax``, ``columns`` wide."""
    handles, names = zip(*keys)
    ax.legend(handles, names, loc=loc, bbox_to_anchor=anchor, ncols=columns or len(keys),
              fontsize=TEXT["legend"], handletextpad=0.3, columnspacing=1.0,
              borderaxespad=0.1, handlelength=1.8)
    return ax


def class_legend(ax, names, *, colors=None, loc="lower left", anchor=(0.0, 0.0),
                 columns=None):
    """A legend of class markers named ``names`` (one row unless ``columns``)."""
    return keys_legend(ax, class_keys(names, colors), columns=columns, loc=loc, anchor=anchor)


def series_legend(ax, names, *, loc="lower right", anchor=(1.0, 1.0), columns=None):
    """A legend of the line styles of :data:`vizkit.style.SERIES` (``train``, ``test``,
    ...), above the axes' top right corner by default, where it covers no curve."""
    keys = [(line_key(linewidth=1.8, **SERIES[name]), name) for name in names]
    return keys_legend(ax, keys, loc=loc, anchor=anchor, columns=columns)


def colour_bar(cax, cmap, norm, label, *, ticks=None, ticklabels=None, orientation="vertical"):
    """A colour bar in ``cax`` saying what ``cmap`` under ``norm`` encodes."""
    bar = cax.figure.colorbar(ScalarMappable(norm, cmap), cax=cax, ticks=ticks,
                              orientation=orientation)
    bar.outline.set_linewidth(0.6)
    bar.set_label(label, fontsize=TEXT["label"])
    bar.ax.tick_params(labelsize=TEXT["tick"])
    if ticklabels is not None:
        bar.set_ticklabels(ticklabels)
    return cax
