"""A sweep's frame, composed in the main process: a header with the epoch, and the
cells the workers drew, pasted pixel for pixel into a grid.

Only one frame of the whole grid is ever held: a cell is pasted over the same
pixels when its next image arrives, and a cell that has no newer image (its
run stopped early, or it failed) keeps what it shows.
"""

import textwrap

import numpy as np

from ..output.camera import StreamingCamera
from ..panels import caption, class_legend, colour_bar
from ..output.render import new_figure
from ..views.stills import Still, draw_still
from ..style import TEXT, class_names, class_scale, style
from .cells import band_text, cell_layout, cell_size, output_colours

__all__ = ["SweepCanvas", "failed_cell"]

_TITLE_IN, _LINE_IN = 0.36, 0.2  # header: the epoch, then each line of the subtitle
_KEY_IN = 0.62  # header: the class key, and the colour bar of P(class 1) beside it


def failed_cell(label, message, n_panels, dpi):
    """A cell marked empty: the variant's label, grey panels and why it failed."""
    def draw(fig):
        band, axes = cell_layout(fig, n_panels, label)
        band_text(band, "failed: no trajectory")
        for ax in axes:
            ax.set_facecolor("#e6e6e6")
            ax.set_xticks([])
            ax.set_yticks([])
        wrapped = "\n".join(textwrap.wrap(message, 28)[:8])
        axes[0].text(0.5, 0.5, wrapped, transform=axes[0].transAxes, ha="center", va="center",
                     fontsize=TEXT["note"], color="#8b0000")

    return draw_still(Still(cell_size(n_panels), draw), dpi)


class SweepCanvas:
    """The RGBA pixels of one sweep frame: a header, then ``rows`` × ``columns`` cells.

    ``cell_shape`` is a cell's ``(height, width)`` in pixels; ``subtitle`` (what
    the rows and columns are, what every run shares) is wrapped to the width; the
    key of the cells' colours (``n_classes`` classes) closes the header.
    """

    def __init__(self, rows, columns, cell_shape, subtitle, dpi, n_classes=2, values=None,
                 names=None):
        self.cell_height, self.cell_width = cell_shape
        width = columns * self.cell_width
        chars = max(20, int(width / (TEXT["subheader"] * dpi / 72 * 0.56)))
        self.subtitle = "\n".join(textwrap.wrap(subtitle, chars))
        lines = self.subtitle.count("\n") + 1
        height = _TITLE_IN + _LINE_IN * lines + 0.12 + _KEY_IN
        with style():
            # (width + 0.5) / dpi inches: Agg truncates to exactly ``width`` pixels
            self.figure = new_figure((width + 0.5) / dpi, height, dpi=dpi)
            self._header = self.figure.add_axes((0, _KEY_IN / height, 1, 1 - _KEY_IN / height))
            self._header.set_axis_off()
            self._key(n_classes, values, names)
        self.header_height = int(self.figure.bbox.height)
        self.pixels = np.full((self.header_height + rows * self.cell_height, width, 4), 255,
                              dtype=np.uint8)
        self._camera = StreamingCamera(self.figure, self._paste_header)

    def _key(self, n_classes, values, names):
        """The class key at the header's foot (``names``, default ``class k``) and, for
        two classes, the colour bar of the regions' P(class 1); for a regression
        (``n_classes`` None), the colour bar of its values (``values``: low, high)."""
        width, height = self.figure.get_size_inches()
        if n_classes is None:
            norm, cmap = output_colours(None, values)
            cax = self.figure.add_axes((0.3 / width, 0.44 / height, 1 - 0.6 / width,
                                        0.12 / height))
            colour_bar(cax, cmap, norm, "prediction (colours), target (points)",
                       orientation="horizontal")
            return
        strip = self.figure.add_axes((0.1 / width, 0.04 / height, 1 - 0.2 / width,
                                      (_KEY_IN - 0.1) / height))
        strip.set_axis_off()
        class_legend(strip, names or class_names(n_classes), loc="lower left")
        if n_classes == 2:
            norm, cmap = class_scale(2)
            bar_width = min(2.0, width / 2 - 0.2)
            cax = self.figure.add_axes(((width - 0.15 - bar_width) / width, 0.44 / height,
                                        bar_width / width, 0.12 / height))
            colour_bar(cax, cmap, norm, "the model's P(class 1)", ticks=[0, 0.5, 1],
                       orientation="horizontal")

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
