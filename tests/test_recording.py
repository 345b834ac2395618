"""Training records true, reproducible numbers."""

import numpy as np
import pytest

from fixtures import LAYER_SPACES_RUN
from vizkit import Trajectory, VizkitError, datasets, record
from vizkit_scenes.layer_spaces import build_model, record_run


@pytest.fixture(scope="module")
def fresh_run():
    return record_run(**LAYER_SPACES_RUN)


def test_same_seed_twice_gives_identical_weights(fresh_run):
    again = record_run(**LAYER_SPACES_RUN)
    for first, second in zip(fresh_run.weights, again.weights):
        np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(fresh_run.metrics["loss"], again.metrics["loss"])


def test_fresh_recording_matches_stored_trajectory(fresh_run, stored_trajectory):
    assert fresh_run.n_frames == stored_trajectory.n_frames
    for fresh, stored in zip(fresh_run.weights, stored_trajectory.weights):
        np.testing.assert_allclose(fresh, stored, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(fresh_run.metrics["loss"], stored_trajectory.metrics["loss"],
                               rtol=1e-4)


def test_frames_are_initial_weights_then_one_per_epoch(fresh_run):
    model = build_model(seed=LAYER_SPACES_RUN["seed"])
    initial = model.get_weights()
    assert fresh_run.n_frames == LAYER_SPACES_RUN["epochs"] + 1
    for stored, expected in zip(fresh_run.weights_at(0), initial):
        np.testing.assert_array_equal(stored, expected)
    assert all(len(w) == fresh_run.n_frames for w in fresh_run.weights)


def test_metrics_are_those_of_the_stored_weights(fresh_run):
    """Independent check: binary cross-entropy and accuracy computed with numpy."""
    x, y = fresh_run.x.astype(np.float64), fresh_run.y
    for frame in (0, fresh_run.n_frames - 1):
        w1, b1, w2, b2 = [w.astype(np.float64) for w in fresh_run.weights_at(frame)]
        p = 1 / (1 + np.exp(-(np.tanh(x @ w1 + b1) @ w2 + b2)))[:, 0]
        eps = 1e-7
        p = np.clip(p, eps, 1 - eps)
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        accuracy = np.mean((p > 0.5) == y)
        assert fresh_run.metrics["loss"][frame] == pytest.approx(loss, rel=1e-4)
        assert fresh_run.metrics["accuracy"][frame] == pytest.approx(accuracy)


def test_training_lowers_the_loss(fresh_run):
    assert fresh_run.metrics["loss"][-1] < fresh_run.metrics["loss"][0] - 0.1


def test_stop_at_loss_stops_at_the_first_frame_below():
    run = record_run(epochs=40, stop_at_loss=0.5, seed=12345)
    losses = run.metrics["loss"]
    assert losses[-1] <= 0.5
    assert np.all(losses[:-1] > 0.5)
    assert run.n_frames < 41


def test_eval_sets_are_recorded_with_a_prefix():
    x, y = datasets.diagonal_clusters(1)
    model = build_model(seed=1)
    run = record(model, x[:300], y[:300], epochs=2, seed=1, eval_sets={"test": (x[300:], y[300:])})
    assert set(run.metrics) == {"loss", "accuracy", "test_loss", "test_accuracy"}
    assert run.metrics["test_loss"].shape == (3,)


def test_record_rejects_bad_input():
    x, y = datasets.diagonal_clusters(1)
    model = build_model(seed=1)
    with pytest.raises(VizkitError, match="epochs must be at least 1"):
        record(model, x, y, epochs=0)
    with pytest.raises(VizkitError, match="one label per row"):
        record(model, x, y[:-1], epochs=1)
    from vizkit._keras import import_keras

    keras = import_keras()
    raw = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(VizkitError, match="not compiled"):
        record(raw, x, y, epochs=1)


def test_trajectory_round_trip(tmp_path, stored_trajectory):
    path = stored_trajectory.save(tmp_path / "run.npz")
    loaded = Trajectory.load(path)
    assert loaded.model_config == stored_trajectory.model_config
    assert loaded.info == stored_trajectory.info
    for a, b in zip(loaded.weights, stored_trajectory.weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.x, stored_trajectory.x)
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04garbage"])
def test_corrupt_trajectory_is_a_one_line_error(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(VizkitError, match="not a readable vizkit trajectory") as info:
        Trajectory.load(path)
    assert "\n" not in str(info.value)


def test_npz_that_is_not_a_trajectory_is_rejected(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.arange(3))
    with pytest.raises(VizkitError, match="not a readable vizkit trajectory"):
        Trajectory.load(path)


def test_missing_trajectory_names_the_file(tmp_path):
    with pytest.raises(VizkitError, match="does not exist"):
        Trajectory.load(tmp_path / "nope.npz")


def test_compiled_epochs_equal_train_on_batch_bit_for_bit():
    """The recorder's one-call epochs make exactly the updates train_on_batch makes."""
    x, y = datasets.diagonal_clusters(5)
    run = record(build_model(seed=5), x, y, epochs=3, seed=5)
    model = build_model(seed=5)
    order_rng = np.random.default_rng(5)
    for _ in range(3):
        order = order_rng.permutation(len(x))
        for start in range(0, len(x), 32):
            batch = order[start:start + 32]
            model.train_on_batch(x[batch], y[batch])
    for recorded, expected in zip(run.weights_at(3), model.get_weights()):
        np.testing.assert_array_equal(recorded, expected)


def logit_model(seed):
    """The layer-spaces network with a linear output and a logits loss."""
    from vizkit._keras import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.1), metrics=["accuracy"],
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    return model


def test_binary_logit_accuracy_is_logit_above_zero_at_the_stored_weights():
    """Keras's own "accuracy" would threshold the logit at 0.5; the recorder reads it at 0."""
    x, y = datasets.diagonal_clusters(7)
    run = record(logit_model(7), x, y, epochs=2, seed=7)
    assert run.info["readout"]["kind"] == "binary-logit"
    logits = []
    for frame in range(run.n_frames):
        w1, b1, w2, b2 = [w.astype(np.float64) for w in run.weights_at(frame)]
        logits.append((np.tanh(x @ w1 + b1) @ w2 + b2)[:, 0])
        assert run.metrics["accuracy"][frame] == np.mean((logits[-1] > 0) == y)
    assert np.mean((logits[1] > 0.5) == y) != run.metrics["accuracy"][1]  # the rule matters


def test_labels_minus_one_plus_one_train_as_zero_one():
    x, y = datasets.diagonal_clusters(2)
    signed = record(build_model(seed=2), x, 2 * y - 1, epochs=2, seed=2)
    plain = record(build_model(seed=2), x, y, epochs=2, seed=2)
    np.testing.assert_array_equal(signed.y, y)
    assert signed.info["labels"] == "labels -1/+1 read as classes 0/1"
    assert "labels" not in plain.info
    for a, b in zip(signed.weights, plain.weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(signed.metrics["accuracy"], plain.metrics["accuracy"])


def diverging_neuron(rate):
    """w·x with w = 1, x = 1, y = 0: full-batch SGD on mse multiplies w by (1 - 2·rate)."""
    from vizkit._keras import import_keras

    keras = import_keras()
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(
        1, use_bias=False, kernel_initializer="ones")])
    model.compile(optimizer=keras.optimizers.SGD(rate), loss="mse")
    return model


def test_divergence_stops_with_the_epoch_and_the_rate():
    rate = 5e4
    x, y = np.ones((8, 1), np.float32), np.zeros(8, np.float32)
    # loss after epoch k is w_k² = (1 - 2·rate)^(2k): the first epoch past float32's range
    losses = [(1 - 2 * rate) ** (2 * k) for k in range(10)]
    epoch = next(k for k, loss in enumerate(losses) if loss > float(np.finfo(np.float32).max))
    seen = []
    with pytest.raises(VizkitError) as error:
        record(diverging_neuron(rate), x, y, epochs=10, batch_size=8,
               on_epoch=lambda frame, metrics: seen.append(metrics["loss"]))
    assert str(error.value) == (f"training diverged at epoch {epoch} (loss = inf); lower the "
                                "learning rate (it was 50000)")
    np.testing.assert_allclose(seen, losses[:epoch], rtol=1e-5)
    stopped = record(diverging_neuron(rate), x, y, epochs=10, batch_size=8,
                     on_divergence="stop")
    assert stopped.n_frames == epoch + 1 and np.isinf(stopped.metrics["loss"][-1])


def test_record_checks_its_arguments_before_any_work():
    x, y = datasets.diagonal_clusters(1)
    model = build_model(seed=1)
    before = model.get_weights()
    bad = [(dict(epochs=2.5), "epochs must be a whole number, at least 1; got 2.5"),
           (dict(epochs="3"), "epochs must be a whole number"),
           (dict(epochs=True), "epochs must be a whole number"),
           (dict(batch_size=0), "batch_size must be at least 1, got 0"),
           (dict(batch_size=8.0), "batch_size must be a whole number"),
           (dict(seed=-1), "seed must be at least 0"),
           (dict(stop_at_loss="low"), "stop_at_loss must be a number or None"),
           (dict(eval_sets={"test": x}), "eval_sets must map names to"),
           (dict(on_epoch="print"), "on_epoch must be a function"),
           (dict(on_divergence="ignore"), "on_divergence must be 'raise' or 'stop'")]
    for kwargs, message in bad:
        with pytest.raises(VizkitError, match=message):
            record(model, x, y, **{"epochs": 1, **kwargs})
    data = [((x[:, :1], y), r"x has shape \(400, 1\) but the model takes rows of shape \(2\)"),
            ((np.where(np.arange(400)[:, None] == 5, np.nan, x), y), r"row 6"),
            ((x, y + 0.5), "labels must be class numbers 0..1 for a classifier"),
            ((x, y * 3), "labels go up to 3 but the model has one output unit"),
            ((x[:0], y[:0]), "x has no rows")]
    for (xs, ys), message in data:
        with pytest.raises(VizkitError, match=message):
            record(model, xs, ys, epochs=1)
    with pytest.raises(VizkitError, match="eval set 'test' y: labels go up to 2"):
        record(model, x, y, epochs=1, eval_sets={"test": (x, y * 2)})
    for now, then in zip(model.get_weights(), before):
        np.testing.assert_array_equal(now, then)
    assert int(model.optimizer.iterations) == 0


def test_sequential_without_input_is_built_from_x_and_subclassed_models_are_refused():
    from vizkit._keras import import_keras

    keras = import_keras()
    x, y = datasets.diagonal_clusters(3)
    model = keras.Sequential([keras.layers.Dense(2, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert record(model, x, y, epochs=1, seed=3).info["readout"]["kind"] == "sigmoid"

    class Subclassed(keras.Model):
        def call(self, inputs):
            return inputs[:, :1]

    subclassed = Subclassed()
    subclassed.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(VizkitError, match="Sequential and functional models"):
        record(subclassed, x, y, epochs=1)
