"""Stills: named figures drawn once, the one way vizkit makes a single picture."""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..output.render import new_figure
from ..style import style

__all__ = ["Still", "draw_still", "write_still"]


@dataclass(frozen=True)
class Still:
    """A picture: ``draw(fig)`` fills a figure of ``size`` inches (width, height);
    or, for a still that lays out its own figure, ``figure(dpi)`` returns it drawn."""

    size: tuple = None
    draw: Callable = None
    figure: Callable = None


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
    from ..output.writers import open_writer

    pixels = draw_still(still, dpi)
    with open_writer([path], "png") as writer:
        writer.append(pixels)
    return writer.frame_size
