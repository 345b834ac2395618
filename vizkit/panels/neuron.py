"""Panels of one neuron: its data, its fitted output, activation functions."""

from ..style import class_colors

__all__ = ["data_points", "linear_fit", "logistic_fit", "activation_curve"]


def data_points(ax, x, y, *, classes=False):
    """The data: crosses for regression, one marker per class for 0/1 labels."""
    if not classes:
        ax.plot(x, y, linestyle="none", marker="x", markersize=9, markeredgewidth=2,
                color="#c0392b", label="data", zorder=4)
        return ax
    colors = class_colors(2)
    for label, marker in ((0, "o"), (1, "X")):
        chosen = y == label
        ax.plot(x[chosen], y[chosen], linestyle="none", marker=marker, markersize=9,
                markerfacecolor=colors[label], markeredgecolor="black", label=f"y = {label}",
                zorder=4)
    return ax


def linear_fit(ax, x, y, xs, tensorflow, numpy, equation):
    """Data, TensorFlow's prediction (wide) and numpy's (dashed, on top) on ``xs``."""
    data_points(ax, x, y)
    ax.plot(xs, tensorflow, color="#2e86c1", linewidth=6, alpha=0.45,
            label=f"TensorFlow: {equation}")
    ax.plot(xs, numpy, color="black", linewidth=1.4, linestyle="--",
            label=f"numpy: {equation}")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def logistic_fit(ax, x, y, xs, tensorflow, numpy, equation):
    """Data by class, the sigmoid, the background shaded by the output, the 0.5 line."""
    ax.imshow(tensorflow[None, :], extent=(xs[0], xs[-1], -0.1, 1.1), origin="lower",
              aspect="auto", cmap="RdBu_r", vmin=0, vmax=1, alpha=0.35, zorder=0)
    data_points(ax, x, y, classes=True)
    ax.plot(xs, tensorflow, color="#2e86c1", linewidth=6, alpha=0.45,
            label=f"TensorFlow: {equation}")
    ax.plot(xs, numpy, color="black", linewidth=1.4, linestyle="--",
            label=f"numpy: {equation}")
    ax.axhline(0.5, color="#555555", linewidth=1, linestyle=":", label="threshold 0.5")
    ax.legend(loc="upper left", fontsize=7.5)
    return ax


def activation_curve(ax, z, values, derivative, name):
    """An activation function (solid) and its derivative (dashed) over ``z``."""
    ax.axhline(0, color="#bbbbbb", linewidth=0.8)
    ax.axvline(0, color="#bbbbbb", linewidth=0.8)
    ax.plot(z, values, color="#2e86c1", linewidth=2, label=name)
    ax.plot(z, derivative, color="#c0392b", linewidth=1.5, linestyle="--",
            label="derivative")
    ax.set_title(name)
    ax.legend(loc="upper left", fontsize=7.5)
    return ax
