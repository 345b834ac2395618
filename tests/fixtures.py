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


def make_fixtures():
    from functools import partial

    from vizkit_scenes import layer_spaces, neurons, unit_maps

    DATA.mkdir(exist_ok=True)
    recipes = [(partial(layer_spaces.record_run, **LAYER_SPACES_RUN), LAYER_SPACES_TRAJECTORY),
               (partial(unit_maps.record_run, **UNIT_MAPS_RUN), UNIT_MAPS_TRAJECTORY)]
    recipes += [(partial(neurons.record_run, kind, **NEURON_RUN), path)
                for kind, path in NEURON_TRAJECTORIES.items()]
    for recipe, path in recipes:
        if path.exists() and "--all" not in sys.argv:
            continue
        recipe().save(path)
        print(f"wrote {path}")


if __name__ == "__main__":
    make_fixtures()
