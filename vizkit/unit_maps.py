"""What each unit computes: Dense units as maps over a plane, across a trajectory.

Each chosen Dense layer gets one panel per unit. A layer fed by the model's
2-D input, or by a layer that is not 2-D wide, is mapped over the input plane
(so unit maps work at any depth); a layer fed by a 2-unit layer is mapped over
that layer's activation plane, with the training points carried there. The
background is the unit's output; the dashed line is where its pre-activation
x·w + b is zero, where a ReLU switches on.
"""

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize

from .errors import VizkitError
from .grid import InputGrid
from .layer_spaces import class_scores
from .limits import Bounds
from .panels import boundary, class_centres, class_points, caption, fix_limits, region_image
from .probe import LayerProbe
from .render import new_figure
from .style import region_cmap
from .view import TrajectoryView

__all__ = ["UnitMaps", "dense_layers", "parse_units", "predicted_classes"]


def dense_layers(model):
    """Names of the model's Dense layers, in order."""
    return [layer.name for layer in model.layers if type(layer).__name__ == "Dense"]


def predicted_classes(output):
    """Class per row of a model output: argmax, or P > 0.5 for one sigmoid/logit unit."""
    output = np.asarray(output)
    if output.shape[1] == 1:
        return (class_scores(output, 2) > 0.5).astype(int)
    return output.argmax(axis=1)


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
        self.model = trajectory.build_model(0)
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
        self._output = self.model.layers[-1].name
        self.probe = LayerProbe(self.model, list(dict.fromkeys(self.layers + [self._output])),
                                inputs_of=self.layers)
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
        self.model.set_weights(self.trajectory.weights_at(frame))
        out = self.probe(self._inputs)
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
        classes = predicted_classes(out[self._output][:self._n_grid])
        return maps, self.grid.to_grid(classes)

    def _fit_scales(self, resolution):
        """Planes from the activations of every frame, then fixed colour scales."""
        self.planes = {}
        for name in (n for n in self.layers if self.over_plane[n]):
            bounds = Bounds()
            for frame in range(self.trajectory.n_frames):
                self.model.set_weights(self.trajectory.weights_at(frame))
                bounds.update(self.probe(self.trajectory.x)[f"{name}:input"])
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
        return [("data", None), ("regions", None)] + [
            (name, unit) for name in self.layers for unit in self.units[name]]

    def figure(self, dpi=100, parts=None, panel_size=2.9):
        """A figure with a header and a panel per part; scales and colour bars fixed."""
        parts = self.parts() if parts is None else parts
        rows = self._rows(parts)
        n_cols = max(len(r) for r in rows)
        header_height = 0.7
        fig = new_figure(panel_size * n_cols + 0.9, panel_size * len(rows) + header_height + 0.3,
                         dpi=dpi)
        top = 1 - header_height / fig.get_figheight()
        grid = fig.add_gridspec(len(rows), n_cols, left=0.5 / fig.get_figwidth(),
                                right=1 - 0.9 / fig.get_figwidth(), bottom=0.35 / fig.get_figheight(),
                                top=top - 0.04, wspace=0.3, hspace=0.42)
        header = fig.add_axes((0, top, 1, 1 - top))
        header.set_axis_off()
        axes = {}
        for r, row in enumerate(rows):
            for c, part in enumerate(row):
                ax = fig.add_subplot(grid[r, c])
                self._prepare(ax, part)
                axes[part] = ax
            layer = row[-1][0]
            if layer in self.norms:
                bar = fig.colorbar(ScalarMappable(self.norms[layer], self.cmaps[layer]),
                                   ax=[axes[p] for p in row if p[0] == layer], fraction=0.04,
                                   pad=0.02)
                bar.set_label(self._value_label(layer), fontsize=8)
                bar.ax.tick_params(labelsize=7)
        return fig, header, axes

    def _rows(self, parts, max_columns=6):
        """Each layer's units in rows of at most ``max_columns``; data and regions
        lead the first row when they fit."""
        head = [p for p in parts if p[0] in ("data", "regions")]
        rows = []
        for name in self.layers:
            units = [p for p in parts if p[0] == name]
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
        name, unit = part
        ax.set_box_aspect(1)
        if name in ("data", "regions") or not self.over_plane[name]:
            fix_limits(ax, Bounds().update(self.grid.points).limits(margin=0))
            ax.set_xlabel("x0")
            ax.set_ylabel("x1")
        else:
            plane = self.planes[name]
            fix_limits(ax, ((plane.xs[0], plane.xs[-1]), (plane.ys[0], plane.ys[-1])))
            feeder = self.model.get_layer(name).input
            source = getattr(getattr(feeder, "_keras_history", None), "operation", None)
            prefix = source.name if source is not None else "input"
            ax.set_xlabel(f"{prefix} unit 0")
            ax.set_ylabel(f"{prefix} unit 1")
        if name == "data":
            ax.set_title("data set")
            class_points(ax, self.trajectory.x, self.trajectory.y)
            class_centres(ax, self.centres)
        elif name == "regions":
            ax.set_title("decision regions")
        else:
            ax.set_title(f"{name} unit {unit}", fontsize=10)

    def draw(self, header, axes, frame):
        """Add the artists of ``frame`` to a figure made by :meth:`figure`."""
        maps, classes = self.values(frame)
        for (name, unit), ax in axes.items():
            if name == "data":
                continue
            if name == "regions":
                region_image(ax, self.grid.extent, classes, cmap=region_cmap(self.n_classes),
                             norm=Normalize(-0.5, self.n_classes - 0.5))
                class_points(ax, self.trajectory.x, self.trajectory.y)
                continue
            values, points, pre = maps[name]
            grid = self.planes[name] if self.over_plane[name] else self.grid
            region_image(ax, grid.extent, grid.to_grid(values[:, unit]), cmap=self.cmaps[name],
                         norm=self.norms[name])
            if self.model.get_layer(name).activation.__name__ != "linear":
                mesh = grid.to_grid(grid.points)
                boundary(ax, mesh, grid.to_grid(pre[:, unit]), 0.0, linestyle="dashed",
                         color="#b00000")
            class_points(ax, points, self.trajectory.y, size=3.5)
        caption(header, self.frame_title(frame), self.frame_subtitle(frame))

    def still(self, path, parts, *, frame=-1, dpi=100, overwrite=False):
        """One PNG of ``parts`` at ``frame`` (default: after training)."""
        from .render import render_frames
        from .style import style

        frame = frame % self.trajectory.n_frames
        with style():
            fig, header, axes = self.figure(dpi=dpi, parts=parts)
            return render_frames(fig, lambda f: self.draw(header, axes, f), [frame], path, "png",
                                 overwrite=overwrite)

