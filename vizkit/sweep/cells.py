"""One cell of a sweep: a variant's input space (and one hidden space) at any frame,
on scales shared across the sweep, drawn where the variant was recorded.

The functions at the end are the tasks a sweep sends to its Dask workers:
:func:`record_variant` (the scene's own recording, as a plain run makes it),
:func:`fit_variant` (the hidden plane and its limits) and :func:`render_cells`
(frames as RGB pixels). A worker keeps one :class:`VariantCell` per variant it
draws (model, probe, figure), so that later chunks of frames reuse it.
"""

import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np

from ..output.camera import StreamingCamera
from ..inspect.grid import InputGrid
from ..inspect.limits import Bounds
from ..panels import (boundary, class_points, fix_limits, grid_lines, region_image,
                      value_points, warped_mesh)
from ..inspect.probe import find_layer
from ..inspect.readout import Readout
from ..progress import Progress
from ..inspect.projection import PlaneProjection
from ..output.render import new_figure
from ..style import PREDICTION_CMAP, TEXT, class_colors, class_scale, style
from ..views.base import TrajectoryView

__all__ = ["CellScales", "HiddenFit", "VariantCell", "cell_size", "cell_layout", "band_text",
           "metrics_line", "record_variant", "StopWhenSet", "SweepStopped", "trajectory_bytes",
           "fit_variant", "render_cells"]

PANEL = 2.2  # inches per panel: small multiples, still readable at 100 dpi
_LEFT, _GAP, _RIGHT = 0.62, 0.68, 0.14  # inches: y labels, between panels, right edge
_BAND, _TITLE, _BOTTOM = 0.56, 0.24, 0.5  # inches: label and metrics, panel title, x labels
_LINE = 0.17  # inches: a second metrics line, in a cell of one panel
_MESH = 64  # quads per side of the warped mesh (a cell is about 220 px wide)
_SHORT = {"accuracy": "acc", "loss": "loss", "test_accuracy": "test acc",
          "test_loss": "test loss", "val_accuracy": "val acc", "val_loss": "val loss"}


def _band(n_panels):
    """Inches above the panels: the label and one metrics line (two in a narrow cell)."""
    return _BAND + (_LINE if n_panels == 1 else 0)


def cell_size(n_panels):
    """Figure size (inches) of a cell of ``n_panels`` panels in a row."""
    width = _LEFT + n_panels * PANEL + (n_panels - 1) * _GAP + _RIGHT
    return width, _band(n_panels) + _TITLE + PANEL + _BOTTOM


def cell_layout(fig, n_panels, label):
    """On a figure of :func:`cell_size`: the band on top (axis off) with ``label``,
    and the panels below it."""
    width, height = cell_size(n_panels)
    band = fig.add_axes((0, 1 - _band(n_panels) / height, 1, _band(n_panels) / height))
    band.set_axis_off()
    band.text(0.5 * _LEFT / width, 1 - 0.04 / _band(n_panels), label, transform=band.transAxes,
              ha="left", va="top", fontsize=TEXT["label"], fontweight="bold")
    axes = [fig.add_axes(((_LEFT + i * (PANEL + _GAP)) / width, _BOTTOM / height,
                          PANEL / width, PANEL / height)) for i in range(n_panels)]
    return band, axes


def band_text(band, text):
    """The per-frame lines under a cell's label (metrics, or why the cell is empty)."""
    height = band.get_position().height * band.figure.get_figheight()
    return band.text(0.5 * _LEFT / band.figure.get_figwidth(), 1 - 0.26 / height, text,
                     transform=band.transAxes, ha="left", va="top", fontsize=TEXT["note"])


def metrics_line(metrics, frame, last_frame=None, epochs=None, *, split_sets=False):
    """``acc 0.950 · loss 0.212`` at ``frame``, evaluation sets on a second line with
    ``split_sets``; a run that stopped early says so."""
    shown = [(name, f"{_SHORT[name]} {float(metrics[name][frame]):.3f}") for name in _SHORT
             if name in metrics]
    lines = [[text for name, text in shown if "_" not in name],
             [text for name, text in shown if "_" in name]]
    lines = [line for line in lines if line]
    if last_frame is not None and frame == last_frame and epochs and last_frame < epochs:
        lines[-1].append(f"stopped at epoch {last_frame}")
    if not split_sets:
        lines = [sum(lines, [])]
    return "\n".join("  ·  ".join(line) for line in lines)


@dataclass(frozen=True)
class HiddenFit:
    """A variant's hidden space: its plane, limits over every frame, and what it is."""

    layer: str
    projection: PlaneProjection
    limits: tuple
    title: str
    comparable: tuple = None  # same key → same coordinates → shared limits


@dataclass(frozen=True)
class CellScales:
    """What every cell of a sweep shares (grid, classes, or a regression's value range
    over every variant and frame) and what is its own."""

    grid: InputGrid
    n_classes: int  # None: a regression, coloured on ``values``
    label: str
    hidden: HiddenFit = None
    values: tuple = None  # (low, high) of a regression's targets and predictions

    @property
    def n_panels(self):
        return 1 if self.hidden is None else 2

    def colours(self):
        """``(norm, cmap)`` of the cells: the class scale, or a regression's value scale."""
        return output_colours(self.n_classes, self.values)


def output_colours(n_classes, values):
    """``(norm, cmap)``: :func:`vizkit.style.class_scale` for ``n_classes``, or (``n_classes``
    None) a regression's value scale from ``values`` = (low, high)."""
    if n_classes is not None:
        return class_scale(n_classes)
    import matplotlib as mpl
    from matplotlib.colors import Normalize

    low, high = values
    return Normalize(low, high if high > low else low + 1), mpl.colormaps[PREDICTION_CMAP]


class VariantCell(TrajectoryView):
    """A variant's cell: the input space, and optionally one hidden space, any frame.

    The input space is drawn on ``scales.grid`` (the same extent in every
    cell) with the same colour scale everywhere: P(class 1) from 0 to 1 for
    two classes, the class colours for more. The hidden space is the input
    grid carried through ``hidden`` (as in the layer-spaces view), on a plane
    fitted once at the last frame.
    """

    title = "vizkit sweep cell"

    def __init__(self, trajectory, grid, n_classes, hidden=None):
        self.trajectory = trajectory
        self.hidden = hidden
        self.bind_probe([hidden] if hidden else [])
        self.grid = grid
        self.n_classes = n_classes
        self.binary = n_classes == 2
        self._n_grid = len(grid.points)
        self._inputs = np.concatenate([grid.points, trajectory.x]).astype(np.float32)
        self._input_mesh = grid.to_grid(grid.points)
        self._rows, self._cols, self._mesh_index, self._cell_index = grid.mesh(9, _MESH + 1)
        self.scales = None
        self._camera = None

    # -- numbers -----------------------------------------------------------------
    def values(self, frame, inputs=None, projection=None):
        """Class scores of ``inputs`` (default: grid, then data) at ``frame``, and
        their hidden-plane coordinates (``None`` without a hidden layer)."""
        outputs = self.activations(frame, self._inputs if inputs is None else inputs)
        scores = self.readout.scores(outputs[self.output_name])
        if not self.hidden:
            return scores, None
        projection = projection or self.scales.hidden.projection
        coords = projection(outputs[self.hidden])
        if projection.is_line:
            coords[:, 1] = (scores if self.binary or self.n_classes is None
                            else np.max(outputs[self.output_name], axis=1))
        return scores, coords

    def fit_hidden(self):
        """The hidden plane (fitted at the last frame) and its limits over every frame."""
        last = self.activations(self.trajectory.n_frames - 1, self._inputs)[self.hidden]
        projection = PlaneProjection.fit(last)
        sample = np.concatenate([self._input_mesh[self._mesh_index].reshape(-1, 2),
                                 self.trajectory.x]).astype(np.float32)
        bounds = Bounds()
        for frame in range(self.trajectory.n_frames):
            bounds.update(self.values(frame, sample, projection)[1])
        limits = bounds.limits()
        if projection.is_line and self.binary:
            limits = (limits[0], (-0.05, 1.05))
        layer = find_layer(self.model, self.hidden)
        activation = getattr(getattr(layer, "activation", None), "__name__", "linear")
        if projection.units > 2:
            title = f"{self.hidden}: {activation}, PCA {projection.explained:.0%}"
        else:
            title = f"{self.hidden} ({activation})" + (" vs output" if projection.is_line else "")
        comparable = (self.hidden, 2, activation) if projection.units == 2 else None
        return HiddenFit(self.hidden, projection, limits, title, comparable)

    # -- drawing -----------------------------------------------------------------
    def figure(self, dpi=100):
        """The cell's figure with its static parts: label, panel titles, fixed limits."""
        fig = new_figure(*cell_size(self.scales.n_panels), dpi=dpi)
        band, axes = cell_layout(fig, self.scales.n_panels, self.scales.label)
        fix_limits(axes[0], ((self.grid.xs[0], self.grid.xs[-1]),
                             (self.grid.ys[0], self.grid.ys[-1])))
        axes[0].set_title("input space", fontsize=TEXT["note"])
        axes[0].set(xlabel="x0", ylabel="x1")
        if self.scales.hidden is not None:
            hidden = self.scales.hidden
            fix_limits(axes[1], hidden.limits)
            axes[1].set_title(hidden.title, fontsize=TEXT["note"])
            x_label, y_label = hidden.projection.describe()[0]
            axes[1].set(xlabel=x_label, ylabel=y_label)
        for ax in axes:
            ax.set_box_aspect(1)
            ax.tick_params(labelsize=TEXT["tick"], length=2, pad=1.5)
            ax.xaxis.label.set_fontsize(TEXT["note"])
            ax.yaxis.label.set_fontsize(TEXT["note"])
        return fig, band, axes

    def draw(self, header, axes, frame):
        """The frame's panels and its metrics line under the label."""
        self.draw_frame(axes, frame)
        band_text(header, metrics_line(self.trajectory.metrics, frame,
                                       self.trajectory.n_frames - 1,
                                       self.trajectory.info.get("epochs"),
                                       split_sets=self.scales.n_panels == 1))

    def draw_frame(self, axes, frame):
        self.norm, self.cmap = self.scales.colours()
        scores, coords = self.values(frame)
        grid_scores = self.grid.to_grid(scores[:self._n_grid])
        labels = self.trajectory.y
        region_image(axes[0], self.grid.extent, grid_scores, cmap=self.cmap, norm=self.norm)
        self._decorate(axes[0], self._input_mesh, grid_scores, self.trajectory.x, labels)
        if coords is None:
            return
        if self.scales.hidden.projection.is_line:
            order = np.argsort(coords[:self._n_grid, 0])[:: max(1, self._n_grid // 400)]
            axes[1].plot(coords[order, 0], coords[order, 1], color="#555555", linewidth=1.0,
                         zorder=2)
            self._points(axes[1], coords[self._n_grid:], labels)
            return
        mesh = self.grid.to_grid(coords[:self._n_grid])
        coarse = mesh[self._mesh_index]
        warped_mesh(axes[1], coarse, grid_scores[self._cell_index], cmap=self.cmap,
                    norm=self.norm)
        self._decorate(axes[1], mesh, grid_scores, coords[self._n_grid:], labels,
                       boundary_mesh=(coarse, grid_scores[self._mesh_index]))

    def _decorate(self, ax, mesh, grid_scores, points, labels, boundary_mesh=None):
        grid_lines(ax, mesh, self._rows, self._cols, linewidth=0.4)
        if self.binary:
            boundary(ax, *(boundary_mesh or (mesh, grid_scores)), 0.5, linewidth=1.0)
        self._points(ax, points, labels)

    def _points(self, ax, points, labels):
        """The training points: by class, or a regression's by target on the cells' scale."""
        if self.n_classes is None:
            value_points(ax, points, labels, cmap=self.cmap, norm=self.norm, size=4)
        else:
            class_points(ax, points, labels, colors=class_colors(self.n_classes), size=4)

    def render(self, scales, frames, dpi):
        """RGB pixels ``(h, w, 3)`` of ``frames``; the figure is made at the first call
        and kept. Raw pixels, not PNG: the main process pastes them as they are
        (decoding a PNG cost it 7 ms a cell, as much as the paste and the encoder's
        share together), and Dask sends arrays without copying them."""
        if self._camera is None:
            self.scales = scales
            with style():
                fig, self._band, self._axes = self.figure(dpi)
            self._pixels = []
            self._camera = StreamingCamera(
                fig, lambda rgba, _: self._pixels.append(np.array(rgba[..., :3])))
        self._pixels.clear()
        with style():
            for frame in frames:
                self.draw(self._band, self._axes, frame)
                self._camera.snap()
        return list(self._pixels)


# -- tasks run on the workers ------------------------------------------------------
_CELLS = OrderedDict()  # key -> VariantCell, on each worker
_KEEP = 16  # cells a worker keeps (a sweep asks for each variant's chunks in turn)


def record_variant(recipe, options, stop_event=None):
    """Record a variant exactly as a plain run of the scene with ``options`` would,
    seeded apart from the Dask worker around it (:func:`vizkit.seeding.private_seeds`).

    ``stop_event``: the name of a Dask ``Event`` the sweep sets when it fails or
    is interrupted; the recording then ends at its next epoch (see
    :class:`StopWhenSet`)."""
    from .._keras import import_keras
    from ..seeding import private_seeds

    import_keras()  # vizkit's TensorFlow defaults, before anything else imports it
    progress = Progress() if stop_event is None else StopWhenSet(stop_event)
    with private_seeds():
        recorded = recipe.record(options, progress)
    return replace(recorded, info=dict(recorded.info, scene=recipe.name, part=""))


class SweepStopped(Exception):
    """The sweep that asked for a recording has stopped; nobody waits for it."""


class StopWhenSet(Progress):
    """A recording's progress that ends it once the Dask ``Event`` named ``event`` is
    set. A worker of a running cluster runs tasks in threads, which Dask cannot
    stop: without this, an interrupted sweep's recordings would hold its workers
    to their last epoch. The event is asked at most every ``every`` seconds."""

    def __init__(self, event, every=0.5):
        from distributed import Event

        self.event = Event(event)  # its client: the worker's, on first use
        self.every = every
        self._next_check = 0.0

    @contextmanager
    def bar(self, label, total):
        yield self._check

    def _check(self, *_):
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self.every
        if self.event.is_set():
            raise SweepStopped("the sweep stopped; its recordings end with it")


def trajectory_bytes(trajectory):
    """The trajectory as its ``.npz`` file's bytes, the data's bounds and the classes,
    its model's layer names, and the worker's TensorFlow settings."""
    import io

    from ..output.manifest import tensorflow_settings
    from ..data.model_config import config_layer_names, parse_config

    content = io.BytesIO()
    trajectory.write_npz(content)
    x = np.asarray(trajectory.x, dtype=float)
    readout = Readout.of_trajectory(trajectory)
    return dict(npz=content.getvalue(), low=x.min(axis=0), high=x.max(axis=0),
                n_classes=readout.n_classes, values=_value_range(trajectory, readout),
                classes=readout.class_names(trajectory.info.get("class_names")),
                n_frames=trajectory.n_frames,
                epochs=trajectory.info.get("epochs", trajectory.n_frames - 1),
                final_metrics=trajectory.final_metrics(), environment=tensorflow_settings(),
                layers=config_layer_names(parse_config(trajectory.model_config, "the run")))


def _value_range(trajectory, readout):
    """A regression's (low, high) over its targets and every frame's predictions on the
    training points; None for a classifier."""
    if not readout.is_regression:
        return None
    model = trajectory.build_model(0)
    y = np.asarray(trajectory.y, dtype=float)
    low, high = float(y.min()), float(y.max())
    for frame in range(trajectory.n_frames):
        trajectory.set_frame(model, frame)
        predicted = np.asarray(model(trajectory.x, training=False), dtype=float)
        low, high = min(low, float(predicted.min())), max(high, float(predicted.max()))
    return low, high


def _cell(key, trajectory, grid, n_classes, hidden):
    cell = _CELLS.get(key)
    if cell is None:
        cell = _CELLS[key] = VariantCell(trajectory, grid, n_classes, hidden)
        while len(_CELLS) > _KEEP:
            _CELLS.popitem(last=False)
    _CELLS.move_to_end(key)
    return cell


def fit_variant(key, trajectory, grid, n_classes, hidden):
    """The variant's :class:`HiddenFit` on the sweep's grid (``None`` without one)."""
    return _cell(key, trajectory, grid, n_classes, hidden).fit_hidden() if hidden else None


def render_cells(key, trajectory, scales, frames, dpi):
    """RGB pixels of the variant's cell at each of ``frames``; the worker forgets the
    cell after its last frame."""
    cell = _cell(key, trajectory, scales.grid, scales.n_classes,
                 scales.hidden.layer if scales.hidden else None)
    pixels = cell.render(scales, frames, dpi)
    if frames and frames[-1] == trajectory.n_frames - 1:
        _CELLS.pop(key, None)
    return pixels
