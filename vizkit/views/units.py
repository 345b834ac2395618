"""What each unit computes: Dense units as maps over a plane, across a trajectory.

Each chosen Dense layer gets one panel per unit. A layer fed by the model's
2-D input, or by a layer that is not 2-D wide, is mapped over the input plane
(so unit maps work at any depth); a layer fed by a 2-unit layer is mapped over
that layer's activation plane, with the training points carried there. The
background is the unit's output on its own colour scale (so every unit shows,
however small its values beside its neighbours'); the dashed line is where its
pre-activation x·w + b is zero, where a ReLU switches on; in the output layer a
solid line rings the zone where the unit wins (has the largest output).
"""

from dataclasses import dataclass

import numpy as np
from matplotlib.colors import Normalize

from ..errors import VizkitError, parameter
from ..inspect.grid import InputGrid
from ..inspect.input_plane import require_continuous_inputs, require_two_features
from .layout import Cell, Layout, wrap
from ..inspect.limits import Bounds
from ..panels import (boundary, class_centres, class_keys, class_points, colour_bar,
                      fix_limits, keys_legend, line_key, marker_key, region_image,
                      stacked_counts, value_points)
from ..output.render import new_figure
from .stills import Still
from ..style import PREDICTION_CMAP, class_colors, region_cmap, value_scale
from .base import TrajectoryView

__all__ = ["UnitMaps", "UnitPart", "DATA", "REGIONS", "dense_layers", "parse_units",
           "unit_map_stills"]

_PANEL = 2.5     # inches per panel side
_MAX_COLUMNS = 4


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
            raise VizkitError(f"{parameter('units', spec)}: give LAYER:UNITS with LAYER one of "
                              f"{', '.join(widths)} (e.g. {next(iter(widths))}:0,1)")
        units = []
        for part in indices.split(","):
            try:
                unit = int(part)
            except ValueError:
                raise VizkitError(f"{parameter('units', spec)}: {part.strip()!r} is not a unit "
                                  "number") from None
            if not 0 <= unit < widths[name]:
                raise VizkitError(f"{parameter('units', spec)}: unit {unit} is out of range; layer "
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
    class_names : list of str, optional
        Default: the trajectory's ``class_names`` info, else ``class 0``, ...
    """

    title = "vizkit unit maps"
    draws_classes = True

    def __init__(self, trajectory, layers=None, units=None, *, centres=None,
                 grid_resolution=150, class_names=None):
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
        require_two_features(trajectory.x, "the unit maps view")
        require_continuous_inputs(self.model, "the unit maps view")
        x, y = trajectory.x, trajectory.y
        self.n_classes = self.readout.n_classes
        self.names = self.readout.class_names(
            class_names if class_names is not None else trajectory.info.get("class_names"))
        self.regression = self.readout.is_regression
        self.centres = (np.asarray(centres) if centres is not None
                        else None if self.regression else _class_means(x, y, self.n_classes))
        self.grid = InputGrid.around(x, grid_resolution)
        self.bind_probe(self.layers, inputs_of=self.layers)
        self._inputs = np.concatenate([self.grid.points, x]).astype(np.float32)
        self._n_grid = len(self.grid.points)
        self._input_mesh = self.grid.to_grid(self.grid.points)
        self.over_plane = {name: self._fed_by_2d_layer(name) for name in self.layers}
        output = self.model.layers[-1]
        shows_winners = output.name in self.layers and output.units > 1
        self.winners = output.name if shows_winners else None
        self._fit_scales(grid_resolution)
        if self.regression:  # points show their target on one scale fixed over the run
            self.target_norm = self.value_norm()

    def _has_bar(self, part):
        """Unit panels have their scale's colour bar; a regression's data panel, the
        targets' scale."""
        return isinstance(part, UnitPart) or (part == DATA and self.regression)

    def _points(self, ax, points, size=None):
        """The training points: by class (every class the model outputs has its
        colour), or a regression's by target on :attr:`target_norm`."""
        if self.regression:
            value_points(ax, points, self.trajectory.y, cmap=PREDICTION_CMAP,
                         norm=self.target_norm, size=size)
        else:
            class_points(ax, points, self.trajectory.y, colors=class_colors(self.n_classes),
                         size=size)

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
            kernel = layer.kernel.numpy()
            bias = layer.bias.numpy() if layer.use_bias else 0.0  # Dense(use_bias=False)
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
        if self.regression:
            return maps, None
        classes = self.readout.classes(out[self.output_name][:self._n_grid])
        return maps, self.grid.to_grid(classes)

    def _fit_scales(self, resolution):
        """Planes from the activations of every frame, then one fixed colour scale
        per unit: from 0 for a unit that is never negative, else white at 0 with
        each sign stretched to its own extreme (a unit mostly negative still
        shows where it turns positive)."""
        self.planes = {}
        for name in (n for n in self.layers if self.over_plane[n]):
            bounds = Bounds()
            for frame in range(self.trajectory.n_frames):
                bounds.update(self.activations(frame, self.trajectory.x)[f"{name}:input"])
            (x0, x1), (y0, y1) = bounds.limits(margin=0.08)
            self.planes[name] = InputGrid(np.linspace(x0, x1, resolution, dtype=np.float32),
                                          np.linspace(y0, y1, resolution, dtype=np.float32))
        low = {name: np.full(len(self.units[name]), np.inf) for name in self.layers}
        high = {name: np.full(len(self.units[name]), -np.inf) for name in self.layers}
        for frame in range(self.trajectory.n_frames):
            maps, _ = self.values(frame)
            for name, (values, _, _) in maps.items():
                shown = values[:, self.units[name]]
                low[name] = np.minimum(low[name], shown.min(axis=0))
                high[name] = np.maximum(high[name], shown.max(axis=0))
        self.scales = {(name, unit): value_scale(lo, hi) for name in self.layers
                       for unit, lo, hi in zip(self.units[name], low[name], high[name])}

    def norm(self, layer, unit):
        """The colour scale of a unit's panel, fixed over the run."""
        return self.scales[layer, unit][0]

    def cmap(self, layer, unit):
        """The colour map of a unit's panel: signed or not, as its scale."""
        return self.scales[layer, unit][1]

    # -- layout ----------------------------------------------------------------
    def parts(self):
        """Panels in order: data, regions (a classifier's), then one per shown unit of
        each layer (a regression's output unit is its prediction)."""
        regions = [] if self.regression else [REGIONS]
        return [DATA, *regions] + [UnitPart(name, unit) for name in self.layers
                                   for unit in self.units[name]]

    def layer_parts(self, layer):
        """One panel per shown unit of ``layer``."""
        return [UnitPart(layer, unit) for unit in self.units[layer]]

    def figure(self, dpi=100, parts=None):
        """A figure with a header and a panel per part; scales and colour bars fixed."""
        parts = self.parts() if parts is None else parts
        layout, columns = self._layout(parts, caption=True)
        fig = new_figure(*layout.size, dpi=dpi)
        header, axes = self._place(fig, layout, parts, columns)
        return fig, header, axes

    def still(self, parts, *, frame=-1):
        """A :class:`~vizkit.views.stills.Still` of ``parts`` at ``frame`` (default: the last);
        the data alone is a still of the data set, with no epoch or metrics."""
        frame = frame % self.trajectory.n_frames
        data_only = all(part == DATA for part in parts)
        layout, columns = self._layout(parts, caption=not data_only)

        def draw(fig):
            header, axes = self._place(fig, layout, parts, columns)
            if not data_only:
                self.draw(header, axes, frame)

        return Still(layout.size, draw)

    def _rows(self, parts):
        """The panels in order, in balanced rows of at most :data:`_MAX_COLUMNS`."""
        return wrap(parts, _MAX_COLUMNS)

    def _plane_of(self, part):
        """Which plane a panel is drawn over: the input, or a layer's input plane."""
        if isinstance(part, UnitPart) and self.over_plane[part.layer]:
            return part.layer
        return None

    def _layout(self, parts, caption):
        """Cells in rows (y ticks only where a row's plane changes, a colour bar per
        unit) under a header for the caption and the keys; and the keys' columns."""
        rows = []
        for row in self._rows(parts):
            cells, previous = [], object()
            for part in row:
                plane = self._plane_of(part)
                cells.append(Cell(_PANEL, _PANEL, left=0.62 if plane != previous else 0.2,
                                  right=0.1, bar=0.1 if self._has_bar(part) else 0.0,
                                  bar_gap=0.06, bar_room=0.44))
                previous = plane
            rows.append(cells)
        layout = Layout(rows)
        columns = layout.fit_header([name for _, name in self.keys(parts)], caption)
        return layout, columns

    def _place(self, fig, layout, parts, columns):
        """Axes per part (static parts drawn), the colour bars, the keys in the header."""
        header, placed = layout.place(fig)
        axes = {}
        for row, cells in zip(self._rows(parts), placed):
            previous = object()
            for part, (ax, bar) in zip(row, cells):
                plane = self._plane_of(part)
                self._prepare(ax, part, ticks=plane != previous)
                previous = plane
                axes[part] = ax
                if bar is not None and part == DATA:
                    colour_bar(bar, PREDICTION_CMAP, self.target_norm, "target")
                elif bar is not None:
                    norm = self.norm(part.layer, part.unit)
                    ticks = _bar_ticks(norm)
                    colour_bar(bar, self.cmap(part.layer, part.unit), norm, "", ticks=ticks,
                               ticklabels=[f"{t:.3g}" for t in ticks])
        keys_legend(header, self.keys(parts), columns=columns)
        return header, axes

    def keys(self, parts):
        """The keys ``parts`` need: classes, class centres, switch lines, winning zones."""
        units = [p for p in parts if isinstance(p, UnitPart)]
        keys = class_keys(self.names)
        if DATA in parts and not self.regression:
            keys.append((marker_key("white", marker="X", size=10), "class centre"))
        if any(self._activation(p.layer) != "linear" for p in units):
            keys.append((line_key(linestyle="--", linewidth=1.3), "unit switches on"))
        if any(p.layer == self.winners for p in units):
            keys.append((line_key(linewidth=2.0), "unit wins (largest output)"))
        return keys

    def _activation(self, name):
        return self.model.get_layer(name).activation.__name__

    def _prepare(self, ax, part, ticks=True):
        """Static parts of a panel: title, labels, limits (y ticks only if ``ticks``)."""
        if not isinstance(part, UnitPart) or not self.over_plane[part.layer]:
            fix_limits(ax, Bounds().update(self.grid.points).limits(margin=0))
            labels = ("x0", "x1")
        else:
            plane = self.planes[part.layer]
            fix_limits(ax, ((plane.xs[0], plane.xs[-1]), (plane.ys[0], plane.ys[-1])))
            feeder = self.model.get_layer(part.layer).input
            source = getattr(getattr(feeder, "_keras_history", None), "operation", None)
            prefix = source.name if source is not None else "input"
            labels = (f"{prefix} unit 0", f"{prefix} unit 1")
        ax.set_xlabel(labels[0])
        if ticks:
            ax.set_ylabel(labels[1])
        else:
            ax.tick_params(labelleft=False)
        if part == DATA:
            ax.set_title(f"data set ({len(self.trajectory.x)} points)")
            self._points(ax, self.trajectory.x)
            if self.centres is not None:
                class_centres(ax, self.centres, names=self.names)
        elif part == REGIONS:
            ax.set_title("decision regions")
        else:
            ax.set_title(f"{part.layer} unit {part.unit} ({self._activation(part.layer)})")

    # -- drawing ---------------------------------------------------------------
    def draw_frame(self, axes, frame):
        """Add the artists of ``frame`` to a figure made by :meth:`figure`."""
        maps, classes = self.values(frame)
        for part, ax in axes.items():
            if part == REGIONS:
                region_image(ax, self.grid.extent, classes, cmap=region_cmap(self.n_classes),
                             norm=Normalize(-0.5, self.n_classes - 0.5))
                self._points(ax, self.trajectory.x)
            elif isinstance(part, UnitPart):
                self._draw_unit(ax, part, maps[part.layer])

    def _draw_unit(self, ax, part, layer_maps):
        """One unit's map on its own scale, its switch line (non-linear units), its
        winning zone (output units), the points, and how many share a spot."""
        values, points, pre = layer_maps
        grid = self.planes[part.layer] if self.over_plane[part.layer] else self.grid
        region_image(ax, grid.extent, grid.to_grid(values[:, part.unit]),
                     cmap=self.cmap(part.layer, part.unit),
                     norm=self.norm(part.layer, part.unit))
        mesh = grid.to_grid(grid.points)
        if self._activation(part.layer) != "linear":
            boundary(ax, mesh, grid.to_grid(pre[:, part.unit]), 0.0, linestyle="dashed",
                     linewidth=1.3)
        if part.layer == self.winners:
            others = np.delete(values, part.unit, axis=1).max(axis=1)
            boundary(ax, mesh, grid.to_grid(values[:, part.unit] - others), 0.0,
                     linewidth=2.0)
        self._points(ax, points, size=4.5)
        if self.over_plane[part.layer]:
            stacked_counts(ax, points)


def _bar_ticks(norm):
    """Three ticks: the ends and zero (or the middle)."""
    middle = 0.0 if norm.vmin < 0 else (norm.vmin + norm.vmax) / 2
    return [float(norm.vmin), middle, float(norm.vmax)]


def _class_means(x, y, n_classes):
    """The mean of each class's points, one row per class the model outputs; NaN for
    a class the data lack (no centre drawn)."""
    return np.array([x[y == k].mean(axis=0) if np.any(y == k) else (np.nan, np.nan)
                     for k in range(n_classes)])


def unit_map_stills(view):
    """The unit-map stills after training: the data, the regions (a classifier's), each
    layer's units."""
    stills = {"data": view.still([DATA])}
    if not view.regression:
        stills["regions"] = view.still([REGIONS])
    for layer in view.layers:
        stills[f"{layer}-units"] = view.still(view.layer_parts(layer))
    return stills
