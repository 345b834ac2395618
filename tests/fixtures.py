"""Stored test fixtures: how they are made, and where they live.

``make fixtures`` re-records them (on purpose only: snapshot baselines are
drawn from them, so they change together).
"""

from pathlib import Path

DATA = Path(__file__).parent / "data"
LAYER_SPACES_TRAJECTORY = DATA / "layer_spaces_trajectory.npz"
# Short enough to re-record in a test, long enough for the regions to move.
LAYER_SPACES_RUN = dict(epochs=8, hidden_units=2, activation="tanh", learning_rate=0.1,
                        seed=12345)


def make_fixtures():
    from vizkit_scenes.layer_spaces import record_run

    DATA.mkdir(exist_ok=True)
    record_run(**LAYER_SPACES_RUN).save(LAYER_SPACES_TRAJECTORY)
    print(f"wrote {LAYER_SPACES_TRAJECTORY}")


if __name__ == "__main__":
    make_fixtures()
