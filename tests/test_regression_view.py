"""A regression is drawn as one: the prediction as a continuous surface on a fixed
value scale with its colour bar, points coloured by their target, R² in the caption."""

import numpy as np
import pytest

from vizkit import LayerSpaces, record
from vizkit._keras import import_keras


@pytest.fixture(scope="module")
def run():
    keras = import_keras()
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, (120, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] ** 2).astype(np.float32)
    model = keras.Sequential([keras.Input((2,)),
                              keras.layers.Dense(4, activation="tanh", name="hidden"),
                              keras.layers.Dense(1, name="value")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return record(model, x, y, epochs=4, seed=0)


def numpy_prediction(trajectory, frame, x):
    kernel, bias, out_kernel, out_bias = trajectory.weights_at(frame)
    return (np.tanh(x @ kernel + bias) @ out_kernel + out_bias)[:, 0]


def test_colours_are_the_prediction_on_a_scale_holding_every_frame(run):
    view = LayerSpaces(run, grid_resolution=30)
    assert view.regression
    for frame in (0, run.n_frames - 1):
        _, scores = view.planes(view.outputs(frame))
        np.testing.assert_allclose(scores[:view._n_grid],
                                   numpy_prediction(run, frame, view.grid.points),
                                   rtol=1e-4, atol=1e-4)
        predicted = numpy_prediction(run, frame, run.x)
        assert view.norm.vmin <= predicted.min() + 1e-4
        assert view.norm.vmax >= predicted.max() - 1e-4
    assert view.norm.vmin <= run.y.min() and view.norm.vmax >= run.y.max()


def test_caption_says_r2_and_mae_equal_to_numpy(run):
    view = LayerSpaces(run, grid_resolution=30)
    last = run.n_frames - 1
    predicted = numpy_prediction(run, last, run.x)
    r2 = 1 - np.sum((run.y - predicted) ** 2) / np.sum((run.y - run.y.mean()) ** 2)
    assert run.metrics["r2"][last] == pytest.approx(r2, rel=1e-4, abs=1e-4)
    subtitle = view.frame_subtitle(last)
    assert f"r2 {run.metrics['r2'][last]:.3f}" in subtitle and "mae" in subtitle
    assert "accuracy" not in subtitle


def test_a_regression_frame_renders_with_a_colour_bar(run, tmp_path):
    view = LayerSpaces(run, grid_resolution=30)
    fig, header, axes = view.figure(dpi=40)
    bars = [ax for ax in fig.axes if "prediction" in ax.get_ylabel() + ax.get_xlabel()]
    assert bars, "no colour bar for the predicted value"
    result = view.render(tmp_path / "r.png", "png", frames=[run.n_frames - 1], dpi=40)
    assert result.frame_count == 1
