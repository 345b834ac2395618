"""Panels of images: labelled image grids, probability and logit bars, weights as images."""

import numpy as np

from ..style import INK, MUTED, TEXT, WRONG

__all__ = ["mosaic", "image_grid", "grid_labels", "probability_bars", "logit_bars",
           "weight_images", "RIGHT", "WRONG"]

RIGHT = INK


def mosaic(images, columns, gap=None, label_gap=None, fill=np.nan):
    """Images (n, h, w), or colour images (n, h, w, 3), tiled into one array,
    ``columns`` a row (colour mosaics are white between the tiles).

    ``gap`` pixels separate tiles sideways; ``label_gap`` pixels above each row
    leave room for a label. Returns the mosaic and the (x, y) centre of each tile.
    """
    n, h, w = images.shape[:3]
    fill = 1.0 if images.ndim == 4 else fill
    gap = max(1, w // 6) if gap is None else gap
    label_gap = max(2, round(h * 0.45)) if label_gap is None else label_gap
    rows = -(-n // columns)
    sheet = np.full((rows * (h + label_gap), columns * (w + gap) - gap, *images.shape[3:]),
                    fill, np.float32)
    centres = []
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        top, left = r * (h + label_gap) + label_gap, c * (w + gap)
        sheet[top:top + h, left:left + w] = image
        centres.append((left + (w - 1) / 2, top + (h - 1) / 2))
    return sheet, np.array(centres)


def image_grid(ax, images, labels=None, *, columns=8, wrong=None, cmap="gray_r",
               vmin=0.0, vmax=1.0, label_gap=None):
    """A grid of ``images`` in one axes, each with a label above; tiles whose
    ``wrong`` flag is set get a bold vermillion label and a frame."""
    sheet, centres = mosaic(images, columns, label_gap=label_gap)
    if sheet.ndim == 3:  # colour images, shown in their colours
        ax.imshow(np.clip(sheet, 0, 1), interpolation="nearest")
    else:
        ax.imshow(sheet, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    if labels is not None:
        grid_labels(ax, centres, images.shape[1:], labels, wrong)
    return ax


def grid_labels(ax, centres, shape, labels, wrong=None):
    """Text above each tile of a mosaic (tiles of ``shape`` (h, w) pixels); a
    mistake (``wrong[k]``) is marked three ways: bold, vermillion, framed."""
    from matplotlib.patches import Rectangle

    h, w = (shape, shape) if np.isscalar(shape) else shape[:2]
    for k, ((x, y), text) in enumerate(zip(centres, labels)):
        mistake = wrong is not None and bool(wrong[k])
        ax.text(x, y - h / 2 - 0.4, text, ha="center", va="bottom", fontsize=TEXT["cell"],
                color=WRONG if mistake else INK, fontweight="bold" if mistake else "normal")
        if mistake:
            ax.add_patch(Rectangle((x - w / 2, y - h / 2), w, h, fill=False,
                                   edgecolor=WRONG, linewidth=1.6))
    return ax


def probability_bars(ax, probabilities, class_names, *, true_class=None):
    """One bar per class: the predicted class dark (vermillion and hatched when it is
    wrong), the true class outlined; the verdict written in the top right corner
    (give the axes room above 1: e.g. y limits 0 to 1.3)."""
    probabilities = np.asarray(probabilities)
    predicted = int(np.argmax(probabilities))
    right = true_class in (None, predicted)
    colors = ["#c4c4c4"] * len(probabilities)
    colors[predicted] = INK if right else WRONG
    bars = ax.bar(np.arange(len(probabilities)), probabilities, color=colors, width=0.75)
    if not right:
        bars[predicted].set_hatch("///")
        bars[predicted].set_edgecolor("white")
    if true_class is not None:
        ax.bar([true_class], [probabilities[true_class]], width=0.75, fill=False,
               edgecolor=INK, linewidth=1.6)
    verdict = f"predicted {class_names[predicted]} ({probabilities[predicted]:.0%})"
    if true_class is not None:
        verdict = f"true {class_names[true_class]}\n{verdict}"
    ax.text(0.98, 0.97, verdict, transform=ax.transAxes, ha="right", va="top",
            fontsize=TEXT["note"], color=INK if right else WRONG,
            fontweight="normal" if right else "bold")
    return ax


def logit_bars(ax, logits, *, true_class=None):
    """One bar per class: the raw logit (any sign), the largest dark, a zero line."""
    logits = np.asarray(logits, dtype=float)
    colors = ["#c4c4c4"] * len(logits)
    colors[int(np.argmax(logits))] = INK
    ax.axhline(0, color=MUTED, linewidth=0.8)
    ax.bar(np.arange(len(logits)), logits, color=colors, width=0.75)
    if true_class is not None:
        ax.bar([true_class], [logits[true_class]], width=0.75, fill=False, edgecolor=INK,
               linewidth=1.6)
    return ax


def weight_images(ax, kernel, shape, *, columns=5):
    """A first Dense layer's weights, one image per unit, one colour scale centred at 0."""
    kernel = np.asarray(kernel)
    reach = float(np.abs(kernel).max()) or 1.0
    images = kernel.T.reshape((kernel.shape[1],) + tuple(shape))
    sheet, centres = mosaic(images, columns)
    image = ax.imshow(sheet, cmap="PuOr", vmin=-reach, vmax=reach, interpolation="nearest")
    ax.set_axis_off()
    grid_labels(ax, centres, tuple(shape), [f"unit {k}" for k in range(len(images))])
    return image
