"""The render loop every animation shares: draw a frame, snap, stream it out."""

from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .camera import StreamingCamera
from .writers import open_writer, resolve_format

__all__ = ["new_figure", "render_frames", "RenderResult"]


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render_frames` wrote."""

    paths: list
    format: str
    frame_count: int
    frame_size: tuple  # (width, height) in pixels


def new_figure(width, height, dpi=100):
    """A figure on its own Agg canvas: no pyplot, no global state, no GUI."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def render_frames(fig, draw, frames, path, fmt=None, *, fps=10, labels=None,
                  overwrite=False, title="vizkit", on_frame=None):
    """Call ``draw(frame)`` then snap, for each of ``frames``, into one artifact.

    ``draw`` adds the frame's artists to ``fig``'s axes (anything drawn before
    this call stays in every frame). Frames are encoded as they are made and
    dropped; a failure removes the partial artifact.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    draw : callable
        ``draw(frame)`` for each element of ``frames``.
    frames : sequence
        What to draw, in order (e.g. trajectory frame indices).
    path, fmt
        Output file; the format follows ``fmt`` or the suffix (gif, mp4, html,
        png). For png, every frame becomes one still.
    labels : sequence of str, optional
        One per frame, shown by the HTML player.
    on_frame : callable, optional
        Called with the position of each finished frame (progress bars).
    """
    fmt = resolve_format(path, fmt)
    frames = list(frames)
    labels = list(labels) if labels is not None else [str(f) for f in frames]
    writer = open_writer(path, fmt, fps=fps, frames=frames if fmt == "png" else None,
                         title=title, overwrite=overwrite)
    with writer:
        camera = StreamingCamera(fig, lambda rgba, i: writer.append(rgba, labels[i]))
        for position, frame in enumerate(frames):
            draw(frame)
            camera.snap()
            if on_frame is not None:
                on_frame(position)
    return RenderResult(writer.paths, fmt, writer.frame_count, writer.frame_size)
