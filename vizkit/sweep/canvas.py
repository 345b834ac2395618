"""A sweep's frame, composed in the main process: a header with the epoch, and the
cells the workers drew, pasted pixel for pixel into a grid.

Only one frame of the whole grid is ever held: a cell is pasted over the same
pixels when its next image arrives, and a cell that has no newer image (its
run stopped early, or it failed) keeps what it shows.
"""

import textwrap

import numpy as np

from ..output.camera import StreamingCamera
from ..panels import caption
from ..output.render import new_figure
from ..views.stills import Still, draw_still
from ..style import style
from .cells import band_text, cell_layout, cell_size

__all__ = ["SweepCanvas", "failed_cell"]

_TITLE_IN, _LINE_IN = 0.36, 0.2  # header: the epoch, then each line of the subtitle
_SUBTITLE_PT = 10.5


def failed_cell(label, message, n_panels, dpi):
    """A cell marked empty: the variant's label, grey panels and why it failed."""
    def draw(fig):
        band, axes = cell_layout(fig, n_panels, label)
        band_text(band, "failed: no trajectory")
        for ax in axes:
            ax.set_facecolor("#e6e6e6")
            ax.set_xticks([])
            ax.set_yticks([])
        wrapped = "\n".join(textwrap.wrap(message, 34)[:8])
        axes[0].text(0.5, 0.5, wrapped, transform=axes[0].transAxes, ha="center", va="center",
                     fontsize=7.5, color="#8b0000")

    return draw_still(Still(cell_size(n_panels), draw), dpi)


class SweepCanvas:
    """The RGBA pixels of one sweep frame: a header, then ``rows`` × ``columns`` cells.

    ``cell_shape`` is a cell's ``(height, width)`` in pixels; ``subtitle`` (what
    the rows and columns are, what every run shares) is wrapped to the width.
    """

    def __init__(self, rows, columns, cell_shape, subtitle, dpi):
        self.cell_height, self.cell_width = cell_shape
        width = columns * self.cell_width
        chars = max(20, int(width / (_SUBTITLE_PT * dpi / 72 * 0.56)))
        self.subtitle = "\n".join(textwrap.wrap(subtitle, chars))
        lines = self.subtitle.count("\n") + 1
        with style():
            # (width + 0.5) / dpi inches: Agg truncates to exactly ``width`` pixels
            self._figure = new_figure((width + 0.5) / dpi, _TITLE_IN + _LINE_IN * lines + 0.12,
                                      dpi=dpi)
            self._header = self._figure.add_axes((0, 0, 1, 1))
            self._header.set_axis_off()
        self.header_height = int(self._figure.bbox.height)
        self.pixels = np.full((self.header_height + rows * self.cell_height, width, 4), 255,
                              dtype=np.uint8)
        self._camera = StreamingCamera(self._figure, self._paste_header)

    def _paste_header(self, rgba, _):
        self.pixels[:self.header_height] = rgba

    def place(self, row, column, rgb):
        """Paste a cell's pixels at ``(row, column)``."""
        top = self.header_height + row * self.cell_height
        left = column * self.cell_width
        if rgb.shape[:2] != (self.cell_height, self.cell_width):
            raise ValueError(f"cell of {rgb.shape[1]}×{rgb.shape[0]} px in a grid of "
                             f"{self.cell_width}×{self.cell_height} px cells")
        self.pixels[top:top + self.cell_height, left:left + self.cell_width, :3] = rgb

    def frame(self, title):
        """The whole frame with ``title`` (e.g. the epoch) in the header."""
        with style():
            caption(self._header, title, self.subtitle)
            self._camera.snap()
        return self.pixels
