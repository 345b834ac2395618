"""Panels of one neuron: its data, its fitted output, activation functions."""

from ..style import EDGE, INK, MUTED, SERIES, TEXT, WRONG, class_colors, probability_cmap

__all__ = ["data_points", "linear_fit", "logistic_fit", "activation_curve"]


def data_points(ax, x, y, *, classes=False):
    """The data: crosses for regression, one marker per class for 0/1 labels."""
    if not classes:
        ax.plot(x, y, linestyle="none", marker="X", markersize=10, markeredgewidth=0.8,
                color=WRONG, markeredgecolor=EDGE, label="data", zorder=4)
        return ax
    colors = class_colors(2)
    for label, marker in ((0, "o"), (1, "s")):
        chosen = y == label
        ax.plot(x[chosen], y[chosen], linestyle="none", marker=marker, markersize=9,
                markerfacecolor=colors[label], markeredgecolor=EDGE, label=f"y = {label}",
                zorder=4)
    return ax


def _two_outputs(ax, xs, tensorflow, numpy, equation):
    """TensorFlow's output (wide, pale) under numpy's (thin, dashed): they coincide."""
    ax.plot(xs, tensorflow, color=SERIES["train"]["color"], linewidth=6, alpha=0.35,
            label=f"TensorFlow: {equation}")
    ax.plot(xs, numpy, color=INK, linewidth=1.4, linestyle="--", label=f"numpy: {equation}")


def linear_fit(ax, x, y, xs, tensorflow, numpy, equation):
    """Data, TensorFlow's prediction (wide) and numpy's (dashed, on top) on ``xs``."""
    data_points(ax, x, y)
    _two_outputs(ax, xs, tensorflow, numpy, equation)
    ax.legend(loc="upper left", fontsize=TEXT["legend"])
    return ax


def logistic_fit(ax, x, y, xs, tensorflow, numpy, equation):
    """Data by class, the sigmoid, the background shaded by the output, the 0.5 line."""
    ax.imshow(tensorflow[None, :], extent=(xs[0], xs[-1], -0.1, 1.1), origin="lower",
              aspect="auto", cmap=probability_cmap(), vmin=0, vmax=1, zorder=0)
    data_points(ax, x, y, classes=True)
    _two_outputs(ax, xs, tensorflow, numpy, equation)
    ax.axhline(0.5, color=MUTED, linewidth=1, linestyle=":", label="threshold 0.5")
    ax.legend(loc="upper left", fontsize=TEXT["legend"])
    return ax


def activation_curve(ax, z, values, derivative, name, *, legend=False):
    """An activation function (solid) and its derivative (dashed) over ``z``;
    ``legend`` adds the key (once per figure is enough)."""
    ax.axhline(0, color="#c8c8c8", linewidth=0.8)
    ax.axvline(0, color="#c8c8c8", linewidth=0.8)
    ax.plot(z, values, color=SERIES["train"]["color"], linewidth=2, label=name)
    ax.plot(z, derivative, color=WRONG, linewidth=1.6, linestyle="--", label="derivative")
    ax.set_title(name)
    if legend:
        ax.legend(["function", "derivative"], loc="lower right", bbox_to_anchor=(1, 1.08),
                  ncols=2, fontsize=TEXT["legend"])
    return ax
