"""A trajectory file checked as a whole: every array there, of the right kind, agreeing.

:func:`trajectory_fields` turns the arrays of a trajectory ``.npz`` into the
fields of a :class:`~vizkit.run.trajectory.Trajectory`, or says in one line what
is wrong; :func:`check_against_model` then compares them with the model the
config describes.
"""

import json

import numpy as np

from ..errors import VizkitError
from .fingerprint import OUTPUTS, POINTS
from ..data.model_config import model_from_config, parse_config

__all__ = ["trajectory_fields", "check_against_model"]

FORMAT = "vizkit-trajectory"
VERSION = 1
_AGAIN = "record it again"


def _text(arrays, name, source):
    value = arrays.get(name)
    if value is None or value.shape != () or value.dtype.kind != "U":
        raise VizkitError(f"{source}: {name!r} is missing or not text; {_AGAIN}")
    return str(value)


def _numbers(name, value, source, *, index=None, finite=True):
    """``value`` if it is a numeric array (finite where asked), else a one-line error;
    ``index`` names what its first axis counts (``frame``, ``row``) for that error."""
    if value.dtype.kind not in "biuf":
        kind = "text" if value.dtype.kind == "U" else f"{value.dtype} values"
        raise VizkitError(f"{source}: {name} holds {kind}, not numbers; {_AGAIN}")
    if finite and value.dtype.kind == "f" and not np.isfinite(value).all():
        first = int(np.argwhere(~np.isfinite(value))[0][0]) if value.ndim else 0
        where = f" at {index} {first + (index == 'row')}" if index else ""  # rows from 1
        hint = (", with a smaller learning rate if the training diverged"
                if index == "frame" else "")
        raise VizkitError(f"{source}: {name} holds NaN or infinity{where}; {_AGAIN}{hint}")
    return value


def _header(arrays, source):
    mark = arrays.get("format")
    if mark is None or mark.shape != () or mark.dtype.kind != "U" or str(mark) != FORMAT:
        raise VizkitError(f"{source} is not a readable vizkit trajectory (no vizkit format "
                          "mark); record one with vizkit record")
    version = arrays.get("version")
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise VizkitError(f"{source}: its format version is missing or not a number; {_AGAIN}")
    if int(version) > VERSION:
        raise VizkitError(f"{source} was written by a newer vizkit (format {int(version)}); "
                          "upgrade vizkit")


def _info(arrays, source):
    try:
        info = json.loads(_text(arrays, "info", source))
    except (ValueError, RecursionError):
        raise VizkitError(f"{source}: its run info is not valid JSON; {_AGAIN}") from None
    if not isinstance(info, dict):
        raise VizkitError(f"{source}: its run info is a {type(info).__name__}, not a mapping "
                          f"of names to values; {_AGAIN}")
    return info


def _prefixed(arrays, prefix):
    return {name[len(prefix):]: value for name, value in arrays.items()
            if name.startswith(prefix)}


def _weights(arrays, source):
    found = _prefixed(arrays, "weight_")
    expected = [str(i) for i in range(len(found))]
    if sorted(found, key=lambda k: (len(k), k)) != expected:
        raise VizkitError(f"{source}: its weights are not numbered 0 to {len(found) - 1} "
                          f"(found {', '.join(sorted(found))}); {_AGAIN}")
    if not found:
        raise VizkitError(f"{source} holds no weights; {_AGAIN}")
    weights = tuple(_numbers(f"weight {i}", found[i], source, index="frame")
                    for i in expected)
    frames = sorted({w.shape[0] if w.ndim else 0 for w in weights})
    if frames[0] < 1:
        raise VizkitError(f"{source} holds no frames (a weight array is empty); {_AGAIN}")
    if len(frames) > 1:
        raise VizkitError(f"{source}: its weights hold {' or '.join(map(str, frames))} "
                          f"frames, not one count; {_AGAIN}")
    return weights


def _metrics(arrays, n_frames, source):
    metrics = {name: _numbers(f"metric {name!r}", value, source, index="frame")
               for name, value in _prefixed(arrays, "metric_").items()}
    for name, values in metrics.items():
        if values.shape != (n_frames,):
            raise VizkitError(f"{source}: metric {name!r} has shape {values.shape} but the "
                              f"weights have {n_frames} frames; {_AGAIN}")
    return metrics


def _data(arrays, source):
    x, y = arrays.get("x"), arrays.get("y")
    if x is None or y is None:
        raise VizkitError(f"{source} holds no training data (x and y); {_AGAIN}")
    x = _numbers("x", x, source, index="row")
    y = _numbers("y", y, source, index="row")
    if x.ndim < 1 or len(x) == 0 or x.size == 0:
        raise VizkitError(f"{source}: its training data x is empty (shape {x.shape}); {_AGAIN}")
    if y.ndim < 1 or len(y) != len(x):
        raise VizkitError(f"{source}: x has {len(x)} rows but y has "
                          f"{len(y) if y.ndim else 'no'} labels; {_AGAIN}")
    return x, y


def _extras(arrays, row_shape, source):
    extras = {name: _numbers(f"extra {name!r}", value, source, finite=False)
              for name, value in _prefixed(arrays, "extra_").items()}
    if (POINTS in extras) != (OUTPUTS in extras):
        raise VizkitError(f"{source}: its recorded outputs are incomplete; {_AGAIN}")
    if POINTS in extras:
        points, outputs = extras[POINTS], extras[OUTPUTS]
        if (points.ndim < 1 or len(points) == 0 or points.shape[1:] != row_shape
                or outputs.ndim != 3 or outputs.shape[:2] != (2, len(points))):
            raise VizkitError(f"{source}: its recorded outputs ({outputs.shape}) do not fit "
                              f"its probe points ({points.shape}) and data; {_AGAIN}")
    return extras


def trajectory_fields(arrays, source):
    """The keyword arguments of ``Trajectory`` from a trajectory file's ``{name: array}``."""
    _header(arrays, source)
    weights = _weights(arrays, source)
    x, y = _data(arrays, source)
    return dict(model_config=_text(arrays, "model_config", source), weights=weights,
                metrics=_metrics(arrays, len(weights[0]), source), x=x, y=y,
                info=_frames_info(_info(arrays, source), len(weights[0]), source),
                extras=_extras(arrays, x.shape[1:], source))


def _frames_info(info, n_frames, source):
    """``info`` whose frame fields agree with the ``n_frames`` stored: ``frame_epochs``
    (one whole number per frame, increasing) and the restored frame or its metrics."""
    epochs = info.get("frame_epochs", list(range(n_frames)))
    if not (isinstance(epochs, list) and len(epochs) == n_frames
            and all(isinstance(e, int) and not isinstance(e, bool) for e in epochs)
            and all(a < b for a, b in zip(epochs, epochs[1:]))):
        raise VizkitError(f"{source}: its frame_epochs do not give one increasing epoch to "
                          f"each of its {n_frames} frames; {_AGAIN}")
    frame = info.get("restored_frame", n_frames - 1)
    if not (isinstance(frame, int) and 0 <= frame < n_frames):
        raise VizkitError(f"{source}: its restored_frame {frame!r} is not one of its "
                          f"{n_frames} frames; {_AGAIN}")
    metrics = info.get("restored_metrics", {})
    if not (isinstance(metrics, dict)
            and all(isinstance(v, (int, float)) for v in metrics.values())):
        raise VizkitError(f"{source}: its restored_metrics are not a mapping of metric names "
                          f"to numbers; {_AGAIN}")
    return info


def check_against_model(trajectory, source):
    """Build the model the config describes (its size checked first) and compare it with
    the stored weights and data; the model, ready for ``trajectory.set_frame``."""
    model = model_from_config(parse_config(trajectory.model_config, source), source,
                              check_size=True)
    declared = [(v.path, tuple(v.shape)) for v in model.weights]
    if len(declared) != len(trajectory.weights):
        raise VizkitError(f"{source} holds {len(trajectory.weights)} weight arrays but its "
                          f"model has {len(declared)} weights; {_AGAIN}")
    for i, ((path, shape), stored) in enumerate(zip(declared, trajectory.weights)):
        if stored.shape[1:] != shape:
            raise VizkitError(f"{source}: weight {i} ({path}) is {stored.shape[1:]} at each "
                              f"frame but the model declares {shape}; {_AGAIN}")
    try:
        inputs = model.inputs or []
    except (AttributeError, ValueError):  # a subclassed model has none before it is called
        inputs = []
    if len(inputs) == 1:
        wanted = tuple(inputs[0].shape[1:])
        row = trajectory.x.shape[1:]
        if len(row) != len(wanted) or any(w is not None and w != r for w, r in zip(wanted, row)):
            raise VizkitError(f"{source}: each row of x has shape {row} but the model takes "
                              f"{wanted}; {_AGAIN}")
    return model
