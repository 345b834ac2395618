"""Image classifier figures: image grids with labels, probability bars, weights,
and :class:`DigitsView`, the animation of a classifier learning."""

import numpy as np

from .confusion import confusion_matrix, confusion_panel
from .limits import Bounds
from .panels import caption, class_points, fix_limits
from .probe import LayerProbe
from .projection import PlaneProjection
from .render import new_figure
from .view import TrajectoryView

__all__ = ["softmax", "mosaic", "image_grid", "probability_bars", "weight_images",
           "DigitsView"]

_WRONG = "#e74c3c"
_RIGHT = "#1e8449"


def softmax(logits):
    """Row-wise softmax (numerically stable); rows sum to 1."""
    logits = np.asarray(logits, np.float64)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def mosaic(images, columns, gap=None, label_gap=None, fill=np.nan):
    """Images (n, h, w) tiled into one array, ``columns`` a row.

    ``gap`` pixels separate tiles sideways; ``label_gap`` pixels above each row
    leave room for a label. Returns the mosaic and the (x, y) centre of each tile.
    """
    n, h, w = images.shape
    gap = max(1, w // 6) if gap is None else gap
    label_gap = max(2, round(h * 0.45)) if label_gap is None else label_gap
    rows = -(-n // columns)
    sheet = np.full((rows * (h + label_gap), columns * (w + gap) - gap), fill, np.float32)
    centres = []
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        top, left = r * (h + label_gap) + label_gap, c * (w + gap)
        sheet[top:top + h, left:left + w] = image
        centres.append((left + (w - 1) / 2, top + (h - 1) / 2))
    return sheet, np.array(centres)


def image_grid(ax, images, labels=None, *, columns=8, colors=None, cmap="gray_r",
               vmin=0.0, vmax=1.0):
    """A grid of ``images`` in one axes, each with a label above (``colors`` per label)."""
    sheet, centres = mosaic(images, columns)
    ax.imshow(sheet, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    if labels is not None:
        grid_labels(ax, centres, images.shape[1], labels, colors)
    return ax


def grid_labels(ax, centres, height, labels, colors=None):
    """Text above each tile of a mosaic; a coloured box around tiles whose colour is given."""
    for k, ((x, y), text) in enumerate(zip(centres, labels)):
        color = colors[k] if colors is not None else "black"
        ax.text(x, y - height / 2 - 0.3, text, ha="center", va="bottom", fontsize=6.5,
                color=color)
    return ax


def probability_bars(ax, probabilities, class_names, *, true_class=None):
    """One bar per class; the predicted class highlighted, the true one named."""
    probabilities = np.asarray(probabilities)
    predicted = int(np.argmax(probabilities))
    colors = ["#aab7b8"] * len(probabilities)
    colors[predicted] = _RIGHT if true_class in (None, predicted) else _WRONG
    ax.bar(np.arange(len(probabilities)), probabilities, color=colors)
    ax.text(0.98, 0.95, f"predicted: {class_names[predicted]} ({probabilities[predicted]:.0%})",
            transform=ax.transAxes, ha="right", va="top", fontsize=8)
    return ax


def weight_images(ax, kernel, shape, *, columns=5):
    """A first Dense layer's weights, one image per unit, one colour scale centred at 0."""
    kernel = np.asarray(kernel)
    reach = float(np.abs(kernel).max()) or 1.0
    images = kernel.T.reshape((kernel.shape[1],) + tuple(shape))
    sheet, centres = mosaic(images, columns)
    image = ax.imshow(sheet, cmap="RdBu_r", vmin=-reach, vmax=reach, interpolation="nearest")
    ax.set_axis_off()
    grid_labels(ax, centres, shape[0], [f"unit {k}" for k in range(len(images))])
    return image


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
        self.model = trajectory.build_model(0)
        hidden = [layer.name for layer in self.model.layers if layer.weights][:-1]
        self.hidden = hidden[-1]
        self.output = self.model.layers[-1].name
        self.probe = LayerProbe(self.model, [self.hidden, self.output])
        self.x_test = image_set.flat(image_set.x_test)
        self.shown = np.arange(min(n_shown, len(self.x_test)))
        self.example = example
        last = self.outputs(trajectory.n_frames - 1)
        self.projection = PlaneProjection.fit(last[self.hidden])
        bounds = Bounds()
        for frame in range(trajectory.n_frames):
            bounds.update(self.projection(self.outputs(frame)[self.hidden]))
        self.limits = bounds.limits()

    def outputs(self, frame):
        """Hidden activations and class probabilities of the test images at ``frame``."""
        self.model.set_weights(self.trajectory.weights_at(frame))
        out = self.probe(self.x_test)
        return {self.hidden: out[self.hidden], "probabilities": softmax(out[self.output])}

    def figure(self, dpi=100):
        fig = new_figure(13, 4.6, dpi=dpi)
        grid = fig.add_gridspec(1, 4, left=0.02, right=0.98, bottom=0.1, top=0.8,
                                width_ratios=[1.3, 1, 0.9, 1], wspace=0.3)
        axes = [fig.add_subplot(grid[0, k]) for k in range(4)]
        header = fig.add_axes((0, 0.86, 1, 0.14))
        header.set_axis_off()
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

    def draw(self, header, axes, frame):
        sheet_ax, confusion_ax, bars_ax, embed_ax = axes
        out = self.outputs(frame)
        probabilities = out["probabilities"]
        predicted = probabilities.argmax(axis=1)
        names = self.images.class_names
        truth = self.images.y_test
        shown = self.shown
        labels = [f"{names[truth[k]]}→{names[predicted[k]]}" for k in shown]
        colors = [_RIGHT if truth[k] == predicted[k] else _WRONG for k in shown]
        grid_labels(sheet_ax, self._centres, self.images.shape[0], labels, colors)
        confusion_panel(confusion_ax, confusion_matrix(truth, predicted, len(names)), names)
        probability_bars(bars_ax, probabilities[self.example], names,
                         true_class=int(truth[self.example]))
        class_points(embed_ax, self.projection(out[self.hidden]), truth, size=3)
        errors = int((predicted != truth).sum())
        caption(header, self.frame_title(frame),
                f"{errors} errors out of {len(truth)} test images  ·  " + self.frame_subtitle(frame))
