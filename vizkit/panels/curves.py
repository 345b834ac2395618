"""Panels of curves: training history, a regression fit, a learning-rate search,
decision regions with their points."""

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.ticker import MaxNLocator

from ..style import INK, MUTED, SERIES, TEXT, WRONG, class_colors, probability_cmap
from .space import boundary, class_points, region_image

__all__ = ["decision_panel", "history_panel", "regression_panel", "lr_finder_panel",
           "rate_panel"]


def decision_panel(ax, grid, probabilities, x, y, *, title=None, size=None):
    """P(class 1) over ``grid`` (an InputGrid) in pale class colours, the 0.5
    boundary, and the points."""
    values = grid.to_grid(probabilities)
    region_image(ax, grid.extent, values, cmap=probability_cmap(), norm=Normalize(0, 1))
    boundary(ax, grid.to_grid(grid.points), values, 0.5)
    class_points(ax, x, y, size=size)
    if title:
        ax.set_title(title, fontsize=TEXT["title"])
    return ax


def _split(name):
    """``test_loss`` → ``test``; ``val_accuracy`` → ``test``; ``loss`` → ``train``."""
    return "test" if name.startswith(("test_", "val_")) else "train"


def history_panel(ax, metrics, names, *, epochs=None, upto=None, legend=True):
    """Curves of ``metrics[name]`` against ``epochs`` (each frame's epoch; default frame
    k is epoch k) for each of ``names``, up to frame ``upto``: training solid, held-out
    data dashed (:data:`vizkit.style.SERIES`)."""
    shown = []
    stop = None if upto is None else upto + 1
    for name in names:
        if name in metrics:
            values = np.asarray(metrics[name])[:stop]
            xs = np.arange(len(values)) if epochs is None else np.asarray(epochs)[:stop]
            ax.plot(xs, values, linewidth=1.8, **SERIES[_split(name)])
            shown.append(_split(name))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if legend and shown:
        from .legend import series_legend

        series_legend(ax, shown)
    return ax


def regression_panel(ax, x_train, y_train, x_test, y_test, y_pred):
    """Training data, test data and the model's predictions on the test inputs
    (each with its own marker, so the key does not rest on colour)."""
    blue, _, green = class_colors(3)
    ax.plot(x_train, y_train, linestyle="none", marker="o", markersize=4.5, color=blue,
            markeredgecolor=INK, markeredgewidth=0.4, label="training data")
    ax.plot(x_test, y_test, linestyle="none", marker="s", markersize=4.5, color=green,
            markeredgecolor=INK, markeredgewidth=0.4, label="test data")
    ax.plot(x_test, y_pred, linestyle="none", marker="x", markersize=5, color=WRONG,
            markeredgewidth=1.4, label="predictions")
    ax.legend(loc="upper left", fontsize=TEXT["legend"])
    return ax


def lr_finder_panel(ax, search):
    """Loss against learning rate on a log axis, the suggestion marked and printed."""
    ax.plot(search.rates, search.losses, linewidth=1.8, **SERIES["train"])
    ax.set_xscale("log")
    ax.axvline(search.suggestion, color=WRONG, linestyle="--", linewidth=1.3,
               label=f"suggested rate {search.suggestion:.2g}")
    ax.axvline(search.best, color=MUTED, linestyle=":", linewidth=1.3,
               label=f"lowest loss at {search.best:.2g}")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("loss after the epoch")
    ax.legend(loc="lower left", fontsize=TEXT["legend"])
    return ax


def rate_panel(ax, epochs, rates):
    """The learning rate used at each epoch, on a log axis."""
    ax.plot(epochs, rates, linewidth=1.8, **SERIES["rate"])
    ax.set_yscale("log")
    return ax


def loss_and_accuracy(axes, metrics, epochs=None):
    """Two panels of training curves against ``epochs`` (as :func:`history_panel`): loss
    and test loss, accuracy and test accuracy, labelled (the classification and digits
    stills share them)."""
    history_panel(axes[0], metrics, ("loss", "test_loss"), epochs=epochs)
    history_panel(axes[1], metrics, ("accuracy", "test_accuracy"), epochs=epochs)
    for ax, label in zip(axes, ("loss", "accuracy")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
    return axes
