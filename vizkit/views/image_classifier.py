"""An image classifier learning: :class:`ImageClassifierView` and the stills of its run."""

from functools import cached_property

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from ..inspect.confusion_matrix import confusion_matrix
from .layout import Cell, Layout
from ..inspect.limits import Bounds
from ..panels import (class_keys, class_points, colour_bar, confusion_panel, fix_limits,
                      grid_labels, image_grid, keys_legend, logit_bars, mosaic,
                      probability_bars, weight_images)
from ..inspect.probe import find_layer
from ..inspect.projection import PlaneProjection
from ..output.render import new_figure
from .stills import Still
from ..style import INK, TEXT, class_colors, plain_text
from ..panels.curves import loss_and_accuracy
from .base import TrajectoryView

__all__ = ["ImageClassifierView", "digits_stills", "tile_labels"]

_SHEET_COLUMNS = 6
_MAP_COLUMNS = 4  # filters and feature maps a row


def _show_image(ax, image):
    """One image: grey on white (0 white, 1 black), or in its colours."""
    if image.ndim == 3:
        ax.imshow(np.clip(image, 0, 1))
    else:
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)


def tile_labels(names, truth, predicted):
    """Labels above image tiles: the true class, ``label→prediction`` for a mistake.

    Short class names are written out; long ones (Fashion-MNIST) by their
    number, which the class key names."""
    short = max(map(len, names)) <= 3
    name = (lambda k: names[k]) if short else str
    return [name(t) if t == p else f"{name(t)}→{name(p)}" for t, p in zip(truth, predicted)]


def _key_names(names):
    """Class key entries: the name, prefixed by its number when tiles use numbers."""
    if max(map(len, names)) <= 3:
        return list(names)
    return [f"{k} {name}" for k, name in enumerate(names)]


class ImageClassifierView(TrajectoryView):
    """A classifier of images learning: predictions on a grid of test images, the
    confusion matrix, one image's probabilities, and the last hidden layer's test
    activations in a PCA plane fitted once (at the last epoch) for every frame.
    A convolutional model adds a row: the first convolution's filters and, per
    convolutional layer, the chosen test image's feature maps, each on a colour
    scale fixed over the whole run.

    ``image_set`` (default: the one the trajectory keeps, see
    :meth:`ImageSet.of_trajectory`) gives the images' shape, the test images and
    the class names; ``example`` is the test image followed (``--image``).
    """

    title = "vizkit image classifier"

    def __init__(self, trajectory, image_set=None, *, n_shown=24, example=0, max_maps=6,
                 max_conv_layers=2):
        from ..data.image_sets import ImageSet

        self.trajectory = trajectory
        self.images = image_set = image_set or ImageSet.of_trajectory(trajectory)
        image_set.check_test_image(example, "example")
        count = len(image_set.x_test)
        weighted = [layer.name for layer in self.model.layers if layer.weights]
        self.hidden = weighted[-2] if len(weighted) > 1 else self.output_name
        self.convs = [layer.name for layer in self.model.layers
                      if type(layer).__name__ == "Conv2D"][:max_conv_layers]
        self.bind_probe([self.hidden, *self.convs])
        self.x_test = image_set.as_input(image_set.x_test, self.model.inputs[0].shape[1:])
        self.shown = np.arange(min(n_shown, count))
        self.example = example
        self.max_maps = max_maps
        last = self.outputs(trajectory.n_frames - 1)
        self.projection = PlaneProjection.fit(last[self.hidden])
        bounds, self.errors = Bounds(), []
        for frame in range(trajectory.n_frames):
            out = self.outputs(frame)
            bounds.update(self.projection(out[self.hidden]))
            self.errors.append(int((out["probabilities"].argmax(axis=1)
                                    != image_set.y_test).sum()))
        self.limits = bounds.limits()
        if self.convs:
            self._fit_conv_scales()

    @cached_property
    def names(self):
        """The image set's class names, one per class the model outputs (a class the
        set lacks is named by its number), drawn as plain text (a ``$`` is escaped)."""
        return [plain_text(name) for name in
                self.readout.class_names(self.images.class_names, fill="{k}")]

    def outputs(self, frame):
        """Hidden activations (flattened), logits and class probabilities of the test
        images."""
        out = self.activations(frame, self.x_test)
        hidden = out[self.hidden].reshape(len(self.x_test), -1)
        return {self.hidden: hidden, "logits": out[self.output_name],
                "probabilities": self.readout.probabilities(out[self.output_name])}

    # -- convolutions ------------------------------------------------------------------
    def filters(self, frame):
        """The first convolution's filters at ``frame`` as images ``(filters, h, w)``
        (averaged over the input channels when there are several)."""
        self.set_frame(frame)
        kernel = np.asarray(find_layer(self.model, self.convs[0]).kernel)
        return kernel.mean(axis=2).transpose(2, 0, 1)

    def feature_maps(self, frame):
        """``{conv layer: (channels, h, w)}``: the example image's feature maps at
        ``frame``, the first ``max_maps`` channels of each layer."""
        out = self.activations(frame, self.x_test[self.example:self.example + 1])
        shapes = {name: find_layer(self.model, name).output.shape[1:] for name in self.convs}
        return {name: out[name][0].reshape(shapes[name])[..., :self.max_maps].transpose(2, 0, 1)
                for name in self.convs}

    def _fit_conv_scales(self):
        """One symmetric scale for the filters and one per layer's maps, over every frame."""
        reach, low, high = 1e-9, {}, {}
        for frame in range(self.trajectory.n_frames):
            reach = max(reach, float(np.abs(self.filters(frame)).max()))
            for name, maps in self.feature_maps(frame).items():
                low[name] = min(low.get(name, np.inf), float(maps.min()))
                high[name] = max(high.get(name, -np.inf), float(maps.max()))
        self.filter_norm = Normalize(-reach, reach)
        self.map_scales = {}
        for name in self.convs:
            if low[name] >= 0:
                self.map_scales[name] = (Normalize(0, max(high[name], 1e-9)), "Purples")
            else:
                top = max(-low[name], high[name])
                self.map_scales[name] = (Normalize(-top, top), "PuOr")

    def figure(self, dpi=100):
        names = self.names
        n = len(names)
        wide = max(map(len, names)) > 2
        label_room = 1.2 if wide else 0.45
        rows = [
            [Cell(3.6, 3.0, left=0.1, bottom=0.1, right=0.3),
             Cell(3.1, 3.1, left=label_room + 0.3, bottom=label_room + 0.25, bar=0.12,
                  bar_room=0.6)],
            [Cell(3.3, 2.4, left=0.6, bottom=label_room + 0.1, right=0.3),
             Cell(3.1, 3.1, left=0.62, bottom=0.5, top=0.56)]]
        if self.convs:
            rows.append([self._conv_cell(self.filters(0))] +
                        [self._conv_cell(maps) for maps in self.feature_maps(0).values()])
        layout = Layout(rows)
        keys = class_keys(_key_names(names))
        columns = layout.fit_header([name for _, name in keys])
        fig = new_figure(*layout.size, dpi=dpi)
        header, placed = layout.place(fig)
        (sheet_ax, _), (confusion_ax, bar) = placed[0]
        (bars_ax, _), (embed_ax, _) = placed[1]
        keys_legend(header, keys, columns=columns)
        shown = self.images.display(self.images.x_test[self.shown])
        image_grid(sheet_ax, shown, columns=_SHEET_COLUMNS)
        _, self._centres = mosaic(shown, _SHEET_COLUMNS)
        held_out = self.images.held_out
        sheet_ax.set_title(f"{held_out} images (wrong: label→prediction)")
        note = f"\n{self.classes_note}" if self.classes_note else ""  # the caption is full
        confusion_ax.set_title(f"confusion matrix ({held_out} set){note}")
        colour_bar(bar, "Blues", Normalize(0, 1), "share of the true class", ticks=[0, 0.5, 1])
        fix_limits(bars_ax, ((-0.6, n - 0.4), (0, 1.32)))
        _probability_axis(bars_ax)
        bars_ax.set_xticks(range(n), names, rotation=60 if wide else 0,
                           ha="right" if wide else "center")
        bars_ax.set_title(f"softmax probabilities for one {held_out} image")
        inset = bars_ax.inset_axes((0.0, 0.765, 0.2, 0.235))  # above the bars (P > 1)
        _show_image(inset, self.images.display(self.images.x_test[self.example:][:1])[0])
        inset.set_axis_off()
        fix_limits(embed_ax, self.limits)
        labels, note = self.projection.describe()
        embed_ax.set_title(f"layer {self.hidden} on the {held_out} images\n"
                           f"{note or 'its 2 units'}")
        embed_ax.set_xlabel(labels[0])
        embed_ax.set_ylabel(labels[1])
        conv_axes = ()
        if self.convs:
            conv_axes = tuple(ax for ax, _ in placed[2])
            self._conv_figure(placed[2])
        return fig, header, (sheet_ax, confusion_ax, bars_ax, embed_ax, *conv_axes)

    def _conv_cell(self, images):
        """A cell for a mosaic of ``images`` (n, h, w), with a colour bar."""
        sheet, _ = mosaic(images, _MAP_COLUMNS)
        height = 2.2
        width = min(4.2, max(1.6, height * sheet.shape[1] / sheet.shape[0]))
        return Cell(width, height, left=0.1, bottom=0.1, right=0.1, bar=0.12,
                    bar_room=0.65).titled(2)

    def _conv_figure(self, placed):
        """The conv row's titles and colour bars (scales fixed over the run)."""
        (filters_ax, filters_bar), *maps = placed
        first = find_layer(self.model, self.convs[0])
        channels = first.kernel.shape[2]
        note = f", mean of {channels} input channels" if channels > 1 else ""
        filters_ax.set_title(f"{self.convs[0]}: its {first.kernel.shape[3]} filters\n"
                             f"(kernel weights{note})", fontsize=TEXT["label"])
        colour_bar(filters_bar, "PuOr", self.filter_norm, "weight")
        names = self.names
        label = names[int(self.images.y_test[self.example])]
        for (ax, bar), name in zip(maps, self.convs):
            count = find_layer(self.model, name).filters
            more = f" (first {self.max_maps} of {count})" if count > self.max_maps else ""
            ax.set_title(f"{name}: feature maps of {self.images.held_out} image\n{self.example} "
                         f"({label}){more}", fontsize=TEXT["label"])
            norm, cmap = self.map_scales[name]
            colour_bar(bar, cmap, norm, "output")

    def draw_frame(self, axes, frame):
        sheet_ax, confusion_ax, bars_ax, embed_ax, *conv_axes = axes
        if conv_axes:
            self._draw_convs(conv_axes, frame)
        out = self.outputs(frame)
        probabilities = out["probabilities"]
        predicted = probabilities.argmax(axis=1)
        names = self.names
        truth = self.images.y_test
        shown = self.shown
        grid_labels(sheet_ax, self._centres, self.images.shape,
                    tile_labels(names, truth[shown], predicted[shown]),
                    wrong=truth[shown] != predicted[shown])
        confusion_panel(confusion_ax, confusion_matrix(truth, predicted, len(names)), names)
        probability_bars(bars_ax, probabilities[self.example], names,
                         true_class=int(truth[self.example]))
        plane = self.projection(out[self.hidden])
        class_points(embed_ax, plane, truth, size=3.5, alpha=0.8)
        _class_labels(embed_ax, plane, truth, names)

    def _draw_convs(self, axes, frame):
        """The filters and each layer's feature maps at ``frame``."""
        filters_ax, *maps_axes = axes
        image_grid(filters_ax, self.filters(frame), columns=_MAP_COLUMNS, cmap="PuOr",
                   vmin=self.filter_norm.vmin, vmax=self.filter_norm.vmax, label_gap=1)
        for ax, (name, maps) in zip(maps_axes, self.feature_maps(frame).items()):
            norm, cmap = self.map_scales[name]
            image_grid(ax, maps, columns=_MAP_COLUMNS, cmap=cmap, vmin=norm.vmin,
                       vmax=norm.vmax, label_gap=1)

    def frame_subtitle(self, frame):
        """The held-out errors at ``frame``, then the metrics."""
        return (f"{self.errors[frame]} errors out of {len(self.images.y_test)} "
                f"{self.images.held_out} images  ·  " + super().frame_subtitle(frame))


def _class_labels(ax, plane, labels, names):
    """Each class's name at the median of its points: dark text on a white tag
    edged in the class colour, so the classes are told apart by name, not by
    colour alone (ten colours cannot all be told apart by every reader)."""
    short = max(map(len, names)) <= 3
    colors = class_colors(len(names))
    for k in np.unique(labels):
        x, y = np.median(plane[labels == k], axis=0)
        ax.text(x, y, names[k] if short else str(k), ha="center", va="center",
                fontsize=TEXT["note"], fontweight="bold", color=INK, zorder=6,
                bbox=dict(boxstyle="round,pad=0.2", facecolor="white", alpha=0.85,
                          edgecolor=colors[k], linewidth=1.5))


def digits_stills(view, seed=0):
    """The stills after training: samples, predictions, one image's probabilities
    and its logits beside them, the errors, the confusion matrix, the first
    layer's weights, the training and test curves."""
    images, names = view.images, view.names
    trajectory = view.trajectory
    last = trajectory.n_frames - 1
    out = view.outputs(last)
    probabilities, logits = out["probabilities"], out["logits"]
    predicted = probabilities.argmax(axis=1)
    truth = images.y_test
    wrong = np.flatnonzero(predicted != truth)
    sample = np.random.default_rng(seed).choice(len(truth), 48, replace=False)
    kernel = trajectory.weights_at(last)[0]
    example = view.example
    wide = max(map(len, names)) > 2
    keys = ([] if max(map(len, names)) <= 3
            else [(Line2D([], [], linestyle="none"), name) for name in _key_names(names)])

    def class_ticks(ax):
        ax.set_xticks(range(len(names)), names, rotation=60 if wide else 0,
                      ha="right" if wide else "center")
        ax.set_xlabel("class")

    def sample_grid(axes):
        image_grid(axes[0], images.x_test[sample], tile_labels(names, truth[sample],
                                                               truth[sample]))
        axes[0].set_title("test images and their labels")

    def prediction_grid(axes):
        image_grid(axes[0], images.x_test[sample],
                   tile_labels(names, truth[sample], predicted[sample]),
                   wrong=truth[sample] != predicted[sample])
        axes[0].set_title("predictions: right ones show the label, wrong ones "
                          "label→prediction, framed")

    def one_image(axes):
        image_ax, bars_ax = axes
        _example_image(image_ax, images.x_test[example], names[truth[example]])
        probability_bars(bars_ax, probabilities[example], names,
                         true_class=int(truth[example]))
        class_ticks(bars_ax)
        _probability_axis(bars_ax)
        bars_ax.set_title(f"softmax of the logits (they sum to "
                          f"{probabilities[example].sum():.3f})")

    def logits_and_softmax(axes):
        image_ax, logits_ax, bars_ax = axes
        _example_image(image_ax, images.x_test[example], names[truth[example]])
        logit_bars(logits_ax, logits[example], true_class=int(truth[example]))
        reach = 1.1 * float(np.abs(logits[example]).max())
        logits_ax.set_ylim(-reach, reach)
        logits_ax.set_ylabel("logit (any real number)")
        logits_ax.set_title("the network's outputs: logits")
        class_ticks(logits_ax)
        probability_bars(bars_ax, probabilities[example], names,
                         true_class=int(truth[example]))
        _probability_axis(bars_ax)
        bars_ax.set_title("softmax(logits): probabilities")
        class_ticks(bars_ax)

    def errors(axes):
        shown = wrong[:48]
        if len(shown):
            image_grid(axes[0], images.x_test[shown],
                       tile_labels(names, truth[shown], predicted[shown]),
                       wrong=np.ones(len(shown), bool))
        else:
            axes[0].set_axis_off()
        more = f" (first {len(shown)} shown)" if len(wrong) > len(shown) else ""
        axes[0].set_title(f"{len(wrong)} errors out of {len(truth)} test images{more}:"
                          " label→prediction")

    def confusion(axes):
        confusion_panel(axes[0], confusion_matrix(truth, predicted, len(names)), names)
        colour_bar(axes[1], "Blues", Normalize(0, 1), "share of the true class",
                   ticks=[0, 0.5, 1])
        axes[0].set_title("confusion matrix (test set)")

    def weights(axes):
        image = weight_images(axes[0], kernel, images.shape)
        colour_bar(axes[1], image.get_cmap(), image.norm, "weight")
        axes[0].set_title("first layer's weights, one image per unit")

    def curves(axes):
        loss_and_accuracy(axes, trajectory.metrics, trajectory.frame_epochs)

    tick_room = 1.2 if wide else 0.55
    sheet, _ = mosaic(kernel.T.reshape((-1,) + tuple(images.shape)), 5)
    aspect = max(sheet.shape[1] / sheet.shape[0], 0.8)
    sheet = [[Cell(6.0, 4.6, left=0.1, bottom=0.1, right=0.1)]]
    bars = Cell(3.6, 2.6, left=0.7, bottom=tick_room + 0.05)
    image = Cell(1.3, 1.3, left=0.1, right=0.1, bottom=tick_room + 1.35)
    return {
        "samples": _still(sample_grid, sheet, keys),
        "predictions": _still(prediction_grid, sheet, keys),
        "probabilities": _still(one_image, [[image.titled(1), bars.titled(1)]]),
        "logits": _still(logits_and_softmax, [[image.titled(1), bars.titled(1),
                                               bars.titled(1)]]),
        "errors": _still(errors, sheet, keys),
        "confusion": _still(confusion, [[Cell(4.6, 4.6, left=tick_room + 0.35,
                                              bottom=tick_room + 0.3, bar=0.15).titled(1)]],
                            bar_axes=True),
        "weights": _still(weights, [[Cell(5.0 * aspect, 5.0, left=0.1, bottom=0.1, bar=0.15)
                                     .titled(1)]], bar_axes=True),
        "curves": _still(curves, [[Cell(3.6, 2.6, top=0.4), Cell(3.6, 2.6, top=0.4)]]),
    }


def _example_image(ax, image, label):
    """The example image, named by its true class."""
    _show_image(ax, image)
    ax.set_axis_off()
    ax.set_title(f"test image: {label}")


def _probability_axis(ax):
    """Probabilities from 0 to 1, with room above the bars for the verdict."""
    ax.set_ylim(0, 1.32)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.spines["left"].set_bounds(0, 1)
    ax.set_ylabel("probability")


def _still(draw, cells, keys=(), *, bar_axes=False):
    """A :class:`Still` of rows of cells, ``keys`` (class keys) in a header if any;
    ``draw(axes)`` gets the axes row by row (with ``bar_axes``, each colour-bar
    axes after its panel)."""
    layout = Layout(cells)
    columns = layout.fit_header([name for _, name in keys], caption=False) if keys else 0

    def draw_figure(fig):
        header, placed = layout.place(fig)
        if keys:
            keys_legend(header, list(keys), columns=columns)
        axes = []
        for row in placed:
            for ax, bar in row:
                axes += [ax, bar] if bar_axes and bar is not None else [ax]
        draw(axes)

    return Still(layout.size, draw_figure)
