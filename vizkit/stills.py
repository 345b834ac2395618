"""Stills: named figures drawn once, the one way vizkit makes a single picture."""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .render import new_figure
from .style import style

__all__ = ["Still", "axes_still", "draw_still", "write_still"]


@dataclass(frozen=True)
class Still:
    """A picture: ``draw(fig)`` fills a figure of ``size`` inches (width, height);
    or, for a still that lays out its own figure, ``figure(dpi)`` returns it drawn."""

    size: tuple = None
    draw: Callable = None
    figure: Callable = None


def axes_still(size, draw, *, columns=1, left=None, right=0.97, bottom=0.14, top=0.86,
               wspace=0.3):
    """A :class:`Still` of one row of ``columns`` axes, drawn by ``draw(axes)``."""
    def draw_figure(fig):
        axes = fig.subplots(1, columns, squeeze=False)[0]
        fig.subplots_adjust(left=left or 0.1 / columns ** 0.5, right=right, bottom=bottom,
                            top=top, wspace=wspace)
        draw(axes)

    return Still(tuple(size), draw_figure)


def draw_still(still, dpi=100):
    """The still's pixels: an ``(h, w, 3)`` uint8 array, in vizkit's style."""
    with style():
        if still.figure is not None:
            fig = still.figure(dpi)
        else:
            fig = new_figure(*still.size, dpi=dpi)
            still.draw(fig)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def write_still(still, path, dpi=100):
    """Draw ``still`` and write it as a PNG at ``path`` (as given: the caller stages
    it); returns the frame size ``(width, height)``."""
    from .writers import open_writer

    pixels = draw_still(still, dpi)
    with open_writer([path], "png") as writer:
        writer.append(pixels)
    return writer.frame_size
