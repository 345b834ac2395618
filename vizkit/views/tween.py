"""The tween view: the input grid and the data carried through a network in one motion.

After Chris Olah, "Neural Networks, Manifolds, and Topology" (2014): a tanh
layer is a linear map by W, a translation by b, then tanh applied point by
point. Shown as one continuous motion, stage after stage, layer after layer,
the grid bends and the classes come apart until the output layer can cut them
with a line.

Every stage moves each point straight from where it is to where the stage
sends it, eased, in the plane of the space it moves into:

- a Dense layer is up to three stages: linear map (x → x·W), bias
  (x·W → x·W + b), activation (z → act(z), point by point);
- an Activation layer is one activation stage;
- any other layer (Normalization, BatchNormalization, Dropout at inference...)
  is one stage from its input to its output.

The numbers are computed once per epoch shown, with one probe call on the grid
and the data; frames only interpolate them.
"""

from typing import NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.ticker import MaxNLocator

from .._keras import import_keras
from ..errors import VizkitError
from ..inspect.grid import InputGrid
from ..inspect.input_plane import require_continuous_inputs, require_two_features
from ..inspect.limits import Bounds
from ..panels import (boundary, class_legend, class_points, colour_bar, fix_limits, grid_lines,
                      legend_columns, value_points, warped_mesh)
from ..inspect.probe import LayerProbe, default_layers
from ..inspect.projection import PlaneProjection
from ..output.render import new_figure
from ..style import PREDICTION_CMAP, TEXT, class_colors, class_scale
from .base import TrajectoryView

__all__ = ["Tween", "TweenFrame", "Stage", "smoothstep"]


class Stage(NamedTuple):
    """One step of one layer: ``label`` names it, ``formula`` says what it computes."""

    layer: str
    step: str
    formula: str

    @property
    def label(self):
        """``hidden_1: linear map W``."""
        return f"{self.layer}: {self.step}"


class TweenFrame(NamedTuple):
    """A frame of the tween: stage ``stage`` at progress ``t`` (0 = its input, 1 = its
    output), seen through ``view``: an index into the panel's views (the input, each
    stage, the end); a fraction while the camera moves from one to the next."""

    stage: int
    t: float
    view: float


def smoothstep(t):
    """Ease in and out: 0 → 0, 1 → 1, zero speed at both ends."""
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _activation_name(layer):
    """``tanh``, ``relu``...; ``linear`` for a layer without an activation."""
    return getattr(getattr(layer, "activation", None), "__name__", "linear")


def _steps(layer):
    """The stages of ``layer`` as ``(step, formula)`` pairs, in order."""
    kind = type(layer).__name__
    activation = _activation_name(layer)
    pointwise = (activation, f"z → {activation}(z), point by point")
    if kind == "Dense":
        steps = [("linear map W", "x → x·W")]
        if layer.use_bias:
            steps.append(("+ bias b", "x·W → x·W + b"))
        return steps + ([pointwise] if activation != "linear" else [])
    if kind == "Activation":
        return [pointwise]
    return [(kind, f"{kind}: its input → its output, in a straight line")]


def _states(layer, inputs, output):
    """Where each stage of ``layer`` leaves the points: numpy from the layer's
    weights for x·W and x·W + b, the layer's own (Keras) output at the end."""
    if type(layer).__name__ != "Dense":
        return [output]
    z = inputs @ np.asarray(layer.kernel, dtype=np.float64)
    states = [z]
    if layer.use_bias:
        states.append(z + np.asarray(layer.bias, dtype=np.float64))
    if _activation_name(layer) != "linear":
        states.append(output)
    states[-1] = output
    return states


def _source(tensor):
    """The layer that makes the symbolic ``tensor``."""
    return tensor._keras_history.operation


def _fed_by(layer):
    """The layers whose output alone ``layer`` is called on, in any graph it is part of
    (a Sequential model rebuilt from JSON, or a nested model, has several)."""
    return {_source(node.input_tensors[0]) for node in layer._inbound_nodes
            if len(node.input_tensors) == 1}


def _opens_space(layer, width_in, width_out):
    """A Dense layer, or one that changes the width, maps into a new space."""
    return type(layer).__name__ == "Dense" or width_in != width_out


def _readout_plane(states, weights):
    """The plane through the mean of ``states`` spanned by the output weights ``w``
    (horizontal) and the main direction of the states across ``w`` (vertical).

    The output unit reads x·w + b, which only the horizontal coordinate
    changes: on this plane its 0.5 boundary is an exact vertical line.
    """
    mean = states.mean(axis=0)
    along = weights / np.linalg.norm(weights)
    centred = states - mean
    across = centred - np.outer(centred @ along, along)
    components = np.column_stack([along, np.linalg.svd(across, full_matrices=False)[2][0]])
    kept = float(((centred @ components) ** 2).sum() / max((centred ** 2).sum(), 1e-300))
    return PlaneProjection(states.shape[1], mean, components, kept)


def _spaces(layers):
    """The space of each keyframe: 0 for the input, a new number where a layer opens one."""
    spaces = [0]
    for layer in layers:
        new = _opens_space(layer, layer.input.shape[-1], layer.output.shape[-1])
        for _ in _steps(layer):
            spaces.append(spaces[-1] + 1 if new else spaces[-1])
            new = False
    return spaces


def _square(limits):
    """The square around ``limits``: one scale on both axes, so that shapes stay true."""
    (x0, x1), (y0, y1) = limits
    half = max(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return ((cx - half, cx + half), (cy - half, cy + half))


def _ease_limits(a, b, u):
    """Limits on the way from square ``a`` to square ``b``: centre eased, size
    eased on a log scale (a zoom by 10 looks as smooth as one by 2)."""
    s = smoothstep(u)
    (ax0, ax1), (ay0, ay1) = a
    (bx0, bx1), (by0, by1) = b
    half = np.exp((1 - s) * np.log((ax1 - ax0) / 2) + s * np.log((bx1 - bx0) / 2))
    cx = (1 - s) * (ax0 + ax1) / 2 + s * (bx0 + bx1) / 2
    cy = (1 - s) * (ay0 + ay1) / 2 + s * (by0 + by1) / 2
    return ((cx - half, cx + half), (cy - half, cy + half))


class _Panel(NamedTuple):
    """The tween of one recorded frame: keyframe ``k`` is where stage ``k`` starts."""

    frame: int
    keyframes: list  # (n_grid + n_points, 2) plane coordinates, one per stage boundary
    projections: list  # the PlaneProjection each keyframe is drawn with
    axis_labels: list  # (x label, y label, note) per keyframe
    views: list  # square limits: the input, each stage, the end
    cell_scores: np.ndarray  # colour of each mesh quad
    node_scores: np.ndarray  # output at each mesh node (the 0.5 boundary)
    field: "_Field"  # the model's output over the last space, or None


class _Field(NamedTuple):
    """The model's output over the last space's plane, ready to draw on every frame."""

    grid: InputGrid  # over every view the camera takes of the last space
    values: np.ndarray  # the output, as the regions are coloured
    image: np.ndarray  # RGBA bytes, lightened
    lines: list  # the 0.5 level, (n, 2) polylines; none for several classes


class Tween(TrajectoryView):
    """The tween of a trajectory at one epoch, or before and after training side by side.

    Planes. The input is drawn as it is (x0, x1). Each Dense layer, and each
    layer that changes the width, opens a new space; the layers after it that
    keep the width (Activation, Dropout, normalisations) stay in that space,
    so that bias and activation are exact point-by-point motions of one fixed
    view. A space of two units is drawn as it is; a wider one on a PCA plane
    fitted once on its last state (grid and data at the epoch shown: the
    layer's output after its activation, what the next layer reads); a
    1-unit space against the model's output, as in
    :class:`~vizkit.views.spaces.LayerSpaces`.

    Width changes. A stage that leaves one space for another (the linear map
    of a Dense layer: 2 → 3 units, 8 → 8, 3 → 2) moves each point straight from
    its place in the old space's plane to its place in the new one: the
    narrower side is not lifted into the wider space, the wider side is seen
    in its projected plane, and the motion is the interpolation between the
    two pictures. Between two 2-unit spaces that is exactly (1 - t)·x + t·x·W.

    The end. The tween stops after the last hidden layer (see
    :func:`~vizkit.views.spaces.default_layers`), every grid cell and point
    coloured by the model's output all along, rather than collapse the grid
    onto the output's line: the output layer is a threshold on a linear
    function of that last space, so what teaches is to show that space with
    the output layer's own line in it, straight, and the classes on either
    side. Where the last space is drawn as it is (2 units), or, wider, with a
    single output unit (on the plane of its weights w and the main direction
    across w, where its 0.5 boundary is an exact vertical line), the output
    over the whole plane is drawn lightly behind the grid, its 0.5 line
    dashed, while the points move in that space. Elsewhere the 0.5 boundary
    carried on the moving grid shows it.

    Limits. Each stage has its own square limits (one scale on both axes),
    steady while the points move, covering where the stage starts and ends;
    the input and the end have their own too. Between two of them the camera
    eases from one to the next while the points stand still (``camera_steps``
    frames). A tanh therefore shows as a squeeze into the square (-1, 1)²,
    then the camera zooms in. Ticks are drawn with each frame, so the numbers
    are right at every scale.

    Parameters
    ----------
    trajectory : Trajectory
        A recorded run of a model with a 2-D input whose hidden layers form
        a chain (each takes the previous one's output).
    epoch : int
        The epoch to show (0 = untrained, -1 = the last), one the trajectory
        recorded (see :attr:`~vizkit.run.trajectory.Trajectory.frame_epochs`).
    compare : bool
        Two panels: before training (epoch 0) and ``epoch``, at the same stage.
    steps : int
        In-between frames per stage, its input and its output included.
    camera_steps : int
        Frames of camera motion between two stages.
    hold : int
        Still frames at the start (the input) and at the end (the last space).
    grid_resolution, n_grid_lines, mesh_resolution
        As in :class:`~vizkit.views.spaces.LayerSpaces`.
    """

    title = "vizkit tween"
    draws_classes = True

    def __init__(self, trajectory, epoch=-1, *, compare=False, steps=16, camera_steps=6,
                 hold=8, grid_resolution=200, n_grid_lines=11, mesh_resolution=96):
        for name, value, low in (("steps", steps, 2), ("camera_steps", camera_steps, 0),
                                 ("hold", hold, 0)):
            if int(value) != value or value < low:
                raise VizkitError(f"{name} = {value!r} is not a whole number >= {low}; "
                                  f"give {name} >= {low}")
        require_two_features(trajectory.x, "the tween")
        self.trajectory = trajectory
        require_continuous_inputs(self.model, "the tween")
        self.frame = _frame_of_epoch(trajectory.frame_epochs, epoch)
        self.epoch = trajectory.frame_epochs[self.frame]
        self.shown_frames = (0, self.frame) if compare else (self.frame,)
        self.epochs = tuple(trajectory.frame_epochs[f] for f in self.shown_frames)
        self.steps, self.camera_steps, self.hold = int(steps), int(camera_steps), int(hold)
        self.set_frame(self.frame)
        self.layers = self._chain()
        self._output = self.model.layers[-1].name
        self.stages = [Stage(layer.name, *step) for layer in self.layers
                       for step in _steps(layer)]
        self.spaces = _spaces(self.layers)
        self.probe = LayerProbe(self.model, list(dict.fromkeys(
            [layer.name for layer in self.layers] + [self._output])))
        head = self._head()
        one_unit = (head and type(head[0]).__name__ == "Dense" and head[0].units == 1
                    and all(type(layer).__name__ == "Activation" for layer in head[1:]))
        # the output unit, when the last (wider than 2) space is drawn along its weights
        wide = self.layers[-1].output.shape[-1] > 2
        self._direction = head[0] if one_unit and wide else None
        self._readout = self._readout_model(head)

        self.grid = InputGrid.around(trajectory.x, grid_resolution)
        self._inputs = np.concatenate([self.grid.points, trajectory.x]).astype(np.float32)
        self._n_grid = self.grid.shape[0] * self.grid.shape[1]
        self.regression = self.readout.is_regression
        self.n_classes = self.readout.n_classes
        self.binary = self.n_classes == 2
        if self.regression:  # one value scale over the run: predictions and targets
            self.norm, self.cmap = self.value_norm(), mpl.colormaps[PREDICTION_CMAP]
        else:
            self.norm, self.cmap = class_scale(self.n_classes)
        self._rows, self._cols, self._mesh_index, self._cell_index = self.grid.mesh(
            n_grid_lines, mesh_resolution)
        # limits come from the mesh nodes and the data, as in LayerSpaces
        self._sample = np.concatenate([self.grid.to_grid(np.arange(self._n_grid))
                                       [self._mesh_index].ravel(),
                                       self._n_grid + np.arange(len(trajectory.x))])
        self.panels = [self._panel(f) for f in self.shown_frames]
        self.sequence, self._captions = self._frame_list()

    # -- structure -------------------------------------------------------------
    def _chain(self):
        """The hidden layers, checked to be a chain from the model's input."""
        names = default_layers(self.model)
        if not names:
            raise VizkitError("the model has no hidden layer before its output, so there is "
                              "nothing to tween; add a hidden layer or use LayerSpaces")
        layers = [self.model.get_layer(name) for name in names]
        feed = _source(self.model.inputs[0])
        for layer in layers:
            if hasattr(layer, "layers"):
                raise VizkitError(f"layer {layer.name!r} is a nested model; the tween steps "
                                  "through plain layers, so build the model without nesting, "
                                  "or draw it with LayerSpaces and 'outer/inner' layer names")
            if feed not in _fed_by(layer):
                raise VizkitError(f"layer {layer.name!r} does not take the previous layer's "
                                  "output alone; the tween follows a chain of layers from the "
                                  "input, so draw this model with LayerSpaces")
            feed = layer
        return layers

    def _head(self):
        """The layers after the last hidden one, when they are a chain to the output."""
        head = self.model.layers[self.model.layers.index(self.layers[-1]) + 1:]
        feed = self.layers[-1]
        for layer in head:
            if feed not in _fed_by(layer):
                return []
            feed = layer
        return head if feed is _source(self.model.outputs[0]) else []

    def _readout_model(self, head):
        """``head`` as a model on the last hidden layer's units, or None.

        With it the output is drawn over the last space itself (a light field
        with its 0.5 line dashed), where the plane shows all the output
        depends on: a 2-unit space drawn as it is, or a wider one drawn on the
        plane of the output weights (see :func:`_readout_plane`).
        """
        width = self.layers[-1].output.shape[-1]
        if not head or not (width == 2 or self._direction is not None):
            return None
        keras = import_keras()
        inputs = tensor = keras.Input(shape=(width,))
        for layer in head:
            tensor = layer(tensor)
        return keras.Model(inputs, tensor)

    # -- numbers ---------------------------------------------------------------
    def states(self, frame):
        """Every keyframe's values in its layer's units at ``frame``.

        Returns ``(states, outputs)``: ``states[k]`` (n, units) is where stage
        ``k`` starts (the last one is where the tween ends), for the grid
        points then the data, in the space ``self.spaces[k]``; ``outputs`` are
        the probed layers' outputs.
        """
        outputs = self.activations(frame, self._inputs)
        states = [self._inputs.astype(np.float64)]
        for layer in self.layers:
            states += _states(layer, states[-1], outputs[layer.name].astype(np.float64))
        return states, outputs

    def _panel(self, frame):
        """Plane coordinates of every keyframe, limits per stage, colours: one frame."""
        states, outputs = self.states(frame)
        spaces = self.spaces
        scores = self.readout.scores(outputs[self._output])
        grid_scores = self.grid.to_grid(scores[:self._n_grid])
        height = (scores if self.binary or self.regression
                  else np.max(outputs[self._output], axis=1))
        planes, names = {}, {0: ("x0", "x1", "")}
        for k, space in enumerate(spaces):  # fitted on each space's last state
            if k + 1 < len(spaces) and spaces[k + 1] == space:
                continue
            if space == spaces[-1] and self._direction is not None:
                weights = np.asarray(self._direction.kernel, dtype=np.float64)[:, 0]
                planes[space] = _readout_plane(states[k], weights)
                names[space] = ("along w (the output unit)", "across w (its main direction)",
                                f"plane of the output weights w, {planes[space].explained:.0%} "
                                "of variance")
            else:
                planes[space] = PlaneProjection.fit(states[k])
                names.setdefault(space, (*planes[space].describe()[0],
                                         planes[space].describe()[1]))
        keyframes = []
        for state, space in zip(states, spaces):
            coords = planes[space](state)
            if planes[space].is_line:
                coords[:, 1] = height
            keyframes.append(coords)
        labels = [names[space] for space in spaces]

        def view(*shown):
            bounds = Bounds()
            for coords in shown:
                bounds.update(coords[self._sample])
            return _square(bounds.limits())

        views = [view(keyframes[0])] + [view(a, b) for a, b in zip(keyframes, keyframes[1:])]
        views.append(view(keyframes[-1]))
        return _Panel(frame, keyframes, [planes[s] for s in spaces], labels, views,
                      grid_scores[self._cell_index], grid_scores[self._mesh_index],
                      self._field(views, planes[spaces[-1]]))

    def _field(self, views, plane, resolution=300):
        """The model's output over the last space's ``plane``, wherever the camera looks.

        Plane points are lifted back into the space (mean + coordinates ·
        componentsᵀ); the plane holds the output weights, so the output there
        is the output of every point that projects there.
        """
        if self._readout is None:
            return None
        shown = [views[k + 1] for k in range(len(self.stages)) if self._in_last_space(k, 1.0)]
        shown.append(views[-1])
        low = np.min([[x0, y0] for (x0, _), (y0, _) in shown], axis=0)
        high = np.max([[x1, y1] for (_, x1), (_, y1) in shown], axis=0)
        grid = InputGrid(*(np.linspace(lo, hi, resolution, dtype=np.float32)
                           for lo, hi in zip(low, high)))
        lifted = plane.mean + grid.points.astype(np.float64) @ plane.components.T
        output = np.asarray(self._readout(lifted.astype(np.float32), training=False))
        values = grid.to_grid(self.readout.scores(output))
        image = self.cmap(self.norm(values), bytes=True)
        image[..., :3] = 0.35 * image[..., :3] + 0.65 * 255  # lightened: as over white
        lines = []
        if self.binary and values.min() < 0.5 < values.max():
            import contourpy

            lines = contourpy.contour_generator(*np.meshgrid(grid.xs, grid.ys),
                                                values).lines(0.5)
        return _Field(grid, values, image, lines)

    def _in_last_space(self, stage, t):
        """Whether stage ``stage`` at ``t`` draws points in the last space."""
        last = self.spaces[-1]
        return self.spaces[stage] == last or (t == 1 and self.spaces[stage + 1] == last)

    def _frame_list(self):
        """Holds, camera moves and stages, in order, with each frame's (title, subtitle).

        The camera moves before each stage (from the previous view to the
        stage's) and once more after the last, to the end's own view.
        """
        n = len(self.stages)

        def camera(stage, t, view):
            return [TweenFrame(stage, t, view + (j + 1) / (self.camera_steps + 1))
                    for j in range(self.camera_steps)]

        start = ("input space", "the data and the grid; colour: the model's output")
        end = (f"after {self.stages[-1].layer}",
               "colour: the model's output" + ("" if not self.binary else
                                               "; dashed: its 0.5 line in this space"
                                               if self._readout else "; line: output 0.5"))
        frames = [TweenFrame(0, 0.0, 0)] * self.hold
        captions = [start] * self.hold
        for k, stage in enumerate(self.stages):
            frames += camera(k, 0.0, k)
            frames += [TweenFrame(k, i / (self.steps - 1), k + 1) for i in range(self.steps)]
            captions += [(stage.label, stage.formula)] * (len(frames) - len(captions))
        frames += camera(n - 1, 1.0, n) + [TweenFrame(n - 1, 1.0, n + 1)] * self.hold
        captions += [end] * (len(frames) - len(captions))
        return frames, captions

    @property
    def frame_count(self):
        """Number of frames of the tween."""
        return len(self.sequence)

    def frame_label(self, index):
        """What tween frame ``index`` shows, e.g. ``hidden_1: tanh · epoch 20``."""
        return f"{self._captions[index][0]} · epoch {self.epoch}"

    def coordinates(self, index, panel=-1):
        """Plane coordinates at tween frame ``index``: ``(grid (n_grid, 2), data (n, 2))``.

        ``panel`` 0 is the first epoch shown (epoch 0 with ``compare``).
        """
        frame, chosen = self.sequence[index], self.panels[panel]
        s = smoothstep(frame.t)
        start, end = chosen.keyframes[frame.stage], chosen.keyframes[frame.stage + 1]
        coords = start if s == 0 else end if s == 1 else (1 - s) * start + s * end
        return coords[:self._n_grid], coords[self._n_grid:]

    def limits(self, index, panel=-1):
        """The square axis limits at tween frame ``index``."""
        views = self.panels[panel].views
        view = self.sequence[index].view
        i = int(view)
        return views[i] if view == i else _ease_limits(views[i], views[i + 1], view - i)

    # -- drawing ---------------------------------------------------------------
    def figure(self, dpi=100, panel_size=4.2):
        """A header, one square panel per epoch shown (ticks are drawn per frame) and
        the key under them: the class colours and, for two classes, P(class 1)."""
        n = len(self.panels)
        header, title, left, gap, right = 0.8, 0.45, 0.75, 0.9, 0.25
        width = left + n * panel_size + (n - 1) * gap + right
        self._key_columns = legend_columns(self.names, width - left - right
                                           - (2.1 if self.binary else 0))
        bottom = 0.55 + self._key_height()
        height = header + title + panel_size + bottom
        fig = new_figure(width, height, dpi=dpi)
        fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                            top=1 - (header + title) / height, wspace=gap / panel_size)
        axes = fig.subplots(1, n, squeeze=False)[0]
        header = fig.add_axes((0, 1 - header / height, 1, header / height))
        header.set_axis_off()
        for ax, chosen in zip(axes, self.panels):
            title = TrajectoryView.frame_title(self, chosen.frame)
            metrics = TrajectoryView.frame_subtitle(self, chosen.frame)
            ax.set_title(title + (f"\n{metrics}" if metrics else ""), fontsize=TEXT["legend"])
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_box_aspect(1)
        self._key(fig, left, right)
        return fig, header, axes

    def _key(self, fig, left, right):
        """The class key under the panels, and the colour bar of P(class 1) beside it."""
        width, height = fig.get_size_inches()
        if self.regression:
            cax = fig.add_axes((left / width, 0.46 / height, 1 - (left + right) / width,
                                0.12 / height))
            colour_bar(cax, self.cmap, self.norm, "prediction (colours), target (points)",
                       orientation="horizontal")
            return
        strip = fig.add_axes((left / width, 0.02 / height, 1 - (left + right) / width,
                              (self._key_height() - 0.12) / height))
        strip.set_axis_off()
        class_legend(strip, self.names, loc="lower left", columns=self._key_columns)
        if self.binary:
            cax = fig.add_axes(((width - right - 2.0) / width, 0.46 / height, 2.0 / width,
                                0.12 / height))
            colour_bar(cax, self.cmap, self.norm, "the model's P(class 1)", ticks=[0, 0.5, 1],
                       orientation="horizontal")

    def _key_height(self):
        """Inches under the panels for the key: the colour bar, or the class key's rows."""
        rows = 1 if self.regression else -(-len(self.names) // self._key_columns)
        return _KEY + _KEY_ROW * (rows - 1)

    def frames(self, choice="all"):
        """Every tween frame, as indices into :attr:`sequence` (the tween paces itself:
        ``choice`` does not apply)."""
        return range(len(self.sequence))

    def draw_frame(self, axes, index):
        """Add the artists of tween frame ``index`` to a figure made by :meth:`figure`."""
        frame = self.sequence[index]
        labels = self.trajectory.y
        for panel, ax in enumerate(axes):
            chosen = self.panels[panel]
            limits = self.limits(index, panel)
            fix_limits(ax, limits)
            if chosen.field is not None and self._in_last_space(frame.stage, frame.t):
                self._draw_field(ax, chosen.field)
            grid, points = self.coordinates(index, panel)
            mesh = self.grid.to_grid(grid)
            coarse = mesh[self._mesh_index]
            warped_mesh(ax, coarse, chosen.cell_scores, cmap=self.cmap, norm=self.norm)
            grid_lines(ax, mesh, self._rows, self._cols)
            if self.binary:
                boundary(ax, coarse, chosen.node_scores, 0.5)
            if self.regression:
                value_points(ax, points, labels, cmap=self.cmap, norm=self.norm)
            else:
                class_points(ax, points, labels, colors=class_colors(self.n_classes))
            _scale(ax, limits, self._axis_labels(chosen, frame))

    @staticmethod
    def _axis_labels(chosen, frame):
        """Axis names and plane note of ``frame``: ``x0 → unit 0`` while moving between spaces."""
        start, end = chosen.axis_labels[frame.stage], chosen.axis_labels[frame.stage + 1]
        if frame.t in (0, 1):
            return end if frame.t == 1 else start
        names = [a if a == b else f"{a} → {b}" for a, b in zip(start[:2], end[:2])]
        return (*names, end[2] or start[2])

    def _draw_field(self, ax, field):
        """The output over the last space, light, with its 0.5 line dashed."""
        # bilinear: the camera zooms far into this grid; classes (argmax) stay unblended
        ax.imshow(field.image, extent=field.grid.extent, origin="lower", aspect="auto",
                  zorder=0.5, interpolation="nearest" if self.n_classes and not self.binary
                  else "bilinear")
        ax.add_collection(LineCollection(field.lines, colors="#222222", linewidths=1.0,
                                         linestyles=(0, (4, 3)), zorder=3.5), autolim=False)

    def frame_epoch(self, index):
        """The epoch every tween frame shows (the later one with ``compare``)."""
        return self.epoch

    def frame_step(self, index):
        """TensorBoard's step for tween frame ``index``: its place in the tween."""
        return index

    def frame_title(self, index):
        """The caption's title: the stage shown, e.g. ``hidden_1: tanh``."""
        return self._captions[index][0]

    def frame_subtitle(self, index):
        """The caption's second line: the stage's formula."""
        return self._captions[index][1]


_KEY = 0.68  # inches under the panels for one row of the class key, or the colour bar
_KEY_ROW = 0.24  # inches of each further row of the class key


def _scale(ax, limits, labels):
    """Ticks, numbers, axis names and a plane note for this frame's limits.

    Drawn in axes fractions, as one line collection and a few texts: the
    limits change between stages, so matplotlib's own (static) ticks cannot
    show them.
    """
    locator = MaxNLocator(5)
    ticks = []
    for low, high in limits:
        values = [v for v in locator.tick_values(low, high) if low <= v <= high]
        ticks.append([(v, (v - low) / (high - low)) for v in values])
    segments = [[(f, 0), (f, -0.018)] for _, f in ticks[0]]
    segments += [[(0, f), (-0.018, f)] for _, f in ticks[1]]
    ax.add_collection(LineCollection(segments, colors="#555555", linewidths=0.8, clip_on=False,
                                     transform=ax.transAxes, zorder=5), autolim=False)
    for v, f in ticks[0]:
        ax.text(f, -0.03, f"{round(v, 6):g}", transform=ax.transAxes, ha="center", va="top",
                fontsize=TEXT["tick"])
    for v, f in ticks[1]:
        ax.text(-0.03, f, f"{round(v, 6):g}", transform=ax.transAxes, ha="right",
                va="center", fontsize=TEXT["tick"])
    x_label, y_label, note = labels
    ax.text(0.5, -0.08, x_label, transform=ax.transAxes, ha="center", va="top",
            fontsize=TEXT["label"], gid="xlabel")
    ax.text(-0.12, 0.5, y_label, transform=ax.transAxes, ha="right", va="center",
            rotation=90, fontsize=TEXT["label"], gid="ylabel")
    if note:
        ax.text(0.02, 0.98, note, transform=ax.transAxes, ha="left", va="top",
                fontsize=TEXT["note"],
                color="#333333", zorder=6,
                bbox=dict(facecolor="white", edgecolor="none", alpha=0.75, pad=1.5))


def _frame_of_epoch(epochs, epoch):
    """The frame that recorded ``epoch`` (-1: the last), or a one-line refusal."""
    if epoch == -1:
        return len(epochs) - 1
    if not epochs[0] <= epoch <= epochs[-1]:
        raise VizkitError(f"epoch {epoch} is out of range: the trajectory has epochs "
                          f"{epochs[0]} to {epochs[-1]}; choose one of them (-1 is the last)")
    if epoch not in epochs:
        raise VizkitError(f"epoch {epoch} was not recorded: the trajectory keeps epochs "
                          f"{', '.join(map(str, epochs))}; choose one of them (-1 is the last)")
    return epochs.index(epoch)
