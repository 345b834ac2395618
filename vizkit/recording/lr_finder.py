"""Find a learning rate: train with a rate that grows every epoch, watch the loss."""

from dataclasses import dataclass

import numpy as np

from ..errors import VizkitError

__all__ = ["LearningRateSearch", "find_learning_rate"]


@dataclass(frozen=True)
class LearningRateSearch:
    """Loss (and accuracy, when the model reports one) after each epoch at each
    rate, and the suggested rate."""

    rates: np.ndarray
    losses: np.ndarray
    suggestion: float
    accuracies: np.ndarray = None

    @property
    def loss_limits(self):
        """``(0, top)``: room for the useful part of the curve, not its blow-up."""
        finite = self.losses[np.isfinite(self.losses)]
        top = min(finite.max(), 3 * np.median(finite)) if finite.size else 1
        return (0.0, float(top * 1.05))

    @property
    def best(self):
        """The rate at the lowest loss."""
        return float(self.rates[np.nanargmin(self.losses)])


def find_learning_rate(model, x, y, *, min_rate=1e-4, max_rate=None, epochs=100,
                       batch_size=32, seed=None):
    """Train ``model`` one epoch per rate, rates growing geometrically, then undo it.

    The defaults are the notebook's schedule, ``1e-4 · 10^(epoch / 20)``. The
    suggestion is ten times below the rate of the lowest loss. The model's
    weights, optimizer state and learning rate are restored afterwards.
    """
    from .fit import record

    if max_rate is None:
        max_rate = min_rate * 10 ** ((epochs - 1) / 20)
    if not 0 < min_rate < max_rate:
        raise VizkitError(f"learning-rate range needs 0 < min < max, got min {min_rate:g}, "
                          f"max {max_rate:g}")
    if epochs < 2:
        raise VizkitError("the learning-rate search needs at least 2 epochs")
    rates = min_rate * (max_rate / min_rate) ** (np.arange(epochs) / (epochs - 1))
    weights = model.get_weights()
    optimizer = model.optimizer
    if not optimizer.built:  # create Adam's moments now, so that they are restored too
        optimizer.build(model.trainable_variables)
    state = [v.numpy() for v in optimizer.variables]
    initial_rate = float(optimizer.learning_rate.numpy())

    def set_rate(model, epoch):
        optimizer.learning_rate.assign(rates[epoch - 1])

    try:
        run = record(model, x, y, epochs=epochs, batch_size=batch_size, seed=seed,
                     before_epoch=set_rate, on_divergence="stop")
    finally:
        model.set_weights(weights)
        for variable, value in zip(optimizer.variables, state):
            variable.assign(value)
        optimizer.learning_rate.assign(initial_rate)
    losses = run.metrics["loss"][1:]
    rates = rates[:len(losses)]
    finite = np.where(np.isfinite(losses), losses, np.nan)
    best = rates[np.nanargmin(finite)]
    accuracies = run.metrics["accuracy"][1:] if "accuracy" in run.metrics else None
    return LearningRateSearch(rates, losses, float(best / 10), accuracies)
