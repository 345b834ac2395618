"""Which frames an animation shows: every one while the picture changes fast,
fewer as training settles, so that no stretch of the animation stands still.

A view measures how much its picture changes from each frame to the next
(:meth:`vizkit.views.base.TrajectoryView.frame_changes`, from the numbers it draws,
not from pixels); :func:`choose_frames` then keeps a frame whenever the change
piled up since the last kept one reaches a fixed share of the whole run's.
"""

import numpy as np

__all__ = ["choose_frames", "changes_between", "FRAME_CHOICES", "SHARE"]

FRAME_CHOICES = ("auto", "all")
#: Each kept step shows at least this share of the run's total change, so an
#: animation has at most about ``1 / SHARE`` frames however long the run.
SHARE = 1 / 40


def changes_between(signals):
    """Change from frame k-1 to k (``[0]`` is 0) of per-frame ``signals``: a list
    with one ``{name: array}`` per frame. Each named quantity is scaled by its
    range over the whole run, so panels count alike whatever their units; the
    change is the mean absolute difference, averaged over the names."""
    if len(signals) < 2:
        return np.zeros(len(signals))
    total = np.zeros(len(signals))
    for name in signals[0]:
        stacked = np.stack([np.asarray(s[name], dtype=float).ravel() for s in signals])
        stacked = np.where(np.isfinite(stacked), stacked, 0.0)
        span = float(stacked.max() - stacked.min()) or 1.0
        total[1:] += np.abs(np.diff(stacked, axis=0)).mean(axis=1) / span
    return total / len(signals[0])


def choose_frames(changes, share=SHARE):
    """Frames to show, given ``changes[k]`` from frame k-1 to k: the first, then each
    frame at which the change since the last kept frame reaches ``share`` of the
    total, and the last. A run that changes evenly keeps every
    ``share * (n - 1)``-th frame; one that changes fast and then settles keeps
    every early frame and spaces out the rest."""
    changes = np.asarray(changes, dtype=float)
    n = len(changes)
    if n <= 2:
        return list(range(n))
    total = changes[1:].sum()
    if not np.isfinite(total) or total <= 0:
        return [0, n - 1]
    step = share * total
    chosen, piled = [0], 0.0
    for frame in range(1, n):
        piled += changes[frame]
        if piled >= step * (1 - 1e-9):
            chosen.append(frame)
            piled = 0.0
    if chosen[-1] != n - 1:
        chosen.append(n - 1)
    return chosen
