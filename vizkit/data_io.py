"""Read a user's 2-D data set (CSV or .npz) and check it against a model."""

from pathlib import Path

import numpy as np

from .errors import VizkitError
from .readout import Readout

__all__ = ["load_xy", "check_xy"]


def load_xy(path):
    """``(x, y)`` from a CSV (two feature columns, then the label; header optional)
    or an ``.npz`` with arrays ``x`` (n, 2) and ``y`` (n,). Checked by :func:`check_xy`."""
    path = Path(path)
    if not path.is_file():
        raise VizkitError(f"data file {path} does not exist")
    if path.suffix.lower() == ".npz":
        try:
            with np.load(path, allow_pickle=False) as data:
                x, y = data["x"], data["y"]
        except KeyError:
            raise VizkitError(f"{path} has no arrays 'x' and 'y'; save it with "
                              "np.savez(path, x=features, y=labels)") from None
        except Exception as exc:
            raise VizkitError(f"{path} is not a readable .npz file "
                              f"({type(exc).__name__})") from None
    elif path.suffix.lower() in (".csv", ".txt"):
        x, y = _read_csv(path)
    else:
        raise VizkitError(f"data file {path.name} is neither .csv nor .npz; give one of those")
    return check_xy(x, y, source=path.name)


def _read_csv(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            cells = [c.strip() for c in line.strip().split(",")]
            if cells == [""]:
                continue
            if len(cells) != 3:
                raise VizkitError(f"{path.name} line {number} has {len(cells)} columns; "
                                  "give three: x0, x1, label")
            try:
                rows.append([float(c) for c in cells])
            except ValueError:
                if not rows and number == 1:
                    continue  # a header
                bad = next(c for c in cells if not _is_number(c))
                raise VizkitError(f"{path.name} line {number}: {bad!r} is not a number") \
                    from None
    if not rows:
        raise VizkitError(f"{path.name} has no data rows")
    table = np.array(rows)
    return table[:, :2], table[:, 2]


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def check_xy(x, y, *, readout=None, n_outputs=None, source="the data"):
    """Features as float32 (n, 2) and targets fit for the model, or a one-line error.

    ``readout`` (:class:`~vizkit.readout.Readout`, e.g. ``Readout.of(model)``)
    says what the model learns: a classifier takes class numbers 0..k-1 (a
    two-class one also -1/+1, which :func:`~vizkit.recorder.record` reads as
    0/1 and notes), returned as int64; a regression any finite numbers,
    returned as float32. ``n_outputs`` alone (the model's output units) checks
    class numbers for a classifier of that many units. With neither, only
    shapes and finiteness are checked: whole numbers come back as int64, others
    as float32.
    """
    try:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise VizkitError(f"{source}: features and labels must be numbers") from None
    if x.ndim != 2 or x.shape[1] != 2:
        raise VizkitError(f"{source}: features must have 2 columns, got shape {x.shape}")
    if len(x) != len(y):
        raise VizkitError(f"{source}: {len(x)} feature rows but {len(y)} labels")
    if len(x) == 0:
        raise VizkitError(f"{source} is empty")
    for name, values in (("features", x), ("labels", y)):
        bad = ~np.isfinite(values)
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise VizkitError(f"{source}: {name} hold NaN or infinity (row {row + 1}); "
                              "remove or fill those rows")
    if readout is None and n_outputs is not None:
        readout = Readout("sigmoid" if n_outputs == 1 else "softmax", int(n_outputs))
    if readout is None:
        whole = np.all(y == np.round(y))
    else:
        readout.targets(y, source)
        whole = not readout.is_regression
    return x.astype(np.float32), y.astype(np.int64 if whole else np.float32)
