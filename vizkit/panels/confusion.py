"""The confusion-matrix panel: counts and row percentages, readable on any cell."""

import numpy as np

from ..errors import VizkitError
from ..style import TEXT

__all__ = ["confusion_panel"]

#: Up to this many classes a cell holds its count and its row share; beyond,
#: its count alone (the colour, with its colour bar, gives the share).
WITH_SHARES = 6


def confusion_panel(ax, matrix, class_names=None, *, cmap="Blues"):
    """Draw ``matrix`` coloured by each cell's share of its true class (row %).

    Up to :data:`WITH_SHARES` classes each cell prints its count and share,
    beyond that its count (empty cells stay blank). Text is white on dark
    cells and black on light ones; rows are true classes. Returns ``ax``; the
    image (for a colour bar) is ``ax.images[-1]``.
    """
    matrix = np.asarray(matrix)
    n = len(matrix)
    names = list(class_names) if class_names is not None else [str(i) for i in range(n)]
    if len(names) != n:
        raise VizkitError(f"confusion matrix has {n} classes but {len(names)} class names")
    rows = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    image = ax.imshow(shares, cmap=cmap, vmin=0, vmax=1)
    colormap = image.get_cmap()
    for i in range(n):
        for j in range(n):
            if n > WITH_SHARES and matrix[i, j] == 0:
                continue
            red, green, blue, _ = colormap(shares[i, j])
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            share = f"\n{shares[i, j]:.0%}" if n <= WITH_SHARES else ""
            text = f"{matrix[i, j]}{share}"
            ax.text(j, i, text, ha="center", va="center", fontsize=TEXT["cell"],
                    color="white" if dark else "black")
    crowded = n > 4 and max(map(len, names)) > 3
    ax.set_xticks(range(n), names, rotation=45 if crowded else 0,
                  ha="right" if crowded else "center")
    ax.set_yticks(range(n), names)
    ax.tick_params(length=0)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax
