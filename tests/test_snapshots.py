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


@pytest.fixture(scope="module")
def unit_maps_view(unit_maps_trajectory):
    from vizkit.unit_maps import UnitMaps
    from vizkit_scenes.unit_maps import CENTRES

    return UnitMaps(unit_maps_trajectory, centres=CENTRES, grid_resolution=80)


@pytest.mark.parametrize("still", ["data", "regions", "L1-units", "L2-units"])
def test_unit_maps_still(unit_maps_view, still, tmp_path, assert_image_matches):
    from vizkit_scenes.unit_maps import still_parts

    path = tmp_path / f"unit_maps_{still}.png"
    unit_maps_view.still(path, still_parts(unit_maps_view, still), dpi=50)
    assert_image_matches(path, f"unit_maps_{still}.png")


def test_unit_maps_animation_frames(unit_maps_view, tmp_path, assert_image_matches):
    result = unit_maps_view.render(tmp_path / "um.png", "png", frames=[0, 20], dpi=45)
    for frame, path in zip((0, 20), result.paths):
        assert_image_matches(path, f"unit_maps_frame{frame:03d}.png")


@pytest.mark.parametrize("kind", ["linear", "logistic"])
def test_neuron_training_frames(kind, tmp_path, assert_image_matches):
    from fixtures import NEURON_TRAJECTORIES
    from vizkit import Trajectory
    from vizkit.neuron import NeuronView
    from vizkit_scenes.neurons import NEURONS

    spec = NEURONS[kind]
    view = NeuronView(Trajectory.load(NEURON_TRAJECTORIES[kind]), spec["loss"],
                      spec["activation"], target=spec["weights"], labels=spec["labels"],
                      resolution=80)
    result = view.render(tmp_path / "n.png", "png", frames=[3, 30], dpi=45)
    for frame, path in zip((3, 30), result.paths):
        assert_image_matches(path, f"neuron_{kind}_frame{frame:03d}.png")


def test_neuron_stills(tmp_path, assert_image_matches):
    from vizkit_scenes.neurons import draw_stills

    for path in draw_stills(tmp_path / "n.png", dpi=45, overwrite=False):
        assert_image_matches(path, f"neurons_{path.name.split('-', 1)[1]}")


def test_classification_frames(tmp_path, assert_image_matches):
    from fixtures import CLASSIFICATION_TRAJECTORY
    from vizkit import Trajectory
    from vizkit.classification import ClassificationView
    from vizkit_scenes.classification import circles_split

    (_, _), (x_test, y_test) = circles_split()
    view = ClassificationView(Trajectory.load(CLASSIFICATION_TRAJECTORY), x_test, y_test,
                              grid_resolution=80)
    result = view.render(tmp_path / "c.png", "png", frames=[4, 12], dpi=45)
    for frame, path in zip((4, 12), result.paths):
        assert_image_matches(path, f"classification_frame{frame:03d}.png")


def test_classification_stills(tmp_path, assert_image_matches):
    import numpy as np

    from fixtures import CLASSIFICATION_ARRAYS
    from vizkit.classification import decision_panel, regression_panel
    from vizkit.confusion import confusion_panel
    from vizkit.grid import InputGrid
    from vizkit.lr_finder import LearningRateSearch, lr_finder_panel
    from vizkit_scenes.classification import LADDER, circles_split, still

    data = np.load(CLASSIFICATION_ARRAYS)
    grid = InputGrid(data["xs"], data["ys"])
    (_, _), (x_test, y_test) = circles_split()

    def ladder(axes):
        for i, (ax, title) in enumerate(zip(axes, LADDER)):
            decision_panel(ax, grid, data[f"ladder_{i}"], x_test, y_test,
                           title=f"{title}\ntest accuracy {float(data[f'accuracy_{i}']):.1%}")

    rates = 1e-4 * 10 ** (np.arange(60) / 20)
    search = LearningRateSearch(rates, 0.7 - 0.6 * np.exp(-((np.log10(rates) + 1.3) ** 2)),
                                float(rates[34] / 10))
    drawings = {
        "ladder": (ladder, (12, 3.6), 4),
        "learning-rate": (lambda axes: lr_finder_panel(axes[0], search), (5, 3.6), 1),
        "confusion": (lambda axes: confusion_panel(axes[0], np.array([[97, 3], [8, 92]]),
                                                   ["outer ring", "inner ring"]), (4, 3.8), 1),
        "regression": (lambda axes: regression_panel(
            axes[0], *(data[k] for k in ("x_train", "y_train", "x_test", "y_test", "y_pred"))),
            (5, 3.6), 1),
    }
    for name, (draw, size, columns) in drawings.items():
        path = tmp_path / f"classification_{name}.png"
        still(path, draw, size, dpi=45, columns=columns, left=0.27 if name == "confusion" else None)
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
    from vizkit_scenes.digits import draw_stills

    names = ("samples", "predictions", "probabilities", "errors", "confusion", "weights")
    paths = {name: tmp_path / f"digits_{name}.png" for name in names}
    draw_stills(digits_view, paths, dpi=40, overwrite=False, seed=1234)
    for name, path in paths.items():
        assert_image_matches(path, path.name)
