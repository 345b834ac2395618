"""The network as a diagram, after TensorFlow Playground: every unit as a map.

Columns are the input features (x0, x1) and the Dense layers, in order; each
node is filled with that unit's output over the input plane, each edge is a
weight (purple positive, grey negative, as a unit's output is coloured in every
vizkit view; wider is larger) and the small square at each node's lower left is
its bias, on the same scale.
An Activation layer that follows a Dense layer is folded into its node (the
node shows the activated output); other layers that keep the width
(Normalization, BatchNormalization, Dropout...) are drawn as a labelled band
between the columns they sit between: edges across a band multiply that
layer's output, not the maps drawn to their left. Every scale (colours, edge
widths) is fixed over the whole trajectory.
"""

from dataclasses import dataclass, field

import matplotlib as mpl
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from ..errors import VizkitError
from ..inspect.grid import InputGrid
from ..inspect.input_plane import require_two_features
from ..panels import (boundary, class_legend, class_points, fix_limits, legend_columns,
                      region_image, value_points)
from ..inspect.probe import LayerProbe
from ..output.render import new_figure
from ..style import PREDICTION_CMAP, TEXT, class_colors, class_scale, value_scale, weight_cmap
from .base import TrajectoryView

__all__ = ["NetworkDiagram", "Column", "network_columns"]
_ACTIVATION_LAYERS = ("Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax")
_PITCH, _GAP = 1.3, 2.7  # node pitch and column pitch, in node sides (the data unit)
_WIDTHS = (0.3, 5.0)  # edge width in points for weight 0 and the largest |weight|


@dataclass
class Column:
    """One column of nodes: the input features or a Dense layer.

    ``read`` is the layer whose output fills the nodes (the Dense layer, or
    the Activation folded into it); ``bands`` the layers drawn before it,
    ``bands_after`` those after the last column.
    """

    name: str
    units: int
    dense: object = None
    read: str = None
    activation: str = "linear"
    bands: list = field(default_factory=list)
    bands_after: list = field(default_factory=list)


def _band_label(layer):
    kind = type(layer).__name__
    rate = getattr(layer, "rate", None)
    return f"{kind} {rate:g}" if isinstance(rate, float) else kind


def _reads_from(layer, model, previous):
    """Whether ``layer`` takes its one input from ``previous`` (``None``: the model's input)."""
    feeder = layer.input
    if isinstance(feeder, (list, tuple)):
        return False
    if previous is None:
        return feeder is model.inputs[0]
    source = getattr(getattr(feeder, "_keras_history", None), "operation", None)
    return source is previous


def network_columns(model):
    """The input column and one :class:`Column` per Dense layer, checked to form a chain."""
    columns = [Column("input", int(model.inputs[0].shape[-1]))]
    pending, previous = [], None
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if hasattr(layer, "layers") or not _reads_from(layer, model, previous):
            raise VizkitError(f"layer {layer.name!r} ({kind}) is not the next link of a chain "
                              "of layers; the network diagram draws models whose layers each "
                              "read the one before (no branches or nested models)")
        width_in, width_out = int(layer.input.shape[-1]), int(layer.output.shape[-1])
        previous = layer
        if kind == "Dense":
            columns.append(Column(layer.name, layer.units, layer, layer.name,
                                  layer.activation.__name__, pending))
            pending = []
        elif kind in _ACTIVATION_LAYERS and not pending and columns[-1].dense is not None:
            column = columns[-1]
            name = getattr(getattr(layer, "activation", None), "__name__", kind.lower())
            column.activation = (name if column.activation == "linear"
                                 else f"{column.activation} → {name}")
            column.read = layer.name
        elif width_out == width_in and len(layer.output.shape) == 2:
            pending.append(_band_label(layer))
        else:
            raise VizkitError(f"layer {layer.name!r} ({kind}) changes the width from "
                              f"{width_in} to {width_out}; the network diagram draws Dense "
                              "layers and width-keeping layers between them")
    if len(columns) < 2:
        raise VizkitError("the model has no Dense layer to draw; the network diagram draws "
                          "Dense layers")
    columns[-1].bands_after = pending
    return columns


class NetworkDiagram(TrajectoryView):
    """Playground-style diagram of a trajectory's network; draws any frame.

    Parameters
    ----------
    trajectory : Trajectory
        Of a model with 2 input features whose Dense layers form a chain.
    max_units : int
        Nodes shown per layer; wider layers show their first ``max_units``
        units and say how many more there are.
    grid_resolution : int
        Points per side of the input grid each node map is drawn on.
    """

    title = "vizkit network diagram"
    draws_classes = True

    def __init__(self, trajectory, *, max_units=8, grid_resolution=40):
        if max_units < 1:
            raise VizkitError(f"max_units must be at least 1, got {max_units}")
        self.trajectory = trajectory
        require_two_features(trajectory.x, "the network diagram")
        self.columns = network_columns(self.model)
        self.grid = InputGrid.around(trajectory.x, grid_resolution)
        self.shown = [min(c.units, max_units) for c in self.columns]
        self.output_grid = InputGrid.around(trajectory.x, 4 * grid_resolution)
        self._inputs = np.concatenate([self.grid.points, self.output_grid.points])
        self.probe = LayerProbe(self.model, list(dict.fromkeys(c.read for c in self.columns[1:])))
        self._index = {w.path: i for i, w in enumerate(self.model.weights)}
        self.classes = not self.readout.is_regression
        self.n_classes = self.readout.n_classes or 0
        self.single_output = self.columns[-1].units == 1 and self.classes
        self._layout()
        self._fit_scales()

    @classmethod
    def of_model(cls, model, x, y, *, loss=None, **options):
        """The diagram of ``model`` as it is now (one frame): a still of the architecture.

        Its outputs are read by its compiled loss, or ``loss`` if it is not compiled.
        """
        from ..inspect.readout import Readout
        from ..run.trajectory import Trajectory

        info = {"snapshot": True, "readout": Readout.of(model, loss).to_info()}
        trajectory = Trajectory(model.to_json(), tuple(w[None] for w in model.get_weights()),
                                {}, np.asarray(x), np.asarray(y), info=info)
        return cls(trajectory, **options)

    def frame_title(self, frame):
        if self.trajectory.info.get("snapshot"):
            return "The model and its weights as they are"
        return super().frame_title(frame)

    # -- numbers ---------------------------------------------------------------
    def _probe(self, frame):
        """Set ``frame``'s weights; every read layer's output on both grids, one call."""
        return self.activations(frame, self._inputs)

    def node_values(self, frame, outputs=None):
        """``[(grid points, shown units) array per column]`` at ``frame``: the input
        features, then each Dense layer's (activated) output; for a one-unit
        classifier output, P(class 1)."""
        outputs = self._probe(frame) if outputs is None else outputs
        n = len(self.grid.points)
        values = [self.grid.points[:, :self.shown[0]].astype(np.float64)]
        for column, shown in zip(self.columns[1:], self.shown[1:]):
            values.append(outputs[column.read][:n, :shown].astype(np.float64))
        if self.single_output:
            values[-1] = self.readout.scores(values[-1])[:, None]
        return values

    def layer_weights(self, frame):
        """``[(kernel, bias)]`` of each Dense column at ``frame``, cut to the shown units."""
        weights = self.trajectory.weights_at(frame)
        pairs = []
        for previous, column, shown in zip(self.shown, self.columns[1:], self.shown[1:]):
            kernel = weights[self._index[column.dense.kernel.path]]
            bias = (weights[self._index[column.dense.bias.path]] if column.dense.use_bias
                    else np.zeros(column.units))
            pairs.append((kernel[:previous, :shown], bias[:shown]))
        return pairs

    def output_values(self, frame, outputs=None):
        """The output panel's colours on its finer grid: P(class 1) or the argmax class
        for a classifier, the first output unit for anything else."""
        outputs = self._probe(frame) if outputs is None else outputs
        output = outputs[self.columns[-1].read][len(self.grid.points):]
        return self.readout.scores(output)

    def _layout(self):
        """Node positions, snapped to the pixels of one mosaic image of all node maps.

        A node is ``grid_resolution`` pixels a side and one data unit; ``centres``
        holds the (x, y) centre of every shown node per column, unit 0 at the top.
        """
        res = len(self.grid.xs)
        stacks = [round((n - 1) * _PITCH * res) + res for n in self.shown]
        height, width = max(stacks), round((len(self.shown) - 1) * _GAP * res) + res
        self._mosaic_shape = (height, width)
        self.mosaic_extent = (0.0, width / res, -height / res / 2, height / res / 2)
        self._tiles, self.centres = [], []
        for i, (n, stack) in enumerate(zip(self.shown, stacks)):
            left = round(i * _GAP * res)
            bottoms = [(height - stack) // 2 + round((n - 1 - k) * _PITCH * res)
                       for k in range(n)]
            self._tiles.append([(b, left) for b in bottoms])
            pixels = np.column_stack([np.full(n, left), bottoms]) + res / 2
            self.centres.append(pixels / res + [0.0, self.mosaic_extent[2]])

    def mosaic(self, values):
        """Every node's map as one RGBA image (transparent between nodes), in colour."""
        res = len(self.grid.xs)
        image = np.zeros(self._mosaic_shape + (4,))
        for column, tiles, (norm, cmap) in zip(values, self._tiles, self.scales):
            colours = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
            rgba = colours(norm(column)).reshape(res, res, -1, 4)
            for unit, (bottom, left) in enumerate(tiles):
                image[bottom:bottom + res, left:left + res] = rgba[:, :, unit]
        return image

    def _fit_scales(self):
        """Node colour scales per column and the weight scale, over every frame."""
        low = np.full(len(self.columns), np.inf)
        high = np.full(len(self.columns), -np.inf)
        reach = 1e-9
        for frame in range(self.trajectory.n_frames):
            for i, values in enumerate(self.node_values(frame)):
                low[i], high[i] = min(low[i], values.min()), max(high[i], values.max())
            for kernel, bias in self.layer_weights(frame):
                reach = max(reach, np.abs(kernel).max(), np.abs(bias).max(initial=0))
        self.scales = [value_scale(a, b) for a, b in zip(low, high)]
        if self.single_output:
            self.scales[-1] = class_scale(2)
        elif not self.classes:  # the prediction and the targets share one scale
            y = np.asarray(self.trajectory.y, dtype=np.float64)
            low, high = min(low[-1], y.min()), max(high[-1], y.max())
            self.scales[-1] = (Normalize(low, high if high > low else low + 1),
                               mpl.colormaps[PREDICTION_CMAP])
        self.weight_norm = Normalize(-reach, reach)

    def edge_width(self, weights):
        """Line width in points: linear in |weight|, the largest of the run widest."""
        share = np.abs(weights) / self.weight_norm.vmax
        return _WIDTHS[0] + (_WIDTHS[1] - _WIDTHS[0]) * share

    # -- drawing ---------------------------------------------------------------
    def figure(self, dpi=100, unit=0.55):
        """Diagram axes (nodes' frames, labels, bands, colour bars), the output panel
        and the weight legend; ``unit`` is the inches of one node's side."""
        left, right, bottom, top = self.mosaic_extent
        x_limits = (left - 0.7, right + 0.5)
        y_limits = (bottom - 1.55, top + 1.2)
        diagram = (np.diff(x_limits)[0] * unit, np.diff(y_limits)[0] * unit)
        panel, header = 3.0, 0.8
        key = self._key_rows(panel) * 0.22 + 0.1 if self.classes else 0.0
        width = diagram[0] + panel + 1.3
        body = max(diagram[1], panel + 1.9 + key)
        fig = new_figure(width, body + header, dpi=dpi)

        def box(left, bottom, w, h):  # inches → figure fraction
            return (left / width, bottom / fig.get_figheight(), w / width, h / fig.get_figheight())

        ax = fig.add_axes(box(0.1, (body - diagram[1]) / 2, *diagram))
        fix_limits(ax, (x_limits, y_limits))
        ax.set_axis_off()
        self._draw_static(fig, ax, top)
        output_bottom = (body - panel + 1.1 + key) / 2
        output_ax = fig.add_axes(box(diagram[0] + 0.9, output_bottom, panel, panel))
        self._prepare_output(output_ax)
        self._weight_bar(fig, fig.add_axes(box(diagram[0] + 0.9, output_bottom - 1.05,
                                               panel, 0.13)))
        if self.classes:
            strip = fig.add_axes(box(diagram[0] + 0.9, output_bottom - 1.35 - key, panel, key))
            strip.set_axis_off()
            names = self.names
            class_legend(strip, names, columns=legend_columns(names, panel), loc="upper center",
                         anchor=(0.5, 1.0))
        head = fig.add_axes(box(0, body, width, header))
        head.set_axis_off()
        return fig, head, (ax, output_ax)

    def _key_rows(self, width):
        """Rows of the class key under the output panel, ``width`` inches wide."""
        names = self.names
        return -(-len(names) // legend_columns(names, width))

    def _draw_static(self, fig, ax, top):
        half = 0.5
        for i, (column, centres) in enumerate(zip(self.columns, self.centres)):
            x = centres[0, 0]
            for cx, cy in centres:
                ax.add_patch(Rectangle((cx - half, cy - half), 1, 1, fill=False,
                                       edgecolor="#666666", linewidth=0.6, zorder=4))
            ax.text(x, top + 0.25, self._heading(i), ha="center", va="bottom",
                    fontsize=TEXT["note"])
            hidden = column.units - self.shown[i]
            if hidden:
                ax.text(x, centres[-1, 1] - half - 0.12, f"+ {hidden} more", ha="center",
                        va="top", fontsize=TEXT["note"], color="#444444", style="italic")
            if i == 0:
                for (cx, cy), label in zip(centres, ("x0", "x1")):
                    ax.text(cx - half - 0.1, cy, label, ha="right", va="center",
                            fontsize=TEXT["note"])
            else:
                for unit, (cx, cy) in enumerate(centres):
                    ax.text(cx - half, cy + half + 0.03, str(unit), ha="left", va="bottom",
                            fontsize=TEXT["note"], color="#555555")
            if i == len(self.columns) - 1 and column.units == self.n_classes > 2:
                for unit, ((cx, cy), color) in enumerate(zip(centres, class_colors(column.units))):
                    ax.text(cx + half + 0.1, cy, self.names[unit], ha="left", va="center",
                            fontsize=TEXT["note"], color=color, fontweight="bold")
            bands = column.bands + column.bands_after
            if bands:
                bx = x - _GAP / 2 if column.bands else x + _GAP / 2
                ax.add_patch(Rectangle((bx - 0.2, -top), 0.4, 2 * top, facecolor="#f2f2f2",
                                       edgecolor="#bbbbbb", linewidth=0.6, zorder=0.5))
                ax.text(bx, top - 0.1, " → ".join(bands), rotation=90, ha="center", va="top",
                        fontsize=TEXT["note"], color="#333333", zorder=6,
                        bbox=dict(boxstyle="square,pad=0.15", facecolor="#f2f2f2",
                                  edgecolor="none"))
            self._colour_bar(fig, ax, i, x, -top - 0.75)

    def _heading(self, i):
        column = self.columns[i]
        if i == 0:
            return "input"
        units = f"{column.units} unit{'s' if column.units > 1 else ''}"
        return f"{column.name}\n{units} · {column.activation}"

    def _colour_bar(self, fig, ax, i, x, y):
        """The column's node colour scale, under it."""
        norm, cmap = self.scales[i]
        cax = ax.inset_axes((x - 1.0, y, 2.0, 0.16), transform=ax.transData)
        bar = fig.colorbar(ScalarMappable(norm, cmap), cax=cax, orientation="horizontal")
        bar.ax.tick_params(labelsize=TEXT["tick"], length=2, pad=1)
        values = i == len(self.columns) - 1 and not self.classes  # a regression's scale
        bar.set_ticks([norm.vmin, norm.vmax] if norm.vmin == 0 or values else
                      [norm.vmin, 0, norm.vmax])
        bar.ax.xaxis.set_major_formatter("{x:.2g}")
        if i == len(self.columns) - 1 and (self.single_output or not self.classes):
            label = (f"P({self.names[1]})" if self.classes
                     else "prediction; target (points)")
            bar.set_label(label, fontsize=TEXT["note"], labelpad=1)

    def _weight_bar(self, fig, cax):
        """Legend of the edges and the bias squares: one colour scale for both."""
        bar = fig.colorbar(ScalarMappable(self.weight_norm, weight_cmap()), cax=cax,
                           orientation="horizontal")
        bar.ax.tick_params(labelsize=TEXT["tick"], length=2, pad=1)
        bar.ax.xaxis.set_major_formatter("{x:.2g}")
        bar.set_ticks([self.weight_norm.vmin, 0, self.weight_norm.vmax])
        bar.ax.set_title("weights (lines) and biases (squares)\nline width ∝ |weight|",
                         fontsize=TEXT["note"], pad=3)

    def _prepare_output(self, ax):
        ax.set_box_aspect(1)
        fix_limits(ax, ((self.grid.xs[0], self.grid.xs[-1]), (self.grid.ys[0], self.grid.ys[-1])))
        ax.set_xlabel("x0")
        ax.set_ylabel("x1")
        ax.set_title("the network's output\nand the training data", fontsize=TEXT["label"])

    def draw_frame(self, axes, frame):
        """Node maps, edges and bias squares of ``frame``; the output panel."""
        ax, output_ax = axes
        half = 0.5
        outputs = self._probe(frame)
        ax.imshow(self.mosaic(self.node_values(frame, outputs)), origin="lower",
                  extent=self.mosaic_extent, interpolation="nearest", aspect="auto", zorder=3)
        weight_cmap_ = weight_cmap()
        for i, (kernel, bias) in enumerate(self.layer_weights(frame)):
            sources, targets = self.centres[i], self.centres[i + 1]
            rows, cols = np.unravel_index(np.argsort(np.abs(kernel), axis=None), kernel.shape)
            starts = sources[rows] + [half, 0]
            ends = targets[cols] - [half, 0]
            weights = kernel[rows, cols]
            ax.add_collection(LineCollection(np.stack([starts, ends], axis=1),
                                             colors=weight_cmap_(self.weight_norm(weights)),
                                             linewidths=self.edge_width(weights), zorder=2,
                                             gid=f"edges:{self.columns[i + 1].name}"),
                              autolim=False)
            corners = targets - half
            ax.scatter(corners[:, 0], corners[:, 1], marker="s", s=22, c=bias,
                       cmap=weight_cmap_, norm=self.weight_norm, edgecolors="#333333",
                       linewidths=0.5, zorder=5, gid=f"biases:{self.columns[i + 1].name}")
        self._draw_output(output_ax, self.output_grid.to_grid(self.output_values(frame, outputs)))

    def _draw_output(self, ax, values):
        grid = self.output_grid
        norm, cmap = class_scale(self.n_classes) if self.classes else self.scales[-1]
        region_image(ax, grid.extent, values, cmap=cmap, norm=norm)
        if self.n_classes == 2:
            boundary(ax, grid.to_grid(grid.points), values, 0.5)
        if self.classes:
            class_points(ax, self.trajectory.x, self.trajectory.y,
                         colors=class_colors(self.n_classes), size=3.5)
        else:
            value_points(ax, self.trajectory.x, self.trajectory.y, cmap=cmap, norm=norm,
                         size=3.5)
