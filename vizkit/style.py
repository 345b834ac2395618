"""vizkit's visual language: fonts, text sizes, colours, point and region treatment.

The reasoning is in docs/design.md. In short: classes are saturated Okabe–Ito
colours (safe for colour-blind readers) on regions so pale that points of every
class read on them; numbers are encoded by lightness in hues that name no class
(purple above zero, grey below), always with a colour bar; no text is smaller
than :data:`MIN_TEXT` points (9 pt: 12.5 px at vizkit's default 100 dpi).
"""

import re

import matplotlib as mpl
import numpy as np

__all__ = ["STYLE", "style", "TEXT", "MIN_TEXT", "INK", "MUTED", "EDGE", "WRONG", "RIGHT",
           "SERIES", "class_colors", "region_colors", "probability_cmap", "region_cmap",
           "value_cmap", "value_scale", "class_scale", "weight_cmap", "surface_cmap",
           "class_names", "POINT", "pale", "PREDICTION_CMAP", "plain_text"]

#: Text sizes in points. At 100 dpi a point is 1.39 px: 9 pt is 12.5 px.
TEXT = {"header": 14.0, "subheader": 11.0, "title": 11.0, "label": 10.0, "tick": 9.0,
        "note": 9.0, "legend": 9.5, "cell": 9.0}
MIN_TEXT = 9.0

INK = "#1a1a1a"      # text, boundaries, point edges
MUTED = "#6b6b6b"    # secondary lines, grid lines, notes
EDGE = "#1a1a1a"     # the thin dark edge around every data point
WRONG = "#D55E00"    # a mistake (vermillion), always with a second cue (bold, box)
RIGHT = "#1a1a1a"    # a right answer needs no colour

#: Curves of a training history: colour per split, line style per split too.
SERIES = {"train": dict(color="#0F4C81", linestyle="solid"),
          "test": dict(color="#CC79A7", linestyle=(0, (4, 2))),
          "rate": dict(color="#4d4d4d", linestyle="solid")}

#: Data points: diameter (pt) and edge; ``small`` where hundreds share a panel.
POINT = {"size": 5.0, "small": 4.0, "edge": 0.6, "alpha": 0.9}

#: rcParams for every vizkit figure: bundled DejaVu fonts and fixed sizes, so
#: that a frame renders to the same pixels wherever matplotlib is the same.
STYLE = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": TEXT["label"],
    "axes.titlesize": TEXT["title"],
    "axes.labelsize": TEXT["label"],
    "axes.labelcolor": INK,
    "axes.titlepad": 5.0,
    "xtick.labelsize": TEXT["tick"],
    "ytick.labelsize": TEXT["tick"],
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "xtick.major.size": 3.0,
    "ytick.major.size": 3.0,
    "legend.fontsize": TEXT["legend"],
    "legend.frameon": False,
    "legend.handletextpad": 0.4,
    "legend.columnspacing": 1.2,
    "legend.borderaxespad": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "axes.grid": False,
    "axes.autolimit_mode": "data",
    "image.interpolation": "nearest",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "text.color": INK,
    "text.hinting": "default",
    "text.hinting_factor": 8,
    "path.simplify": True,
}


def style():
    """Context manager (and decorator) that applies :data:`STYLE`."""
    return mpl.rc_context(STYLE)


# Okabe & Ito's colour-blind-safe set, blue and orange first (the two-class pair,
# as in TensorFlow Playground), then two from Paul Tol's set for a tenth class.
_CLASSES = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
            "#F0E442", "#882255", "#999933")
#: How much of a class colour a region keeps (the rest is white): pale enough
#: that a saturated point of any class reads on it.
REGION_STRENGTH = 0.34


def _rgb(colors):
    from matplotlib.colors import to_rgb

    return np.array([to_rgb(c) for c in colors])


def pale(colors, strength=REGION_STRENGTH):
    """``colors`` mixed with white, keeping ``strength`` of the colour."""
    colors = np.asarray(colors, dtype=float)
    return 1 - strength * (1 - colors)


def class_colors(n_classes):
    """One saturated RGB colour per class (repeats after ten)."""
    n = max(int(n_classes), 1)
    return _rgb(_CLASSES * (n // len(_CLASSES) + 1))[:n]


def region_colors(n_classes):
    """The pale colour of each class's region."""
    return pale(class_colors(n_classes))


def plain_text(text):
    """A user's ``text`` (a column or class name) as matplotlib draws it letter for
    letter: every ``$`` escaped, so ``$x_1$`` is never read as mathtext (nor ``$\\frac$``
    raise). Text already escaped stays as it is."""
    return re.sub(r"(?<!\\)\$", r"\\$", str(text))


def class_names(n_classes, names=None):
    """``names`` if given (drawn as plain text), else ``class 0``, ``class 1``, ..."""
    if names is not None:
        return [plain_text(name) for name in names]
    return [f"class {k}" for k in range(n_classes)]


#: A regression's predicted value and targets: sequential, colour-blind safe, dark = low.
PREDICTION_CMAP = "viridis"


def probability_cmap():
    """P(class 1): pale class-0 blue, white at 0.5, pale class-1 orange."""
    from matplotlib.colors import LinearSegmentedColormap

    low, high = region_colors(2)
    return LinearSegmentedColormap.from_list("vizkit-probability", [low, (1, 1, 1), high])


def region_cmap(n_classes):
    """Pale class colours for categorical decision regions (value k: class k)."""
    from matplotlib.colors import ListedColormap

    return ListedColormap(region_colors(n_classes), name="vizkit-regions")


_POSITIVE = "#7B5EA7"  # purple: a unit's output above zero (no class uses it)
_NEGATIVE = "#8C8C8C"  # grey: below zero


def value_cmap(signed):
    """A unit's output: white at zero, purple above (and grey below when ``signed``),
    light enough at both ends for class-coloured points to read."""
    from matplotlib.colors import LinearSegmentedColormap

    top = pale(_rgb([_POSITIVE]), 0.62)[0]
    if not signed:
        return LinearSegmentedColormap.from_list("vizkit-value", [(1, 1, 1), top], N=8)
    bottom = pale(_rgb([_NEGATIVE]), 0.62)[0]
    return LinearSegmentedColormap.from_list("vizkit-signed", [bottom, (1, 1, 1), top], N=10)


def value_scale(low, high):
    """``(norm, cmap)`` for outputs from ``low`` to ``high``: from 0 when they never go
    negative, else white at 0 with each sign stretched to its own extreme (a unit
    mostly negative still shows where it turns positive)."""
    from matplotlib.colors import Normalize, TwoSlopeNorm

    low, high = float(low), float(high)
    if low >= 0:
        return Normalize(0, max(high, 1e-9)), value_cmap(signed=False)
    if high <= 0:
        return Normalize(low, -low), value_cmap(signed=True)
    return TwoSlopeNorm(0.0, low, high), value_cmap(signed=True)


def class_scale(n_classes):
    """``(norm, cmap)`` of a classifier's region scores: P(class 1) from 0 to 1 for two
    classes (:func:`probability_cmap`), else the class number (:func:`region_cmap`)."""
    from matplotlib.colors import Normalize

    if n_classes == 2:
        return Normalize(0, 1), probability_cmap()
    return Normalize(-0.5, n_classes - 0.5), region_cmap(n_classes)


def weight_cmap():
    """A weight's sign in the colours of a unit's output, at full strength for thin
    lines: grey below zero, light at zero, purple above."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("vizkit-weights",
                                             [_WEIGHT_NEGATIVE, "#e4e4e4", _POSITIVE])


_WEIGHT_NEGATIVE = "#5f5f5f"  # darker than the maps' grey: a line is thin


def surface_cmap():
    """A loss surface: dark where the loss is low (the valley), light where it is high."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "vizkit-surface", ["#08306b", "#2f6fae", "#8fbfdf", "#eef5fb"])
