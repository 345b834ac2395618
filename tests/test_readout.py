"""The readout rule: outputs to probabilities, classes, scores and metrics, against numpy."""

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, r2_score

from fixtures import LAYER_SPACES_TRAJECTORY, NEURON_TRAJECTORIES, UNIT_MAPS_TRAJECTORY
from vizkit import Trajectory, VizkitError, datasets, record
from vizkit._keras import import_keras
from vizkit.data.tables import check_xy
from vizkit.data.model_files import compile_model
from vizkit.inspect.readout import Readout, sigmoid, softmax


@pytest.fixture(scope="module")
def keras():
    return import_keras()


# kind: output units, last activation, loss (a name, or a Loss class and from_logits)
KINDS = {
    "sigmoid": (1, "sigmoid", "binary_crossentropy"),
    "binary-logit": (1, None, ("BinaryCrossentropy", True)),
    "softmax": (3, "softmax", "sparse_categorical_crossentropy"),
    "multi-logit": (3, None, ("SparseCategoricalCrossentropy", True)),
}


def network(keras, units, activation, loss, seed=0, metrics=()):
    """2 -> Dense(3, tanh) -> Dense(units, activation), compiled with Adam(0.05)."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(units, activation=activation)])
    if isinstance(loss, tuple):
        loss = getattr(keras.losses, loss[0])(from_logits=loss[1])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss, metrics=list(metrics))
    return model


def numpy_forward(weights, x):
    """The network by hand, float64: the last layer's pre-activation z."""
    w1, b1, w2, b2 = [w.astype(np.float64) for w in weights]
    return np.tanh(x.astype(np.float64) @ w1 + b1) @ w2 + b2


def numpy_readout(kind, z):
    """(model output, P per class, class) the textbook way, from z."""
    if kind in ("sigmoid", "binary-logit"):
        p1 = 1 / (1 + np.exp(-z[:, 0]))
        output = p1[:, None] if kind == "sigmoid" else z
        classes = p1 > 0.5 if kind == "sigmoid" else z[:, 0] > 0
        return output, np.column_stack([1 - p1, p1]), classes.astype(int)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return (p if kind == "softmax" else z), p, z.argmax(axis=1)


@pytest.fixture(scope="module", params=list(KINDS))
def recorded(request, keras):
    """A short recording of one classifier kind; (kind, model, trajectory)."""
    kind = request.param
    units = KINDS[kind][0]
    x, y = datasets.moons(3, n_samples=90) if units == 1 else datasets.blobs(3, n_samples=90,
                                                                              std=2.5)
    if units == 3:
        x, y = x[y < 3], y[y < 3]
    model = network(keras, *KINDS[kind], metrics=["accuracy"])
    return kind, model, record(model, x, y, epochs=3, seed=3)


def test_each_class_kind_reads_outputs_as_numpy_does(recorded):
    kind, model, run = recorded
    readout = Readout.of(model)
    assert readout.kind == kind and Readout.of_trajectory(run) == readout
    for frame in (0, 1, run.n_frames - 1):
        z = numpy_forward(run.weights_at(frame), run.x)
        output, p, classes = numpy_readout(kind, z)
        np.testing.assert_allclose(readout.probabilities(output), p, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(readout.classes(output), classes)
        expected_scores = p[:, 1] if kind in ("sigmoid", "binary-logit") else classes
        np.testing.assert_allclose(readout.scores(output), expected_scores, rtol=1e-12)
        # The recorded accuracy follows the same rule, from the model's own forward pass.
        assert run.metrics["accuracy"][frame] == np.mean(classes == run.y)
        keras_output = run.build_model(frame).predict_on_batch(run.x)
        np.testing.assert_allclose(readout.probabilities(keras_output), p, atol=1e-5)


def test_binary_logit_accuracy_is_not_the_logit_above_one_half(keras):
    """Keras's "accuracy" on a logit thresholds it at 0.5; the readout at 0."""
    x, y = datasets.moons(0, n_samples=80)
    model = network(keras, 1, None, ("BinaryCrossentropy", True), seed=0)
    z = numpy_forward(model.get_weights(), x)[:, 0]
    readout = Readout.of(model)
    assert readout.metrics(y, z[:, None])["accuracy"] == np.mean((z > 0) == y)
    assert np.mean((z > 0) == y) != np.mean((z > 0.5) == y)  # the case the rule is about


def test_two_unit_softmax_scores_probability_of_class_one():
    readout = Readout("softmax", 2)
    output = np.array([[0.9, 0.1], [0.3, 0.7]])
    np.testing.assert_allclose(readout.scores(output), [0.1, 0.7])
    assert readout.n_classes == 2


def test_regression_metrics_against_numpy_and_sklearn(keras):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(120, 2)).astype(np.float32)
    y = (x[:, 0] - 2 * x[:, 1] + 0.3 * rng.normal(size=120)).astype(np.float32)
    model = network(keras, 1, None, "mse", seed=4, metrics=["mae", "accuracy"])
    run = record(model, x, y, epochs=3, seed=4)
    readout = Readout.of(model)
    assert readout.kind == "regression" and run.info["readout"]["kind"] == "regression"
    assert set(run.metrics) == {"loss", "mae", "r2"}  # no accuracy for a regression
    for frame in (0, run.n_frames - 1):
        prediction = numpy_forward(run.weights_at(frame), x)[:, 0]
        assert run.metrics["mae"][frame] == pytest.approx(mean_absolute_error(y, prediction),
                                                           rel=1e-5)
        assert run.metrics["r2"][frame] == pytest.approx(r2_score(y, prediction), rel=1e-5)
        assert run.metrics["loss"][frame] == pytest.approx(np.mean((y - prediction) ** 2),
                                                            rel=1e-5)
        np.testing.assert_allclose(readout.scores(prediction[:, None]), prediction)
    assert run.metrics["r2"][-1] > run.metrics["r2"][0]
    with pytest.raises(VizkitError, match="predicts values, not classes"):
        readout.classes(prediction[:, None])


def test_stable_sigmoid_and_softmax():
    z = np.array([-30.0, -2.0, 0.0, 3.0, 30.0])
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(sigmoid([-1000.0, 1000.0]), [0.0, 1.0])
        np.testing.assert_allclose(softmax([[1000.0, 1000.0], [-1000.0, 0.0]]),
                                   [[0.5, 0.5], [0.0, 1.0]])
    logits = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 4.0]])
    np.testing.assert_allclose(softmax(logits),
                               np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("layers, loss, kind", [
    ([("Dense", 3), ("Softmax",)], "sparse_categorical_crossentropy", "softmax"),
    ([("Dense", 1), ("Activation", "sigmoid")], "binary_crossentropy", "sigmoid"),
    ([("Dense", 1)], "bce", None),
    ([("Dense", 1)], "huber", "regression"),
    ([("Dense", 1, "relu")], "mean_absolute_error", "regression"),
])
def test_kind_from_trailing_layers_and_loss_names(keras, layers, loss, kind):
    stack = [keras.Input((2,))]
    for spec in layers:
        if spec[0] == "Dense":
            stack.append(keras.layers.Dense(spec[1], activation=spec[2] if len(spec) > 2
                                            else None))
        else:
            stack.append(getattr(keras.layers, spec[0])(*spec[1:]))
    model = keras.Sequential(stack)
    model.compile(optimizer="sgd", loss=loss)
    if kind is None:  # a linear unit read by a loss that expects probabilities
        with pytest.raises(VizkitError, match="from_logits=True"):
            Readout.of(model)
    else:
        assert Readout.of(model).kind == kind


def test_nested_model_is_read_by_its_inner_output_layer(keras):
    head = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")],
                            name="head")
    inputs = keras.Input((2,))
    model = keras.Model(inputs, head(keras.layers.Dense(3)(inputs)))
    model.compile(optimizer="sgd", loss=keras.losses.BinaryCrossentropy())
    assert Readout.of(model).kind == "sigmoid"
    model.compile(optimizer="sgd", loss=keras.losses.mean_squared_error)
    assert Readout.of(model).kind == "regression"


@pytest.mark.parametrize("units, activation, loss, needle", [
    (3, "sigmoid", "binary_crossentropy", "multi-label"),
    (1, "sigmoid", ("BinaryCrossentropy", True), "applied twice"),
    (3, None, "sparse_categorical_crossentropy", "expects probabilities"),
    (1, "tanh", "binary_crossentropy", "applies tanh"),
    (1, "softmax", "sparse_categorical_crossentropy", "one unit per class"),
    (3, "softmax", "categorical_crossentropy", "one-hot"),
    (2, None, "mse", "regressions of one output"),
    (1, "sigmoid", "hinge", "cannot tell how to read"),
])
def test_unsupported_combinations_are_one_line_errors(keras, units, activation, loss, needle):
    model = network(keras, units, activation, loss)
    with pytest.raises(VizkitError, match=needle) as error:
        Readout.of(model)
    assert "\n" not in str(error.value) and ";" in str(error.value)  # the problem; the fix


def test_readout_of_stored_trajectories():
    """Runs recorded before the readout was stored are read from their compiled loss."""
    expected = {LAYER_SPACES_TRAJECTORY: ("sigmoid", 1), UNIT_MAPS_TRAJECTORY: ("multi-logit", 4),
                NEURON_TRAJECTORIES["linear"]: ("regression", 1)}
    for path, (kind, units) in expected.items():
        trajectory = Trajectory.load(path)
        assert "readout" not in trajectory.info
        readout = Readout.of_trajectory(trajectory)
        assert (readout.kind, readout.n_outputs) == (kind, units)
    assert Readout.of_trajectory(Trajectory.load(UNIT_MAPS_TRAJECTORY)).describe() == \
        "4 logits: P = softmax(logits); the class is the largest logit"
    assert Readout.from_info(Readout("multi-logit", 4, "x").to_info()) == \
        Readout("multi-logit", 4, "x")
    with pytest.raises(VizkitError, match="record the run again"):
        Readout.from_info({"kind": "sigmoid"})


def test_targets_of_a_two_class_readout():
    readout = Readout("binary-logit", 1, "binary_crossentropy")
    labels, note = readout.targets(np.array([-1, 1, 1, -1]))
    np.testing.assert_array_equal(labels, [0, 1, 1, 0])
    assert labels.dtype == np.int64 and note == "labels -1/+1 read as classes 0/1"
    labels, note = readout.targets(np.array([[0.0], [1.0]]))
    np.testing.assert_array_equal(labels, [0, 1])
    assert note is None
    with pytest.raises(VizkitError, match=r"class numbers 0..1 \(or -1/\+1\)"):
        readout.targets([-1, 0, 1])
    with pytest.raises(VizkitError, match=r"loss is binary_crossentropy\), got 0.37 \(row 2\); "
                                          r".*loss='mse'"):
        readout.targets([0, 0.37])
    with pytest.raises(VizkitError, match="NaN or infinity"):
        readout.targets([0, np.nan])


def test_too_many_labels_advice_depends_on_what_the_labels_look_like():
    readout = Readout("sigmoid", 1, "binary_crossentropy")
    with pytest.raises(VizkitError) as few:
        readout.targets([0, 1, 2])
    assert "labels go up to 2 but the model has one output unit" in str(few.value)
    assert "give the last layer 3 units" in str(few.value) and "mse" not in str(few.value)
    with pytest.raises(VizkitError) as many:
        readout.targets(np.arange(47))
    message = str(many.value)
    assert "47 distinct values look like a quantity" in message and "loss='mse'" in message
    assert message.index("regression") < message.index("47 units")
    with pytest.raises(VizkitError, match="labels must be class numbers 0..2"):
        Readout("softmax", 3).targets([-1, 1])


def test_regression_targets_are_any_finite_numbers():
    values, note = Readout("regression", 1).targets([[0.5], [-3.25], [47.0]])
    assert values.dtype == np.float32 and values.shape == (3, 1) and note is None
    with pytest.raises(VizkitError, match="one number per row"):
        Readout("regression", 1).targets(np.zeros((3, 2)))


def test_check_xy_follows_the_model(keras):
    x = np.random.default_rng(0).normal(size=(4, 2))
    regression = Readout.of(network(keras, 1, None, "mse"))
    _, y = check_xy(x, [0.1, 2.5, -3.0, 46.0], readout=regression)
    assert y.dtype == np.float32
    classifier = Readout.of(network(keras, 1, "sigmoid", "binary_crossentropy"))
    with pytest.raises(VizkitError, match=r"data.csv: labels must be class numbers 0..1 for a "
                                          r"classifier \(this model's loss is "
                                          r"binary_crossentropy\).*loss='mse'"):
        check_xy(x, [0.1, 2.5, -3.0, 46.0], readout=classifier, source="data.csv")
    _, y = check_xy(x, [-1, 1, 1, -1], readout=classifier)  # record() maps these to 0/1
    np.testing.assert_array_equal(y, [-1, 1, 1, -1])
    _, y = check_xy(x, [0.5, 1, 2, 3])  # without a model: shapes and finiteness only
    assert y.dtype == np.float32
    _, y = check_xy(x, [0, 1, 2, 3])
    assert y.dtype == np.int64


def test_compile_model_measures_accuracy_by_the_readout_rule(keras):
    x, y = datasets.moons(0, n_samples=80)
    model = network(keras, 1, None, ("BinaryCrossentropy", True), seed=0)
    compile_model(model)
    z = numpy_forward(model.get_weights(), x)[:, 0]
    evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
    assert evaluated["accuracy"] == pytest.approx(np.mean((z > 0) == y))
    raw = network(keras, 1, None, "mse")
    compile_model(raw, loss="mse")
    assert "accuracy" not in raw.evaluate(x, y.astype(np.float32), verbose=0, return_dict=True)
    with pytest.raises(VizkitError, match="from_logits=True"):
        compile_model(raw, loss="binary_crossentropy")
