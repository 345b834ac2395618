"""Binary classification over the epochs: :class:`ClassificationView` animates a
trajectory recorded with a ``test`` evaluation set: train and test boundaries
beside loss and accuracy curves drawn up to the current epoch.
"""

import numpy as np

from .grid import InputGrid
from .panels import decision_panel, fix_limits, history_panel
from .view import TrajectoryView

__all__ = ["ClassificationView", "classification_stills"]


class ClassificationView(TrajectoryView):
    """Train and test decision boundaries over the epochs, with the training curves.

    The trajectory must hold a ``test`` evaluation set's metrics; ``x_test``
    and ``y_test`` are that set.
    """

    title = "vizkit classification"

    def __init__(self, trajectory, x_test, y_test, *, grid_resolution=150):
        self.trajectory = trajectory
        self.bind_probe()
        self.x_test, self.y_test = np.asarray(x_test), np.asarray(y_test)
        both = np.concatenate([trajectory.x, self.x_test])
        self.grid = InputGrid.around(both, grid_resolution, padding=0.05)

    def probabilities(self, frame):
        """P(class 1) at every grid point at ``frame``."""
        return self.readout.scores(self.activations(frame, self.grid.points)[self.output_name])

    def figure(self, dpi=100):
        fig, header = self.new_figure(11.5, 4.4, dpi)
        grid = fig.add_gridspec(2, 3, left=0.05, right=0.98, bottom=0.11, top=0.8,
                                width_ratios=[1, 1, 1.1], wspace=0.28, hspace=0.45)
        train_ax, test_ax = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[:, 1])
        loss_ax, accuracy_ax = fig.add_subplot(grid[0, 2]), fig.add_subplot(grid[1, 2])
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

    def draw_frame(self, axes, frame):
        train_ax, test_ax, loss_ax, accuracy_ax = axes
        probabilities = self.probabilities(frame)
        decision_panel(train_ax, self.grid, probabilities, self.trajectory.x, self.trajectory.y)
        decision_panel(test_ax, self.grid, probabilities, self.x_test, self.y_test)
        history_panel(loss_ax, self.trajectory.metrics, ("loss", "test_loss"), upto=frame)
        history_panel(accuracy_ax, self.trajectory.metrics, ("accuracy", "test_accuracy"),
                      upto=frame)


def classification_stills(trajectory, view):
    """The classification stills of a run whose extras hold the side experiments
    (see the classification scene): ladder, train/test, curves, learning rate,
    confusion matrix, regression fit."""
    from .confusion import confusion_matrix
    from .lr_finder import LearningRateSearch
    from .panels import confusion_panel, lr_finder_panel, regression_panel
    from .stills import axes_still

    extras, info = trajectory.extras, trajectory.info
    x, y = trajectory.x, trajectory.y
    grid = InputGrid(extras["ladder_xs"], extras["ladder_ys"])
    final = view.probabilities(trajectory.n_frames - 1)
    test_output = view.activations(trajectory.n_frames - 1, view.x_test)[view.output_name]
    matrix = confusion_matrix(view.y_test, view.readout.classes(test_output), 2)
    search = LearningRateSearch(extras["rates"], extras["rate_losses"], info["suggested_rate"])
    names = info.get("class_names", ("class 0", "class 1"))

    def ladder(axes):
        for ax, title, probabilities, accuracy in zip(axes, info["ladder"],
                                                      extras["ladder_probabilities"],
                                                      extras["ladder_accuracy"]):
            decision_panel(ax, grid, probabilities, view.x_test, view.y_test,
                           title=f"{title}\ntest accuracy {accuracy:.1%}")
            ax.set_box_aspect(1)

    def train_test(axes):
        decision_panel(axes[0], view.grid, final, x, y, title="train")
        decision_panel(axes[1], view.grid, final, view.x_test, view.y_test, title="test")

    def curves(axes):
        history_panel(axes[0], trajectory.metrics, ("loss", "test_loss"))
        history_panel(axes[1], trajectory.metrics, ("accuracy", "test_accuracy"))
        axes[0].set_xlabel("epoch")
        axes[1].set_xlabel("epoch")

    def rate(axes):
        lr_finder_panel(axes[0], search)
        axes[0].set_ylim(*search.loss_limits)
        axes[0].set_title(f"loss against learning rate: use about {search.suggestion:.2g}")

    def confusion(axes):
        confusion_panel(axes[0], matrix, list(names))
        axes[0].set_title(f"test set: {int(np.trace(matrix))} of {matrix.sum()} right")

    def regression(axes):
        regression_panel(axes[0], *(extras[f"regression_{k}"] for k in
                                    ("x_train", "y_train", "x_test", "y_test", "y_pred")))
        axes[0].set_title("a linear network fits a straight line")

    return {"ladder": axes_still((16, 4.6), ladder, columns=4),
            "train-test": axes_still((9, 4.6), train_test, columns=2),
            "curves": axes_still((9, 3.6), curves, columns=2),
            "learning-rate": axes_still((6, 4.2), rate),
            "confusion": axes_still((4.6, 4.4), confusion, left=0.27),
            "regression": axes_still((6, 4.2), regression)}
