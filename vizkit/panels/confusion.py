"""The confusion-matrix panel: counts and row percentages, readable on any cell."""

import numpy as np

from ..errors import VizkitError

__all__ = ["confusion_panel"]


def confusion_panel(ax, matrix, class_names=None, *, cmap="Blues"):
    """Draw ``matrix`` with each cell's count and its share of the true class (row %).

    Text is white on dark cells and black on light ones; rows are true classes.
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
            red, green, blue, _ = colormap(shares[i, j])
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(j, i, f"{matrix[i, j]}\n{shares[i, j]:.0%}", ha="center", va="center",
                    fontsize=9 if n <= 6 else 6.5, color="white" if dark else "black")
    crowded = n > 4 and max(map(len, names)) > 3
    ax.set_xticks(range(n), names, rotation=45 if crowded else 0,
                  ha="right" if crowded else "center")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax
