"""Models of any number of input features: the input plane, the slice the regions are
drawn on, the per-layer health curves, and the command line, against numpy."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from helpers import assert_one_line_error
from vizkit import LayerSpaces, Trajectory, VizkitError
from vizkit._keras import import_keras
from vizkit.cli import main
from vizkit.inspect.input_plane import InputPlane
from vizkit.inspect.layer_health import LayerHealth, dead_fraction, probe_score, saturated_fraction

NAMES = ["age", "income", "height", "weight", "score", "f5", "f6", "f7", "f8", "f9"]


def table(n=240, seed=0):
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=n, n_features=10, n_informative=5, random_state=seed)
    return x.astype(np.float32), y


def tabular_model(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((10,)),
                              keras.layers.Dense(6, activation="relu", name="hidden"),
                              keras.layers.Dense(2, activation="tanh", name="squeeze"),
                              keras.layers.Dense(1, activation="sigmoid", name="output")])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy")
    return model


@pytest.fixture(scope="module")
def trajectory():
    from vizkit import record

    x, y = table()
    return record(tabular_model(import_keras()), x, y, epochs=3, seed=0,
                  info={"feature_names": NAMES})


@pytest.fixture(scope="module")
def view(trajectory):
    return LayerSpaces(trajectory, ["hidden", "squeeze"], grid_resolution=30)


def forward(trajectory, frame, x):
    w1, b1, w2, b2, w3, b3 = (w[frame].astype(np.float64) for w in trajectory.weights)
    hidden = np.maximum(0, x @ w1 + b1)
    squeeze = np.tanh(hidden @ w2 + b2)
    return hidden, squeeze, 1 / (1 + np.exp(-(squeeze @ w3 + b3)))


# -- the plane ------------------------------------------------------------------------------
def test_pca_plane_is_numpys_svd_of_the_standardised_features():
    x, _ = table()
    x = x * np.array([1, 10, 100, 0.1, 5, 1, 1, 1, 2, 3], np.float32)  # mixed units
    plane = InputPlane.fit(x)
    mean, std = x.mean(axis=0, dtype=np.float64), x.std(axis=0, dtype=np.float64)
    z = (x - mean) / std
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    for k in range(2):  # each axis up to its sign
        assert abs(abs(plane.axes[:, k] @ vt[k]) - 1) < 1e-6
    assert plane.explained == pytest.approx((s[:2] ** 2).sum() / (s ** 2).sum())
    np.testing.assert_allclose(plane.project(x), z @ plane.axes, atol=1e-4)
    uv = np.array([[0.5, -1.0], [2.0, 3.0]])
    np.testing.assert_allclose(plane.lift(uv), mean + std * (uv @ plane.axes.T), rtol=1e-5)
    np.testing.assert_allclose(plane.project(plane.lift(uv)), uv, atol=1e-4)
    assert plane.labels == ("PC 1 (standardised)", "PC 2 (standardised)")
    assert "PCA of 10 standardised features" in plane.note


def test_named_features_are_drawn_as_they_are_and_the_others_held_at_their_mean():
    x, _ = table()
    plane = InputPlane.fit(x, (3, 7), NAMES)
    np.testing.assert_allclose(plane.project(x), x[:, [3, 7]], atol=1e-5)
    lifted = plane.lift([[1.5, -2.0]])[0]
    assert (lifted[3], lifted[7]) == pytest.approx((1.5, -2.0))
    others = [i for i in range(10) if i not in (3, 7)]
    np.testing.assert_allclose(lifted[others], x.mean(axis=0)[others], atol=1e-5)
    assert plane.labels == ("weight", "f7") and "others at their mean" in plane.note


def test_two_features_are_the_plane_itself():
    x = np.random.default_rng(0).normal(size=(50, 2))
    plane = InputPlane.fit(x)
    assert plane.kind == "identity" and plane.note == ""
    np.testing.assert_allclose(plane.project(x), x)


@pytest.mark.parametrize("features, needle", [((3, 3), "two different ones"),
                                              ((0, 12), "numbered 0 to 9")])
def test_bad_feature_numbers_are_one_line(features, needle):
    with pytest.raises(VizkitError, match=needle):
        InputPlane.fit(table()[0], features)


# -- the view -------------------------------------------------------------------------------
def test_regions_are_the_network_on_the_slice_through_the_mean(view, trajectory):
    n_grid = view._n_grid
    for frame in (0, trajectory.n_frames - 1):
        uv = view.grid.points.astype(np.float64)
        x = trajectory.x.astype(np.float64)
        lifted = x.mean(axis=0) + x.std(axis=0) * (uv @ view.plane.axes.T)
        _, _, p = forward(trajectory, frame, lifted)
        scores = view.readout.scores(view.outputs(frame)[view.output_name][:n_grid])
        np.testing.assert_allclose(scores, p.ravel(), atol=2e-5)
        planes, _ = view.planes(view.outputs(frame))
        _, squeeze, _ = forward(trajectory, frame, trajectory.x.astype(np.float64))
        np.testing.assert_allclose(planes["squeeze"][n_grid:], squeeze, atol=2e-5)


def test_the_input_panel_says_what_it_shows(view):
    fig, _, axes = view.figure(dpi=40)
    title = axes[0].get_title()
    assert "PCA of 10 standardised features" in title and "slice through the mean" in title
    assert (axes[0].get_xlabel(), axes[0].get_ylabel()) == ("PC 1 (standardised)",
                                                            "PC 2 (standardised)")
    np.testing.assert_allclose(view.points, view.plane.project(view.trajectory.x))
    health_titles = [ax.get_title() for ax in axes[3:]]
    assert health_titles == ["dead ReLU units", "saturated activations",
                             "linear probe accuracy (held out)"]


def test_health_curves_are_numpys(view, trajectory):
    health = view.health
    rows = np.sort(np.random.default_rng(0).permutation(len(trajectory.x))[:1000])
    for frame in range(trajectory.n_frames):
        hidden, squeeze, _ = forward(trajectory, frame, trajectory.x[rows].astype(np.float64))
        assert health.dead["hidden"][frame] == pytest.approx(np.mean(np.all(hidden <= 0,
                                                                            axis=0)))
        assert health.saturated["squeeze"][frame] == pytest.approx(
            np.mean(np.abs(squeeze) > 0.99), abs=1e-9)
    assert set(health.dead) == {"hidden"} and set(health.saturated) == {"squeeze"}
    assert 0.5 < health.probe["squeeze"][-1] <= 1


def test_measures_on_known_outputs():
    outputs = np.array([[0.0, 1.0, 0.0], [0.0, 2.0, -1.0]])
    assert dead_fraction(outputs) == pytest.approx(2 / 3)  # units 0 and 2 never fire
    assert saturated_fraction(np.array([[0.995, -0.999], [0.2, -0.5]]), "tanh") == 0.5
    assert saturated_fraction(np.array([[0.005, 0.999], [0.5, 0.3]]), "sigmoid") == 0.5
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    assert probe_score(x, (x[:, 0] + x[:, 1] > 0).astype(int)) > 0.97  # separable
    assert probe_score(x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(int)) < 0.7  # XOR
    assert probe_score(x, 2 * x[:, 0] - x[:, 1], regression=True) == pytest.approx(1.0)


def test_a_layer_without_a_measure_has_no_entry():
    keras = import_keras()
    inputs = keras.Input((3,))
    gelu = keras.layers.Dense(4, activation="gelu", name="gelu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(gelu))
    x = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    health = LayerHealth.measure(model, ["gelu"], lambda f: {"gelu": model(x).numpy()},
                                 (x[:, 0] > 0).astype(int), 2)
    assert health.dead == {} and health.saturated == {}
    assert [key for key, _, _ in health.measures()] == ["probe"]


# -- the command line ---------------------------------------------------------------------
def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("table")
    x, y = table()
    np.savetxt(folder / "table.csv", np.column_stack([x, y]), delimiter=",",
               header=",".join(NAMES + ["label"]), comments="")
    tabular_model(import_keras()).save(folder / "table.keras")
    return folder


def test_animate_and_replay_a_ten_feature_model(files, tmp_path):
    out = tmp_path / "t.gif"
    result = run(["animate", "--model", str(files / "table.keras"), "--data",
                  str(files / "table.csv"), "--epochs", "2", "--dpi", "40", "--quiet",
                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    trajectory = Trajectory.load(tmp_path / "t.trajectory.npz")
    assert trajectory.x.shape == (240, 10) and trajectory.info["feature_names"] == NAMES
    result = run(["replay", str(tmp_path / "t.trajectory.npz"), "--input-features", "3,7",
                  "--out", str(tmp_path / "r.png"), "--dpi", "40", "--quiet"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "r.png.json").read_text())
    assert manifest["parameters"]["input_features"] == [3, 7]
    assert LayerSpaces(trajectory, input_features=(3, 7), grid_resolution=20).plane.labels \
        == ("weight", "f7")


@pytest.mark.parametrize("args, needles", [
    (["--input-features", "3,3"], ["two different ones"]),
    (["--input-features", "3"], ["give two feature numbers"]),
    (["--input-features", "3,12"], ["numbered 0 to 9"]),
    (["--input-features", "3,7", "--view", "units"], ["--view layers"]),
    (["--view", "units"], ["10 input features", "--view layers"]),
    (["--view", "tween"], ["10 input features", "--view layers"]),
    (["--view", "network"], ["10 input features", "--view layers"]),
])
def test_views_that_cannot_draw_it_say_so_in_one_line(files, tmp_path, args, needles):
    result = run(["animate", "--model", str(files / "table.keras"), "--data",
                  str(files / "table.csv"), "--epochs", "1", "--dpi", "30", "--quiet",
                  "--out", str(tmp_path / "t.gif"), *args])
    assert_one_line_error(result, *needles)
    assert list(tmp_path.iterdir()) == []


# -- one feature: a line, not a plane --------------------------------------------------
@pytest.fixture(scope="module")
def wave():
    """A one-feature Sequential classifier whose 2-unit layer unfolds a wave."""
    from vizkit import record

    keras = import_keras()
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (200, 1)).astype(np.float32)
    y = (np.sin(2 * x[:, 0]) > 0).astype(int)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)),
                              keras.layers.Dense(6, activation="tanh", name="h1"),
                              keras.layers.Dense(2, activation="tanh", name="h2"),
                              keras.layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    trajectory = record(model, x, y, epochs=3, seed=0)
    return LayerSpaces(trajectory, grid_resolution=40)


def test_one_feature_is_drawn_against_the_models_answer(wave):
    trajectory, last = wave.trajectory, wave.trajectory.n_frames - 1
    w1, b1, w2, b2, w3, b3 = (w[last].astype(np.float64) for w in trajectory.weights)
    xs = wave.grid.xs.astype(np.float64)[:, None]
    h2 = np.tanh(np.tanh(xs @ w1 + b1) @ w2 + b2)
    _, axes = None, wave.figure(dpi=30)[2]
    wave.draw_frame(axes, last)
    curve = axes[0].get_lines()[0].get_xydata()
    np.testing.assert_allclose(curve[:, 1], (1 / (1 + np.exp(-(h2 @ w3 + b3))))[:, 0],
                               atol=2e-5)  # P(class 1) along the feature
    np.testing.assert_allclose(wave.points[:, 1], trajectory.y)  # points at their class
    carried = [line for line in axes[2].get_lines()][0].get_xydata()
    np.testing.assert_allclose(carried, h2, atol=2e-5)  # the line, carried into h2
    assert axes[0].get_ylabel() == "P(class 1) (line), class (points)"


def test_a_sequential_models_two_unit_layer_is_coloured_by_the_rest_of_it(wave):
    last = wave.trajectory.n_frames - 1
    w3, b3 = (w[last].astype(np.float64) for w in wave.trajectory.weights[4:])
    plane = wave.plane_grids["h2"].points.astype(np.float64)
    np.testing.assert_allclose(wave.plane_scores(last, "h2").ravel(),
                               (1 / (1 + np.exp(-(plane @ w3 + b3))))[:, 0], atol=2e-5)
