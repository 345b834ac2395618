"""vizkit.Recorder: the trajectory of the user's own model.fit, checked with numpy."""

import imageio.v3 as iio
import numpy as np
import pytest
from click.testing import CliRunner

from vizkit import Recorder, Trajectory, VizkitError, datasets
from vizkit._keras import import_keras
from vizkit.cli import main
from vizkit.views.base import TrajectoryView

EPOCHS = 10
TRAIN = 80  # validation_split=0.2 of 100 rows: Keras validates on the last 20, unshuffled


@pytest.fixture(scope="module")
def keras():
    return import_keras()


@pytest.fixture(scope="module")
def data():
    return datasets.moons(0, n_samples=100)


def small_model(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def numpy_metrics(weights, x, y):
    """Cross-entropy and accuracy of the tanh/softmax network, from its weights."""
    w1, b1, w2, b2 = weights
    logits = np.tanh(x @ w1 + b1) @ w2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return {"loss": -np.mean(np.log(p[np.arange(len(y)), y])),
            "accuracy": np.mean(p.argmax(axis=1) == y)}


def fit(keras, data, recorder, *, restore_best=False):
    """``model.fit`` with validation_split, class weights, early stopping after epoch 3
    (no loss improves by 10) and a callback that keeps the weights of every epoch."""
    x, y = data
    model = small_model(keras)
    initial = model.get_weights()
    seen = []
    callbacks = [keras.callbacks.EarlyStopping(monitor="loss", min_delta=10, patience=2,
                                               restore_best_weights=restore_best),
                 recorder,
                 keras.callbacks.LambdaCallback(
                     on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))]
    history = model.fit(x, y, validation_split=0.2, epochs=EPOCHS, batch_size=16, verbose=0,
                        class_weight={0: 1.0, 1: 3.0}, callbacks=callbacks)
    return model, [initial] + seen, history


@pytest.fixture(scope="module")
def run(keras, data):
    recorder = Recorder(*data, validation_split=0.2)
    model, weights, history = fit(keras, data, recorder)
    return recorder.trajectory, weights, history


def assert_metrics_at_frames(trajectory, weights_by_epoch, data):
    x, y = data
    for frame, epoch in enumerate(trajectory.info["frame_epochs"]):
        np.testing.assert_array_equal(
            np.concatenate([w.ravel() for w in trajectory.weights_at(frame)]),
            np.concatenate([w.ravel() for w in weights_by_epoch[epoch]]))
        train = numpy_metrics(weights_by_epoch[epoch], x[:TRAIN], y[:TRAIN])
        val = numpy_metrics(weights_by_epoch[epoch], x[TRAIN:], y[TRAIN:])
        for name, value in [*train.items(), *(("val_" + k, v) for k, v in val.items())]:
            assert trajectory.metrics[name][frame] == pytest.approx(value, rel=1e-5), \
                (name, frame)


def test_records_frame_zero_then_every_epoch_until_early_stopping(run, data):
    trajectory, weights, history = run
    assert len(weights) == 4  # EarlyStopping ended fit after epoch 3 of 10
    assert trajectory.n_frames == 4
    assert trajectory.info["frame_epochs"] == [0, 1, 2, 3]
    assert trajectory.info == dict(trajectory.info, recorded_by="keras.callbacks", epochs=EPOCHS,
                                   epochs_run=3, stopped_early=True, steps_per_epoch=5,
                                   every=1)  # 80 training rows in batches of 16
    assert sorted(trajectory.metrics) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert_metrics_at_frames(trajectory, weights, data)


def test_training_data_is_fit_s_split_and_validation_is_kept(run, data):
    trajectory, _, _ = run
    x, y = data
    np.testing.assert_array_equal(trajectory.x, x[:TRAIN])
    np.testing.assert_array_equal(trajectory.y, y[:TRAIN])
    np.testing.assert_array_equal(trajectory.extras["val_x"], x[TRAIN:])
    np.testing.assert_array_equal(trajectory.extras["val_y"], y[TRAIN:])


def test_metrics_are_at_the_weights_not_fit_s_running_averages(run):
    trajectory, _, history = run
    # fit validates at the end of each epoch too: the same weights, the same numbers.
    np.testing.assert_allclose(trajectory.metrics["val_loss"][1:], history.history["val_loss"],
                               rtol=1e-5)
    # fit's training loss averages over the epoch's moving weights and class weights.
    assert not np.allclose(trajectory.metrics["loss"][1:], history.history["loss"], rtol=1e-3)


def test_every_k_keeps_multiples_of_k_and_the_last_epoch(keras, data):
    recorder = Recorder(*data, validation_split=0.2, every=2)
    model, weights, _ = fit(keras, data, recorder, restore_best=True)
    trajectory = recorder.trajectory
    assert trajectory.info["frame_epochs"] == [0, 2, 3]
    assert trajectory.info["every"] == 2
    assert_metrics_at_frames(trajectory, weights, data)
    # EarlyStopping restored epoch 1's weights before the recorder measured epoch 3's;
    # the recorder hands the model back as it found it.
    for kept, best in zip(model.get_weights(), weights[1]):
        np.testing.assert_array_equal(kept, best)
    view = TrajectoryView()
    view.trajectory = trajectory
    # The last frame names the epoch the model kept (issue 25): epoch 1, not a frame.
    assert [view.frame_title(f) for f in range(3)] == ["Before training", "Epoch 2 of 10",
                                                       "Epoch 3 of 10  ·  restored: epoch 1"]


def test_caption_shows_train_and_validation_metrics(run, data):
    trajectory, weights, _ = run
    x, y = data
    view = TrajectoryView()
    view.trajectory = trajectory
    train = numpy_metrics(weights[2], x[:TRAIN], y[:TRAIN])
    val = numpy_metrics(weights[2], x[TRAIN:], y[TRAIN:])
    assert view.frame_subtitle(2) == (
        f"accuracy {train['accuracy']:.3f}  ·  loss {train['loss']:.3f}  ·  "
        f"val accuracy {val['accuracy']:.3f}  ·  val loss {val['loss']:.3f}")


def test_saved_trajectory_replays_one_frame_per_recorded_epoch(run, tmp_path):
    trajectory, _, _ = run
    path = trajectory.save(tmp_path / "fit.npz")
    loaded = Trajectory.load(path)
    assert loaded.info == trajectory.info
    for name, values in trajectory.metrics.items():
        np.testing.assert_array_equal(loaded.metrics[name], values)
    out = tmp_path / "r.gif"
    result = CliRunner().invoke(main, ["replay", str(path), "--out", str(out), "--dpi", "30",
                                       "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert iio.imread(out, index=None).shape[0] == trajectory.n_frames


def test_memory_limit_refuses_before_the_first_epoch(keras, data):
    x, y = data
    model = small_model(keras)
    initial = model.get_weights()
    per_frame = sum(w.nbytes for w in initial)  # 4 weights, 22 float32s
    with pytest.raises(VizkitError) as error:
        model.fit(x, y, epochs=100, verbose=0,
                  callbacks=[Recorder(x, y, max_bytes=10 * per_frame)])
    message = str(error.value)
    assert "\n" not in message
    assert message == ("recording 101 frames of 88 bytes of weights needs 8.7 KiB, over "
                       "max_bytes=880 bytes; fix: Recorder(every=12) to keep fewer frames, "
                       "or a larger max_bytes")
    for before, after in zip(initial, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    # every=12 keeps 1 + ceil(100 / 12) = 10 frames: exactly what fits.
    recorder = Recorder(x, y, every=12, max_bytes=10 * per_frame)
    model.fit(x, y, epochs=100, verbose=0, callbacks=[recorder])
    assert recorder.trajectory.info["frame_epochs"] == [0, *range(12, 100, 12), 100]


def test_datasets_need_the_arrays_passed_in(keras, data):
    import tensorflow as tf

    x, y = data
    dataset = tf.data.Dataset.from_tensor_slices((x[:TRAIN], y[:TRAIN])).batch(16)
    model = small_model(keras)
    with pytest.raises(VizkitError, match=r"Recorder\(x, y\) is a _BatchDataset; fix: pass the "
                                          r"arrays, Recorder\(x, y, validation_data"):
        Recorder(dataset, y[:TRAIN])
    recorder = Recorder(x[:TRAIN], y[:TRAIN], validation_data=(x[TRAIN:], y[TRAIN:]))
    model.fit(dataset, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    trajectory = recorder.trajectory
    val = numpy_metrics(trajectory.weights_at(2), x[TRAIN:], y[TRAIN:])
    assert trajectory.metrics["val_loss"][2] == pytest.approx(val["loss"], rel=1e-5)
    assert trajectory.info["steps_per_epoch"] == 5  # the dataset's 80 rows in batches of 16


ROWS = dict(x=np.zeros((3, 2)), y=np.zeros(3))


@pytest.mark.parametrize("kwargs, needle", [
    (dict(), "fix: Recorder(x, y, validation_split=...) with fit's x, y"),
    (dict(x=np.zeros((3, 2))), "only one of x and y"),
    (dict(x=np.zeros((3, 2)), y=np.zeros(2)), "x has 3 rows but y has 2"),
    (dict(ROWS, every=0), "every=0"),
    (dict(ROWS, max_bytes=0), "max_bytes=0"),
    (dict(ROWS, validation_data=np.zeros((3, 2))), "must be a pair (x_val, y_val)"),
    (dict(ROWS, validation_split=0.9), "leaves 0 of 3 rows for training and 3"),
    (dict(ROWS, validation_split="0.5"), "validation_split='0.5') must be a share"),
    (dict(ROWS, validation_split=0.5, validation_data=(np.zeros((1, 2)), np.zeros(1))),
     "both validation_split and validation_data"),
])
def test_bad_arguments_are_one_line_errors(kwargs, needle):
    with pytest.raises(VizkitError) as error:
        Recorder(**kwargs)
    assert needle in str(error.value) and "\n" not in str(error.value)


def test_trajectory_before_fit_says_what_to_do():
    with pytest.raises(VizkitError, match=r"callbacks=\[recorder\]"):
        Recorder(**ROWS).trajectory
