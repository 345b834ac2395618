"""The trained model's outputs on a few of its data points, kept with the run.

:func:`~vizkit.recording.fit.record` stores them for the first and the last frame;
a model rebuilt from the trajectory must compute the same, or it is not the
model that was trained (a layer whose state did not survive rebuilding) and
is refused rather than drawn.
"""

import numpy as np

from ..errors import VizkitError

__all__ = ["OutputFingerprint", "check_outputs", "POINTS", "OUTPUTS"]

POINTS = "fingerprint_points"  # keys in Trajectory.extras
OUTPUTS = "fingerprint_outputs"
_N_POINTS = 8
_RTOL = 1e-4  # float32 arithmetic, possibly on another CPU: far below any real change


def probe_points(x):
    """Up to 8 rows of ``x``, evenly spaced through it: the same for the same data."""
    x = np.asarray(x)
    rows = np.unique(np.linspace(0, len(x) - 1, min(_N_POINTS, len(x))).round().astype(int))
    return x[rows]


def model_outputs(model, points):
    """The model's inference outputs (dropout off, batch statistics frozen), ``(n, k)``."""
    from .._keras import import_keras

    outputs = import_keras().tree.flatten(model(points, training=False))
    return np.concatenate([np.asarray(o, dtype=np.float64).reshape(len(points), -1)
                           for o in outputs], axis=1)


class OutputFingerprint:
    """Taken while recording: outputs at frame 0 when created, at the last frame in
    :meth:`extras`, which returns both for ``Trajectory.extras``."""

    def __init__(self, model, x):
        self.points = probe_points(x)
        self.first = model_outputs(model, self.points)

    def extras(self, model):
        return {POINTS: self.points,
                OUTPUTS: np.stack([self.first, model_outputs(model, self.points)])}


def check_outputs(trajectory, model, source="the trajectory"):
    """Refuse ``model`` (built from ``trajectory``) unless it reproduces the recorded
    outputs at the first and the last frame; a run recorded without them passes."""
    from ..data.model_config import stateful_layer_types

    if POINTS not in trajectory.extras or OUTPUTS not in trajectory.extras:
        return
    points, recorded = trajectory.extras[POINTS], trajectory.extras[OUTPUTS]
    frames = (0, trajectory.n_frames - 1)
    for expected, frame in zip(recorded, frames):
        trajectory.set_frame(model, frame)
        actual = model_outputs(model, points)
        if actual.shape != expected.shape:
            gap = f"in shape: {actual.shape}, recorded {expected.shape}"
        elif np.allclose(actual, expected, rtol=_RTOL, equal_nan=True,
                         atol=_RTOL * (1 + np.nanmax(np.abs(expected), initial=0))):
            continue
        else:
            gap = f"by up to {np.max(np.abs(actual - expected)):.3g}"
        raise VizkitError(
            f"{source}: the model rebuilt from it does not compute what the trained model "
            f"did (outputs at frame {frame} differ {gap}; layers involved: "
            f"{', '.join(stateful_layer_types(model))}); vizkit draws only the model that "
            "was trained: record the run again with this vizkit")
