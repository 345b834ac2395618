"""Binary classification over the epochs: :class:`ClassificationView` animates a
trajectory recorded with a ``test`` evaluation set: train and test boundaries
beside loss and accuracy curves drawn up to the current epoch.
"""

import numpy as np
from matplotlib.colors import Normalize

from ..errors import VizkitError
from ..inspect.grid import InputGrid
from .layout import Cell, Layout, Stack
from ..panels import (class_keys, colour_bar, decision_panel, fix_limits, history_panel,
                      keys_legend, line_key, series_legend)
from ..output.render import new_figure
from ..style import MUTED, SERIES, TEXT, probability_cmap
from ..panels.curves import loss_and_accuracy
from .base import TrajectoryView

__all__ = ["ClassificationView", "classification_stills"]

_SQUARE = 3.3  # inches per decision panel
_CURVE = Cell(3.4, 1.3, left=0.7, top=0.3, bottom=0.42, right=0.1)


def _keys(names):
    """Classes and the boundary: the keys of every decision panel."""
    return class_keys(names) + [(line_key(linewidth=1.4), "boundary (P = 0.5)")]


def _probability_bar(cax, names):
    colour_bar(cax, probability_cmap(), Normalize(0, 1), f"predicted P({names[1]})",
               ticks=[0, 0.5, 1])


class ClassificationView(TrajectoryView):
    """Train and test decision boundaries over the epochs, with the training curves.

    The trajectory must hold a ``test`` evaluation set's metrics; ``x_test``
    and ``y_test`` are that set.
    """

    title = "vizkit classification"

    def __init__(self, trajectory, x_test, y_test, *, grid_resolution=150):
        self.trajectory = trajectory
        self.bind_probe()
        if self.readout.n_classes != 2:
            what = ("a regression" if self.readout.is_regression
                    else f"a model of {self.readout.n_classes} classes")
            raise VizkitError(f"the classification view draws P(class 1) of a two-class "
                              f"model, but this run is {what}; draw it with LayerSpaces (the "
                              "layers view)")
        self.x_test, self.y_test = np.asarray(x_test), np.asarray(y_test)
        both = np.concatenate([trajectory.x, self.x_test])
        self.grid = InputGrid.around(both, grid_resolution, padding=0.05)

    def probabilities(self, frame):
        """P(class 1) at every grid point at ``frame``."""
        return self.readout.scores(self.activations(frame, self.grid.points)[self.output_name])

    def figure(self, dpi=100):
        square = Cell(_SQUARE, _SQUARE)
        layout = Layout([[square, Cell(_SQUARE, _SQUARE, left=0.2, bar=0.12, bar_room=0.62),
                          Stack((_CURVE, _CURVE))]])
        keys = _keys(self.names)
        columns = layout.fit_header([name for _, name in keys])
        fig = new_figure(*layout.size, dpi=dpi)
        header, (row,) = layout.place(fig)
        (train, _), (test, bar), (loss_ax, _), (accuracy_ax, _) = row
        keys_legend(header, keys, columns=columns)
        _probability_bar(bar, self.names)
        limits = ((self.grid.xs[0], self.grid.xs[-1]), (self.grid.ys[0], self.grid.ys[-1]))
        for ax, title in ((train, f"training data ({len(self.trajectory.x)} points)"),
                          (test, f"test data ({len(self.x_test)} points)")):
            fix_limits(ax, limits)
            ax.set_title(title)
            ax.set_xlabel("x0")
        train.set_ylabel("x1")
        test.tick_params(labelleft=False)
        epochs = self.trajectory.frame_epochs
        span = (epochs[0], max(epochs[-1], epochs[0] + 1))
        losses = [v for k, v in self.trajectory.metrics.items() if k.endswith("loss")]
        fix_limits(loss_ax, (span, (0, 1.05 * max(np.max(v) for v in losses))))
        fix_limits(accuracy_ax, (span, (0, 1.02)))
        loss_ax.set_ylabel("loss")
        accuracy_ax.set_ylabel("accuracy")
        accuracy_ax.set_xlabel("epoch")
        loss_ax.tick_params(labelbottom=False)
        series_legend(loss_ax, ["train", "test"])
        return fig, header, (train, test, loss_ax, accuracy_ax)

    def draw_frame(self, axes, frame):
        train_ax, test_ax, loss_ax, accuracy_ax = axes
        probabilities = self.probabilities(frame)
        decision_panel(train_ax, self.grid, probabilities, self.trajectory.x, self.trajectory.y,
                       size=4)
        decision_panel(test_ax, self.grid, probabilities, self.x_test, self.y_test)
        epochs = self.trajectory.frame_epochs
        history_panel(loss_ax, self.trajectory.metrics, ("loss", "test_loss"), epochs=epochs,
                      upto=frame, legend=False)
        history_panel(accuracy_ax, self.trajectory.metrics, ("accuracy", "test_accuracy"),
                      epochs=epochs, upto=frame, legend=False)


def _decision_still(columns, draw, names, *, titles=1, square=3.0, regions=True):
    """A still of ``columns`` panels of the input plane in a row (y ticks on the
    first only), the keys above; with ``regions``, a probability colour bar at the
    right and the boundary's key. ``draw(axes)`` fills them."""
    from .stills import Still

    cells = [Cell(square, square, left=0.62 if k == 0 else 0.2,
                  bar=0.12 if regions and k == columns - 1 else 0.0,
                  bar_room=0.62).titled(titles) for k in range(columns)]
    layout = Layout([cells])
    keys = _keys(names) if regions else class_keys(names)
    key_columns = layout.fit_header([name for _, name in keys], caption=False)

    def draw_figure(fig):
        header, (placed,) = layout.place(fig)
        keys_legend(header, keys, columns=key_columns)
        axes = [ax for ax, _ in placed]
        for k, ax in enumerate(axes):
            ax.set_xlabel("x0")
            if k:
                ax.tick_params(labelleft=False)
        axes[0].set_ylabel("x1")
        if regions:
            _probability_bar(placed[-1][1], names)
        draw(axes)

    return Still(layout.size, draw_figure)


def _plain_still(draw, cells):
    """A still of ``cells`` (rows of :class:`~vizkit.views.layout.Cell`) with no header;
    ``draw(axes)`` fills them (a flat list, row by row, each colour-bar axes
    right after its panel)."""
    from .stills import Still

    layout = Layout(cells)

    def draw_figure(fig):
        _, placed = layout.place(fig)
        draw([axes for row in placed for ax, bar in row
              for axes in ((ax,) if bar is None else (ax, bar))])

    return Still(layout.size, draw_figure)


def _wrap_chain(title, width=30):
    """``Dense(10) → Dense(5) → Dense(1)`` broken after arrows into lines of at most
    ``width`` characters, so a long model name fits over its panel."""
    lines = []
    for part in title.split(" → "):
        if lines and len(lines[-1]) + len(part) + 3 <= width:
            lines[-1] += " → " + part
        else:
            if lines:
                lines[-1] += " →"
            lines.append(part)
    return "\n".join(lines)


def classification_stills(trajectory, view):
    """The classification stills of a run whose extras hold the side experiments
    (see the classification scene): the data, the model ladder, train/test,
    curves, the learning-rate search and its schedule, the confusion matrix,
    the regression fit."""
    from ..inspect.confusion_matrix import confusion_matrix
    from ..recording.lr_finder import LearningRateSearch
    from ..panels import (class_points, confusion_panel, lr_finder_panel, rate_panel,
                          regression_panel)

    extras, info = trajectory.extras, trajectory.info
    x, y = trajectory.x, trajectory.y
    grid = InputGrid(extras["ladder_xs"], extras["ladder_ys"])
    final = view.probabilities(trajectory.n_frames - 1)
    test_output = view.activations(trajectory.n_frames - 1, view.x_test)[view.output_name]
    matrix = confusion_matrix(view.y_test, view.readout.classes(test_output), 2)
    search = LearningRateSearch(extras["rates"], extras["rate_losses"], info["suggested_rate"])
    names = view.names
    limits = ((grid.xs[0], grid.xs[-1]), (grid.ys[0], grid.ys[-1]))

    def data(axes):
        ax = axes[0]
        fix_limits(ax, limits)
        class_points(ax, np.concatenate([x, view.x_test]),
                     np.concatenate([y, view.y_test]), size=4)
        ax.set_title(f"two rings: {len(x)} training and {len(view.x_test)} test points")

    ladder_titles = [_wrap_chain(title) for title in info["ladder"]]

    def ladder(axes):
        for ax, title, probabilities, accuracy in zip(axes, ladder_titles,
                                                      extras["ladder_probabilities"],
                                                      extras["ladder_accuracy"]):
            fix_limits(ax, limits)
            decision_panel(ax, grid, probabilities, view.x_test, view.y_test,
                           title=f"{title}\ntest accuracy {accuracy:.1%}")

    def train_test(axes):
        for ax in axes:
            fix_limits(ax, ((view.grid.xs[0], view.grid.xs[-1]),
                            (view.grid.ys[0], view.grid.ys[-1])))
        decision_panel(axes[0], view.grid, final, x, y, title="training data", size=4)
        decision_panel(axes[1], view.grid, final, view.x_test, view.y_test, title="test data")

    def curves(axes):
        loss_and_accuracy(axes, trajectory.metrics, trajectory.frame_epochs)

    def rate(axes):
        lr_finder_panel(axes[0], search)
        axes[0].set_ylim(*search.loss_limits)
        axes[0].set_title(f"loss against learning rate: use about {search.suggestion:.2g}")

    def schedule(axes):
        epochs = np.arange(1, len(search.rates) + 1)
        metrics = {"loss": search.losses}
        if "rate_accuracy" in extras:
            metrics["accuracy"] = extras["rate_accuracy"]
        for ax, name in zip(axes, metrics):
            ax.plot(epochs, metrics[name], linewidth=1.8, **SERIES["train"])
            ax.set_ylabel(name)
            ax.tick_params(labelbottom=False)
        axes[0].set_ylim(*search.loss_limits)
        axes[0].set_title("the learning-rate search, epoch by epoch")
        rate_panel(axes[-1], epochs, search.rates)
        axes[-1].set_ylabel("learning rate")
        axes[-1].set_xlabel("epoch")
        lowest = epochs[np.nanargmin(search.losses)]
        for ax in axes:
            ax.axvline(lowest, color=MUTED, linestyle=":", linewidth=1.2)
        right = lowest < epochs[len(epochs) // 2]
        axes[0].annotate(f"lowest loss (epoch {lowest})", (lowest, 1), xycoords=("data",
                         "axes fraction"), xytext=(4 if right else -4, -2),
                         textcoords="offset points", ha="left" if right else "right",
                         va="top", fontsize=TEXT["note"], color=MUTED)

    def confusion(axes):
        confusion_panel(axes[0], matrix, list(names))
        colour_bar(axes[1], "Blues", Normalize(0, 1), "share of the true class",
                   ticks=[0, 0.5, 1])
        axes[0].set_title(f"test set: {int(np.trace(matrix))} of {matrix.sum()} right")

    def regression(axes):
        regression_panel(axes[0], *(extras[f"regression_{k}"] for k in
                                    ("x_train", "y_train", "x_test", "y_test", "y_pred")))
        axes[0].set_title("a linear network fits a straight line")
        axes[0].set_xlabel("x")
        axes[0].set_ylabel("y")

    n_schedule = 3 if "rate_accuracy" in extras else 2
    wide = Cell(4.8, 3.2, left=0.75, bottom=0.55)
    strip = Cell(5.6, 1.45, left=0.85, top=0.12, bottom=0.12)
    last_strip = Cell(5.6, 1.45, left=0.85, top=0.12, bottom=0.5)
    schedule_cells = ([[strip.titled(1)]] + [[strip] for _ in range(n_schedule - 2)]
                      + [[last_strip]])
    title_lines = max(t.count("\n") for t in ladder_titles) + 2
    return {"data": _decision_still(1, data, names, square=3.6, regions=False),
            "ladder": _decision_still(len(ladder_titles), ladder, names, titles=title_lines),
            "train-test": _decision_still(2, train_test, names, square=3.4),
            "curves": _plain_still(curves, [[Cell(3.6, 2.6, top=0.4), Cell(3.6, 2.6,
                                                                          top=0.4)]]),
            "learning-rate": _plain_still(rate, [[wide.titled(1)]]),
            "schedule": _plain_still(schedule, schedule_cells),
            "confusion": _plain_still(confusion, [[Cell(3.0, 3.0, left=1.1, bottom=0.6,
                                                        bar=0.12).titled(1)]]),
            "regression": _plain_still(regression, [[wide.titled(1)]])}
