"""vizkit's fixed look: fonts, sizes and colours, the same on every machine."""

import matplotlib as mpl
import numpy as np

__all__ = ["STYLE", "style", "class_colors", "probability_cmap", "region_cmap"]

#: rcParams for every vizkit figure: bundled DejaVu fonts and fixed sizes, so
#: that a frame renders to the same pixels wherever matplotlib is the same.
STYLE = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "axes.grid": False,
    "axes.autolimit_mode": "data",
    "image.interpolation": "nearest",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "text.hinting": "default",
    "text.hinting_factor": 8,
    "path.simplify": True,
}


def style():
    """Context manager (and decorator) that applies :data:`STYLE`."""
    return mpl.rc_context(STYLE)


# The notebook's palette: seaborn.diverging_palette(220, 20), blue for class 0,
# red for class 1; written out so that importing vizkit does not import seaborn.
_BLUE = (0.2472, 0.4992, 0.5766)
_RED = (0.7635, 0.3348, 0.2259)
_MIDDLE = (0.9500, 0.9459, 0.9453)
_TAB10 = mpl.colormaps["tab10"].colors


def class_colors(n_classes):
    """One RGB colour per class: the notebook's blue/red pair for two classes."""
    if n_classes <= 2:
        return np.array([_BLUE, _RED])[:max(n_classes, 1)]
    return np.array(_TAB10 * (n_classes // 10 + 1))[:n_classes]


def probability_cmap():
    """Diverging blue–white–red map for P(class 1), 0.5 white."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("vizkit-probability", [_BLUE, _MIDDLE, _RED])


def region_cmap(n_classes, lightness=0.6):
    """Light class colours for categorical decision regions."""
    from matplotlib.colors import ListedColormap

    colors = class_colors(n_classes)
    return ListedColormap(colors + (1 - colors) * lightness, name="vizkit-regions")
