"""Stored test fixtures: how they are made, and where they live.

``make fixtures`` records the missing ones; ``make fixtures ALL=1`` re-records
all (on purpose only: snapshot baselines are drawn from them, so they change
together).
"""

import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"
LAYER_SPACES_TRAJECTORY = DATA / "layer_spaces_trajectory.npz"
# Short enough to re-record in a test, long enough for the regions to move.
LAYER_SPACES_RUN = dict(epochs=8, hidden_units=2, activation="tanh", learning_rate=0.1,
                        seed=12345)
UNIT_MAPS_TRAJECTORY = DATA / "unit_maps_trajectory.npz"
UNIT_MAPS_RUN = dict(epochs=40, learning_rate=0.01, seed=1234)
NEURON_TRAJECTORIES = {kind: DATA / f"neuron_{kind}_trajectory.npz"
                       for kind in ("linear", "logistic")}
NEURON_RUN = dict(epochs=30, seed=1234)
DIGITS_TRAJECTORY = DATA / "digits_trajectory.npz"
CLASSIFICATION_TRAJECTORY = DATA / "classification_trajectory.npz"
CLASSIFICATION_ARRAYS = DATA / "classification_arrays.npz"  # ladder and regression outputs


def make_fixtures():
    from functools import partial

    from vizkit_scenes import layer_spaces, neurons, unit_maps

    DATA.mkdir(exist_ok=True)
    recipes = [(partial(layer_spaces.record_run, **LAYER_SPACES_RUN), LAYER_SPACES_TRAJECTORY),
               (partial(unit_maps.record_run, **UNIT_MAPS_RUN), UNIT_MAPS_TRAJECTORY)]
    recipes += [(partial(neurons.record_run, kind, **NEURON_RUN), path)
                for kind, path in NEURON_TRAJECTORIES.items()]
    recipes += [(_classification_run, CLASSIFICATION_TRAJECTORY),
                (_digits_run, DIGITS_TRAJECTORY)]
    if not CLASSIFICATION_ARRAYS.exists() or "--all" in sys.argv:
        _classification_arrays()
    for recipe, path in recipes:
        if path.exists() and "--all" not in sys.argv:
            continue
        recipe().save(path, overwrite=True)
        print(f"wrote {path}")


def _classification_run():
    from vizkit import record
    from vizkit_scenes.classification import FINAL_LAYERS, build_classifier, circles_split

    (x, y), test = circles_split()
    model = build_classifier(FINAL_LAYERS, "adam", 0.01, seed=42)
    return record(model, x, y, epochs=12, seed=42, eval_sets={"test": test})


def _digits_run():
    from vizkit.data.image_sets import load_image_set
    from vizkit_scenes.digits import record_run

    return record_run(load_image_set("digits", seed=1234), epochs=6, seed=1234)


def _classification_arrays():
    import numpy as np

    from vizkit.inspect.grid import InputGrid
    from vizkit_scenes.classification import circles_split, regression_fit, train_ladder

    (x, _), (x_test, _) = circles_split()
    grid = InputGrid.around(np.concatenate([x, x_test]), 60, padding=0.05)
    _, ladder = train_ladder(epochs=20, grid=grid)
    arrays = {f"ladder_{i}": p for i, (p, _) in enumerate(ladder.values())}
    arrays.update({f"accuracy_{i}": a for i, (_, a) in enumerate(ladder.values())})
    arrays.update(dict(zip(("x_train", "y_train", "x_test", "y_test", "y_pred"),
                           regression_fit(epochs=30))))
    np.savez_compressed(CLASSIFICATION_ARRAYS, xs=grid.xs, ys=grid.ys, **arrays)
    print(f"wrote {CLASSIFICATION_ARRAYS}")


if __name__ == "__main__":
    make_fixtures()
