"""Unit maps show each unit's true output: checked with numpy from the weights."""

import numpy as np
import pytest
from click.testing import CliRunner

from vizkit import VizkitError
from vizkit._keras import import_keras
from vizkit.views.units import UnitMaps, parse_units
from vizkit_scenes.unit_maps import CENTRES, cli


@pytest.fixture(scope="module")
def view(unit_maps_trajectory):
    return UnitMaps(unit_maps_trajectory, centres=CENTRES, grid_resolution=40)


def weights(trajectory, frame):
    return [w.astype(np.float64) for w in trajectory.weights_at(frame)]


@pytest.mark.parametrize("frame", [0, 17, -1])
def test_l1_maps_are_relu_of_x_w_plus_b(view, unit_maps_trajectory, frame):
    frame %= unit_maps_trajectory.n_frames
    w1, b1, _, _ = weights(unit_maps_trajectory, frame)
    maps, _ = view.values(frame)
    values, points, pre = maps["L1"]
    grid = view.grid.points.astype(np.float64)
    np.testing.assert_allclose(values, np.maximum(0, grid @ w1 + b1), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(pre, grid @ w1 + b1, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(points, unit_maps_trajectory.x)


def test_l2_maps_live_on_the_l1_plane(view, unit_maps_trajectory):
    frame = unit_maps_trajectory.n_frames - 1
    w1, b1, w2, b2 = weights(unit_maps_trajectory, frame)
    maps, _ = view.values(frame)
    values, points, _ = maps["L2"]
    plane = view.planes["L2"].points.astype(np.float64)
    np.testing.assert_allclose(values, plane @ w2 + b2, rtol=1e-5, atol=1e-4)
    carried = np.maximum(0, unit_maps_trajectory.x @ w1 + b1)
    np.testing.assert_allclose(points, carried, rtol=1e-5, atol=1e-4)
    assert view.over_plane == {"L1": False, "L2": True}


def test_plane_holds_every_frames_points(view, unit_maps_trajectory):
    plane = view.planes["L2"]
    for frame in range(unit_maps_trajectory.n_frames):
        w1, b1, _, _ = weights(unit_maps_trajectory, frame)
        carried = np.maximum(0, unit_maps_trajectory.x @ w1 + b1)
        assert plane.xs[0] <= carried[:, 0].min() and carried[:, 0].max() <= plane.xs[-1]
        assert plane.ys[0] <= carried[:, 1].min() and carried[:, 1].max() <= plane.ys[-1]


def test_decision_regions_are_the_argmax_of_the_forward_pass(view, unit_maps_trajectory):
    frame = unit_maps_trajectory.n_frames - 1
    w1, b1, w2, b2 = weights(unit_maps_trajectory, frame)
    grid = view.grid.points.astype(np.float64)
    expected = (np.maximum(0, grid @ w1 + b1) @ w2 + b2).argmax(axis=1)
    _, classes = view.values(frame)
    assert (classes.ravel() == expected).mean() > 0.999  # ties at float round-off aside


def test_each_unit_has_its_own_colour_scale_covering_every_frame(view, unit_maps_trajectory):
    frames = range(unit_maps_trajectory.n_frames)
    grid = view.grid.points.astype(np.float64)
    relu = np.stack([np.maximum(0, grid @ w[0] + w[1]) for w in
                     (weights(unit_maps_trajectory, f) for f in frames)])
    for unit in range(2):
        norm = view.norm("L1", unit)
        assert norm.vmin == 0
        assert norm.vmax == pytest.approx(relu[:, :, unit].max(), rel=1e-4)
    plane = view.planes["L2"].points.astype(np.float64)
    logits = np.stack([plane @ w[2] + w[3] for w in
                       (weights(unit_maps_trajectory, f) for f in frames)])
    for unit in range(4):
        norm = view.norm("L2", unit)
        low, high = logits[:, :, unit].min(), logits[:, :, unit].max()
        assert norm.vmin == pytest.approx(low, rel=1e-4)
        assert norm(0.0) == pytest.approx(0.5)  # white at zero, each sign its own reach
        assert norm.vmax == pytest.approx(high if high > 0 else -low, rel=1e-4)


def test_deeper_layer_with_wide_input_is_mapped_over_the_input_plane():
    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="relu", name="a"),
                              keras.layers.Dense(2, activation="tanh", name="b"),
                              keras.layers.Dense(3, name="c")])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(True))
    from vizkit import datasets, record

    x, y = datasets.blobs(1, n_samples=30, centers=((0, 0), (3, 3), (0, 3)))
    run = record(model, x, y, epochs=1)
    view = UnitMaps(run, grid_resolution=12)
    assert view.over_plane == {"a": False, "b": False, "c": True}
    wa, ba, wb, bb, _, _ = weights(run, 1)
    maps, _ = view.values(1)
    grid = view.grid.points.astype(np.float64)
    hidden = np.maximum(0, grid @ wa + ba)
    np.testing.assert_allclose(maps["b"][0], np.tanh(hidden @ wb + bb), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(maps["b"][2], hidden @ wb + bb, rtol=1e-5, atol=1e-5)


def test_only_dense_layers_are_accepted(unit_maps_trajectory):
    with pytest.raises(VizkitError, match="'input' is not a Dense layer.*L1, L2"):
        UnitMaps(unit_maps_trajectory, layers=["input"])


def test_parse_units():
    widths = {"L1": 2, "L2": 4}
    assert parse_units([], widths) == {}
    assert parse_units(["L2:3,0", "L1:1"], widths) == {"L2": [0, 3], "L1": [1]}
    with pytest.raises(VizkitError, match="unit 4 is out of range; layer L2 has units 0 to 3"):
        parse_units(["L2:4"], widths)
    with pytest.raises(VizkitError, match="'x' is not a unit number"):
        parse_units(["L1:x"], widths)
    with pytest.raises(VizkitError, match="LAYER one of L1, L2"):
        parse_units(["0,1"], widths)


@pytest.mark.parametrize("spec, needle", [("L2:9", "out of range"), ("L1:one", "not a unit number"),
                                          ("L3:0", "LAYER one of L1, L2")])
def test_bad_units_option_is_a_one_line_error(tmp_path, spec, needle):
    result = CliRunner().invoke(cli, ["--epochs", "1", "--units", spec, "--out",
                                      str(tmp_path / "u.gif"), "--quiet"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --units") and needle in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_scene_writes_four_stills_and_the_animation(tmp_path):
    out = tmp_path / "u.gif"
    result = CliRunner().invoke(cli, ["--epochs", "2", "--units", "L2:0,1", "--out", str(out),
                                      "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    for still in ("data", "regions", "L1-units", "L2-units"):
        assert f"u-{still}.png" in names and f"u-{still}.png.json" in names
    assert {"u.gif", "u.gif.json", "u.trajectory.npz"} <= names


def test_many_units_wrap_into_a_grid(view):
    from vizkit.views.units import DATA, REGIONS, UnitPart

    parts = [DATA, REGIONS] + [UnitPart("L2", u) for u in range(14)]
    rows = view._rows(parts)
    assert [len(r) for r in rows] == [4, 4, 4, 4]
    assert [p for r in rows for p in r] == parts
    chosen = [DATA, REGIONS, UnitPart("L1", 0), UnitPart("L1", 1), UnitPart("L2", 0),
              UnitPart("L2", 3)]  # --units L2:0,3: two rows of three, no empty cell
    assert [len(r) for r in view._rows(chosen)] == [3, 3]
