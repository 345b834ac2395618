"""Figures laid out in inches: panels in rows, room reserved for every label.

A :class:`Cell` is one panel's plotting box and the room its labels need
around it (tick labels, axis labels, title lines, a colour bar); a
:class:`Layout` stacks rows of cells under an optional header, centres short
rows, and sizes the figure to fit exactly, so that nothing is clipped and no
margin is wider than :data:`MARGIN`. :func:`wrap` breaks a list of panels
into balanced rows.
"""

from dataclasses import dataclass, replace

__all__ = ["Cell", "Stack", "Layout", "wrap", "header_height", "key_rows", "MARGIN", "TITLE_LINE"]

MARGIN = 0.12      # inches of white around the figure
TITLE_LINE = 0.22  # inches per extra line of a panel title
CAPTION = 0.5      # inches for a header's title and subtitle (see panels.caption)
KEY_ROW = 0.26     # inches per row of keys (legend entries) under the caption


@dataclass(frozen=True)
class Cell:
    """A panel's box (``width`` × ``height`` inches) and the room around it.

    ``left`` holds y tick labels and the y label, ``bottom`` the x tick labels
    and x label, ``top`` the title; ``bar`` is the width of a colour bar to the
    right of the box (0: none), ``bar_room`` the room for its ticks and label.
    """

    width: float = 3.0
    height: float = 3.0
    left: float = 0.62
    bottom: float = 0.5
    top: float = 0.34
    right: float = 0.14
    bar: float = 0.0
    bar_gap: float = 0.1
    bar_room: float = 0.7

    def titled(self, lines):
        """The same cell with room for a title of ``lines`` lines (0: none)."""
        return replace(self, top=0.1 if lines == 0 else 0.34 + TITLE_LINE * (lines - 1))

    @property
    def outer_width(self):
        extra = self.bar_gap + self.bar + self.bar_room if self.bar else 0.0
        return self.left + self.width + self.right + extra

    @property
    def outer_height(self):
        return self.top + self.height + self.bottom


@dataclass(frozen=True)
class Stack:
    """Cells stacked in one column of a row (e.g. two short curves beside a square)."""

    cells: tuple

    @property
    def outer_width(self):
        return max(c.outer_width for c in self.cells)

    @property
    def outer_height(self):
        return sum(c.outer_height for c in self.cells)


class Layout:
    """Rows of :class:`Cell` under a ``header`` (inches; 0: none), centred.

    ``size`` is the figure size in inches; :meth:`place` adds the axes to a
    figure of that size: ``(header_ax or None, [[(ax, bar_ax or None), ...], ...])``
    (a :class:`Stack` adds one pair per cell it holds, top first).
    ``footer`` reserves inches below the rows (e.g. for a legend).
    """

    def __init__(self, rows, *, header=0.0, footer=0.0, margin=MARGIN, gap=0.0):
        self.rows = [list(row) for row in rows if row]
        self.header = header
        self.footer = footer
        self.margin = margin
        self.gap = gap

    @property
    def size(self):
        width = max(sum(c.outer_width for c in row) for row in self.rows)
        height = sum(max(c.outer_height for c in row) for row in self.rows)
        height += self.gap * (len(self.rows) - 1)
        return (round(width + 2 * self.margin, 4),
                round(height + self.header + self.footer + 2 * self.margin, 4))

    def fit_header(self, key_names=(), caption=True):
        """Size the header for a caption (if any) and legend entries ``key_names`` in
        rows under it; returns the legend's number of columns."""
        rows, columns = key_rows(list(key_names), self.size[0])
        self.header = header_height(caption, rows)
        return columns

    def place(self, fig):
        """Add every axes to ``fig`` (made at :attr:`size`); see the class docstring."""
        width, height = self.size
        header = None
        if self.header:
            header = fig.add_axes((self.margin / width,
                                   1 - (self.header + self.margin) / height,
                                   1 - 2 * self.margin / width, self.header / height))
            header.set_axis_off()
        placed = []
        top = height - self.margin - self.header
        for row in self.rows:
            row_height = max(c.outer_height for c in row)
            x = (width - sum(c.outer_width for c in row)) / 2
            axes = []
            for cell in row:
                if isinstance(cell, Stack):
                    y = top
                    for part in cell.cells:
                        axes.append(self._box(fig, part, x, y))
                        y -= part.outer_height
                else:
                    axes.append(self._box(fig, cell, x, top))
                x += cell.outer_width
            placed.append(axes)
            top -= row_height + self.gap
        return header, placed

    def _box(self, fig, cell, x, top):
        """The axes (and colour-bar axes) of ``cell`` whose room starts at (x, top)."""
        width, height = self.size
        box_left = x + cell.left
        box_bottom = top - cell.top - cell.height
        ax = fig.add_axes((box_left / width, box_bottom / height,
                           cell.width / width, cell.height / height))
        bar = None
        if cell.bar:
            bar_left = box_left + cell.width + cell.right + cell.bar_gap
            bar = fig.add_axes((bar_left / width, box_bottom / height,
                                cell.bar / width, cell.height / height))
        return ax, bar


def header_height(caption=True, key_rows=0):
    """Inches for a header: the caption (if any) and ``key_rows`` rows of keys."""
    return (CAPTION if caption else 0.04) + KEY_ROW * key_rows


def key_rows(names, width):
    """``(rows, columns)`` for legend entries ``names`` across ``width`` inches."""
    from ..panels import legend_columns

    if not names:
        return 0, 0
    columns = legend_columns(names, width - 2 * MARGIN)
    return -(-len(names) // columns), columns


def wrap(items, max_columns):
    """``items`` in as few rows of at most ``max_columns`` as possible, their
    lengths differing by one at most, longer rows first (5 items, 4 columns →
    3 + 2; 14 → 4 + 4 + 3 + 3)."""
    items = list(items)
    if not items:
        return []
    n_rows = -(-len(items) // max_columns)
    short, extra = divmod(len(items), n_rows)
    rows, start = [], 0
    for r in range(n_rows):
        length = short + (1 if r < extra else 0)
        rows.append(items[start:start + length])
        start += length
    return rows
