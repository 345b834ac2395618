"""The classification scene's side experiments, rebuilt from stored arrays (no
training), so that its stills can be drawn in tests by the scene's own code."""

from dataclasses import replace

import numpy as np

from fixtures import CLASSIFICATION_ARRAYS, CLASSIFICATION_TRAJECTORY

LADDER = ("Dense(1)", "Dense(1) → Dense(1)", "Dense(100) → Dense(10) → Dense(1)",
          "Dense(10, relu) → Dense(5, relu) → Dense(1)")


def rings_test_set():
    """The classification scene's held-out rings: the last 200 of make_circles(1000)."""
    from vizkit import datasets

    x, y = datasets.circles(42, n_samples=1000, noise=0.03)
    return x[800:], y[800:]


def classification_run():
    """The stored classification run with the extras and info its stills read: the
    stored ladder and regression outputs, and a made-up learning-rate search
    (a valley at 0.05)."""
    from vizkit import Trajectory

    data = np.load(CLASSIFICATION_ARRAYS)
    x_test, y_test = rings_test_set()
    rates = 1e-4 * 10 ** (np.arange(60) / 20)
    valley = np.exp(-((np.log10(rates) + 1.3) ** 2))
    extras = dict(ladder_xs=data["xs"], ladder_ys=data["ys"],
                  ladder_probabilities=np.stack([data[f"ladder_{i}"] for i in range(4)]),
                  ladder_accuracy=np.array([float(data[f"accuracy_{i}"]) for i in range(4)]),
                  rates=rates, rate_losses=0.7 - 0.6 * valley, rate_accuracy=0.5 + 0.45 * valley,
                  x_test=x_test, y_test=y_test)
    extras.update({f"regression_{k}": data[k]
                   for k in ("x_train", "y_train", "x_test", "y_test", "y_pred")})
    trajectory = Trajectory.load(CLASSIFICATION_TRAJECTORY)
    info = dict(trajectory.info, ladder=list(LADDER), suggested_rate=float(rates[34] / 10),
                class_names=("outer ring", "inner ring"))
    return replace(trajectory, extras=extras, info=info)
