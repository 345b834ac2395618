"""The probe and the layer spaces show true numbers: checked with numpy from the weights."""

import numpy as np
import pytest

from vizkit import LayerProbe, LayerSpaces, VizkitError
from vizkit._keras import import_keras
from vizkit.inspect.probe import default_layers


def numpy_forward(weights, x):
    """The notebook network by hand: x·W + b, tanh, then ·W + b, sigmoid."""
    w1, b1, w2, b2 = [w.astype(np.float64) for w in weights]
    hidden = x.astype(np.float64) @ w1 + b1
    activation = np.tanh(hidden)
    output = 1 / (1 + np.exp(-(activation @ w2 + b2)))
    return hidden, activation, output


@pytest.fixture(scope="module")
def view(stored_trajectory):
    return LayerSpaces(stored_trajectory, grid_resolution=30)


def test_probe_matches_numpy_at_every_frame(stored_trajectory):
    model = stored_trajectory.build_model(0)
    probe = LayerProbe(model, ["hidden_1", "activation_1", "activation_output"])
    x = np.random.default_rng(3).uniform(-3, 3, (500, 2)).astype(np.float32)
    for frame in range(stored_trajectory.n_frames):
        model.set_weights(stored_trajectory.weights_at(frame))
        out = probe(x)
        hidden, activation, output = numpy_forward(stored_trajectory.weights_at(frame), x)
        np.testing.assert_allclose(out["hidden_1"], hidden, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(out["activation_1"], activation, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(out["activation_output"], output, rtol=1e-5, atol=1e-6)


def test_probe_in_batches_equals_one_pass(stored_trajectory):
    probe = LayerProbe(stored_trajectory.build_model(-1), ["hidden_1"])
    x = np.random.default_rng(4).normal(size=(1000, 2))
    np.testing.assert_array_equal(probe(x, batch_size=128)["hidden_1"], probe(x)["hidden_1"])


def test_layer_spaces_planes_are_the_layers_outputs(view, stored_trajectory):
    frame = stored_trajectory.n_frames - 1
    outputs = view.outputs(frame)
    planes, scores = view.planes(outputs)
    hidden, activation, output = numpy_forward(stored_trajectory.weights_at(frame),
                                               view._inputs)
    np.testing.assert_allclose(planes["hidden_1"], hidden, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(planes["activation_1"], activation, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores, output[:, 0], rtol=1e-5, atol=1e-6)


def test_limits_hold_every_frame_and_every_point(view, stored_trajectory):
    for frame in range(stored_trajectory.n_frames):
        hidden, activation, _ = numpy_forward(stored_trajectory.weights_at(frame),
                                              stored_trajectory.x)
        for name, coords in (("hidden_1", hidden), ("activation_1", activation)):
            (x0, x1), (y0, y1) = view.limits[name]
            assert x0 <= coords[:, 0].min() and coords[:, 0].max() <= x1
            assert y0 <= coords[:, 1].min() and coords[:, 1].max() <= y1


def test_default_layers_are_the_hidden_ones(stored_trajectory):
    assert default_layers(stored_trajectory.build_model()) == ["hidden_1", "activation_1"]


def test_unknown_layer_lists_the_layers_that_exist(stored_trajectory):
    with pytest.raises(VizkitError) as info:
        LayerProbe(stored_trajectory.build_model(), ["hiden_1"])
    message = str(info.value)
    assert "'hiden_1'" in message
    assert "hidden_1, activation_1, output, activation_output" in message


def test_sequential_models_with_an_input_are_probed():
    keras = import_keras()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="relu",
                                                                     name="a"),
                              keras.layers.Dense(1, name="b")])
    x = np.array([[1.0, -2.0], [0.5, 0.25]], dtype=np.float32)
    w, b = model.get_layer("a").get_weights()
    np.testing.assert_allclose(LayerProbe(model, ["a"])(x)["a"], np.maximum(0, x @ w + b),
                               rtol=1e-6)


def test_sequential_model_without_input_gets_a_clear_error():
    keras = import_keras()
    model = keras.Sequential([keras.layers.Dense(2, name="a")])
    with pytest.raises(VizkitError, match="no defined input"):
        LayerProbe(model, ["a"])


def test_wide_layers_use_one_projection_for_every_frame():
    from vizkit_scenes.layer_spaces import record_run

    run = record_run(epochs=2, hidden_units=5, seed=3)
    wide = LayerSpaces(run, grid_resolution=20)
    projection = wide.projections["hidden_1"]
    assert projection.components.shape == (5, 2)
    first, _ = wide.planes(wide.outputs(0))
    raw = wide.outputs(0)["hidden_1"]
    np.testing.assert_allclose(first["hidden_1"], (raw - projection.mean) @ projection.components)
    assert wide.projections["hidden_1"] is projection


def test_layer_names_read_from_the_config_equal_the_built_models():
    import json

    from vizkit.data.model_config import config_layer_names
    from vizkit.inspect.probe import layer_names

    keras = import_keras()
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="a"),
                              keras.layers.Dense(3, name="b")], name="block")
    inputs = keras.Input((2,))
    hidden = keras.layers.Dense(3, activation="relu")(inputs)  # an unnamed layer
    outputs = keras.layers.Dense(1, name="out")(inner(hidden))
    model = keras.Model(inputs, outputs)
    names = config_layer_names(json.loads(model.to_json()))
    assert names == layer_names(model)
    assert "block/a" in names and "block/b" in names
