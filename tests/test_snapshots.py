"""Pixels: frames of the stored trajectory against reviewed PNG baselines.

Rendered from tests/data (no training), with vizkit's fixed style, Agg and a
fixed dpi. `make baselines` rewrites the baselines on purpose.
"""

import pytest

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


# The lab's blob centres (the unit-maps scene's data), marked on the data panel.
BLOB_CENTRES = ((-5, 2), (-2, -2), (1, 2), (5, -2))


def write_png(still, path, dpi):
    from vizkit.stills import write_still

    write_still(still, path, dpi)
    return path


@pytest.fixture(scope="module")
def unit_maps_view(unit_maps_trajectory):
    from vizkit.unit_maps import UnitMaps

    return UnitMaps(unit_maps_trajectory, centres=BLOB_CENTRES, grid_resolution=80)


@pytest.mark.parametrize("still", ["data", "regions", "L1-units", "L2-units"])
def test_unit_maps_still(unit_maps_view, still, tmp_path, assert_image_matches):
    from vizkit.unit_maps import unit_map_stills

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
    from vizkit.neuron import NeuronView

    loss, activation, weights, labels = NEURONS[kind]
    view = NeuronView(Trajectory.load(NEURON_TRAJECTORIES[kind]), loss, activation,
                      target=weights, labels=labels, resolution=80)
    result = view.render(tmp_path / "n.png", "png", frames=[3, 30], dpi=45)
    for frame, path in zip((3, 30), result.paths):
        assert_image_matches(path, f"neuron_{kind}_frame{frame:03d}.png")


def test_neuron_stills(tmp_path, assert_image_matches):
    import numpy as np

    from vizkit.neuron import activations_still, neuron_fit_still

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


def rings_test_set():
    """The classification scene's held-out rings: the last 200 of make_circles(1000)."""
    from vizkit import datasets

    x, y = datasets.circles(42, n_samples=1000, noise=0.03)
    return x[800:], y[800:]


LADDER = ("Dense(1)", "Dense(1) → Dense(1)", "Dense(100) → Dense(10) → Dense(1)",
          "Dense(10, relu) → Dense(5, relu) → Dense(1)")


def test_classification_frames(tmp_path, assert_image_matches):
    from fixtures import CLASSIFICATION_TRAJECTORY
    from vizkit import Trajectory
    from vizkit.classification import ClassificationView

    x_test, y_test = rings_test_set()
    view = ClassificationView(Trajectory.load(CLASSIFICATION_TRAJECTORY), x_test, y_test,
                              grid_resolution=80)
    result = view.render(tmp_path / "c.png", "png", frames=[4, 12], dpi=45)
    for frame, path in zip((4, 12), result.paths):
        assert_image_matches(path, f"classification_frame{frame:03d}.png")


def test_classification_stills(tmp_path, assert_image_matches):
    import numpy as np

    from fixtures import CLASSIFICATION_ARRAYS
    from vizkit.grid import InputGrid
    from vizkit.lr_finder import LearningRateSearch
    from vizkit.panels import confusion_panel, decision_panel, lr_finder_panel, \
        regression_panel
    from vizkit.stills import axes_still

    data = np.load(CLASSIFICATION_ARRAYS)
    grid = InputGrid(data["xs"], data["ys"])
    x_test, y_test = rings_test_set()

    def ladder(axes):
        for i, (ax, title) in enumerate(zip(axes, LADDER)):
            decision_panel(ax, grid, data[f"ladder_{i}"], x_test, y_test,
                           title=f"{title}\ntest accuracy {float(data[f'accuracy_{i}']):.1%}")

    rates = 1e-4 * 10 ** (np.arange(60) / 20)
    search = LearningRateSearch(rates, 0.7 - 0.6 * np.exp(-((np.log10(rates) + 1.3) ** 2)),
                                float(rates[34] / 10))
    def rate(axes):
        lr_finder_panel(axes[0], search)
        axes[0].set_ylim(*search.loss_limits)

    drawings = {
        "ladder": (ladder, (12, 3.6), 4),
        "learning-rate": (rate, (5, 3.6), 1),
        "confusion": (lambda axes: confusion_panel(axes[0], np.array([[97, 3], [8, 92]]),
                                                   ["outer ring", "inner ring"]), (4, 3.8), 1),
        "regression": (lambda axes: regression_panel(
            axes[0], *(data[k] for k in ("x_train", "y_train", "x_test", "y_test", "y_pred"))),
            (5, 3.6), 1),
    }
    for name, (draw, size, columns) in drawings.items():
        still = axes_still(size, draw, columns=columns,
                           left=0.27 if name == "confusion" else None)
        path = write_png(still, tmp_path / f"classification_{name}.png", dpi=45)
        assert_image_matches(path, f"classification_{name}.png")


@pytest.fixture(scope="module")
def digits_view():
    from fixtures import DIGITS_TRAJECTORY
    from vizkit import Trajectory
    from vizkit.image_data import load_image_set
    from vizkit.images import DigitsView

    return DigitsView(Trajectory.load(DIGITS_TRAJECTORY), load_image_set("digits", seed=1234))


def test_digits_frames(digits_view, tmp_path, assert_image_matches):
    result = digits_view.render(tmp_path / "d.png", "png", frames=[1, 6], dpi=45)
    for frame, path in zip((1, 6), result.paths):
        assert_image_matches(path, f"digits_frame{frame:03d}.png")


def test_digits_stills(digits_view, tmp_path, assert_image_matches):
    from vizkit.images import digits_stills

    for name, still in digits_stills(digits_view, seed=1234).items():
        path = write_png(still, tmp_path / f"digits_{name}.png", dpi=40)
        assert_image_matches(path, path.name)
