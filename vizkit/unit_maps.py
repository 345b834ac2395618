"""What each unit computes: Dense units as maps over a plane, across a trajectory.

Each chosen Dense layer gets one panel per unit. A layer fed by the model's
2-D input, or by a layer that is not 2-D wide, is mapped over the input plane
(so unit maps work at any depth); a layer fed by a 2-unit layer is mapped over
that layer's activation plane, with the training points carried there. The
background is the unit's output; the dashed line is where its pre-activation
x·w + b is zero, where a ReLU switches on.
"""

from dataclasses import dataclass

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize

from .errors import VizkitError
from .grid import InputGrid
from .limits import Bounds
from .panels import boundary, class_centres, class_points, fix_limits, region_image
from .render import new_figure
from .stills import Still
from .style import region_cmap
from .view import TrajectoryView

__all__ = ["UnitMaps", "UnitPart", "DATA", "REGIONS", "dense_layers", "parse_units",
           "unit_map_stills"]

_HEADER = 0.7  # inches above the panels for the caption


@dataclass(frozen=True)
class Panel:
    """A panel of the unit maps that is not a unit: the data set, or the regions."""

    name: str


@dataclass(frozen=True)
class UnitPart:
    """The panel of one unit: ``unit`` of Dense layer ``layer``."""

    layer: str
    unit: int


DATA = Panel("data")
REGIONS = Panel("regions")


def dense_layers(model):
    """Names of the model's Dense layers, in order."""
    return [layer.name for layer in model.layers if type(layer).__name__ == "Dense"]


def parse_units(specs, widths):
    """``["L2:0,3", "L1:1"]`` → ``{"L2": [0, 3], "L1": [1]}``, checked against ``widths``.

    ``widths`` maps each Dense layer to its number of units.
    """
    chosen = {}
    for spec in specs:
        name, sep, indices = str(spec).partition(":")
        if not sep or name not in widths:
            raise VizkitError(f"--units {spec!r}: give LAYER:UNITS with LAYER one of "
                              f"{', '.join(widths)} (e.g. {next(iter(widths))}:0,1)")
        units = []
        for part in indices.split(","):
            try:
                unit = int(part)
            except ValueError:
                raise VizkitError(f"--units {spec!r}: {part.strip()!r} is not a unit number") \
                    from None
            if not 0 <= unit < widths[name]:
                raise VizkitError(f"--units {spec!r}: unit {unit} is out of range; layer "
                                  f"{name} has units 0 to {widths[name] - 1}")
            units.append(unit)
        chosen[name] = sorted(set(units))
    return chosen


class UnitMaps(TrajectoryView):
    """Data, decision regions and per-unit maps of Dense layers, any frame.

    Parameters
    ----------
    trajectory : Trajectory
    layers : list of str, optional
        Dense layers to map (default: all).
    units : dict of str to list of int, optional
        Units to show per layer (default: all); see :func:`parse_units`.
    centres : array-like, optional
        Class centres to mark on the data panel (default: class means).
    grid_resolution : int
        Points per side of the grids the maps are drawn on.
    """

    title = "vizkit unit maps"

    def __init__(self, trajectory, layers=None, units=None, *, centres=None,
                 grid_resolution=150):
        self.trajectory = trajectory
        dense = dense_layers(self.model)
        self.layers = dense if layers is None else list(layers)
        for name in self.layers:
            if name not in dense:
                raise VizkitError(f"{name!r} is not a Dense layer of the model; its Dense "
                                  f"layers are: {', '.join(dense) or 'none'}")
        widths = {name: self.model.get_layer(name).units for name in self.layers}
        self.units = {name: list(range(width)) for name, width in widths.items()}
        self.units.update(units or {})
        x, y = trajectory.x, trajectory.y
        self.n_classes = max(int(np.max(y)) + 1, 2)
        self.centres = np.asarray(centres) if centres is not None else \
            np.array([x[y == k].mean(axis=0) for k in range(self.n_classes)])
        self.grid = InputGrid.around(x, grid_resolution)
        self.bind_probe(self.layers, inputs_of=self.layers)
        self._inputs = np.concatenate([self.grid.points, x]).astype(np.float32)
        self._n_grid = len(self.grid.points)
        self._input_mesh = self.grid.to_grid(self.grid.points)
        self.over_plane = {name: self._fed_by_2d_layer(name) for name in self.layers}
        self._fit_scales(grid_resolution)

    def _fed_by_2d_layer(self, name):
        """True if ``name`` reads a 2-unit hidden layer (not the model's input)."""
        layer = self.model.get_layer(name)
        return layer.input is not self.model.inputs[0] and layer.input.shape[-1] == 2

    # -- numbers ---------------------------------------------------------------
    def values(self, frame):
        """All numbers of ``frame``: per layer ``(grid, points, pre-activation)``
        maps and the predicted classes over the input grid."""
        out = self.activations(frame, self._inputs)
        maps = {}
        for name in self.layers:
            layer = self.model.get_layer(name)
            kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
            fed = out[f"{name}:input"]
            if self.over_plane[name]:
                plane = self.planes[name].points.astype(np.float32)
                values = np.asarray(layer(plane))
                pre = plane @ kernel + bias
                points = fed[self._n_grid:]
            else:
                values = out[name][:self._n_grid]
                pre = fed[:self._n_grid] @ kernel + bias
                points = self.trajectory.x
            maps[name] = (values, points, pre)
        classes = self.readout.classes(out[self.output_name][:self._n_grid])
        return maps, self.grid.to_grid(classes)

    def _fit_scales(self, resolution):
        """Planes from the activations of every frame, then fixed colour scales."""
        self.planes = {}
        for name in (n for n in self.layers if self.over_plane[n]):
            bounds = Bounds()
            for frame in range(self.trajectory.n_frames):
                bounds.update(self.activations(frame, self.trajectory.x)[f"{name}:input"])
            (x0, x1), (y0, y1) = bounds.limits(margin=0.08)
            self.planes[name] = InputGrid(np.linspace(x0, x1, resolution, dtype=np.float32),
                                          np.linspace(y0, y1, resolution, dtype=np.float32))
        ranges = {name: (np.inf, -np.inf) for name in self.layers}
        for frame in range(self.trajectory.n_frames):
            maps, _ = self.values(frame)
            for name, (values, _, _) in maps.items():
                shown = values[:, self.units[name]]
                low, high = ranges[name]
                ranges[name] = (min(low, float(shown.min())), max(high, float(shown.max())))
        self.norms, self.cmaps = {}, {}
        for name, (low, high) in ranges.items():
            if low >= 0:
                self.norms[name], self.cmaps[name] = Normalize(0, max(high, 1e-9)), "YlGnBu"
            else:
                reach = max(abs(low), abs(high), 1e-9)
                self.norms[name], self.cmaps[name] = Normalize(-reach, reach), "RdBu_r"

    # -- drawing ---------------------------------------------------------------
    def parts(self):
        """Panels in order: data, regions, then one per shown unit of each layer."""
        return [DATA, REGIONS] + [UnitPart(name, unit) for name in self.layers
                                  for unit in self.units[name]]

    def layer_parts(self, layer):
        """One panel per shown unit of ``layer``."""
        return [UnitPart(layer, unit) for unit in self.units[layer]]

    def figure(self, dpi=100, parts=None):
        """A figure with a header and a panel per part; scales and colour bars fixed."""
        parts = self.parts() if parts is None else parts
        fig = new_figure(*self._size(parts), dpi=dpi)
        header = self._header(fig)
        return fig, header, self._layout(fig, parts)

    def still(self, parts, *, frame=-1):
        """A :class:`~vizkit.stills.Still` of ``parts`` at ``frame`` (default: the last)."""
        frame = frame % self.trajectory.n_frames

        def draw(fig):
            header = self._header(fig)
            self.draw(header, self._layout(fig, parts), frame)

        return Still(self._size(parts), draw)

    def _size(self, parts, panel_size=2.9):
        """Figure size (inches) for ``parts``: panels in rows, a header on top."""
        rows = self._rows(parts)
        n_cols = max(len(r) for r in rows)
        return (panel_size * n_cols + 0.9, panel_size * len(rows) + _HEADER + 0.3)

    def _header(self, fig):
        top = 1 - _HEADER / fig.get_figheight()
        header = fig.add_axes((0, top, 1, 1 - top))
        header.set_axis_off()
        return header

    def _layout(self, fig, parts):
        """Axes per part on ``fig`` below the header, a colour bar per row of units."""
        rows = self._rows(parts)
        n_cols = max(len(r) for r in rows)
        top = 1 - _HEADER / fig.get_figheight()
        grid = fig.add_gridspec(len(rows), n_cols, left=0.5 / fig.get_figwidth(),
                                right=1 - 0.9 / fig.get_figwidth(),
                                bottom=0.35 / fig.get_figheight(),
                                top=top - 0.04, wspace=0.3, hspace=0.42)
        axes = {}
        for r, row in enumerate(rows):
            for c, part in enumerate(row):
                ax = fig.add_subplot(grid[r, c])
                self._prepare(ax, part)
                axes[part] = ax
            layer = getattr(row[-1], "layer", None)
            if layer is not None:
                bar = fig.colorbar(ScalarMappable(self.norms[layer], self.cmaps[layer]),
                                   ax=[axes[p] for p in row if getattr(p, "layer", None) == layer],
                                   fraction=0.04, pad=0.02)
                bar.set_label(self._value_label(layer), fontsize=8)
                bar.ax.tick_params(labelsize=7)
        return axes

    def _rows(self, parts, max_columns=6):
        """Each layer's units in rows of at most ``max_columns``; data and regions
        lead the first row when they fit."""
        head = [p for p in parts if not isinstance(p, UnitPart)]
        rows = []
        for name in self.layers:
            units = [p for p in parts if isinstance(p, UnitPart) and p.layer == name]
            rows += [units[i:i + max_columns] for i in range(0, len(units), max_columns)]
        if head and rows and len(head) + len(rows[0]) <= max(4, *map(len, rows)):
            rows[0] = head + rows[0]
        elif head:
            rows.insert(0, head)
        return rows

    def _value_label(self, name):
        activation = self.model.get_layer(name).activation.__name__
        note = ", can exceed 1" if activation == "relu" else ""
        return f"{name} output ({activation}{note})"

    def _prepare(self, ax, part):
        """Static parts of a panel: title, labels, limits."""
        ax.set_box_aspect(1)
        if not isinstance(part, UnitPart) or not self.over_plane[part.layer]:
            fix_limits(ax, Bounds().update(self.grid.points).limits(margin=0))
            ax.set_xlabel("x0")
            ax.set_ylabel("x1")
        else:
            plane = self.planes[part.layer]
            fix_limits(ax, ((plane.xs[0], plane.xs[-1]), (plane.ys[0], plane.ys[-1])))
            feeder = self.model.get_layer(part.layer).input
            source = getattr(getattr(feeder, "_keras_history", None), "operation", None)
            prefix = source.name if source is not None else "input"
            ax.set_xlabel(f"{prefix} unit 0")
            ax.set_ylabel(f"{prefix} unit 1")
        if part == DATA:
            ax.set_title("data set")
            class_points(ax, self.trajectory.x, self.trajectory.y)
            class_centres(ax, self.centres)
        elif part == REGIONS:
            ax.set_title("decision regions")
        else:
            ax.set_title(f"{part.layer} unit {part.unit}", fontsize=10)

    def draw_frame(self, axes, frame):
        """Add the artists of ``frame`` to a figure made by :meth:`figure`."""
        maps, classes = self.values(frame)
        for part, ax in axes.items():
            if part == REGIONS:
                region_image(ax, self.grid.extent, classes, cmap=region_cmap(self.n_classes),
                             norm=Normalize(-0.5, self.n_classes - 0.5))
                class_points(ax, self.trajectory.x, self.trajectory.y)
            elif isinstance(part, UnitPart):
                self._draw_unit(ax, part, maps[part.layer])

    def _draw_unit(self, ax, part, layer_maps):
        """One unit's map, its switch line (non-linear units) and the points."""
        values, points, pre = layer_maps
        grid = self.planes[part.layer] if self.over_plane[part.layer] else self.grid
        region_image(ax, grid.extent, grid.to_grid(values[:, part.unit]),
                     cmap=self.cmaps[part.layer], norm=self.norms[part.layer])
        if self.model.get_layer(part.layer).activation.__name__ != "linear":
            mesh = grid.to_grid(grid.points)
            boundary(ax, mesh, grid.to_grid(pre[:, part.unit]), 0.0, linestyle="dashed",
                     color="#b00000")
        class_points(ax, points, self.trajectory.y, size=3.5)


def unit_map_stills(view):
    """The unit-map stills after training: the data, the regions, each layer's units."""
    stills = {"data": view.still([DATA]), "regions": view.still([REGIONS])}
    for layer in view.layers:
        stills[f"{layer}-units"] = view.still(view.layer_parts(layer))
    return stills
