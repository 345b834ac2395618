"""Every view of your own run is one --view away: record once, replay as each view."""

import json

import imageio.v3 as iio
import numpy as np
import pytest
from click.testing import CliRunner

from vizkit import datasets
from vizkit._keras import import_keras
from vizkit.views.registry import VIEWS
from vizkit.cli import main


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A user's functional 2 → 8 → 8 → 1 model, recorded with `vizkit record`."""
    keras = import_keras()
    folder = tmp_path_factory.mktemp("views")
    x, y = datasets.moons(0, n_samples=120)
    np.savetxt(folder / "moons.csv", np.column_stack([x, y]), delimiter=",")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((2,))
    hidden = keras.layers.Dense(8, activation="relu", name="h1")(inputs)
    hidden = keras.layers.Dense(8, activation="tanh", name="h2")(hidden)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="out")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.03), loss="binary_crossentropy")
    model.save(folder / "model.keras")
    result = CliRunner().invoke(main, ["record", "--model", str(folder / "model.keras"),
                                       "--data", str(folder / "moons.csv"), "--epochs", "4",
                                       "--out", str(folder / "run.npz"), "--quiet"])
    assert result.exit_code == 0, result.output
    return folder / "run.npz"


@pytest.mark.parametrize("view", VIEWS.choices())
def test_replay_as_each_view(recorded, view, tmp_path):
    out = tmp_path / f"{view}.gif"
    result = CliRunner().invoke(main, ["replay", str(recorded), "--view", view, "--out",
                                       str(out), "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / f"{view}.gif.json").read_text())
    assert manifest["parameters"]["view"] == view
    assert iio.imread(out, index=None).shape[0] == manifest["frames"]


def test_unit_maps_flag_is_the_units_view(recorded, tmp_path):
    result = CliRunner().invoke(main, ["replay", str(recorded), "--unit-maps", "--out",
                                       str(tmp_path / "u.png"), "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "u.png.json").read_text())["parameters"]["view"] == "units"
