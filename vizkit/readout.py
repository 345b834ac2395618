"""How a model's outputs become classes and scores: the one rule every picture,
caption and matrix uses; sigmoid and softmax, written once."""

import numpy as np

__all__ = ["sigmoid", "softmax", "class_scores", "predicted_classes"]


def sigmoid(z):
    """The logistic function, elementwise (float64)."""
    return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64)))


def softmax(logits):
    """Row-wise softmax (numerically stable); rows sum to 1."""
    logits = np.asarray(logits, np.float64)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def class_scores(output, n_classes):
    """What colours the regions: P(class 1) for two classes, else the argmax class.

    ``output`` is the model's final output (n, units): probabilities, or logits
    (a sigmoid or softmax is applied when values fall outside [0, 1] or do not
    sum to one).
    """
    output = np.asarray(output, dtype=np.float64)
    if output.shape[1] == 1:
        p = output[:, 0]
        return sigmoid(p) if p.min() < 0 or p.max() > 1 else p
    if n_classes == 2 and output.shape[1] == 2:
        return softmax(output)[:, 1]
    return output.argmax(axis=1).astype(np.float64)


def predicted_classes(output):
    """Class per row of a model output: argmax, or P > 0.5 for one sigmoid/logit unit."""
    output = np.asarray(output)
    if output.shape[1] == 1:
        return (class_scores(output, 2) > 0.5).astype(int)
    return output.argmax(axis=1)
