"""The loss over a plane in weight space through the final weights, and the path to them.

After Li, Xu, Taylor, Studer and Goldstein, "Visualizing the Loss Landscape of
Neural Nets" (NeurIPS 2018): the plane is spanned by the top two principal
directions of ``w_k − w_final`` over the recorded frames k (all trainable
weights flattened into one vector), so the optimizer's path lies as close to it
as any plane allows. The loss is the model's own compiled loss on its training
data, evaluated for a whole row of grid points in one vectorised call.
Non-trainable weights (BatchNorm's moving statistics) stay at their final values.
"""

import ast
import re

import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.ticker import MaxNLocator

from ..errors import VizkitError
from ..inspect.limits import Bounds
from ..panels import fix_limits
from ..output.render import new_figure
from ..style import TEXT
from .base import TrajectoryView

__all__ = ["LossLandscape", "PlaneLoss", "principal_plane", "resolve_loss", "SCENE_LOSSES"]

_PATH_COLOR = "#c0392b"
_SPARSE_LOGITS = {"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": True}}

#: The loss each scene compiles its model with (see ``scenes/``), for
#: trajectories whose ``info`` names the scene but not the loss.
SCENE_LOSSES = {
    "layer-spaces": "binary_crossentropy",
    "classification": "binary_crossentropy",
    "unit-maps": _SPARSE_LOGITS,
    "digits": _SPARSE_LOGITS,
    "neurons:linear": "mean_squared_error",
    "neurons:logistic": "binary_crossentropy",
}

# str() of a Keras loss object, as `vizkit animate` stores a compiled model's loss:
# <LossFunctionWrapper(<function sparse_categorical_crossentropy at 0x..>, kwargs={...})>
_WRAPPER = re.compile(r"<function (\w+) at 0x[0-9a-f]+>, kwargs=(\{.*\})\)>$")


def resolve_loss(loss, info):
    """``(keras loss, label)`` from ``loss`` or, when ``None``, from a trajectory's ``info``.

    ``loss`` is a Keras loss name, config dict, function or ``keras.losses.Loss``.
    """
    from .._keras import import_keras

    keras = import_keras()
    if loss is None:
        loss = _loss_from_info(info)
    try:
        resolved = keras.losses.get(loss)
    except (ValueError, TypeError):
        resolved = None
    if resolved is None:
        raise VizkitError(f"unknown loss {loss!r}; pass loss= a Keras loss name such as "
                          "'binary_crossentropy' or a keras.losses object")
    return resolved, _loss_label(loss, resolved)


def _loss_from_info(info):
    """The loss a trajectory was recorded with, from ``info['loss']`` or its scene."""
    stored = info.get("loss")
    scene = info.get("scene")
    key = f"{scene}:{info.get('neuron')}" if scene == "neurons" else scene
    if stored is None and key in SCENE_LOSSES:
        return SCENE_LOSSES[key]
    if stored is None:
        raise VizkitError("the trajectory does not say which loss the model was trained "
                          "with (it was recorded before vizkit stored it); fix: record it "
                          "again (vizkit.Recorder and vizkit animate store it), or draw it "
                          "in Python: LossLandscape(trajectory, loss='binary_crossentropy')")
    if isinstance(stored, dict):
        return stored  # Keras's config of a loss object (vizkit.Recorder)
    wrapped = _WRAPPER.search(str(stored))
    if wrapped:
        name, kwargs = wrapped.groups()
        try:
            config = ast.literal_eval(kwargs)
        except (ValueError, SyntaxError):
            config = None
        if isinstance(config, dict):
            config.pop("axis", None)
            return {"class_name": _class_name(name), "config": config}
    return str(stored)


def _class_name(function_name):
    """``sparse_categorical_crossentropy`` → ``SparseCategoricalCrossentropy``."""
    return "".join(part.capitalize() for part in function_name.split("_"))


def _loss_label(loss, resolved):
    """A short name: ``binary_crossentropy``, ``sparse_categorical_crossentropy (logits)``."""
    if isinstance(loss, str):
        return loss
    name = (getattr(resolved, "name", None) or getattr(resolved, "__name__", None)
            or type(resolved).__name__)
    logits = getattr(resolved, "get_config", dict)().get("from_logits", False)
    return f"{name} (logits)" if logits else name


def principal_plane(vectors, final):
    """Top two principal directions of ``vectors − final`` (one row per frame).

    Returns ``(directions (2, p) orthonormal, explained (2,) variance ratios,
    coordinates (n, 2) of every row projected on the plane through ``final``)``.
    """
    offsets = np.asarray(vectors, np.float64) - np.asarray(final, np.float64)
    centred = offsets - offsets.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    if len(offsets) < 3 or len(singular) < 2 or singular[0] <= 0:
        raise VizkitError(f"the trajectory's {len(offsets)} frames do not span a plane in "
                          "weight space; record at least 2 epochs of training")
    variance = singular ** 2
    directions = components[:2]
    return directions, variance[:2] / variance.sum(), offsets @ directions.T


class PlaneLoss:
    """The model's compiled loss on ``(x, y)`` for many flat weight vectors at once.

    ``model`` holds the weights that stay fixed (its non-trainable ones); a
    weight vector is every trainable weight flattened and concatenated in
    ``model.trainable_variables`` order. One ``tf.function`` maps a batch of
    vectors through ``model.stateless_call`` with ``tf.vectorized_map``, so a
    grid row costs one call; regularisation losses are included, as in training.
    """

    def __init__(self, model, loss, x, y, batch_size=64):
        import tensorflow as tf

        self.batch_size = batch_size
        self.shapes = [tuple(v.shape) for v in model.trainable_variables]
        sizes = [int(np.prod(s)) for s in self.shapes]
        fixed = [v.value for v in model.non_trainable_variables]
        x = tf.constant(np.asarray(x, np.float32))
        y = tf.constant(np.asarray(y, np.float32))

        def one(vector):
            parts = tf.split(vector, sizes)
            weights = [tf.reshape(p, s) for p, s in zip(parts, self.shapes)]
            output, _, losses = model.stateless_call(weights, fixed, x, training=False,
                                                     return_losses=True)
            value = tf.reduce_mean(loss(_same_rank(y, output), output))
            return value + tf.add_n(losses) if losses else value

        self._batch = tf.function(lambda vectors: tf.vectorized_map(one, vectors))

    def __call__(self, vectors):
        """Loss for each row of ``vectors`` (m, p), in batches of ``batch_size``."""
        vectors = np.asarray(vectors, np.float32)
        padded = -len(vectors) % self.batch_size  # one batch shape: traced once
        vectors = np.concatenate([vectors, np.repeat(vectors[-1:], padded, axis=0)])
        values = [np.asarray(self._batch(vectors[start:start + self.batch_size]))
                  for start in range(0, len(vectors), self.batch_size)]
        return np.concatenate(values)[:len(vectors) - padded].astype(np.float64)


def _same_rank(y_true, y_pred):
    """Labels (n,) against outputs (n, 1) become (n, 1), as Keras's compiled loss does."""
    if len(y_true.shape) == len(y_pred.shape) - 1 and y_pred.shape[-1] == 1:
        return y_true[..., None]
    return y_true


class LossLandscape(TrajectoryView):
    """Training loss over the PCA plane through the final weights, with the path on it.

    Parameters
    ----------
    trajectory : Trajectory
    loss : str, dict or keras loss, optional
        The loss the model was trained with (default: the trajectory's
        ``info['loss']``, or its scene's). Checked against the recorded final loss.
    resolution : int
        Grid points per side of the plane.
    margin : float
        Space around the path, as a fraction of its extent.
    on_step : callable, optional
        Called as ``on_step(row, rows)`` after each grid row is evaluated.
    """

    title = "vizkit loss landscape"

    def __init__(self, trajectory, loss=None, *, resolution=41, margin=0.3, on_step=None):
        if resolution < 3:
            raise VizkitError(f"resolution must be at least 3 grid points a side, got "
                              f"{resolution}")
        if "loss" not in trajectory.metrics:
            raise VizkitError("the trajectory has no recorded loss to draw; record it with "
                              "vizkit.record")
        self.trajectory = trajectory
        self.set_frame(-1)
        self.loss, self.loss_label = resolve_loss(loss, trajectory.info)
        index = {v.path: i for i, v in enumerate(self.model.weights)}
        trainable = [index[v.path] for v in self.model.trainable_variables]
        self.n_trainable = sum(int(np.prod(trajectory.weights[i].shape[1:])) for i in trainable)
        self.n_fixed = sum(int(np.prod(w.shape[1:])) for i, w in enumerate(trajectory.weights)
                           if i not in trainable)
        self.vectors = np.concatenate([trajectory.weights[i].reshape(trajectory.n_frames, -1)
                                       for i in trainable], axis=1).astype(np.float64)
        self.final = self.vectors[-1]
        self.directions, self.explained, self.path = principal_plane(self.vectors, self.final)
        self.alphas, self.betas = self._axes(resolution, margin)
        self.plane_loss = PlaneLoss(self.model, self.loss, trajectory.x, trajectory.y,
                                    batch_size=resolution)
        self._check_loss()
        self.surface = self._surface(on_step)
        self.path_loss = self.plane_loss(self.weights_at(self.path))

    # -- numbers ---------------------------------------------------------------
    def weights_at(self, coords):
        """Flat trainable weight vectors at plane coordinates ``coords`` (m, 2)."""
        return self.final + np.asarray(coords, np.float64) @ self.directions

    def _axes(self, resolution, margin):
        """Plane coordinates of the grid: around the path, neither side under a third
        of the other (a straight path would otherwise leave a sliver)."""
        (a0, a1), (b0, b1) = Bounds().update(self.path).limits(margin=margin)
        half = np.array([a1 - a0, b1 - b0]) / 2
        half = np.maximum(half, half.max() / 3)
        centre = np.array([a0 + a1, b0 + b1]) / 2
        return (np.linspace(centre[0] - half[0], centre[0] + half[0], resolution),
                np.linspace(centre[1] - half[1], centre[1] + half[1], resolution))

    def _check_loss(self):
        """The loss at the final weights must be the one the run recorded."""
        recorded = self.trajectory.metrics["loss"]
        computed = float(self.plane_loss(self.final[None])[0])
        if not np.isclose(computed, recorded[-1], rtol=1e-4, atol=1e-6):
            raise VizkitError(f"loss {self.loss_label!r} gives {computed:.6g} at the final "
                              f"weights, but the run recorded {recorded[-1]:.6g}; pass loss= "
                              "the loss the model was compiled with")

    def _surface(self, on_step):
        """The loss at every grid point, one vectorised call per row: (rows, columns)."""
        rows = len(self.betas)
        values = []
        for row, beta in enumerate(self.betas):
            coords = np.column_stack([self.alphas, np.full(len(self.alphas), beta)])
            values.append(self.plane_loss(self.weights_at(coords)))
            if on_step is not None:
                on_step(row + 1, rows)
        return np.array(values)

    # -- drawing ---------------------------------------------------------------
    def figure(self, dpi=100):
        """The surface, its colour bar and the loss axes: everything that never changes."""
        fig = new_figure(11.0, 5.8, dpi=dpi)
        fig.subplots_adjust(left=0.07, right=0.97, bottom=0.23, top=0.8, wspace=0.32)
        grid = fig.add_gridspec(1, 2, width_ratios=(1.45, 1))
        surface_ax = fig.add_subplot(grid[0])
        curve_ax = fig.add_subplot(grid[1])
        header = fig.add_axes((0, 0.87, 1, 0.13))
        header.set_axis_off()
        self._draw_surface(fig, surface_ax)
        self._prepare_curves(curve_ax)
        fig.text(0.5, 0.02, self._plane_note(), ha="center", va="bottom", fontsize=TEXT["note"],
                 color="#444444")
        return fig, header, (surface_ax, curve_ax)

    def _norm(self):
        """Log scale when the loss spans more than a factor of 3 (and is positive): the
        levels crowd near the minimum, where the path ends."""
        finite = self.surface[np.isfinite(self.surface)]  # a loss can overflow far away
        low, high = float(finite.min()), float(finite.max())
        if low > 0 and high / low > 3:
            return LogNorm(low, high), np.geomspace(low, high, 22), ", log scale"
        return Normalize(low, high), np.linspace(low, high, 22), ""

    def _draw_surface(self, fig, ax):
        norm, levels, scale = self._norm()
        filled = ax.contourf(self.alphas, self.betas, self.surface, levels=levels, norm=norm,
                             cmap="Blues_r", extend="neither")
        ax.contour(self.alphas, self.betas, self.surface, levels=levels, norm=norm,
                   colors="white", linewidths=0.4, alpha=0.6)
        bar = fig.colorbar(filled, ax=ax, fraction=0.05, pad=0.02)
        bar.set_label(f"training loss{scale}", fontsize=TEXT["label"])
        bar.set_ticks(levels[::3])
        bar.minorticks_off()
        bar.ax.yaxis.set_major_formatter("{x:.3g}")
        bar.ax.tick_params(labelsize=TEXT["tick"])
        ax.plot(0, 0, marker="*", markersize=13, color="#f1c40f", markeredgecolor="black",
                linestyle="none", zorder=5, label="final weights (the plane's centre)")
        ax.plot(*self.path[0], marker="s", markersize=6, color="white",
                markeredgecolor="black", linestyle="none", zorder=5, label="before training")
        ax.plot([], [], color=_PATH_COLOR, linewidth=1.6, marker="o", markersize=8,
                markeredgecolor="white", label="the weights' path (dot: now)")
        ax.legend(loc="upper right", fontsize=TEXT["legend"], frameon=True, framealpha=0.85,
                  edgecolor="none")
        fix_limits(ax, ((self.alphas[0], self.alphas[-1]), (self.betas[0], self.betas[-1])))
        ax.set_xlabel(f"direction 1 ({100 * self.explained[0]:.1f}% of the path's variance)")
        ax.set_ylabel(f"direction 2 ({100 * self.explained[1]:.1f}%)")
        ax.set_title(f"{self.loss_label}\non the plane through the final weights",
                     fontsize=TEXT["label"])

    def _prepare_curves(self, ax):
        recorded = self.trajectory.metrics["loss"]
        values = np.concatenate([recorded, self.path_loss])
        low, high = float(values.min()), float(values.max())
        log = low > 0 and high / low > 20
        if log:
            ax.set_yscale("log")
            limits = (low / 1.3, high * 1.3)
        else:
            pad = 0.05 * (high - low or 1.0)
            limits = (low - pad, high + pad)
        epochs = self.trajectory.frame_epochs
        fix_limits(ax, ((epochs[0], max(epochs[-1], epochs[0] + 1)), limits))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss" + (" (log scale)" if log else ""))
        ax.set_title("recorded loss, and the loss at the path's\nshadow on the plane",
                     fontsize=TEXT["label"])
        ax.plot([], [], color=_PATH_COLOR, linewidth=1.8, label="recorded (true weights)")
        ax.plot([], [], color="#555555", linewidth=1.2, linestyle="--",
                label="at the projected point")
        ax.legend(loc="upper right", fontsize=TEXT["legend"], framealpha=0.85)

    def _plane_note(self):
        lines = [f"The plane: the top two PCA directions of w(epoch) − w(final) over the "
                 f"model's {self.n_trainable} trainable weights."]
        if self.n_fixed:
            lines.append(f"Its {self.n_fixed} non-trainable weights (normalisation statistics, "
                         "BatchNorm moving averages) stay at their final values.")
        lines.append("The path is the recorded weights projected onto the plane; off the "
                     "plane their loss differs (right).")
        return "\n".join(lines)

    def pacing_signal(self, frame):
        """What moves in a frame: the path's point on the plane."""
        return {"path": self.path[frame]}

    def draw_frame(self, axes, frame):
        """The path up to ``frame``, the current point, and the loss curves so far."""
        surface_ax, curve_ax = axes
        path = self.path[:frame + 1]
        surface_ax.plot(path[:, 0], path[:, 1], color=_PATH_COLOR, linewidth=1.6,
                        marker="o", markersize=2.5, zorder=6)
        surface_ax.plot(*path[-1], marker="o", markersize=8, color=_PATH_COLOR,
                        markeredgecolor="white", linestyle="none", zorder=7)
        epochs = self.trajectory.frame_epochs[:frame + 1]
        curve_ax.plot(epochs, self.trajectory.metrics["loss"][:frame + 1], color=_PATH_COLOR,
                      linewidth=1.8, marker="o", markevery=[frame], markersize=5)
        curve_ax.plot(epochs, self.path_loss[:frame + 1], color="#555555", linewidth=1.2,
                      linestyle="--", marker="o", markevery=[frame], markersize=4)
