"""One neuron, seen whole: its fit, its loss surface over (w, b), its activation.

A Dense layer with one input and one unit computes ``g(w·x + b)``: linear
regression with no activation, logistic regression with a sigmoid. With two
parameters its whole loss surface fits on a page, so training can be watched
as a path on it.
"""

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import LogLocator

from .layout import Cell, Layout
from ..inspect.limits import Bounds
from ..panels import (activation_curve, data_points, fix_limits, keys_legend, line_key,
                      linear_fit, logistic_fit, marker_key)
from ..inspect.readout import sigmoid
from ..output.render import new_figure
from .stills import Still
from ..style import INK, SERIES, TEXT, WRONG, class_colors, surface_cmap
from .base import TrajectoryView

__all__ = ["loss_surface", "NeuronView", "neuron_fit_still", "activations_still"]

_PATH_COLOR = "#D55E00"  # vermillion: the run, on the blue surface


def loss_surface(loss, x, y, ws, bs, activation=None):
    """The loss of ``activation(w·x + b)`` on ``(x, y)`` for every ``w`` in ``ws``, ``b`` in ``bs``.

    ``loss`` is a Keras loss (name, function or object), computed by Keras;
    ``activation`` a Keras activation name or ``None``. Returns an array of
    shape ``(len(bs), len(ws))``.
    """
    from .._keras import import_keras

    keras = import_keras()
    loss_fn = keras.losses.get(loss)
    w, b = np.meshgrid(np.asarray(ws, np.float32), np.asarray(bs, np.float32))
    z = w.reshape(-1, 1) * np.asarray(x, np.float32).reshape(1, -1) + b.reshape(-1, 1)
    if activation is not None:
        z = keras.activations.get(activation)(z)
    y_true = np.broadcast_to(np.asarray(y, np.float32).reshape(1, -1), z.shape)
    return np.asarray(loss_fn(y_true, z)).reshape(w.shape)


class NeuronView(TrajectoryView):
    """Training of a one-input, one-unit neuron: the fit beside the loss surface.

    Parameters
    ----------
    trajectory : Trajectory
        Of a model whose only weights are a (1, 1) kernel and a (1,) bias.
    loss : str
        The Keras loss the model was trained with.
    activation : str, optional
        The neuron's activation (``None`` or ``"linear"``: linear regression).
    target : (w, b), optional
        A point to mark on the surface (e.g. the lab's hand-set weights).
    labels : (str, str)
        Axis labels of the data panel.
    resolution : int
        Samples per side of the loss surface.
    """

    #: A line and a dot are all that move: fewer, larger steps than other views.
    pacing_share = 1 / 15

    def __init__(self, trajectory, loss, activation=None, *, target=None,
                 labels=("x", "y"), resolution=160):
        self.trajectory = trajectory
        self.loss = loss
        self.activation = None if activation in (None, "linear") else activation
        self.labels = labels
        self.title = f"vizkit {'logistic' if self.activation else 'linear'} neuron"
        self.path = np.column_stack([trajectory.weights[0].reshape(-1),
                                     trajectory.weights[1].reshape(-1)])
        self.target = None if target is None else np.asarray(target, float)
        x = trajectory.x.reshape(-1).astype(float)
        span = x.max() - x.min() or 1.0
        self.xs = np.linspace(x.min() - 0.25 * span, x.max() + 0.25 * span, 200)
        around = Bounds().update(self.path)
        if self.target is not None:
            around.update(self.target[None])
        (w0, w1), (b0, b1) = around.limits(margin=0.25)
        self.ws = np.linspace(w0, w1, resolution)
        self.bs = np.linspace(b0, b1, resolution)
        self.surface = loss_surface(loss, x, trajectory.y.reshape(-1), self.ws, self.bs,
                                    self.activation)
        if self.activation:
            y_limits = (-0.1, 1.1)
        else:  # lines are straight: their ends and the data bound every frame
            ends = np.concatenate([self.predict(k, self.xs[[0, -1]])
                                   for k in range(len(self.path))])
            values = np.concatenate([ends, trajectory.y.reshape(-1)])
            pad = 0.05 * (values.max() - values.min() or 1.0)
            y_limits = (values.min() - pad, values.max() + pad)
        self.fit_limits = ((self.xs[0], self.xs[-1]), y_limits)

    def predict(self, frame, xs):
        """The neuron's output at ``frame`` for inputs ``xs`` (numpy, from the weights)."""
        w, b = self.path[frame]
        z = w * np.asarray(xs, float) + b
        return sigmoid(z) if self.activation == "sigmoid" else z

    def figure(self, dpi=100):
        size = 3.4
        layout = Layout([[Cell(size, size, left=0.75), Cell(size, size, left=0.7, bar=0.12,
                                                             bar_room=0.75)]])
        keys = self.keys()
        columns = layout.fit_header([name for _, name in keys])
        fig = new_figure(*layout.size, dpi=dpi)
        header, ((row),) = layout.place(fig)
        (fit_ax, _), (surface_ax, bar) = row
        keys_legend(header, keys, columns=columns)
        fix_limits(fit_ax, self.fit_limits)
        fit_ax.set_xlabel(self.labels[0])
        fit_ax.set_ylabel(self.labels[1])
        fit_ax.set_title("data and the neuron's output")
        data_points(fit_ax, self.trajectory.x.reshape(-1), self.trajectory.y.reshape(-1),
                    classes=self.activation is not None)
        positive = self.surface[self.surface > 0]
        levels = np.geomspace(positive.min(), positive.max(), 14) if positive.size else 10
        norm = LogNorm(levels[0], levels[-1]) if positive.size else None
        filled = surface_ax.contourf(self.ws, self.bs, self.surface, levels=levels, norm=norm,
                                     cmap=surface_cmap())
        surface_ax.contour(self.ws, self.bs, self.surface, levels=levels, norm=norm,
                           colors="white", linewidths=0.4, alpha=0.6)
        bar_ = fig.colorbar(filled, cax=bar, ticks=LogLocator())
        bar_.set_label("loss, log scale (dark = low)", fontsize=TEXT["label"])
        bar_.ax.tick_params(labelsize=TEXT["tick"])
        if self.target is not None:
            surface_ax.plot(*self.target, marker="*", markersize=13, color="#F0E442",
                            markeredgecolor=INK, linestyle="none")
        fix_limits(surface_ax, ((self.ws[0], self.ws[-1]), (self.bs[0], self.bs[-1])))
        surface_ax.set_xlabel("weight w")
        surface_ax.set_ylabel("bias b")
        surface_ax.set_title(f"{str(self.loss).replace('_', ' ')} over (w, b)")
        return fig, header, (fit_ax, surface_ax)

    def keys(self):
        """The header's keys: the data, the path, the weights now, the lab's weights."""
        if self.activation:
            keys = [(marker_key(c, marker=m, size=8), f"y = {k}")
                    for k, (c, m) in enumerate(zip(class_colors(2), "os"))]
        else:
            keys = [(marker_key(WRONG, marker="X", size=9), "data")]
        keys += [(line_key(_PATH_COLOR, linewidth=2), "gradient descent: output, path"),
                 (marker_key(_PATH_COLOR, size=8, edge="white"), "weights now")]
        if self.target is not None:
            keys.append((marker_key("#F0E442", marker="*", size=12), "lab's weights"))
        return keys

    def draw_frame(self, axes, frame):
        fit_ax, surface_ax = axes
        fit_ax.plot(self.xs, self.predict(frame, self.xs), color=_PATH_COLOR, linewidth=2)
        surface_ax.plot(self.path[:frame + 1, 0], self.path[:frame + 1, 1], color=_PATH_COLOR,
                        linewidth=1.6)
        surface_ax.plot(*self.path[frame], marker="o", markersize=8, color=_PATH_COLOR,
                        markeredgecolor="white", linestyle="none")

    def pacing_signal(self, frame):
        """The neuron's output over the data panel and its place on the surface."""
        return {"output": self.predict(frame, self.xs), "w": self.path[frame, 0],
                "b": self.path[frame, 1]}

    def frame_subtitle(self, frame):
        w, b = self.path[frame]
        return f"w = {w:.3f}   b = {b:.3f}   loss = {self.trajectory.metrics['loss'][frame]:.4g}"


def neuron_fit_still(x, y, xs, tensorflow, numpy, weights, *, activation, labels, title):
    """A neuron with weights set by hand: the data, TensorFlow's output and numpy's on
    ``xs``, the equation in the legend."""
    w, b = weights
    equation = f"{w:g}x {'+' if b >= 0 else '−'} {abs(b):g}"
    linear = activation in (None, "linear")
    equation = f"y = {equation}" if linear else f"sigmoid({equation})"
    layout = Layout([[Cell(4.2, 3.2, left=0.8).titled(1)]])

    def draw(fig):
        _, ((row),) = layout.place(fig)
        ax = row[0][0]
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_title(title)
        if linear:
            linear_fit(ax, x, y, xs, tensorflow, numpy, equation)
        else:
            fix_limits(ax, ((xs[0], xs[-1]), (-0.1, 1.45)))
            logistic_fit(ax, x, y, xs, tensorflow, numpy, equation)
            ax.set_yticks([0, 0.5, 1])

    return Still(layout.size, draw)


def activations_still(z, curves):
    """Activation functions side by side: ``curves`` maps a name to (values, derivative);
    one key above them all (function solid, derivative dashed)."""
    layout = Layout([[Cell(2.2, 2.0, left=0.55 if k == 0 else 0.45, bottom=0.42)
                      for k in range(len(curves))]])
    keys = [(line_key(SERIES["train"]["color"], linewidth=2), "the function g(z)"),
            (line_key(WRONG, linestyle="--", linewidth=1.6), "its derivative g'(z)")]
    columns = layout.fit_header([name for _, name in keys], caption=False)

    def draw(fig):
        header, (row,) = layout.place(fig)
        keys_legend(header, keys, columns=columns)
        for (ax, _), (name, (values, derivative)) in zip(row, curves.items()):
            activation_curve(ax, z, values, derivative, name)
            ax.set_xlabel("z")

    return Still(layout.size, draw)
