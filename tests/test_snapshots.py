"""Pixels: frames of the stored trajectory against reviewed PNG baselines.

Rendered from tests/data (no training), with vizkit's fixed style, Agg and a
fixed dpi. `make baselines` rewrites the baselines on purpose.
"""

import pytest

from stills_data import classification_run, rings_test_set
from vizkit import LayerSpaces

pytestmark = pytest.mark.snapshot


@pytest.fixture(scope="module")
def stills(stored_trajectory, tmp_path_factory):
    out = tmp_path_factory.mktemp("snapshots") / "layer-spaces.png"
    view = LayerSpaces(stored_trajectory, grid_resolution=120)
    last = stored_trajectory.n_frames - 1
    frames = [0, last // 2, last]
    result = view.render(out, "png", frames=frames, dpi=60)
    return dict(zip(frames, result.paths))


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_layer_spaces_frame(stills, position, assert_image_matches):
    frames = sorted(stills)
    frame = {"first": frames[0], "middle": frames[1], "last": frames[2]}[position]
    assert_image_matches(stills[frame], f"layer_spaces_{position}.png")


def test_layer_spaces_data_still(stored_trajectory, tmp_path, assert_image_matches):
    still = LayerSpaces(stored_trajectory, grid_resolution=40).data_still()
    assert_image_matches(write_png(still, tmp_path / "d.png", dpi=60), "layer_spaces_data.png")


# The lab's blob centres (the unit-maps scene's data), marked on the data panel.
BLOB_CENTRES = ((-5, 2), (-2, -2), (1, 2), (5, -2))


def write_png(still, path, dpi):
    from vizkit.views.stills import write_still

    write_still(still, path, dpi)
    return path


@pytest.fixture(scope="module")
def unit_maps_view(unit_maps_trajectory):
    from vizkit.views.units import UnitMaps

    return UnitMaps(unit_maps_trajectory, centres=BLOB_CENTRES, grid_resolution=80)


@pytest.mark.parametrize("still", ["data", "regions", "L1-units", "L2-units"])
def test_unit_maps_still(unit_maps_view, still, tmp_path, assert_image_matches):
    from vizkit.views.units import unit_map_stills

    path = write_png(unit_map_stills(unit_maps_view)[still], tmp_path / "u.png", dpi=50)
    assert_image_matches(path, f"unit_maps_{still}.png")


def test_unit_maps_animation_frames(unit_maps_view, tmp_path, assert_image_matches):
    result = unit_maps_view.render(tmp_path / "um.png", "png", frames=[0, 20], dpi=45)
    for frame, path in zip((0, 20), result.paths):
        assert_image_matches(path, f"unit_maps_frame{frame:03d}.png")


NEURONS = {  # the neurons scene's two neurons: loss, activation, the lab's weights, labels
    "linear": ("mean_squared_error", "linear", (200.0, 100.0),
               ("size (1000 sqft)", "price ($1000s)")),
    "logistic": ("binary_crossentropy", "sigmoid", (2.0, -4.5), ("x", "y")),
}


@pytest.mark.parametrize("kind", ["linear", "logistic"])
def test_neuron_training_frames(kind, tmp_path, assert_image_matches):
    from fixtures import NEURON_TRAJECTORIES
    from vizkit import Trajectory
    from vizkit.views.neuron_fit import NeuronView

    loss, activation, weights, labels = NEURONS[kind]
    view = NeuronView(Trajectory.load(NEURON_TRAJECTORIES[kind]), loss, activation,
                      target=weights, labels=labels, resolution=80)
    result = view.render(tmp_path / "n.png", "png", frames=[3, 30], dpi=45)
    for frame, path in zip((3, 30), result.paths):
        assert_image_matches(path, f"neuron_{kind}_frame{frame:03d}.png")


def test_neuron_stills(tmp_path, assert_image_matches):
    import numpy as np

    from vizkit.views.neuron_fit import activations_still, neuron_fit_still

    xs = np.linspace(0.5, 2.5, 200)
    linear = neuron_fit_still(np.array([1.0, 2.0]), np.array([300.0, 500.0]), xs,
                              200 * xs + 100, 200 * xs + 100, (200.0, 100.0),
                              activation="linear", labels=NEURONS["linear"][3],
                              title="linear neuron, weights set by hand")
    xs = np.linspace(-0.5, 5.5, 200)
    sigmoid = 1 / (1 + np.exp(-(2 * xs - 4.5)))
    logistic = neuron_fit_still(np.arange(6.0), np.array([0, 0, 0, 1, 1, 1.0]), xs, sigmoid,
                                sigmoid, (2.0, -4.5), activation="sigmoid", labels=("x", "y"),
                                title="logistic neuron, weights set by hand")
    z = np.linspace(-10, 10, 401)
    s = 1 / (1 + np.exp(-z))
    curves = {"linear": (z, np.ones_like(z)), "sigmoid": (s, s * (1 - s)),
              "tanh": (np.tanh(z), 1 - np.tanh(z) ** 2),
              "relu": (np.maximum(z, 0), (z > 0).astype(float))}
    stills = {"linear-fit": linear, "logistic-fit": logistic,
              "activations": activations_still(z, curves)}
    for name, still in stills.items():
        path = write_png(still, tmp_path / f"{name}.png", dpi=45)
        assert_image_matches(path, f"neurons_{name}.png")


def test_classification_frames(tmp_path, assert_image_matches):
    from vizkit.views.decision_regions import ClassificationView

    view = ClassificationView(classification_run(), *rings_test_set(), grid_resolution=80)
    result = view.render(tmp_path / "c.png", "png", frames=[4, 12], dpi=45)
    for frame, path in zip((4, 12), result.paths):
        assert_image_matches(path, f"classification_frame{frame:03d}.png")


def test_classification_stills(tmp_path, assert_image_matches):
    from vizkit.views.decision_regions import ClassificationView, classification_stills

    run = classification_run()
    view = ClassificationView(run, *rings_test_set(), grid_resolution=60)
    for name, still in classification_stills(run, view).items():
        path = write_png(still, tmp_path / f"classification_{name}.png", dpi=45)
        assert_image_matches(path, f"classification_{name}.png")


@pytest.fixture(scope="module")
def digits_view():
    from fixtures import DIGITS_TRAJECTORY
    from vizkit import Trajectory
    from vizkit.data.image_sets import load_image_set
    from vizkit.views.image_classifier import ImageClassifierView

    return ImageClassifierView(Trajectory.load(DIGITS_TRAJECTORY), load_image_set("digits", seed=1234))


def test_digits_frames(digits_view, tmp_path, assert_image_matches):
    result = digits_view.render(tmp_path / "d.png", "png", frames=[1, 6], dpi=45)
    for frame, path in zip((1, 6), result.paths):
        assert_image_matches(path, f"digits_frame{frame:03d}.png")


def test_digits_stills(digits_view, tmp_path, assert_image_matches):
    from vizkit.views.image_classifier import digits_stills

    for name, still in digits_stills(digits_view, seed=1234).items():
        path = write_png(still, tmp_path / f"digits_{name}.png", dpi=40)
        assert_image_matches(path, path.name)
