"""Read a user's table of features and targets (CSV or .npz) and check it."""

from array import array
from pathlib import Path

import numpy as np

from ..errors import VizkitError
from ..inspect.readout import Readout
from .safe_load import check_file_size, max_rows, read_npz

__all__ = ["load_xy", "check_xy", "feature_names"]

_MAX_LINE = 65536  # characters in a CSV line: some thousands of numbers
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def load_xy(path):
    """``(x, y)`` from a CSV (the feature columns, then the label; header optional)
    or an ``.npz`` with arrays ``x`` (n, features) and ``y`` (n,). Checked by
    :func:`check_xy`.

    Sizes are checked while reading (:mod:`vizkit.data.safe_load`): the file against
    the load limit, at most ``VIZKIT_MAX_ROWS`` rows, CSV lines of at most
    65536 characters, values that fit float32.
    """
    path = Path(path)
    if not path.is_file():
        raise VizkitError(f"data file {path} does not exist")
    if path.suffix.lower() == ".npz":
        x, y = _read_npz(path)
    elif path.suffix.lower() in (".csv", ".txt"):
        x, y = _read_csv(path)
    else:
        raise VizkitError(f"data file {path.name} is neither .csv nor .npz; give one of those")
    return check_xy(x, y, source=path.name)


def _read_npz(path):
    arrays = read_npz(path, "an .npz file", names=("x", "y"))
    if set(arrays) != {"x", "y"}:
        raise VizkitError(f"{path} has no arrays 'x' and 'y'; save it with "
                          "np.savez(path, x=features, y=labels)")
    x, y = arrays["x"], arrays["y"]
    if x.ndim and len(x) > max_rows():
        raise _too_many_rows(path)
    for values in (x, y):
        if values.dtype.kind == "f":
            too_large = np.isfinite(values) & (np.abs(values) > _FLOAT32_MAX)
            if too_large.any():
                where = tuple(np.argwhere(too_large)[0])
                raise _too_large(path, f"row {where[0] + 1}", f"{values[where]:g}")
    return x, y


def feature_names(path):
    """The feature columns' names from a CSV's header line, or ``None`` (no header,
    or not a CSV)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        cells = [c.strip() for c in f.readline(_MAX_LINE + 1).strip().split(",")]
    if len(cells) < 2 or not _is_header(cells):
        return None
    return cells[:-1]


def _is_header(cells):
    """Whether a first line's ``cells`` are a header: no cell is a number. A line
    that mixes numbers and words is neither, and is refused by :func:`_read_csv`."""
    return not any(_is_number(c) for c in cells)


def _read_csv(path):
    check_file_size(path)
    values = array("d")
    width = None
    with open(path, encoding="utf-8-sig", errors="replace") as f:  # Excel's BOM
        for number, line in enumerate(iter(lambda: f.readline(_MAX_LINE + 1), ""), start=1):
            if len(line) > _MAX_LINE and not line.endswith("\n"):
                raise VizkitError(f"{path.name} line {number} is longer than {_MAX_LINE} "
                                  "characters; a data line holds the features, then the label")
            cells = [c.strip() for c in line.strip().split(",")]
            if cells == [""]:
                continue
            if len(cells) < 2:
                raise VizkitError(f"{path.name} line {number} has 1 column; give the "
                                  "features, then the label, separated by commas")
            if width is not None and len(cells) != width:
                raise VizkitError(f"{path.name} line {number} has {len(cells)} columns, the "
                                  f"lines before it {width}; give every row the same columns")
            try:
                row = [float(c) for c in cells]
            except ValueError:
                if not values and width is None and _is_header(cells):
                    width = len(cells)
                    continue  # a header: names only
                column, bad = next((k, c) for k, c in enumerate(cells, 1) if not _is_number(c))
                raise VizkitError(f"{path.name} line {number}, column {column}: {bad!r} is not "
                                  "a number; a header names every column, data rows hold "
                                  "numbers only") from None
            big = next((c for c, v in zip(cells, row) if _FLOAT32_MAX < abs(v) < np.inf), None)
            if big is not None:
                raise _too_large(path, f"line {number}", big)
            width = len(cells)
            if len(values) == max_rows() * width:
                raise _too_many_rows(path)
            values.extend(row)
    if not values:
        raise VizkitError(f"{path.name} has no data rows")
    table = np.frombuffer(values, dtype=np.float64).reshape(-1, width)
    return table[:, :-1], table[:, -1]


def _too_large(path, where, value):
    return VizkitError(f"{path.name}: value too large for float32 at {where} ({value}; at "
                       "most 3.4e38); rescale that column")


def _too_many_rows(path):
    return VizkitError(f"{path.name} has more than {max_rows():,} data rows; if you mean it, "
                       "set VIZKIT_MAX_ROWS to a larger count")


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def check_xy(x, y, *, readout=None, n_outputs=None, source="the data"):
    """Features as float32 (n, features) and targets fit for the model, or a one-line
    error.

    ``readout`` (:class:`~vizkit.inspect.readout.Readout`, e.g. ``Readout.of(model)``)
    says what the model learns: a classifier takes class numbers 0..k-1 (a
    two-class one also -1/+1, which :func:`~vizkit.recording.fit.record` reads as
    0/1 and notes), returned as int64; a regression any finite numbers,
    returned as float32. ``n_outputs`` alone (the model's output units) checks
    class numbers for a classifier of that many units. With neither, only
    shapes and finiteness are checked: whole numbers come back as int64, others
    as float32.
    """
    try:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise VizkitError(f"{source}: features and labels must be numbers") from None
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    _check_label_columns(y, len(x), source)
    y = y.reshape(-1)
    if x.ndim != 2 or x.shape[1] == 0:
        raise VizkitError(f"{source}: features must be a table (rows × feature columns), got "
                          f"shape {x.shape}")
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


def _check_label_columns(y, n_rows, source):
    """One line for labels given as a table of ``n_rows`` rows of several columns: one-hot
    rows (say so, and how to turn them into class numbers) or several targets per row."""
    if y.ndim != 2 or y.shape[1] < 2 or len(y) != n_rows:
        return
    one_hot = np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all()
    if one_hot:
        raise VizkitError(f"{source}: the labels are one-hot rows ({y.shape[0]} × {y.shape[1]}); "
                          "vizkit takes one class number per row: save y.argmax(axis=1) as "
                          "the labels")
    raise VizkitError(f"{source}: the labels have {y.shape[1]} columns per row; vizkit draws "
                      "one target per row (a class number or one value)")
