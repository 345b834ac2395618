"""Curves of a layer measure over epochs, one line per layer (see vizkit.inspect.layer_health)."""

import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..style import TEXT

__all__ = ["health_panel", "layer_styles"]

_SHADES = ("#0F4C81", "#5b5b5b", "#7B5EA7", "#1a1a1a")  # no class colour among them
_DASHES = ("solid", (0, (4, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)))


def layer_styles(layers):
    """A line style per layer (colour and dash both differ), in the layers' order."""
    return {name: dict(color=_SHADES[i % len(_SHADES)], linestyle=_DASHES[i % len(_DASHES)])
            for i, name in enumerate(layers)}


def health_panel(ax, epochs, values, styles, *, upto=None, percent=True):
    """``values[layer]`` (one number per frame) against ``epochs``, up to frame ``upto``
    (default: all), with a dot at the last one shown; ``percent``: the values are
    shares, labelled 0–100 %."""
    stop = None if upto is None else upto + 1
    for name, series in values.items():
        xs, ys = np.asarray(epochs)[:stop], np.asarray(series)[:stop]
        ax.plot(xs, ys, linewidth=1.6, label=name, **styles[name])
        if len(xs):
            ax.plot(xs[-1:], ys[-1:], marker="o", markersize=4, linestyle="none",
                    color=styles[name]["color"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(labelsize=TEXT["tick"])
    return ax
