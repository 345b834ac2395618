"""What practitioners check per hidden layer while a network trains: how many ReLU
units are dead, how many activations sit in the flat tails of tanh or sigmoid,
and how well a linear classifier can read the classes from the layer.

A measure is defined only where it means something: dead units for the ReLU
family, saturation for tanh and sigmoid, the linear probe for every layer. A
layer without a measure has no entry for it (never a made-up 0).
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["LayerHealth", "activation_of", "dead_fraction", "saturated_fraction",
           "probe_score", "SATURATION"]

_DEAD = ("relu", "relu6")
#: Where an activation counts as saturated: its derivative is under 2 % of its peak.
SATURATION = {"tanh": 0.99, "sigmoid": 0.01, "hard_sigmoid": 0.01}
_PROBE_POINTS = 1000  # points a probe is fitted and scored on (a fixed sample)
_HELD_OUT = 0.3


def activation_of(layer):
    """The name of the nonlinearity a layer's output has passed through, or None."""
    kind = type(layer).__name__
    if kind == "ReLU":
        return "relu"
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None)
    return None if name in (None, "linear") else name


def dead_fraction(outputs):
    """Share of units (columns) that are <= 0 for every row: ReLU units that never fire."""
    outputs = np.asarray(outputs).reshape(len(outputs), -1)
    return float(np.mean(np.all(outputs <= 0, axis=0)))


def saturated_fraction(outputs, activation):
    """Share of values in the flat tails: ``|tanh| > 0.99``, sigmoid ``< 0.01`` or ``> 0.99``."""
    outputs = np.asarray(outputs)
    if activation == "tanh":
        return float(np.mean(np.abs(outputs) > SATURATION["tanh"]))
    low = SATURATION[activation]
    return float(np.mean((outputs < low) | (outputs > 1 - low)))


def probe_score(outputs, y, regression=False):
    """A linear probe: held-out accuracy of a logistic regression on the layer's
    (standardised) outputs, or for a regression target the held-out R² of a linear
    regression. The split (70 / 30 of at most 1000 points) is fixed by a seed, so
    every frame and layer is scored on the same points."""
    from sklearn.linear_model import LinearRegression, LogisticRegression

    features = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    y = np.asarray(y)
    order = np.random.default_rng(0).permutation(len(y))[:_PROBE_POINTS]
    cut = int(round(len(order) * (1 - _HELD_OUT)))
    train, test = order[:cut], order[cut:]
    mean, scale = features[train].mean(axis=0), features[train].std(axis=0)
    features = (features - mean) / np.where(scale > 1e-12, scale, 1.0)
    if regression:
        probe = LinearRegression().fit(features[train], y[train])
        return float(probe.score(features[test], y[test]))
    if len(np.unique(y[train])) < 2:
        return float(np.mean(y[test] == y[train][0]))
    probe = LogisticRegression(max_iter=300).fit(features[train], y[train])
    return float(probe.score(features[test], y[test]))


@dataclass(frozen=True)
class LayerHealth:
    """The measures of ``layers`` at every frame: ``dead``, ``saturated`` and
    ``probe`` map a layer to an ``(n_frames,)`` array; a layer a measure does
    not apply to is absent from that dict. ``epochs`` is each frame's epoch;
    ``activations`` each layer's nonlinearity; ``regression``: the probe is R²."""

    layers: tuple
    epochs: np.ndarray
    activations: dict
    dead: dict
    saturated: dict
    probe: dict
    regression: bool = False

    @classmethod
    def measure(cls, model, layers, outputs_at, y, n_frames, *, epochs=None,
                regression=False):
        """Measure ``layers`` of ``model`` at frames ``0..n_frames-1``;
        ``outputs_at(frame)`` gives ``{layer: outputs on the data}`` at that frame
        and ``y`` the data's targets."""
        from .probe import find_layer

        kinds = {name: activation_of(find_layer(model, name)) for name in layers}
        dead = {n: [] for n in layers if kinds[n] in _DEAD}
        saturated = {n: [] for n in layers if kinds[n] in SATURATION}
        probe = {n: [] for n in layers}
        for frame in range(n_frames):
            outputs = outputs_at(frame)
            for name in layers:
                if name in dead:
                    dead[name].append(dead_fraction(outputs[name]))
                if name in saturated:
                    saturated[name].append(saturated_fraction(outputs[name], kinds[name]))
                probe[name].append(probe_score(outputs[name], y, regression))
        arrays = [{n: np.asarray(v) for n, v in d.items()} for d in (dead, saturated, probe)]
        return cls(tuple(layers), np.asarray(range(n_frames) if epochs is None else epochs),
                   kinds, *arrays, regression=regression)

    @classmethod
    def of_run(cls, trajectory, model, probe, layers, *, regression=False):
        """The measures of ``layers`` over every frame of ``trajectory``, on (a fixed
        sample of at most 1000 of) its training points: ``model`` (built from the
        trajectory) takes each frame's weights and ``probe`` (a
        :class:`~vizkit.inspect.probe.LayerProbe` on it that reads ``layers``) gives
        their outputs."""
        rows = np.random.default_rng(0).permutation(len(trajectory.x))[:_PROBE_POINTS]
        rows.sort()
        x, y = trajectory.x[rows], trajectory.y[rows]

        def outputs_at(frame):
            trajectory.set_frame(model, frame)
            return probe(x)

        return cls.measure(model, layers, outputs_at, y, trajectory.n_frames,
                           epochs=trajectory.frame_epochs, regression=regression)

    def measures(self):
        """``[(key, title, values by layer)]`` of the measures some layer has."""
        shown = []
        if self.dead:
            shown.append(("dead", "dead ReLU units", self.dead))
        if self.saturated:
            shown.append(("saturated", "saturated activations", self.saturated))
        shown.append(("probe", "linear probe R² (held out)" if self.regression else
                      "linear probe accuracy (held out)", self.probe))
        return shown
