"""Input space and layer spaces of a model across a recorded trajectory.

Each frame shows the decision regions over the input plane, then, for every
chosen layer, where that layer sends the whole input grid (a warped mesh in
the region colours, with grid lines) and the training points.
"""

import numpy as np
from matplotlib.colors import Normalize

from .grid import InputGrid
from .limits import Bounds
from .panels import boundary, class_points, fix_limits, grid_lines, region_image, warped_mesh
from .probe import default_layers, find_layer
from .projection import PlaneProjection
from .style import probability_cmap, region_cmap
from .view import TrajectoryView

__all__ = ["LayerSpaces", "default_layers"]


def _describe(layer):
    """A short title for a layer's panel, e.g. ``hidden_1 (Dense, pre-activation)``."""
    kind = type(layer).__name__
    activation = getattr(getattr(layer, "activation", None), "__name__", None)
    if kind == "Activation":
        return f"{layer.name} ({activation})"
    if activation in (None, "linear"):
        return f"{layer.name} ({kind}, pre-activation)" if kind == "Dense" else \
            f"{layer.name} ({kind})"
    return f"{layer.name} ({kind} + {activation})"


class LayerSpaces(TrajectoryView):
    """The layer-spaces animation of a trajectory; draws any of its frames.

    Projections (for layers wider than two units) and axis limits are computed
    once from the whole trajectory, so every frame uses the same scales.

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
    """

    title = "vizkit layer spaces"

    def __init__(self, trajectory, layers=None, *, grid_resolution=200, n_grid_lines=11,
                 mesh_resolution=96):
        self.trajectory = trajectory
        self.layers = default_layers(self.model) if layers is None else list(layers)
        self.bind_probe(self.layers)
        self.grid = InputGrid.around(trajectory.x, grid_resolution)
        self._inputs = np.concatenate([self.grid.points, trajectory.x]).astype(np.float32)
        self._n_grid = self.grid.shape[0] * self.grid.shape[1]
        self._input_mesh = self.grid.to_grid(self.grid.points)
        self.n_classes = max(int(np.max(trajectory.y)) + 1, 2)
        self.binary = self.n_classes == 2
        self.cmap = probability_cmap() if self.binary else region_cmap(self.n_classes)
        self.norm = Normalize(0, 1) if self.binary else Normalize(-0.5, self.n_classes - 0.5)
        self._rows, self._cols = self.grid.line_indices(n_grid_lines)
        mesh_rows, mesh_cols = self.grid.line_indices(mesh_resolution)
        self._mesh_index = np.ix_(mesh_rows, mesh_cols)
        self._cell_index = np.ix_((mesh_rows[:-1] + mesh_rows[1:]) // 2,
                                  (mesh_cols[:-1] + mesh_cols[1:]) // 2)
        self._fit_scales()

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
                coords[:, 1] = scores if self.binary else \
                    np.max(outputs[self.output_name], axis=1)
            planes[name] = coords
        return planes, scores

    def _fit_scales(self):
        """Projections from the last frame; limits from every frame.

        Limits come from the warped mesh's corners and the data points, a
        quarter of the grid: the maps are smooth and the margin covers the rest.
        """
        last = self.outputs(self.trajectory.n_frames - 1)
        self.projections = {name: PlaneProjection.fit(last[name]) for name in self.layers}
        mesh_points = self._input_mesh[self._mesh_index]
        sample = np.concatenate([mesh_points.reshape(-1, 2), self.trajectory.x])
        bounds = {name: Bounds() for name in self.layers}
        for frame in range(self.trajectory.n_frames):
            planes, _ = self.planes(self.outputs(frame, sample))
            for name, coords in planes.items():
                bounds[name].update(coords)
        self.limits = {name: b.limits() for name, b in bounds.items()}
        for name in self.layers:
            if self.projections[name].is_line:
                self.limits[name] = (self.limits[name][0], (-0.05, 1.05))

    # -- drawing ---------------------------------------------------------------
    def figure(self, dpi=100, panel_size=3.6):
        """A figure with a header and one square panel per space, scales fixed."""
        n = 1 + len(self.layers)
        header_height = 0.75
        height = panel_size + header_height + 0.35
        fig, header = self.new_figure(panel_size * n, height, dpi, header=header_height / height)
        top = 1 - header_height / height
        fig.subplots_adjust(left=0.06 / n * 3, right=1 - 0.02 / n * 3, bottom=0.12,
                            top=top - 0.06, wspace=0.28)
        axes = fig.subplots(1, n, squeeze=False)[0]
        data_limits = Bounds().update(self.grid.points).limits(margin=0)
        fix_limits(axes[0], data_limits)
        axes[0].set_title("input space")
        axes[0].set_xlabel("x0")
        axes[0].set_ylabel("x1")
        for ax, name in zip(axes[1:], self.layers):
            labels, note = self.projections[name].describe()
            title = _describe(find_layer(self.model, name))
            ax.set_title(title + (f"\n{note}" if note else ""), fontsize=10)
            ax.set_xlabel(labels[0])
            ax.set_ylabel(labels[1])
            fix_limits(ax, self.limits[name])
        for ax in axes:
            ax.set_box_aspect(1)
        return fig, header, axes

    def draw_frame(self, axes, frame):
        """Add the artists of ``frame`` to a figure made by :meth:`figure`."""
        outputs = self.outputs(frame)
        planes, scores = self.planes(outputs)
        grid_scores = self.grid.to_grid(scores[:self._n_grid])
        labels = self.trajectory.y

        region_image(axes[0], self.grid.extent, grid_scores, cmap=self.cmap, norm=self.norm)
        self._decorate(axes[0], self._input_mesh, grid_scores, self.trajectory.x, labels)
        for ax, name in zip(axes[1:], self.layers):
            coords = planes[name]
            if self.projections[name].is_line:
                self._draw_line_layer(ax, coords)
                class_points(ax, coords[self._n_grid:], labels)
                continue
            mesh = self.grid.to_grid(coords[:self._n_grid])
            coarse = mesh[self._mesh_index]
            warped_mesh(ax, coarse, grid_scores[self._cell_index], cmap=self.cmap,
                        norm=self.norm)
            self._decorate(ax, mesh, grid_scores, coords[self._n_grid:], labels,
                           boundary_mesh=(coarse, grid_scores[self._mesh_index]))

    def _decorate(self, ax, mesh, grid_scores, points, labels, boundary_mesh=None):
        """Grid lines, the 0.5 boundary (binary) and the points, in any space."""
        grid_lines(ax, mesh, self._rows, self._cols)
        if self.binary:
            boundary(ax, *(boundary_mesh or (mesh, grid_scores)), 0.5)
        class_points(ax, points, labels)

    def _draw_line_layer(self, ax, coords):
        """A 1-unit layer: the curve (value, output) that the grid collapses onto."""
        grid = coords[:self._n_grid]
        order = np.argsort(grid[:, 0])[:: max(1, self._n_grid // 400)]
        ax.plot(grid[order, 0], grid[order, 1], color="#555555", linewidth=1.2, zorder=2)
