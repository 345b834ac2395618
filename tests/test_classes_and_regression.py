"""Classes come from the model's output units, and a regression is drawn as values.

Four tiny runs recorded here (60 points, 2 epochs): a 10-unit softmax on labels
0..2, a 3-unit softmax on labels 0/1, and regressions of whole-number and of
continuous targets. Each view that takes them draws one frame; its colours
are checked against numpy on the recorded weights (the predicted class's
colour, or the regression's value on the colour bar's scale), its key against
the model's classes, and a manifest's ``classes`` against the model.
"""

import functools
import json

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.image import AxesImage
from matplotlib.legend import Legend

from vizkit.style import class_colors, region_colors, style

CASES = ("wide", "binary3", "whole", "continuous")
CLASSES = {"wide": 10, "binary3": 3}


def _data(case):
    from vizkit import datasets

    x, y = datasets.blobs(0, n_samples=60, centers=((-4, 2), (0, -2), (4, 2)))
    if case == "binary3":
        return x, (y > 0).astype(np.int64)
    if case in CLASSES:
        return x, y
    value = x[:, 0] - 0.5 * x[:, 1]
    if case == "whole":  # 0..12: whole numbers that are not classes
        value = np.round((value - value.min()) / np.ptp(value) * 12)
    return x, value.astype(np.float32)


def _model(case):
    import keras

    keras.utils.set_random_seed(0)
    if case in CLASSES:
        last = keras.layers.Dense(CLASSES[case], activation="softmax", name="out")
        loss = "sparse_categorical_crossentropy"
    else:
        last, loss = keras.layers.Dense(1, name="out"), "mean_squared_error"
    model = keras.Sequential([keras.Input((2,)),
                              keras.layers.Dense(2, activation="tanh", name="hidden"), last])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss)
    return model


@functools.cache
def run(case):
    from vizkit import record

    x, y = _data(case)
    return record(_model(case), x, y, epochs=2, seed=0)


def predict(trajectory, frame, points):
    """The model's raw outputs at ``frame``, computed by numpy from the recorded weights."""
    model = trajectory.build_model(frame)
    kernel_h, bias_h, kernel_o, bias_o = model.get_weights()
    hidden = np.tanh(np.asarray(points, np.float64) @ kernel_h + bias_h)
    out = hidden @ kernel_o + bias_o
    if out.shape[1] == 1:
        return out[:, 0]
    e = np.exp(out - out.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def drawn(view, frame=0):
    with style():
        fig, header, axes = view.figure(dpi=100)
        view.draw(header, axes, frame)
    return fig, axes


def colour_bars(fig):
    return [ax._colorbar for ax in fig.findobj(lambda a: getattr(a, "_colorbar", None)
                                               is not None)]


def legend_names(fig):
    return [t.get_text() for legend in fig.findobj(Legend) for t in legend.get_texts()]


def region_rgb(classes, n_classes):
    return region_colors(n_classes)[classes]


def image_rgb(image):
    return image.to_rgba(image.get_array())[..., :3]


def check_class_key(fig, n_classes):
    names = legend_names(fig)
    for k in range(n_classes):
        assert f"class {k}" in names, f"class {k} has no key entry ({names})"


def check_points_by_class(ax, trajectory, n_classes):
    """The training points' faces are their label's class colour."""
    faces = {tuple(np.round(c[:3], 3)) for p in ax.findobj(PathCollection)
             if p.get_array() is None for c in p.get_facecolors()}
    expected = {tuple(np.round(c, 3)) for c in class_colors(n_classes)[np.unique(trajectory.y)]}
    assert expected <= faces


def value_image(ax):
    """The one colour-mapped image of ``ax``, and the scatter coloured on a map."""
    image = next(i for i in ax.findobj(AxesImage))
    points = next(p for p in ax.findobj(PathCollection) if p.get_array() is not None)
    return image, points


def value_range(trajectory):
    y = np.asarray(trajectory.y, np.float64)
    low, high = y.min(), y.max()
    for frame in range(trajectory.n_frames):
        predicted = predict(trajectory, frame, trajectory.x)
        low, high = min(low, predicted.min()), max(high, predicted.max())
    return low, high


# -- the readout -----------------------------------------------------------------------
def test_the_readout_names_every_class_the_model_outputs_and_says_what_the_data_lack():
    from vizkit.inspect.readout import Readout

    readout = Readout("softmax", 10)
    assert readout.class_names() == [f"class {k}" for k in range(10)]
    assert readout.class_names(["cat", "dog"])[:3] == ["cat", "dog", "class 2"]
    assert readout.class_names(["0", "1"], fill="{k}")[-1] == "9"
    assert readout.data_note([0, 1, 2, 2]) == "model: 10 classes, data: 3"
    assert Readout("softmax", 3).data_note([0, 1, 2]) is None
    assert Readout("regression", 1).class_names() == []


# -- layer spaces -----------------------------------------------------------------------
@pytest.mark.parametrize("case", ["wide", "binary3"])
def test_layer_spaces_draw_the_predicted_class_in_its_own_colour(case):
    from vizkit import LayerSpaces

    trajectory = run(case)
    n = CLASSES[case]
    view = LayerSpaces(trajectory, grid_resolution=24, mesh_resolution=12)
    fig, axes = drawn(view)
    predicted = predict(trajectory, 0, view._inputs[:view._n_grid]).argmax(axis=1)
    assert len(np.unique(predicted)) > 1
    image = next(i for i in axes[0].findobj(AxesImage))
    np.testing.assert_allclose(image_rgb(image), region_rgb(view.grid.to_grid(predicted), n),
                               atol=1e-6)
    check_class_key(fig, n)
    check_points_by_class(axes[0], trajectory, n)
    assert not any("P(" in t.get_text() for t in fig.findobj(mpl.text.Text))
    assert "model: %d classes, data: %d" % (n, len(np.unique(trajectory.y))) in (
        view.frame_subtitle(0))


@pytest.mark.parametrize("case", ["whole", "continuous"])
def test_layer_spaces_draw_a_regression_on_one_value_scale(case):
    from vizkit import LayerSpaces

    trajectory = run(case)
    view = LayerSpaces(trajectory, grid_resolution=24, mesh_resolution=12)
    fig, axes = drawn(view)
    image, points = value_image(axes[0])
    np.testing.assert_allclose((image.norm.vmin, image.norm.vmax), value_range(trajectory),
                               rtol=1e-5)
    expected = view.grid.to_grid(predict(trajectory, 0, view._inputs[:view._n_grid]))
    np.testing.assert_allclose(image.get_array(), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.sort(points.get_array()), np.sort(trajectory.y))
    assert not any(name.startswith("class") for name in legend_names(fig))


# -- the tween ----------------------------------------------------------------------------
def tween(trajectory):
    from vizkit.views.tween import Tween

    return Tween(trajectory, grid_resolution=24, mesh_resolution=12, steps=2, camera_steps=1,
                 hold=1)


def _mesh_faces(ax):
    """The warped grid's cell colours, as its colour map gives them."""
    mesh = next(c for c in ax.findobj(QuadMesh))
    return mesh.to_rgba(np.asarray(mesh.get_array()).ravel())[:, :3]


@pytest.mark.parametrize("case", ["wide", "binary3"])
def test_the_tween_draws_every_predicted_class_in_its_colour_with_a_key(case):
    trajectory = run(case)
    n = CLASSES[case]
    view = tween(trajectory)
    fig, axes = drawn(view)
    grid = predict(trajectory, view.epoch, view._inputs[:view._n_grid]).argmax(axis=1)
    cells = view.grid.to_grid(grid)[view._cell_index].ravel()
    np.testing.assert_allclose(_mesh_faces(axes[0]), region_rgb(cells, n), atol=1e-6)
    check_class_key(fig, n)
    check_points_by_class(axes[0], trajectory, n)


@pytest.mark.parametrize("case", ["whole", "continuous"])
def test_the_tween_draws_a_regression_as_values_with_a_colour_bar(case):
    trajectory = run(case)
    view = tween(trajectory)
    fig, axes = drawn(view)
    low, high = value_range(trajectory)
    grid = predict(trajectory, view.epoch, view._inputs[:view._n_grid])
    cells = view.grid.to_grid(grid)[view._cell_index].ravel()
    cmap = mpl.colormaps["viridis"]
    expected = cmap((cells - low) / (high - low))[:, :3]
    np.testing.assert_allclose(_mesh_faces(axes[0]), expected, atol=0.02)
    points = next(p for p in axes[0].findobj(PathCollection) if p.get_array() is not None)
    np.testing.assert_allclose(np.sort(points.get_array()), np.sort(trajectory.y))
    bars = colour_bars(fig)
    assert len(bars) == 1 and bars[0].cmap.name == "viridis"
    assert np.allclose((bars[0].norm.vmin, bars[0].norm.vmax), (low, high))
    assert not any(name.startswith("class") for name in legend_names(fig))


# -- the network diagram ----------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_the_network_output_panel(case):
    from vizkit.views.network import NetworkDiagram

    trajectory = run(case)
    view = NetworkDiagram(trajectory, grid_resolution=16)
    fig, (diagram, output_ax) = drawn(view)
    image = next(i for i in output_ax.findobj(AxesImage))
    outputs = predict(trajectory, 0, view.output_grid.points)
    if case in CLASSES:
        n = CLASSES[case]
        classes = view.output_grid.to_grid(outputs.argmax(axis=1))
        np.testing.assert_allclose(image_rgb(image), region_rgb(classes, n), atol=1e-6)
        check_class_key(fig, n)
        check_points_by_class(output_ax, trajectory, n)
        return
    np.testing.assert_allclose(image.get_array(), view.output_grid.to_grid(outputs),
                               rtol=1e-4, atol=1e-4)
    assert image.get_cmap().name == "viridis"
    low, high = image.norm.vmin, image.norm.vmax
    assert low <= trajectory.y.min() and high >= trajectory.y.max()  # not a 0..1 P scale
    points = next(p for p in output_ax.findobj(PathCollection) if p.get_array() is not None)
    assert points.norm is image.norm
    assert not any(name.startswith("class") for name in legend_names(fig))


# -- unit maps ----------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_unit_maps(case):
    from vizkit.views.units import REGIONS, UnitMaps

    trajectory = run(case)
    view = UnitMaps(trajectory, grid_resolution=16)
    fig, axes = drawn(view)
    if case in CLASSES:
        n = CLASSES[case]
        classes = predict(trajectory, 0, view.grid.points).argmax(axis=1)
        image = next(i for i in axes[REGIONS].findobj(AxesImage))
        np.testing.assert_allclose(image_rgb(image), region_rgb(view.grid.to_grid(classes), n),
                                   atol=1e-6)
        check_class_key(fig, n)
        return
    assert REGIONS not in axes
    low, high = value_range(trajectory)
    points = [p for ax in axes.values() for p in ax.findobj(PathCollection)
              if p.get_array() is not None]
    assert points and all(np.allclose((p.norm.vmin, p.norm.vmax), (low, high)) for p in points)
    assert not any(name.startswith("class") for name in legend_names(fig))


# -- sweeps -------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_a_sweep_cell_and_its_header(case):
    from vizkit.inspect.grid import InputGrid
    from vizkit.sweep.canvas import SweepCanvas
    from vizkit.sweep.cells import CellScales, VariantCell, trajectory_bytes
    from vizkit.sweep.sweep_run import _shared_outputs

    trajectory = run(case)
    shared = trajectory_bytes(trajectory)
    n_classes, values = _shared_outputs([shared])
    grid = InputGrid.around(trajectory.x, 16)
    cell = VariantCell(trajectory, grid, n_classes)
    cell.scales = CellScales(grid, n_classes, "seed=1", None, values)
    with style():
        fig, band, axes = cell.figure(dpi=100)
        cell.draw(band, axes, 0)
        canvas = SweepCanvas(1, 1, (int(fig.bbox.height), int(fig.bbox.width)), "1 run", 100,
                             n_classes=n_classes, values=values)
    image = next(i for i in axes[0].findobj(AxesImage))
    outputs = predict(trajectory, 0, grid.points)
    if case in CLASSES:
        n = CLASSES[case]
        assert n_classes == n and shared["classes"] == [f"class {k}" for k in range(n)]
        np.testing.assert_allclose(image_rgb(image), region_rgb(
            grid.to_grid(outputs.argmax(axis=1)), n), atol=1e-6)
        check_class_key(canvas.figure, n)
        return
    assert n_classes is None and shared["classes"] == []
    np.testing.assert_allclose(values, value_range(trajectory), rtol=1e-5)
    np.testing.assert_allclose(image.get_array(), grid.to_grid(outputs), rtol=1e-4, atol=1e-4)
    assert np.allclose((image.norm.vmin, image.norm.vmax), values)
    bars = colour_bars(canvas.figure)
    assert len(bars) == 1 and np.allclose((bars[0].norm.vmin, bars[0].norm.vmax), values)


# -- manifests and image models ------------------------------------------------------------
@pytest.mark.parametrize("case", ["wide", "whole"])
def test_the_manifest_records_the_classes_of_the_model(case, tmp_path):
    from vizkit import animate

    x, y = _data(case)
    out = animate(_model(case), x, y, epochs=1, out=tmp_path / "run.png", seed=0)
    manifests = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    readouts = [m["parameters"]["readout"] for m in manifests if "parameters" in m]
    assert out is not None and readouts
    expected = [f"class {k}" for k in range(CLASSES[case])] if case in CLASSES else []
    assert all(r["classes"] == expected for r in readouts)


def test_an_image_model_with_more_units_than_label_classes_is_drawn(tmp_path):
    from vizkit._keras import import_keras
    from vizkit.data.image_sets import load_image_file
    from vizkit.recording.image_run import record_image_run
    from vizkit.views.image_classifier import ImageClassifierView

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 5, 80)
    images = rng.uniform(0, 0.1, (80, 6, 6)).astype(np.float32)
    for k in range(5):
        images[labels == k, k, :] = 1.0
    np.savez(tmp_path / "five.npz", x=images, y=labels)
    image_set = load_image_file(tmp_path / "five.npz", seed=0)
    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((36,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    view = ImageClassifierView(record_image_run(model, image_set, epochs=1, seed=0))
    fig, _ = drawn(view)
    assert view.names == [str(k) for k in range(10)]
    names = legend_names(fig)
    assert all(str(k) in names for k in range(10))
    assert any("model: 10 classes, data: 5" in t.get_text() for t in fig.findobj(mpl.text.Text))
