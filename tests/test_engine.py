"""The numpy engine against Keras: every supported layer and activation one by one,
functional graphs, nested models, and the stored runs, within 1e-5 in float32."""

import subprocess
import sys

import numpy as np
import pytest

from fixtures import (CLASSIFICATION_TRAJECTORY, DIGITS_TRAJECTORY, LAYER_SPACES_TRAJECTORY,
                      NEURON_TRAJECTORIES, UNIT_MAPS_TRAJECTORY)
from vizkit._keras import import_keras
from vizkit.inspect.activations import ACTIVATIONS
from vizkit.inspect.engine import LAYERS, NumpyModel, UnsupportedModel
from vizkit.inspect.probe import LayerProbe, layer_names

TOLERANCE = 1e-5


def gap(actual, expected):
    """The largest difference, relative beyond 1 (float32 holds 7 digits: exp(30) is
    exact to 1e6 at best)."""
    return float(np.max(np.abs(actual - expected) / np.maximum(1.0, np.abs(expected))))
STORED = [LAYER_SPACES_TRAJECTORY, UNIT_MAPS_TRAJECTORY, DIGITS_TRAJECTORY,
          CLASSIFICATION_TRAJECTORY, *NEURON_TRAJECTORIES.values()]


def randomize(model, seed=0):
    """Random weights (variances positive) so no layer is an identity by accident."""
    rng = np.random.default_rng(seed)
    weights = []
    for variable in model.weights:
        shape = tuple(variable.shape)
        if "variance" in variable.path:
            weights.append(rng.uniform(0.2, 2.0, shape).astype(np.float32))
        elif variable.path.endswith("count"):
            weights.append(np.asarray(7, dtype=variable.dtype))
        else:
            weights.append(rng.normal(0, 0.8, shape).astype(np.float32))
    model.set_weights(weights)
    from vizkit.data.model_config import restore_derived_state

    restore_derived_state(model)
    return model


def largest_gap(model, x, layers=None, inputs_of=()):
    """The largest difference between Keras's and the engine's outputs of ``layers``
    (default: every layer)."""
    engine = NumpyModel(model.to_json())
    assert engine.layer_names() == layer_names(model)
    expected = LayerProbe(model, layers, inputs_of=inputs_of, engine="keras")(x)
    actual = engine.outputs(x, model.get_weights(), layers, inputs_of=inputs_of)
    assert actual.keys() == expected.keys()
    gaps = {key: gap(actual[key], expected[key]) for key in expected}
    assert all(actual[key].dtype == np.float32 for key in actual)
    assert all(actual[key].shape == expected[key].shape for key in expected)
    return max(gaps.values())


def points(rng, n=257, width=3, scale=2.5):
    return rng.normal(0, scale, (n, width)).astype(np.float32)


def one_layer(layer, width=3):
    keras = import_keras()
    return keras.Sequential([keras.Input((width,)), layer])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_equals_keras(name, rng):
    keras = import_keras()
    x = points(rng)
    x[:4] = [[-30, 0, 30], [-1e-3, 1e-3, 0.5], [-0.5, -1, 1], [5.9, 6.1, -3.1]]
    assert largest_gap(one_layer(keras.layers.Activation(name)), x) <= TOLERANCE
    dense = randomize(one_layer(keras.layers.Dense(4, activation=name)))
    assert largest_gap(dense, x) <= TOLERANCE


@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_in_both_forms(approximate, rng):
    keras = import_keras()
    x = points(rng)
    expected = np.asarray(keras.activations.gelu(x, approximate=approximate))
    actual = ACTIVATIONS["gelu"](x, approximate=approximate)
    assert gap(actual, expected) <= TOLERANCE
    other = ACTIVATIONS["gelu"](x, approximate=not approximate)
    assert np.max(np.abs(other - expected)) > 1e-4  # the two forms differ


def keras_layers():
    """One instance of every kind of layer the engine knows, with non-default settings."""
    layers = import_keras().layers
    return {
        "Dense": layers.Dense(5, activation="tanh"),
        "Dense without bias": layers.Dense(4, use_bias=False),
        "Activation": layers.Activation("selu"),
        "ReLU": layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.3),
        "LeakyReLU": layers.LeakyReLU(negative_slope=0.25),
        "ELU": layers.ELU(alpha=0.7),
        "Softmax": layers.Softmax(),
        "Normalization": layers.Normalization(),
        "Normalization inverted": layers.Normalization(invert=True),
        "Normalization of given values": layers.Normalization(mean=[1.0, -2.0, 0.5],
                                                              variance=[4.0, 0.25, 1.0]),
        "Normalization, one mean": layers.Normalization(axis=None),
        "Rescaling": layers.Rescaling(scale=0.5, offset=-1.25),
        "BatchNormalization": layers.BatchNormalization(epsilon=0.01),
        "BatchNormalization, no centre": layers.BatchNormalization(center=False),
        "BatchNormalization, no scale": layers.BatchNormalization(scale=False),
        "Flatten": layers.Flatten(),
        "Reshape": layers.Reshape((3, 1)),
        **{kind: getattr(layers, kind)(0.4) for kind in ("Dropout", "GaussianNoise",
                                                         "GaussianDropout", "AlphaDropout")},
        "ActivityRegularization": layers.ActivityRegularization(),
        "Identity": layers.Identity(),
    }


@pytest.mark.parametrize("kind", sorted(keras_layers()))
def test_every_layer_equals_keras(kind, rng):
    layer = keras_layers()[kind]
    keras = import_keras()
    model = randomize(keras.Sequential([keras.Input((3,)), keras.layers.Dense(3), layer,
                                        keras.layers.Dense(2)]))
    assert largest_gap(model, points(rng)) <= TOLERANCE


def test_the_engine_knows_exactly_the_layers_tested():
    tested = {type(layer).__name__ for layer in keras_layers().values()}
    tested |= {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"}
    untested = set(LAYERS) - tested - {"SpatialDropout1D", "SpatialDropout2D",
                                       "SpatialDropout3D"}
    assert not untested


@pytest.mark.parametrize("kind", ["SpatialDropout1D", "SpatialDropout2D"])
def test_spatial_dropout_is_identity(kind, rng):
    keras = import_keras()
    shape = (4, 3) if kind.endswith("1D") else (2, 2, 3)
    model = randomize(keras.Sequential([keras.Input(shape), getattr(keras.layers, kind)(0.5),
                                        keras.layers.Flatten(), keras.layers.Dense(2)]))
    x = rng.normal(0, 1, (33, *shape)).astype(np.float32)
    assert largest_gap(model, x) <= TOLERANCE


@pytest.mark.parametrize("merge", ["Add", "Subtract", "Multiply", "Average", "Maximum",
                                   "Minimum", "Concatenate"])
def test_functional_graphs_with_merges(merge, rng):
    keras = import_keras()
    layers = keras.layers
    x = keras.Input((3,), name="x")
    a = layers.Dense(4, activation="relu", name="a")(x)
    b = layers.Dense(4, activation="tanh", name="b")(x)
    merged = getattr(layers, merge)(name="merged")([a, b])
    out = layers.Dense(2, name="out")(layers.Concatenate(axis=1, name="skip")([merged, x]))
    model = randomize(keras.Model(x, out))
    assert largest_gap(model, points(rng), inputs_of=["out", "a"]) <= TOLERANCE


def test_nested_models_and_a_shared_layer(rng):
    keras = import_keras()
    layers = keras.layers
    inner_input = keras.Input((3,), name="inner_input")
    inner = keras.Model(inner_input, layers.Dense(4, activation="gelu", name="d")(inner_input),
                        name="inner")
    stack = keras.Sequential([layers.Dense(4, name="s1"), layers.BatchNormalization(name="bn"),
                              layers.Activation("swish", name="act")], name="stack")
    shared = layers.Dense(4, activation="sigmoid", name="shared")
    x = keras.Input((3,), name="x")
    a, b = inner(x), stack(x)
    total = layers.Add(name="sum")([shared(a), shared(b)])
    model = randomize(keras.Model(x, layers.Dense(2, name="out")(total)))
    assert {"inner/d", "stack/bn", "stack/act"} <= set(layer_names(model))
    x = points(rng)
    # LayerProbe cannot reach inside a nested functional model: Keras's own call stands in
    probed = [name for name in layer_names(model) if not name.startswith("inner")]
    assert largest_gap(model, x, probed, inputs_of=["stack/act"]) <= TOLERANCE
    inside = NumpyModel(model.to_json()).outputs(x, model.get_weights(), ["inner", "inner/d"])
    assert gap(inside["inner"], np.asarray(inner(x))) <= TOLERANCE
    assert gap(inside["inner/d"], np.asarray(inner(x))) <= TOLERANCE


def test_a_sequential_inside_a_sequential(rng):
    keras = import_keras()
    layers = keras.layers
    inner = keras.Sequential([layers.Dense(4, activation="elu", name="e")], name="inner")
    model = randomize(keras.Sequential([keras.Input((3,)), layers.Rescaling(2.0, name="r"),
                                        inner, layers.Dense(1, name="out")]))
    assert largest_gap(model, points(rng)) <= TOLERANCE


def stored_arrays(path):
    """A stored run's config and weights, read without building a Keras model."""
    from vizkit.data.safe_load import read_npz
    from vizkit.run.checks import trajectory_fields

    return trajectory_fields(read_npz(path, "a trajectory"), path.name)


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.stem)
def test_stored_runs_at_first_and_last_frame(path, rng):
    from vizkit import Trajectory

    trajectory = Trajectory.load(path)
    engine = NumpyModel(trajectory.model_config)
    model = trajectory.build_model()
    x = np.concatenate([trajectory.x[:200], trajectory.x[:50] * 3]).astype(np.float32)
    for frame in (0, trajectory.n_frames - 1):
        trajectory.set_frame(model, frame)
        expected = LayerProbe(model, engine="keras")(x)
        actual = engine.outputs(x, trajectory.weights_at(frame))
        for name in expected:
            assert gap(actual[name], expected[name]) <= TOLERANCE, (name, frame)


def test_a_recorded_run_reproduces_its_recorded_outputs(rng):
    """Normalization adapted and BatchNormalization trained: state beyond the kernels."""
    from vizkit import record
    from vizkit.run.fingerprint import OUTPUTS, POINTS

    keras = import_keras()
    layers = keras.layers
    x = points(rng, n=64, width=2)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    norm = layers.Normalization(name="norm")
    norm.adapt(x)
    model = keras.Sequential([keras.Input((2,)), norm, layers.Dense(4, name="h"),
                              layers.BatchNormalization(name="bn"), layers.Activation("relu"),
                              layers.Dropout(0.2), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    trajectory = record(model, x, y, epochs=2, seed=3)
    engine = NumpyModel(trajectory.model_config)
    for frame, expected in zip((0, trajectory.n_frames - 1), trajectory.extras[OUTPUTS]):
        actual = engine.predict(trajectory.extras[POINTS], trajectory.weights_at(frame))
        assert gap(actual, expected) <= TOLERANCE
    assert not np.allclose(*trajectory.extras[OUTPUTS])  # training moved the outputs


def test_unknown_layers_and_settings_are_refused_when_read():
    keras = import_keras()
    layers = keras.layers
    refused = [layers.Conv1D(2, 2), layers.Dense(2, activation=keras.activations.gelu,
                                                 dtype="float16"),
               layers.LSTM(2), layers.PReLU()]
    for layer in refused:
        shape = (4, 3) if isinstance(layer, (layers.Conv1D, layers.LSTM)) else (3,)
        model = keras.Sequential([keras.Input(shape), layer])
        with pytest.raises(UnsupportedModel, match=layer.name):
            NumpyModel(model.to_json())


def test_a_wrong_number_of_weights_is_refused(rng):
    engine = NumpyModel(stored_arrays(UNIT_MAPS_TRAJECTORY)["model_config"])
    with pytest.raises(UnsupportedModel, match="4 weight arrays, not 3"):
        engine.predict(points(rng, width=2), [np.zeros((2, 2))] * 3)


def test_the_engine_never_imports_tensorflow():
    script = f"""
import sys
from pathlib import Path
import numpy as np
from vizkit.data.safe_load import read_npz
from vizkit.run.checks import trajectory_fields
from vizkit.run.trajectory import Trajectory
from vizkit.inspect.engine import NumpyModel

path = Path({str(UNIT_MAPS_TRAJECTORY)!r})
trajectory = Trajectory(**trajectory_fields(read_npz(path, "a trajectory"), path.name))
engine = NumpyModel(trajectory.model_config)
outputs = engine.outputs(trajectory.x, trajectory.weights_at(-1))
assert outputs["L2"].shape == (len(trajectory.x), 4), outputs["L2"].shape
engine.outputs(trajectory.x, trajectory.weights_at(0), ["L1"])
loaded = sorted(m for m in ("tensorflow", "keras") if m in sys.modules)
assert not loaded, loaded
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_layer_probe_uses_the_engine_it_can_and_follows_the_models_weights(rng):
    from vizkit.inspect.engine import use_engine

    keras = import_keras()
    dense = randomize(one_layer(keras.layers.Dense(3, activation="tanh", name="d")))
    x = points(rng)
    probes = {engine: LayerProbe(dense, engine=engine) for engine in ("auto", "numpy", "keras")}
    assert {e: p.engine for e, p in probes.items()} == {"auto": "numpy", "numpy": "numpy",
                                                         "keras": "keras"}
    before = probes["auto"](x)["d"]
    assert gap(before, probes["keras"](x)["d"]) <= TOLERANCE
    randomize(dense, seed=1)  # the probes read the weights the model holds now
    after = probes["auto"](x)["d"]
    assert gap(after, probes["keras"](x)["d"]) <= TOLERANCE
    assert gap(after, before) > 0.01
    with use_engine("keras"):
        assert LayerProbe(dense).engine == "keras"
    conv = keras.Sequential([keras.Input((4, 3)), keras.layers.Conv1D(2, 2)])
    assert LayerProbe(conv).engine == "keras"
    with pytest.raises(UnsupportedModel, match="Conv1D"):
        LayerProbe(conv, engine="numpy")


def test_replay_manifest_says_which_engine_drew(tmp_path):
    import json

    from vizkit import Trajectory
    from vizkit.animation import model_recipe
    from vizkit.errors import VizkitError
    from vizkit.pipeline import RenderSettings, produce

    trajectory = Trajectory.load(LAYER_SPACES_TRAJECTORY)
    drawn = {}
    for engine in ("numpy", "keras"):
        settings = RenderSettings(out=tmp_path / f"{engine}.gif", stills="last",
                                  engine=engine, formats=("gif",))
        produce(model_recipe(None), {}, settings, replay=trajectory, any_scene=True,
                replay_from=LAYER_SPACES_TRAJECTORY)
        manifest = json.loads((tmp_path / f"{engine}.gif.json").read_text())
        drawn[engine] = manifest["layer_engine"]
    assert drawn == {"numpy": "numpy", "keras": "keras"}
    with pytest.raises(VizkitError, match="engine='torch' is not an engine"):
        RenderSettings(out=tmp_path / "x.gif", engine="torch")
