"""Binary classification figures: boundaries, training curves, regression fits.

Panels take arrays and an ``ax``; :class:`ClassificationView` animates a
trajectory recorded with a ``test`` evaluation set: train and test boundaries
beside loss and accuracy curves drawn up to the current epoch.
"""

import numpy as np
from matplotlib.colors import Normalize

from .grid import InputGrid
from .layer_spaces import class_scores
from .panels import boundary, caption, class_points, fix_limits, region_image
from .probe import LayerProbe
from .render import new_figure
from .style import probability_cmap
from .view import TrajectoryView

__all__ = ["decision_panel", "history_panel", "regression_panel", "ClassificationView"]

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


class ClassificationView(TrajectoryView):
    """Train and test decision boundaries over the epochs, with the training curves.

    The trajectory must hold a ``test`` evaluation set's metrics; ``x_test``
    and ``y_test`` are that set.
    """

    title = "vizkit classification"

    def __init__(self, trajectory, x_test, y_test, *, grid_resolution=150):
        self.trajectory = trajectory
        self.model = trajectory.build_model(0)
        self.x_test, self.y_test = np.asarray(x_test), np.asarray(y_test)
        both = np.concatenate([trajectory.x, self.x_test])
        self.grid = InputGrid.around(both, grid_resolution, padding=0.05)
        self.probe = LayerProbe(self.model, [self.model.layers[-1].name])

    def probabilities(self, frame):
        """P(class 1) at every grid point at ``frame``."""
        self.model.set_weights(self.trajectory.weights_at(frame))
        return class_scores(self.probe(self.grid.points)[self.model.layers[-1].name], 2)

    def figure(self, dpi=100):
        fig = new_figure(11.5, 4.4, dpi=dpi)
        grid = fig.add_gridspec(2, 3, left=0.05, right=0.98, bottom=0.11, top=0.8,
                                width_ratios=[1, 1, 1.1], wspace=0.28, hspace=0.45)
        train_ax, test_ax = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[:, 1])
        loss_ax, accuracy_ax = fig.add_subplot(grid[0, 2]), fig.add_subplot(grid[1, 2])
        header = fig.add_axes((0, 0.86, 1, 0.14))
        header.set_axis_off()
        limits = ((self.grid.xs[0], self.grid.xs[-1]), (self.grid.ys[0], self.grid.ys[-1]))
        for ax, title in ((train_ax, f"train ({len(self.trajectory.x)} points)"),
                          (test_ax, f"test ({len(self.x_test)} points)")):
            fix_limits(ax, limits)
            ax.set_box_aspect(1)
            ax.set_title(title, fontsize=10)
        last = self.trajectory.n_frames - 1
        losses = [v for k, v in self.trajectory.metrics.items() if k.endswith("loss")]
        fix_limits(loss_ax, ((0, max(last, 1)), (0, 1.05 * max(np.max(v) for v in losses))))
        fix_limits(accuracy_ax, ((0, max(last, 1)), (0, 1.02)))
        loss_ax.set_ylabel("loss")
        accuracy_ax.set_ylabel("accuracy")
        accuracy_ax.set_xlabel("epoch")
        return fig, header, (train_ax, test_ax, loss_ax, accuracy_ax)

    def draw(self, header, axes, frame):
        train_ax, test_ax, loss_ax, accuracy_ax = axes
        probabilities = self.probabilities(frame)
        decision_panel(train_ax, self.grid, probabilities, self.trajectory.x, self.trajectory.y)
        decision_panel(test_ax, self.grid, probabilities, self.x_test, self.y_test)
        history_panel(loss_ax, self.trajectory.metrics, ("loss", "test_loss"), upto=frame)
        history_panel(accuracy_ax, self.trajectory.metrics, ("accuracy", "test_accuracy"),
                      upto=frame)
        caption(header, self.frame_title(frame), self.frame_subtitle(frame))


