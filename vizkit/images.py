"""An image classifier learning: :class:`DigitsView`."""

import numpy as np

from .confusion import confusion_matrix
from .limits import Bounds
from .panels import (class_points, confusion_panel, fix_limits, grid_labels, image_grid,
                     mosaic, probability_bars)
from .panels.images import RIGHT, WRONG
from .panels import weight_images
from .projection import PlaneProjection
from .stills import Still
from .view import TrajectoryView

__all__ = ["DigitsView", "digits_stills"]

class DigitsView(TrajectoryView):
    """A classifier learning: predictions on a grid of test images, the confusion
    matrix, one image's probabilities, and the last hidden layer's test
    activations in a PCA plane fitted once (at the last epoch) for every frame.

    ``trajectory`` holds flattened images; ``image_set`` gives their shape,
    the test images and the class names.
    """

    title = "vizkit image classifier"

    def __init__(self, trajectory, image_set, *, n_shown=24, example=0):
        self.trajectory = trajectory
        self.images = image_set
        hidden = [layer.name for layer in self.model.layers if layer.weights][:-1]
        self.hidden = hidden[-1]
        self.bind_probe([self.hidden])
        self.x_test = image_set.flat(image_set.x_test)
        self.shown = np.arange(min(n_shown, len(self.x_test)))
        self.example = example
        last = self.outputs(trajectory.n_frames - 1)
        self.projection = PlaneProjection.fit(last[self.hidden])
        bounds, self.errors = Bounds(), []
        for frame in range(trajectory.n_frames):
            out = self.outputs(frame)
            bounds.update(self.projection(out[self.hidden]))
            self.errors.append(int((out["probabilities"].argmax(axis=1)
                                    != image_set.y_test).sum()))
        self.limits = bounds.limits()

    def outputs(self, frame):
        """Hidden activations and class probabilities of the test images at ``frame``."""
        out = self.activations(frame, self.x_test)
        return {self.hidden: out[self.hidden], "probabilities": self.readout.probabilities(out[self.output_name])}

    def figure(self, dpi=100):
        fig, header = self.new_figure(13, 4.6, dpi)
        grid = fig.add_gridspec(1, 4, left=0.02, right=0.98, bottom=0.1, top=0.8,
                                width_ratios=[1.3, 1, 0.9, 1], wspace=0.3)
        axes = [fig.add_subplot(grid[0, k]) for k in range(4)]
        sheet_ax, confusion_ax, bars_ax, embed_ax = axes
        columns = 6
        image_grid(sheet_ax, self.images.x_test[self.shown], columns=columns)
        _, self._centres = mosaic(self.images.x_test[self.shown], columns)
        sheet_ax.set_title("test images: label → prediction", fontsize=10)
        confusion_ax.set_title("confusion matrix (test)", fontsize=10)
        n = len(self.images.class_names)
        fix_limits(bars_ax, ((-0.6, n - 0.4), (0, 1.05)))
        bars_ax.set_xticks(range(n), self.images.class_names, fontsize=7,
                           rotation=60 if max(map(len, self.images.class_names)) > 2 else 0)
        label = self.images.class_names[self.images.y_test[self.example]]
        bars_ax.set_title(f"probabilities for a test image of {label}", fontsize=10)
        inset = bars_ax.inset_axes((0.02, 0.55, 0.3, 0.4))
        inset.imshow(self.images.x_test[self.example], cmap="gray_r", vmin=0, vmax=1)
        inset.set_axis_off()
        fix_limits(embed_ax, self.limits)
        _, note = self.projection.describe()
        embed_ax.set_title(f"{self.hidden} on test images\n{note or 'its 2 units'}", fontsize=9)
        embed_ax.set_box_aspect(1)
        return fig, header, axes

    def draw_frame(self, axes, frame):
        sheet_ax, confusion_ax, bars_ax, embed_ax = axes
        out = self.outputs(frame)
        probabilities = out["probabilities"]
        predicted = probabilities.argmax(axis=1)
        names = self.images.class_names
        truth = self.images.y_test
        shown = self.shown
        labels = [f"{names[truth[k]]}→{names[predicted[k]]}" for k in shown]
        colors = [RIGHT if truth[k] == predicted[k] else WRONG for k in shown]
        grid_labels(sheet_ax, self._centres, self.images.shape[0], labels, colors)
        confusion_panel(confusion_ax, confusion_matrix(truth, predicted, len(names)), names)
        probability_bars(bars_ax, probabilities[self.example], names,
                         true_class=int(truth[self.example]))
        class_points(embed_ax, self.projection(out[self.hidden]), truth, size=3)

    def frame_subtitle(self, frame):
        """The test errors at ``frame``, then the metrics."""
        return (f"{self.errors[frame]} errors out of {len(self.images.y_test)} test images  ·  "
                + super().frame_subtitle(frame))


def digits_stills(view, seed=0):
    """The six stills after training: samples, predictions, one image's probabilities,
    the errors, the confusion matrix, the first layer's weights."""
    images, names = view.images, view.images.class_names
    last = view.trajectory.n_frames - 1
    probabilities = view.outputs(last)["probabilities"]
    predicted = probabilities.argmax(axis=1)
    truth = images.y_test
    wrong = np.flatnonzero(predicted != truth)
    sample = np.random.default_rng(seed).choice(len(truth), 48, replace=False)
    kernel = view.trajectory.weights_at(last)[0]

    def sample_grid(ax):
        image_grid(ax, images.x_test[sample], [names[truth[k]] for k in sample])
        ax.set_title("test images and their labels", fontsize=10)

    def prediction_grid(ax):
        image_grid(ax, images.x_test[sample],
                   [f"{names[truth[k]]}→{names[predicted[k]]}" for k in sample],
                   colors=[RIGHT if truth[k] == predicted[k] else WRONG
                           for k in sample])
        ax.set_title("label → prediction (red: wrong)", fontsize=10)

    def one_image(ax):
        probability_bars(ax, probabilities[view.example], names,
                         true_class=int(truth[view.example]))
        ax.set_xticks(range(len(names)), names, fontsize=7, rotation=60 if
                      max(map(len, names)) > 2 else 0)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"softmax of the logits (sum {probabilities[view.example].sum():.3f})",
                     fontsize=10)
        inset = ax.inset_axes((0.02, 0.55, 0.3, 0.4))
        inset.imshow(images.x_test[view.example], cmap="gray_r", vmin=0, vmax=1)
        inset.set_axis_off()

    def errors(ax):
        shown = wrong[:48]
        if len(shown):
            image_grid(ax, images.x_test[shown],
                       [f"{names[truth[k]]}→{names[predicted[k]]}" for k in shown],
                       colors=[WRONG] * len(shown))
        else:
            ax.set_axis_off()
        more = f" (first {len(shown)} shown)" if len(wrong) > len(shown) else ""
        ax.set_title(f"{len(wrong)} errors out of {len(truth)} test images{more}", fontsize=10)

    def confusion(ax):
        confusion_panel(ax, confusion_matrix(truth, predicted, len(names)), names)
        ax.set_title("confusion matrix (test set)", fontsize=10)

    def weights(ax):
        image = weight_images(ax, kernel, images.shape)
        ax.figure.colorbar(image, ax=ax, fraction=0.04, label="weight")
        ax.set_title("first layer's weights, one image per unit", fontsize=10)

    drawings = {"samples": (sample_grid, (6, 5.2)), "predictions": (prediction_grid, (6, 5.2)),
                "probabilities": (one_image, (5, 3.8)), "errors": (errors, (6, 5.2)),
                "confusion": (confusion, (6, 5.6)), "weights": (weights, (6, 6.4))}
    def still(name, draw, size):
        def draw_figure(fig):
            ax = fig.add_subplot()
            fig.subplots_adjust(left=0.16 if name in ("confusion", "probabilities") else 0.03,
                                right=0.86 if name == "weights" else 0.97, bottom=0.14,
                                top=0.9)
            draw(ax)
        return Still(size, draw_figure)

    return {name: still(name, draw, size) for name, (draw, size) in drawings.items()}
