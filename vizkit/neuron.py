"""One neuron, seen whole: its fit, its loss surface over (w, b), its activation.

A Dense layer with one input and one unit computes ``g(w·x + b)``: linear
regression with no activation, logistic regression with a sigmoid. With two
parameters its whole loss surface fits on a page, so training can be watched
as a path on it.
"""

import numpy as np
from matplotlib.colors import LogNorm

from .limits import Bounds
from .panels import activation_curve, data_points, fix_limits, linear_fit, logistic_fit
from .readout import sigmoid
from .stills import Still
from .view import TrajectoryView

__all__ = ["loss_surface", "NeuronView", "neuron_fit_still", "activations_still"]

_PATH_COLOR = "#c0392b"


def loss_surface(loss, x, y, ws, bs, activation=None):
    """The loss of ``activation(w·x + b)`` on ``(x, y)`` for every ``w`` in ``ws``, ``b`` in ``bs``.

    ``loss`` is a Keras loss (name, function or object), computed by Keras;
    ``activation`` a Keras activation name or ``None``. Returns an array of
    shape ``(len(bs), len(ws))``.
    """
    from ._keras import import_keras

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
        fig, header = self.new_figure(9.6, 4.6, dpi)
        fig.subplots_adjust(left=0.08, right=0.97, bottom=0.13, top=0.8, wspace=0.3)
        fit_ax, surface_ax = fig.subplots(1, 2)
        fix_limits(fit_ax, self.fit_limits)
        fit_ax.set_xlabel(self.labels[0])
        fit_ax.set_ylabel(self.labels[1])
        fit_ax.set_title("data and the neuron's output")
        data_points(fit_ax, self.trajectory.x.reshape(-1), self.trajectory.y.reshape(-1),
                    classes=self.activation is not None)
        positive = self.surface[self.surface > 0]
        levels = np.geomspace(positive.min(), positive.max(), 14) if positive.size else 10
        surface_ax.contourf(self.ws, self.bs, self.surface, levels=levels, norm=LogNorm(),
                            cmap="Blues_r", alpha=0.9)
        surface_ax.contour(self.ws, self.bs, self.surface, levels=levels, norm=LogNorm(),
                           colors="white", linewidths=0.4, alpha=0.6)
        if self.target is not None:
            surface_ax.plot(*self.target, marker="*", markersize=12, color="#f1c40f",
                            markeredgecolor="black", linestyle="none", label="lab's weights")
            surface_ax.legend(loc="upper right", fontsize=8, framealpha=0.8)
        fix_limits(surface_ax, ((self.ws[0], self.ws[-1]), (self.bs[0], self.bs[-1])))
        surface_ax.set_xlabel("w")
        surface_ax.set_ylabel("b")
        surface_ax.set_title(f"{self.loss} over (w, b), log scale")
        return fig, header, (fit_ax, surface_ax)

    def draw_frame(self, axes, frame):
        fit_ax, surface_ax = axes
        fit_ax.plot(self.xs, self.predict(frame, self.xs), color=_PATH_COLOR, linewidth=2)
        surface_ax.plot(self.path[:frame + 1, 0], self.path[:frame + 1, 1], color=_PATH_COLOR,
                        linewidth=1.5)
        surface_ax.plot(*self.path[frame], marker="o", markersize=7, color=_PATH_COLOR,
                        markeredgecolor="white", linestyle="none")

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

    def draw(fig):
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.15, bottom=0.13, right=0.96, top=0.9)
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_title(title)
        if linear:
            linear_fit(ax, x, y, xs, tensorflow, numpy, equation)
        else:
            logistic_fit(ax, x, y, xs, tensorflow, numpy, equation)
            fix_limits(ax, ((xs[0], xs[-1]), (-0.1, 1.1)))

    return Still((5.2, 4.2), draw)


def activations_still(z, curves):
    """Activation functions side by side: ``curves`` maps a name to (values, derivative)."""
    def draw(fig):
        fig.subplots_adjust(left=0.05, right=0.98, bottom=0.14, top=0.86, wspace=0.25)
        for ax, (name, (values, derivative)) in zip(fig.subplots(1, len(curves)),
                                                   curves.items()):
            activation_curve(ax, z, values, derivative, name)

    return Still((9.6, 2.9), draw)
