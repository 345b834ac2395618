"""Panels of curves: training history, a regression fit, a learning-rate search,
decision regions with their points."""

import numpy as np
from matplotlib.colors import Normalize

from ..style import probability_cmap
from .space import boundary, class_points, region_image

__all__ = ["decision_panel", "history_panel", "regression_panel", "lr_finder_panel"]

_CURVES = {"loss": "#c0392b", "test_loss": "#e59866", "accuracy": "#1f618d",
           "test_accuracy": "#7fb3d5"}


def decision_panel(ax, grid, probabilities, x, y, *, title=None):
    """P(class 1) over ``grid`` (an InputGrid), the 0.5 boundary, and the points."""
    values = grid.to_grid(probabilities)
    region_image(ax, grid.extent, values, cmap=probability_cmap(), norm=Normalize(0, 1))
    boundary(ax, grid.to_grid(grid.points), values, 0.5)
    class_points(ax, x, y, size=3.5)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def history_panel(ax, metrics, names, *, upto=None):
    """Curves of ``metrics[name]`` against epoch for each of ``names``, up to ``upto``."""
    for name in names:
        if name in metrics:
            values = np.asarray(metrics[name])[: None if upto is None else upto + 1]
            ax.plot(np.arange(len(values)), values, color=_CURVES.get(name), linewidth=1.8,
                    label=name.replace("_", " "))
    ax.legend(loc="best", fontsize=8)
    return ax


def regression_panel(ax, x_train, y_train, x_test, y_test, y_pred):
    """Training data, test data and the model's predictions on the test inputs."""
    ax.scatter(x_train, y_train, s=10, color="#1f618d", label="training data")
    ax.scatter(x_test, y_test, s=10, color="#27ae60", label="test data")
    ax.scatter(x_test, y_pred, s=10, color="#c0392b", label="predictions")
    ax.legend(loc="upper left", fontsize=8)
    return ax



def lr_finder_panel(ax, search):
    """Loss against learning rate on a log axis, the suggestion marked and printed."""
    ax.plot(search.rates, search.losses, color="#2e86c1", linewidth=1.8)
    ax.set_xscale("log")
    ax.axvline(search.suggestion, color="#c0392b", linestyle="--", linewidth=1.2,
               label=f"suggested rate {search.suggestion:.2g}")
    ax.axvline(search.best, color="#7f8c8d", linestyle=":", linewidth=1.2,
               label=f"lowest loss at {search.best:.2g}")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("loss after the epoch")
    ax.legend(loc="upper left", fontsize=8)
    return ax
