"""Panels of images: labelled image grids, probability bars, weights as images."""

import numpy as np

__all__ = ["mosaic", "image_grid", "grid_labels", "probability_bars", "weight_images",
           "RIGHT", "WRONG"]

WRONG = "#e74c3c"
RIGHT = "#1e8449"


def mosaic(images, columns, gap=None, label_gap=None, fill=np.nan):
    """Images (n, h, w) tiled into one array, ``columns`` a row.

    ``gap`` pixels separate tiles sideways; ``label_gap`` pixels above each row
    leave room for a label. Returns the mosaic and the (x, y) centre of each tile.
    """
    n, h, w = images.shape
    gap = max(1, w // 6) if gap is None else gap
    label_gap = max(2, round(h * 0.45)) if label_gap is None else label_gap
    rows = -(-n // columns)
    sheet = np.full((rows * (h + label_gap), columns * (w + gap) - gap), fill, np.float32)
    centres = []
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        top, left = r * (h + label_gap) + label_gap, c * (w + gap)
        sheet[top:top + h, left:left + w] = image
        centres.append((left + (w - 1) / 2, top + (h - 1) / 2))
    return sheet, np.array(centres)


def image_grid(ax, images, labels=None, *, columns=8, colors=None, cmap="gray_r",
               vmin=0.0, vmax=1.0):
    """A grid of ``images`` in one axes, each with a label above (``colors`` per label)."""
    sheet, centres = mosaic(images, columns)
    ax.imshow(sheet, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    if labels is not None:
        grid_labels(ax, centres, images.shape[1], labels, colors)
    return ax


def grid_labels(ax, centres, height, labels, colors=None):
    """Text above each tile of a mosaic; a coloured box around tiles whose colour is given."""
    for k, ((x, y), text) in enumerate(zip(centres, labels)):
        color = colors[k] if colors is not None else "black"
        ax.text(x, y - height / 2 - 0.3, text, ha="center", va="bottom", fontsize=6.5,
                color=color)
    return ax


def probability_bars(ax, probabilities, class_names, *, true_class=None):
    """One bar per class; the predicted class highlighted, the true one named."""
    probabilities = np.asarray(probabilities)
    predicted = int(np.argmax(probabilities))
    colors = ["#aab7b8"] * len(probabilities)
    colors[predicted] = RIGHT if true_class in (None, predicted) else WRONG
    ax.bar(np.arange(len(probabilities)), probabilities, color=colors)
    ax.text(0.98, 0.95, f"predicted: {class_names[predicted]} ({probabilities[predicted]:.0%})",
            transform=ax.transAxes, ha="right", va="top", fontsize=8)
    return ax


def weight_images(ax, kernel, shape, *, columns=5):
    """A first Dense layer's weights, one image per unit, one colour scale centred at 0."""
    kernel = np.asarray(kernel)
    reach = float(np.abs(kernel).max()) or 1.0
    images = kernel.T.reshape((kernel.shape[1],) + tuple(shape))
    sheet, centres = mosaic(images, columns)
    image = ax.imshow(sheet, cmap="RdBu_r", vmin=-reach, vmax=reach, interpolation="nearest")
    ax.set_axis_off()
    grid_labels(ax, centres, shape[0], [f"unit {k}" for k in range(len(images))])
    return image


