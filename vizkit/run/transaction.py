"""A run's output files as one transaction: all of them appear, or none does.

Every file is written to a staging name unique to this process
(``.NAME.vizkit-PID-TOKEN.partial``) beside its final place. :meth:`commit`
moves them all into place under an exclusive lock on their folder, and only
if none of the final names appeared meanwhile (unless ``overwrite``): two runs
on the same output end with one complete set of files and a one-line error
for the other. Replaced files are moved aside first and put back if any move
fails. :meth:`abort` (also on any exception, Ctrl-C or SIGTERM inside the
``with`` block) removes what this run staged and nothing else.
"""

import errno
import fcntl
import os
import re
import secrets
from contextlib import ExitStack
from pathlib import Path

from ..errors import VizkitError, parameter

__all__ = ["OutputTransaction", "check_destination", "os_error", "shown"]


_STAGED = re.compile(r"^\.(?P<name>.+)\.vizkit-\d+-[0-9a-f]+\.(partial|old)$")


def shown(path):
    """The path a user knows: a staging name is shown as the file it stands for."""
    path = Path(path)
    match = _STAGED.match(path.name)
    return path.with_name(match["name"]) if match else path


def os_error(exc, path, doing="write"):
    """A :class:`VizkitError` for an ``OSError`` met at ``path``: the path and the cause."""
    path = shown(path)
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason += "; free some space or choose another output folder"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason += "; choose a folder you can write to"
    return VizkitError(f"cannot {doing} {path}: {reason}")


def check_destination(path, overwrite=False):
    """Fail early, in one line, if ``path`` cannot or should not be written."""
    path = Path(path)
    folder = path.parent
    for parent in [folder, *folder.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise VizkitError(f"cannot write {path}: {parent} is a file, not a folder; "
                                  "choose another output path")
            break
    if path.is_dir():
        raise VizkitError(f"cannot write {path}: a folder has that name; choose another "
                          "output path")
    not_a_file = _not_a_file(path)
    if not_a_file:
        raise VizkitError(f"cannot write {path}: it {not_a_file}, not a file in a folder; "
                          "choose another output path")
    if path.exists() and not overwrite:
        raise VizkitError(f"{path} already exists; pass {parameter('overwrite', True)} to "
                          "replace it, or choose another output path")


def _not_a_file(path):
    """What ``path`` is if it is no place for an output file (under ``/dev``, a device, a
    FIFO or a socket, also through a symlink), else ``None``."""
    for where in (Path(os.path.abspath(path)), path.resolve()):
        if where.parts[:2] == ("/", "dev"):
            return "is under /dev"
    if path.exists() and not path.is_file():
        return "is a device, FIFO or socket"
    return None


class OutputTransaction:
    """Stage files, then move them all into place at once.

    Parameters
    ----------
    overwrite : bool
        Replace files that exist (else an existing file is an error, both at
        :meth:`check` and at :meth:`commit`).

    Examples
    --------
    >>> with OutputTransaction() as run:
    ...     run.check([gif, manifest])          # before any work
    ...     write_gif(run.stage(gif))
    ...     write_json(run.stage(manifest))
    ...     written = run.commit()
    """

    def __init__(self, overwrite=False):
        self.overwrite = overwrite
        self._token = f"vizkit-{os.getpid()}-{secrets.token_hex(4)}"
        self._staged = {}  # final path -> staging path
        self._made_folders = []

    # -- planning ----------------------------------------------------------------
    def check(self, paths):
        """Check every planned output before any work; create missing folders."""
        paths = [Path(p) for p in paths]
        for path in paths:
            check_destination(path, self.overwrite)
        for folder in dict.fromkeys(p.parent for p in paths):
            self._make_folder(folder)
            probe = folder / f".{self._token}.write-test"
            try:
                probe.touch()
                probe.unlink()
            except OSError as exc:
                raise os_error(exc, folder, "write to folder") from None
        return paths

    def _make_folder(self, folder):
        missing = [p for p in [folder, *folder.parents] if not p.exists()]
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_error(exc, folder, "create folder") from None
        self._made_folders += missing  # deepest first: removed in that order if unused

    # -- writing -----------------------------------------------------------------
    def stage(self, final):
        """The staging path to write ``final``'s content to (unique to this run)."""
        final = Path(final)
        if final not in self._staged:
            if not final.parent.is_dir():
                self._make_folder(final.parent)
            self._staged[final] = final.with_name(f".{final.name}.{self._token}.partial")
        return self._staged[final]

    def write(self, final, write):
        """Stage ``final`` with ``write(file)``, ``file`` a binary file this run creates
        at the staging name (never one found there: a link planted at that name is an
        error, not followed). Returns the staging path."""
        staged = self.stage(final)
        try:
            with open(staged, "xb") as file:
                write(file)
        except OSError as exc:
            raise os_error(exc, staged) from None
        return staged

    @property
    def finals(self):
        """Every final path staged so far, in staging order."""
        return list(self._staged)

    def commit(self):
        """Move every staged file into place, all or none; returns the final paths."""
        finals = self.finals
        for final, staged in self._staged.items():
            if not staged.is_file():
                raise VizkitError(f"{final} was not written; nothing was saved")
        with ExitStack() as locks:
            for folder in sorted({f.parent for f in finals}):
                locks.enter_context(_FolderLock(folder))
            if not self.overwrite:
                existing = [f for f in finals if f.exists() or f.is_symlink()]
                if existing:
                    raise VizkitError(f"{existing[0]} appeared while this run was rendering "
                                      "(another run?); nothing was saved; pass "
                                      f"{parameter('overwrite', True)} to replace it")
            self._move_all(finals)
        self._staged.clear()
        self._made_folders.clear()
        return finals

    def _move_all(self, finals):
        moved, backups = [], {}
        try:
            for final in finals:
                if final.is_dir():
                    raise VizkitError(f"cannot write {final}: a folder has that name; "
                                      "nothing was saved")
                if final.exists():
                    backup = final.with_name(f".{final.name}.{self._token}.old")
                    os.replace(final, backup)
                    backups[final] = backup
                os.replace(self._staged[final], final)
                moved.append(final)
        except BaseException as exc:
            for final in reversed(moved):
                final.unlink(missing_ok=True)
            for final, backup in backups.items():
                os.replace(backup, final)
            if isinstance(exc, OSError):
                raise os_error(exc, exc.filename or finals[0], "save") from None
            raise
        for backup in backups.values():
            backup.unlink(missing_ok=True)

    def abort(self):
        """Remove every file this run staged, and folders it made that stayed empty."""
        for staged in self._staged.values():
            try:
                staged.unlink(missing_ok=True)
            except OSError:
                pass
        self._staged.clear()
        for folder in self._made_folders:
            try:
                folder.rmdir()
            except OSError:
                break
        self._made_folders.clear()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.abort()  # after a commit there is nothing left to remove
        return False


class _FolderLock:
    """An exclusive ``flock`` on a folder, held while files move into it."""

    def __init__(self, folder):
        self.folder = folder
        self._fd = None

    def __enter__(self):
        self._fd = os.open(self.folder, os.O_RDONLY)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        return False
