"""Input space and layer spaces of a model across a recorded trajectory.

Each frame shows the decision regions over the input plane, then, for every
chosen layer, where that layer sends the training points and the input grid
(its lines and its border). In a 2-unit layer followed by a plain chain of
layers, the whole plane is coloured by what the rest of the network predicts
from each of its points, so the decision boundary there is drawn in full: after
the last hidden layer it is a straight line, and the reader sees whether the
layer has made the classes separable by one. Other layers (a PCA plane of a
wide layer, a 1-unit layer, a branching graph) show the input grid's sheet,
coloured by the model's output.
"""

import numpy as np
from matplotlib.lines import Line2D

from ..errors import VizkitError
from ..inspect.grid import InputGrid
from ..inspect.input_plane import InputPlane, image_view_fix, require_continuous_inputs
from ..inspect.layer_health import LayerHealth
from .layout import Cell, Layout, wrap
from ..inspect.limits import Bounds, robust_limits
from ..panels import (boundary, class_keys, class_points, colour_bar, fix_limits, grid_lines,
                      health_panel, keys_legend, layer_styles, line_key, region_image,
                      value_points, warped_mesh)
from ..inspect.probe import default_layers, find_layer
from ..inspect.projection import PlaneProjection
from ..output.render import new_figure
from ..style import INK, MUTED, PREDICTION_CMAP, TEXT, class_colors, class_scale
from .base import TrajectoryView

__all__ = ["LayerSpaces", "default_layers", "downstream_layers"]

_MAX_COLUMNS = 3
_DENSE = dict(size=4.0, alpha=0.7)  # points in hidden spaces, where they pile up


def downstream_layers(model, name):
    """The layers after ``name`` when they form a plain chain to the output (each
    reads only the previous one's output), else ``None``."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    names = [layer.name for layer in layers]
    if name not in names:
        return None
    previous = layers[names.index(name)]
    chain = layers[names.index(name) + 1:]
    if type(model).__name__ == "Sequential":  # a chain by construction
        return chain
    for layer in chain:
        try:
            if layer.input is not previous.output:
                return None
        except (AttributeError, ValueError):  # several inbound nodes
            return None
        previous = layer
    return chain


def _describe(layer):
    """A short title for a layer's panel, e.g. ``hidden_1 (Dense, pre-activation)``."""
    kind = type(layer).__name__
    activation = getattr(getattr(layer, "activation", None), "__name__", None)
    if kind == "Activation":
        return f"{layer.name} ({activation})"
    if activation in (None, "linear"):
        note = ", pre-activation" if kind == "Dense" else ""
        return f"{layer.name} ({kind}{note})"
    return f"{layer.name} ({kind} + {activation})"


class LayerSpaces(TrajectoryView):
    """The layer-spaces animation of a trajectory; draws any of its frames.

    Projections (for layers wider than two units) and axis limits are computed
    once from the whole trajectory, so every frame uses the same scales; the
    limits hold the middle 99.6 % of every frame's points (not the far corners
    of the grid, which would shrink the data to a speck).

    Parameters
    ----------
    trajectory : Trajectory
    layers : list of str, optional
        Layers to show (default: :func:`default_layers`).
    grid_resolution : int
        Points per side of the input grid.
    n_grid_lines : int
        Grid lines drawn per direction.
    mesh_resolution : int
        Quads per side of the warped meshes: a sub-grid of the input grid. The
        maps are smooth, so 96 flat quads a side (3 px each) look continuous and
        draw in 3 ms, where 200 gouraud-shaded ones take 75 ms.
    plane_resolution : int
        Points per side of the grid over a hidden plane that is coloured by
        the rest of the network.
    class_names : list of str, optional
        Default: the trajectory's ``class_names`` info, else ``class 0``, ...
    input_features : (int, int), optional
        With more (or fewer) than 2 input features, the input panel shows the
        data in a fixed 2-D plane (:class:`~vizkit.inspect.input_plane.InputPlane`):
        these two features (the others held at their mean), or by default the
        data's two principal axes; regions are computed on that slice.
    health : bool, optional
        A row of curves over epochs under the spaces, per drawn layer: dead
        ReLU units, saturated tanh/sigmoid activations and a linear probe's
        held-out accuracy (:class:`~vizkit.inspect.layer_health.LayerHealth`).
        Default: shown when the input is not 2 features, where the spaces
        are projections and the curves say what they cannot.
    """

    draws_classes = True
    title = "vizkit layer spaces"

    def __init__(self, trajectory, layers=None, *, grid_resolution=200, n_grid_lines=11,
                 mesh_resolution=96, plane_resolution=120, class_names=None,
                 input_features=None, health=None):
        self.trajectory = trajectory
        shape = np.shape(trajectory.x)[1:]
        if len(shape) != 1:
            raise VizkitError(f"this model takes inputs of shape {shape}, but layer spaces draw "
                              f"models of feature vectors; {image_view_fix()}")
        require_continuous_inputs(self.model, "the layer spaces")
        self.layers = default_layers(self.model) if layers is None else list(layers)
        self.bind_probe(self.layers)
        self.plane = InputPlane.fit(trajectory.x, input_features,
                                    trajectory.info.get("feature_names"))
        self.line = self.plane.kind == "line"  # one feature: a line, not a plane
        self.grid = InputGrid.around(self.plane.project(trajectory.x), grid_resolution)
        self._inputs = np.concatenate([self.plane.lift(self.grid.points),
                                       trajectory.x]).astype(np.float32)
        self._n_grid = self.grid.shape[0] * self.grid.shape[1]
        self._input_mesh = self.grid.to_grid(self.grid.points)
        self.regression = self.readout.is_regression
        if self.regression:  # colour is the predicted value, points show their target
            self.n_classes, self.binary, self.names = None, False, []
            self.cmap, self.norm = PREDICTION_CMAP, self.value_norm()
        else:
            self.n_classes = self.readout.n_classes
            self.binary = self.n_classes == 2
            self.names = self.readout.class_names(
                class_names if class_names is not None else trajectory.info.get("class_names"))
            self.norm, self.cmap = class_scale(self.n_classes)
        self._rows, self._cols, self._mesh_index, self._cell_index = self.grid.mesh(
            n_grid_lines, mesh_resolution)
        self._fit_scales(plane_resolution)
        # the data in the input panel: in the plane, or (one feature) against their target
        self.points = self.plane.project(trajectory.x)
        if self.line:
            self.points[:, 1] = np.asarray(trajectory.y, dtype=np.float64).reshape(-1)
        if health is None:
            health = self.plane.n_features != 2
        self.health = LayerHealth.of_run(
            trajectory, self.model, self.probe, self.layers,
            regression=self.regression) if health and self.layers else None

    # -- numbers ---------------------------------------------------------------
    def outputs(self, frame, inputs=None):
        """Every probed layer's output at ``frame`` (default: grid points, then data)."""
        return self.activations(frame, self._inputs if inputs is None else inputs)

    def planes(self, outputs):
        """``{layer: (n, 2)}`` plot coordinates, and the per-point colour values."""
        scores = self.readout.scores(outputs[self.output_name])
        planes = {}
        for name in self.layers:
            coords = self.projections[name](outputs[name])
            if self.projections[name].is_line:
                coords[:, 1] = (scores if self.binary or self.regression
                                else np.max(outputs[self.output_name], axis=1))
            planes[name] = coords
        return planes, scores

    def plane_scores(self, frame, name):
        """What the rest of the network predicts from every point of ``name``'s plane
        grid at ``frame`` (the colour values), as a (ny, nx) array."""
        self.set_frame(frame)
        plane = self.plane_grids[name]
        values = plane.points.astype(np.float32)
        for layer in self.downstream[name]:
            values = layer(values)
        return plane.to_grid(self.readout.scores(np.asarray(values)))

    def _fit_scales(self, plane_resolution):
        """Projections from the last frame; limits from the data points of every frame.

        The projections are fitted on the grid and the data, or, when the input
        panel is a slice of more features, on the data alone (the slice's grid is
        a flat sheet that would claim the variance). A 2-unit layer whose later
        layers form a chain gets a grid over its plane (``plane_grids``) to colour
        by :meth:`plane_scores`.
        """
        sample = self.trajectory.x if self.plane.n_features != 2 else None
        last = self.outputs(self.trajectory.n_frames - 1, sample)
        self.projections = {name: PlaneProjection.fit(last[name]) for name in self.layers}
        coords = {name: [] for name in self.layers}
        for frame in range(self.trajectory.n_frames):
            planes, _ = self.planes(self.outputs(frame, self.trajectory.x))
            for name, plane in planes.items():
                coords[name].append(plane)
        self.limits = {name: robust_limits(np.concatenate(c)) for name, c in coords.items()}
        self.downstream, self.plane_grids = {}, {}
        for name in self.layers:
            if self.projections[name].is_line:
                self.limits[name] = (self.limits[name][0], (-0.05, 1.05))
                continue
            chain = downstream_layers(self.model, name)
            if self.projections[name].units == 2 and chain is not None:
                (x0, x1), (y0, y1) = self.limits[name]
                self.downstream[name] = chain
                self.plane_grids[name] = InputGrid(
                    np.linspace(x0, x1, plane_resolution, dtype=np.float32),
                    np.linspace(y0, y1, plane_resolution, dtype=np.float32))

    # -- drawing ---------------------------------------------------------------
    def figure(self, dpi=100, panel_size=3.1):
        """A figure with a header and one square panel per space (at most three a row),
        the keys and a colour bar for the regions; scales fixed."""
        titles = [_input_title(self.plane)] + [self._title(name) for name in self.layers]
        lines = max(t.count("\n") + 1 for t in titles)
        cell = Cell(panel_size, panel_size).titled(lines)
        rows = wrap(range(len(titles)), _MAX_COLUMNS)
        cells = [[cell] * len(row) for row in rows]
        if self.binary or self.regression:
            cells[0][-1] = Cell(panel_size, panel_size, bar=0.14).titled(lines)
        measures = self.health.measures() if self.health else []
        if measures:
            cells.append([Cell(panel_size, 1.7, left=0.72).titled(1)] * len(measures))
        layout = Layout(cells)
        keys = self.keys()
        columns = layout.fit_header([name for _, name in keys])
        fig = new_figure(*layout.size, dpi=dpi)
        header, placed = layout.place(fig)
        axes = [ax for row in placed[:len(rows)] for ax, _ in row]
        if measures:
            self._health_figure([ax for ax, _ in placed[-1]], measures)
            axes += [ax for ax, _ in placed[-1]]
        keys_legend(header, keys, columns=columns)
        if self.binary:
            colour_bar(placed[0][-1][1], self.cmap, self.norm,
                       f"predicted P({self.names[1]})", ticks=[0, 0.25, 0.5, 0.75, 1])
        elif self.regression:
            colour_bar(placed[0][-1][1], self.cmap, self.norm,
                       "prediction (regions), target (points)")
        fix_limits(axes[0], self._input_limits())
        axes[0].set_xlabel(self.plane.labels[0])
        axes[0].set_ylabel(self._input_ylabel())
        for ax, title in zip(axes, titles):
            ax.set_title(title)
        for ax, name in zip(axes[1:], self.layers):
            labels, _ = self.projections[name].describe()
            ax.set_xlabel(labels[0])
            ax.set_ylabel(labels[1])
            fix_limits(ax, self.limits[name])
        return fig, header, axes

    def _health_figure(self, axes, measures):
        """The health row's fixed parts: limits, labels, the layers' key."""
        health = self.health
        self._styles = layer_styles(health.layers)
        first = int(health.epochs[0])  # a resumed fit's first frame is a later epoch
        span = (first, max(int(health.epochs[-1]), first + 1))
        for ax, (key, title, values) in zip(axes, measures):
            low = 0.0
            if key == "probe" and health.regression:
                low = min(0.0, float(np.min([np.min(v) for v in values.values()])))
            fix_limits(ax, (span, (low, 1.0 if key == "probe" else 1.02)))
            ax.set_title(title, fontsize=TEXT["label"])
            ax.set_xlabel("epoch")
            ax.set_ylabel({"dead": "share of units", "saturated": "share of values"}.get(
                key, "R²" if health.regression else "accuracy"))
            if key == "saturated":
                kinds = sorted({health.activations[name] for name in values})
                ax.text(0.98, 0.96, ", ".join(_SATURATED[k] for k in kinds),
                        transform=ax.transAxes, ha="right", va="top", fontsize=TEXT["note"],
                        color=MUTED)
        handles = [Line2D([], [], linewidth=1.6, **self._styles[name]) for name in health.layers]
        axes[-1].legend(handles, health.layers, loc="lower right", fontsize=TEXT["legend"],
                        frameon=False)

    def keys(self):
        """The header's keys: the classes, the boundary, the carried input grid."""
        keys = class_keys(self.names)
        if self.binary:
            keys.append((line_key(linewidth=1.4), "boundary (P = 0.5)"))
        keys.append((line_key(MUTED, linewidth=0.8),
                     "input line, carried through" if self.line else
                     "input grid, carried through"))
        return keys

    def data_still(self, size=3.6):
        """A :class:`~vizkit.views.stills.Still` of the data set alone: the points, the
        class keys, no epoch or metrics."""
        from .stills import Still

        title = f"data set ({len(self.trajectory.x)} points)"
        if self.plane.note:
            title += "\n" + _wrap_note(self.plane.note.split(";")[0])
        layout = Layout([[Cell(size, size).titled(title.count("\n") + 1)]])
        keys = class_keys(self.names)
        columns = layout.fit_header([name for _, name in keys], caption=False)

        def draw(fig):
            header, ((row),) = layout.place(fig)
            ax = row[0][0]
            keys_legend(header, keys, columns=columns)
            fix_limits(ax, self._input_limits())
            self._points(ax, self.points, self.trajectory.y, dense=False)
            ax.set_title(title)
            ax.set_xlabel(self.plane.labels[0])
            ax.set_ylabel(self._input_ylabel())

        return Still(layout.size, draw)

    def _title(self, name):
        _, note = self.projections[name].describe()
        title = _describe(find_layer(self.model, name))
        return title + (f"\n{note}" if note else "")

    def draw_frame(self, axes, frame):
        """Add the artists of ``frame`` to a figure made by :meth:`figure`."""
        spaces = 1 + len(self.layers)
        if self.health is not None:
            for ax, (key, _, values) in zip(axes[spaces:], self.health.measures()):
                health_panel(ax, self.health.epochs, values, self._styles, upto=frame,
                             percent=key != "probe")
            axes = axes[:spaces]
        outputs = self.outputs(frame)
        planes, scores = self.planes(outputs)
        grid_scores = self.grid.to_grid(scores[:self._n_grid])
        labels = self.trajectory.y

        if self.line:
            axes[0].plot(self.grid.xs, grid_scores[0], color=INK, linewidth=1.6, zorder=3)
            self._points(axes[0], self.points, labels, dense=False)
        else:
            region_image(axes[0], self.grid.extent, grid_scores, cmap=self.cmap,
                         norm=self.norm)
            self._decorate(axes[0], self._input_mesh, grid_scores, self.points, labels,
                           dense=False)
        for ax, name in zip(axes[1:], self.layers):
            coords = planes[name]
            points = coords[self._n_grid:]
            if self.projections[name].is_line:
                self._draw_line_layer(ax, coords)
                self._points(ax, points, labels, dense=True)
                continue
            mesh = self.grid.to_grid(coords[:self._n_grid])
            if self.line:
                self._draw_carried_line(ax, name, frame, mesh[0], points, labels)
                continue
            if name in self.plane_grids:
                plane = self.plane_grids[name]
                values = self.plane_scores(frame, name)
                region_image(ax, plane.extent, values, cmap=self.cmap, norm=self.norm)
                self._decorate(ax, mesh, values, points, labels,
                               boundary_mesh=(plane.to_grid(plane.points), values))
                continue
            coarse = mesh[self._mesh_index]
            warped_mesh(ax, coarse, grid_scores[self._cell_index], cmap=self.cmap,
                        norm=self.norm)
            self._decorate(ax, mesh, grid_scores, points, labels,
                           boundary_mesh=(coarse, grid_scores[self._mesh_index]))

    def _decorate(self, ax, mesh, grid_scores, points, labels, boundary_mesh=None,
                  dense=True):
        """Grid lines, the 0.5 boundary (binary) and the points, in any space; in a
        hidden space (``dense``) points are smaller and translucent, because a
        saturating layer piles them up and the piles should show as density."""
        grid_lines(ax, mesh, self._rows, self._cols)
        if self.binary:
            boundary(ax, *(boundary_mesh or (mesh, grid_scores)), 0.5)
        self._points(ax, points, labels, dense)

    def _points(self, ax, points, labels, dense):
        """The training points: by class, or (regression) by target on the value scale."""
        style = _DENSE if dense else {}
        if self.regression:
            value_points(ax, points, labels, cmap=self.cmap, norm=self.norm, **style)
        else:
            class_points(ax, points, labels, colors=class_colors(self.n_classes), **style)

    def _input_limits(self):
        """The input panel's limits: the plane's grid, or (one feature) the feature
        against the range of the targets and predictions."""
        (x0, x1), (y0, y1) = Bounds().update(self.grid.points).limits(margin=0)
        if not self.line:
            return (x0, x1), (y0, y1)
        if self.regression:
            low, high = self.norm.vmin, self.norm.vmax
            pad = 0.05 * (high - low)
            return (x0, x1), (low - pad, high + pad)
        return (x0, x1), ((-0.05, 1.05) if self.binary else (-0.5, self.n_classes - 0.5))

    def _input_ylabel(self):
        """The input panel's vertical axis: the plane's second axis, or what the
        model answers (one feature)."""
        if not self.line:
            return self.plane.labels[1]
        if self.regression:
            return "target (points), prediction (line)"
        if self.binary:
            return f"P({self.names[1]}) (line), class (points)"
        return "predicted class (line), class (points)"

    def _draw_carried_line(self, ax, name, frame, carried, points, labels):
        """A hidden space of a one-feature model: the input's line carried through (on
        the regions the rest of the network draws there, when it can), the points."""
        if name in self.plane_grids:
            plane = self.plane_grids[name]
            values = self.plane_scores(frame, name)
            region_image(ax, plane.extent, values, cmap=self.cmap, norm=self.norm)
            if self.binary:
                boundary(ax, plane.to_grid(plane.points), values, 0.5)
        ax.plot(carried[:, 0], carried[:, 1], color=MUTED, linewidth=1.2, zorder=2)
        self._points(ax, points, labels, dense=True)

    def _draw_line_layer(self, ax, coords):
        """A 1-unit layer: the curve (value, output) that the grid collapses onto."""
        grid = coords[:self._n_grid]
        order = np.argsort(grid[:, 0])[:: max(1, self._n_grid // 400)]
        ax.plot(grid[order, 0], grid[order, 1], color="#555555", linewidth=1.2, zorder=2)


def _input_title(plane):
    """``input space``, and what the plane is when the input is not 2 features."""
    return "input space" + (f"\n{_wrap_note(plane.note)}" if plane.note else "")


def _wrap_note(note):
    """A plane's note in lines that fit a panel's width (at the ``;``)."""
    return "\n".join(part.strip() for part in note.split(";"))


_SATURATED = {"tanh": "|tanh| > 0.99", "sigmoid": "sigmoid < 0.01 or > 0.99",
              "hard_sigmoid": "hard sigmoid < 0.01 or > 0.99"}
