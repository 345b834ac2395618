"""Read users' files within limits: sizes are checked before anything is loaded.

A small file can declare a huge content: an ``.npz`` whose ``.npy`` header
promises gigabytes of zeros, a zip member that inflates 1000-fold, an HDF5
dataset with a compression filter, a sparse file. Every size is read from the
headers first and compared with the limit (and with the other headers); only
then is anything decompressed. The limit is ``VIZKIT_MAX_LOAD_MB`` megabytes
(512 by default) per file; data sets also stop at ``VIZKIT_MAX_ROWS`` rows.
"""

import os
import re
import zipfile
from pathlib import Path

import numpy as np

from ..errors import VizkitError

__all__ = ["max_bytes", "max_rows", "check_file_size", "check_declared", "open_zip",
           "npy_members", "read_npz", "check_h5_datasets", "read_zip_member", "reason"]

_MB = 2 ** 20
_BYTES_ENV, _DEFAULT_MB = "VIZKIT_MAX_LOAD_MB", 512
_ROWS_ENV, _DEFAULT_ROWS = "VIZKIT_MAX_ROWS", 1_000_000
_MAX_MEMBERS = 10_000  # zip entries; a trajectory has one per weight and metric
_KINDS = "biufU"  # numbers and text: nothing that unpickles


def _limit(name, default):
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = int(float(text))
    except ValueError:
        value = 0
    if value < 1:
        raise VizkitError(f"{name}={text!r} is not a positive number; set it to a count "
                          f"such as {default}")
    return value


def max_bytes():
    """Most bytes one loaded file may bring into memory (``VIZKIT_MAX_LOAD_MB``)."""
    return _limit(_BYTES_ENV, _DEFAULT_MB) * _MB


def max_rows():
    """Most rows a data set may have (``VIZKIT_MAX_ROWS``)."""
    return _limit(_ROWS_ENV, _DEFAULT_ROWS)


def _size(n):
    if n >= 2 ** 30:
        return f"{n / 2 ** 30:.1f} GB"
    if n >= _MB:
        return f"{n / _MB:.{1 if n < 10 * _MB else 0}f} MB"
    return f"{n} bytes"


def _over(n_bytes):
    """``None`` if ``n_bytes`` fit the limit, else the end of the message saying so."""
    limit = max_bytes()
    if n_bytes <= limit:
        return None
    return (f"over vizkit's limit of {_size(limit)} per file; if you trust the file, set "
            f"{_BYTES_ENV}={-(-n_bytes // _MB)} or more")


def check_declared(source, what, n_bytes):
    """Refuse ``n_bytes`` of ``what`` in ``source`` if over :func:`max_bytes`."""
    over = _over(n_bytes)
    if over:
        raise VizkitError(f"{source}: {what} would take {_size(n_bytes)}, {over}")


def check_file_size(path):
    """The file's own size against the limit (a sparse file counts in full)."""
    path = Path(path)
    size = path.stat().st_size
    over = _over(size)
    if over:
        raise VizkitError(f"{path.name} is {_size(size)}, {over}")


def open_zip(path, what):
    """A ``ZipFile`` for ``path``, once its directory and declared sizes are within limits;
    ``what`` names the kind of file expected ("a Keras model file")."""
    path = Path(path)
    check_file_size(path)
    with open(path, "rb") as f:
        end = zipfile._EndRecData(f)  # the end record alone: entry count before any parsing
    if end is None:
        raise VizkitError(f"{path.name} is not {what} (not a zip archive)")
    if end[zipfile._ECD_ENTRIES_TOTAL] > _MAX_MEMBERS:
        raise VizkitError(f"{path.name} lists {end[zipfile._ECD_ENTRIES_TOTAL]} entries, more "
                          f"than the {_MAX_MEMBERS} vizkit reads; the file is damaged or forged")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise VizkitError(f"{path.name} is not {what} (damaged zip archive)") from None
    try:
        check_declared(path.name, "its unpacked contents",
                       sum(info.file_size for info in archive.infolist()))
    except VizkitError:
        archive.close()
        raise
    return archive


def read_zip_member(archive, name, source):
    """The bytes of one member (sizes were checked by :func:`open_zip`)."""
    try:
        with archive.open(name) as f:
            return f.read()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise VizkitError(f"{source}: its {name} cannot be read ({reason(exc)}); the file is "
                          "damaged") from None


def _npy_header(archive, info, source):
    """The bytes one ``.npy`` member declares, from its header alone, once checked."""
    name = info.filename[:-4]
    try:
        with archive.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy version {version}")
            offset = f.tell()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise VizkitError(f"{source}: array {name!r} has no readable header "
                          f"({reason(exc)}); the file is damaged") from None
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in _KINDS:
        raise VizkitError(f"{source}: array {name!r} holds {dtype} values (Python objects or "
                          "records); vizkit loads only numbers and text, never pickled data")
    n_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    check_declared(source, f"array {name!r} of shape {tuple(shape)}", n_bytes)
    if offset + n_bytes != info.file_size:
        raise VizkitError(f"{source}: array {name!r} declares shape {tuple(shape)} "
                          f"({_size(n_bytes)}) but holds {_size(info.file_size - offset)}; "
                          "the file is damaged or forged")
    return n_bytes


def npy_members(archive, source, names=None):
    """``{name: info}`` of the ``.npy`` members of an open ``.npz`` (``names`` only, if
    given), once every header is checked: no pickled objects, each declared size agreeing
    with its member, the total within :func:`max_bytes`."""
    members = {info.filename[:-4]: info for info in archive.infolist()
               if info.filename.endswith(".npy")}
    if names is not None:
        members = {name: members[name] for name in names if name in members}
    check_declared(source, "its arrays",
                   sum(_npy_header(archive, info, source) for info in members.values()))
    return members


def read_npz(path, what, names=None):
    """``{name: array}`` of an ``.npz`` file (only ``names`` if given), within limits:
    every header is checked (:func:`npy_members`) before any array is read."""
    path = Path(path)
    with open_zip(path, what) as archive:
        arrays = {}
        for name, info in npy_members(archive, path.name, names).items():
            try:
                with archive.open(info) as f:
                    arrays[name] = np.lib.format.read_array(f, allow_pickle=False)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise VizkitError(f"{path.name}: array {name!r} cannot be read "
                                  f"({reason(exc)}); the file is damaged") from None
        return arrays


def check_h5_datasets(file, source):
    """Refuse an HDF5 file (an ``h5py.File``) whose datasets declare more than the limit."""
    import h5py

    sizes = []

    def visit(_, item):
        if isinstance(item, h5py.Dataset) and item.shape is not None:
            sizes.append(int(np.prod(item.shape, dtype=object)) * item.dtype.itemsize)

    file.visititems(visit)
    check_declared(source, "its weights", sum(sizes))


def reason(exc):
    """The first sentence of an exception's message (its type if it has none), for one line."""
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError):
        text = f"no entry {text}"
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".") if text else ""
    if len(sentence) > 160:
        sentence = sentence[:160].rsplit(" ", 1)[0] + " ..."
    return sentence or type(exc).__name__
