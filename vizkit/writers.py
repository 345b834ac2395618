"""Write streamed frames to GIF, MP4, PNG stills or a self-contained HTML player.

Every writer writes to a hidden ``.partial`` file beside the target and moves
it into place only when the whole artifact is done, so a failure never leaves a
half-written file, and nothing existing is replaced unless ``overwrite``.
"""

import os
from pathlib import Path

import numpy as np

from .errors import VizkitError
from .player import HtmlPlayerWriter

__all__ = ["FORMATS", "resolve_format", "output_paths", "check_outputs", "open_writer"]

FORMATS = ("gif", "mp4", "html", "png")


def resolve_format(path, fmt=None):
    """The format named by ``fmt``, else by the suffix of ``path``."""
    name = (fmt or Path(path).suffix.lstrip(".")).lower()
    if name == "htm":
        name = "html"
    if name not in FORMATS:
        given = f"format {fmt!r}" if fmt else f"suffix of {Path(path).name!r}"
        raise VizkitError(f"unknown output {given}; use one of: {', '.join(FORMATS)}")
    return name


def output_paths(path, fmt, frames=None):
    """Every file an artifact will be made of, for checks before the work starts."""
    path = Path(path).with_suffix("." + fmt)
    if fmt == "png" and frames is not None and len(frames) > 1:
        return [path.with_name(f"{path.stem}-frame{i:03d}.png") for i in frames]
    return [path]


def check_outputs(paths, overwrite=False):
    """Fail early, in one line, if any of ``paths`` cannot or should not be written."""
    for path in map(Path, paths):
        folder = path.parent
        if not folder.is_dir():
            raise VizkitError(f"output folder {folder} does not exist; create it first "
                              "or choose another output path")
        if path.exists() and not overwrite:
            raise VizkitError(f"{path} already exists; pass --overwrite (overwrite=True) "
                              "to replace it, or choose another output path")
        probe = folder / f".{path.name}.write-test"
        try:
            probe.touch()
            probe.unlink()
        except OSError as exc:
            raise VizkitError(f"cannot write to folder {folder} ({exc.strerror}); "
                              "choose another output path") from None


def open_writer(path, fmt, *, fps=10, frames=None, title="vizkit", overwrite=False):
    """A writer for ``fmt`` (see :data:`FORMATS`) at ``path`` (suffix set to fmt).

    ``frames`` (PNG only) names the frames that will be appended, one still
    each; with several, each file is named after its frame.
    """
    paths = output_paths(path, fmt, frames)
    check_outputs(paths, overwrite)
    if fmt in ("gif", "mp4"):
        return _FfmpegWriter(paths, fmt, fps)
    if fmt == "png":
        return _PngWriter(paths)
    return _HtmlPlayer(paths, fps, title)


class _Writer:
    """Base: staging files, atomic commit, abort on error."""

    def __init__(self, paths):
        self.paths = paths
        self.frame_count = 0
        self.frame_size = None  # (width, height) in pixels

    def _staging(self, path):
        return path.with_name(f".{path.name}.partial")

    def append(self, rgba, label=""):
        self.frame_size = (rgba.shape[1], rgba.shape[0])
        self._append(rgba, label)
        self.frame_count += 1

    def close(self):
        """Finish the artifact and move it into place; returns the written paths."""
        self._finish()
        for path in self.paths:
            os.replace(self._staging(path), path)
        return self.paths

    def abort(self):
        """Drop everything written so far."""
        try:
            self._finish()
        except Exception:  # the artifact is being thrown away anyway
            pass
        for path in self.paths:
            self._staging(path).unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False


class _FfmpegWriter(_Writer):
    """GIF and MP4 through imageio-ffmpeg: frames stream into an ffmpeg process.

    GIF frames get their own 256-colour palette each (``palettegen`` in
    single-frame mode), which keeps smooth shading without holding frames back.
    """

    _GIF_FILTER = ("split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=0[p];"
                   "[b][p]paletteuse=new=1")

    def __init__(self, paths, fmt, fps):
        super().__init__(paths)
        self.fmt = fmt
        self.fps = fps
        self._process = None

    def _start(self, width, height):
        import imageio_ffmpeg

        if self.fmt == "gif":
            options = dict(codec="gif", pix_fmt_out="pal8", quality=None,
                           output_params=["-filter_complex", self._GIF_FILTER,
                                          "-loop", "0", "-f", "gif"])
        else:
            options = dict(codec="libx264", pix_fmt_out="yuv420p", quality=None,
                           output_params=["-crf", "18", "-preset", "fast",
                                          "-movflags", "+faststart", "-f", "mp4"])
        self._process = imageio_ffmpeg.write_frames(
            str(self._staging(self.paths[0])), (width, height), pix_fmt_in="rgba",
            fps=self.fps, macro_block_size=1, ffmpeg_log_level="error", **options)
        self._process.send(None)

    def _append(self, rgba, label):
        if self.fmt == "mp4" and (rgba.shape[0] % 2 or rgba.shape[1] % 2):
            # H.264 in yuv420p needs even sizes: repeat the last row/column.
            rgba = np.pad(rgba, ((0, rgba.shape[0] % 2), (0, rgba.shape[1] % 2), (0, 0)),
                          mode="edge")
        if self._process is None:
            self._start(rgba.shape[1], rgba.shape[0])
        self._process.send(np.ascontiguousarray(rgba))

    def _finish(self):
        if self._process is not None:
            process, self._process = self._process, None
            process.close()


class _PngWriter(_Writer):
    """PNG stills: the k-th frame appended goes to the k-th path."""

    def _append(self, rgba, label):
        import imageio.v3 as iio

        if self.frame_count >= len(self.paths):
            raise VizkitError(f"{len(self.paths)} PNG still(s) planned, more frames given")
        iio.imwrite(self._staging(self.paths[self.frame_count]), rgba[..., :3],
                    extension=".png")

    def _finish(self):
        if self.frame_count < len(self.paths):
            raise VizkitError(f"{len(self.paths)} PNG still(s) planned, "
                              f"{self.frame_count} frame(s) rendered")


class _HtmlPlayer(_Writer):
    """The HTML player (:class:`vizkit.player.HtmlPlayerWriter`) behind the staging file."""

    def __init__(self, paths, fps, title):
        super().__init__(paths)
        self._player = HtmlPlayerWriter(self._staging(paths[0]), fps=fps, title=title)

    def _append(self, rgba, label):
        self._player.append(rgba, label)

    def _finish(self):
        self._player.finish()

    def abort(self):
        self._player.abort()
        super().abort()
