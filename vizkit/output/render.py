"""The render loop every animation shares: draw a frame, snap, stream it out."""

from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .camera import StreamingCamera
from .files import artifact_paths
from ..run.transaction import OutputTransaction
from .writers import DEFAULT_FPS, open_writer, resolve_format

__all__ = ["new_figure", "render_frames", "stream_frames", "RenderResult"]


@dataclass(frozen=True)
class RenderResult:
    """What was written: the files, their format, frame count and pixel size."""

    paths: list
    format: str
    frame_count: int
    frame_size: tuple  # (width, height) in pixels


def new_figure(width, height, dpi=100):
    """A figure on its own Agg canvas: no pyplot, no global state, no GUI."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def stream_frames(fig, draw, frames, paths, fmt, *, fps=DEFAULT_FPS, labels=None, title="vizkit",
                  on_frame=None, sinks=()):
    """Call ``draw(frame)`` then snap, for each of ``frames``, into files at ``paths``.

    ``paths`` are written as they are (the caller stages them); ``sinks`` are
    more callables that receive ``(rgba, position)`` for every frame (e.g.
    TensorBoard). Frames are encoded as they are made and dropped.
    """
    frames = list(frames)
    labels = list(labels) if labels is not None else [str(f) for f in frames]

    with open_writer(paths, fmt, fps=fps, title=title) as writer:
        def emit(rgba, position):
            writer.append(rgba, labels[position])
            for sink in sinks:
                sink(rgba, position)

        camera = StreamingCamera(fig, emit)
        for position, frame in enumerate(frames):
            draw(frame)
            camera.snap()
            if on_frame is not None:
                on_frame(position)
    return RenderResult(list(paths), fmt, writer.frame_count, writer.frame_size)


def render_frames(fig, draw, frames, path, fmt=None, *, fps=DEFAULT_FPS, labels=None,
                  overwrite=False, title="vizkit", on_frame=None):
    """Render ``draw(frame)`` for each of ``frames`` into one artifact at ``path``.

    ``draw`` adds the frame's artists to ``fig``'s axes (anything drawn before
    this call stays in every frame). The format follows ``fmt`` or the suffix
    (gif, mp4, html, png; for png every frame becomes one still). The files
    appear only when complete; nothing is replaced unless ``overwrite``.
    """
    fmt = resolve_format(path, fmt)
    frames = list(frames)
    finals = artifact_paths(path, fmt, frames if fmt == "png" else None)
    with OutputTransaction(overwrite) as run:
        run.check(finals)
        result = stream_frames(fig, draw, frames, [run.stage(p) for p in finals], fmt,
                               fps=fps, labels=labels, title=title, on_frame=on_frame)
        run.commit()
    return RenderResult(finals, fmt, result.frame_count, result.frame_size)
