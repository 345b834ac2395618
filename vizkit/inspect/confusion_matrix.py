"""The confusion matrix: counts and row percentages, readable on any cell."""

import numpy as np

from ..errors import VizkitError

__all__ = ["confusion_matrix"]


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Counts ``[true class, predicted class]`` as an int array (n_classes, n_classes)."""
    y_true = np.asarray(y_true).astype(int).ravel()
    y_pred = np.asarray(y_pred).astype(int).ravel()
    if len(y_true) != len(y_pred):
        raise VizkitError(f"confusion matrix: {len(y_true)} true labels but {len(y_pred)} "
                          "predictions; give one prediction per label")
    if len(y_true) and min(y_true.min(), y_pred.min()) < 0:
        raise VizkitError("confusion matrix: class labels must be 0, 1, 2, ...")
    n = n_classes or (int(max(y_true.max(), y_pred.max())) + 1 if len(y_true) else 1)
    return np.bincount(y_true * n + y_pred, minlength=n * n).reshape(n, n)
