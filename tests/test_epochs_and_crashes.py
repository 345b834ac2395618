"""Issue 25, items 3-5: frames show their epochs, the epoch restore_best_weights kept is
recorded and shown, and the crashes new users met end in a drawing or one line."""

import json
import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib import pyplot as plt

from vizkit import Recorder, Trajectory, VizkitError, datasets
from vizkit._keras import import_keras
from vizkit.cli import main
from vizkit.panels import history_panel
from vizkit.views.base import TrajectoryView
from vizkit.views.landscape import LossLandscape
from vizkit.views.spaces import LayerSpaces
from vizkit.views.tween import Tween

EPOCHS, EVERY = 22, 5


@pytest.fixture(scope="module")
def keras():
    return import_keras()


@pytest.fixture(scope="module")
def data():
    return datasets.moons(0, n_samples=60)


def small_model(keras, learning_rate=0.05, optimizer="adam"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(2, activation="softmax")])
    optimizers = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
    model.compile(optimizer=optimizers[optimizer](learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def every_5(keras, data):
    """A Recorder(every=5) run of 22 epochs: frames at epochs 0, 5, 10, 15, 20, 22."""
    recorder = Recorder(*data, every=EVERY)
    small_model(keras).fit(*data, epochs=EPOCHS, batch_size=16, verbose=0,
                           callbacks=[recorder])
    return recorder.trajectory


def run_cli(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


# -- item 3: frames and epochs ---------------------------------------------------
def test_recorder_every_k_records_frame_epochs(every_5):
    assert every_5.frame_epochs == [0, 5, 10, 15, 20, 22]


def test_landscape_curves_are_drawn_against_the_frames_epochs(every_5):
    # The Recorder stored the compiled loss: no loss= needed (vizkit replay has none).
    view = LossLandscape(every_5, resolution=5)
    fig, header, axes = view.figure(dpi=50)
    last = every_5.n_frames - 1
    view.draw(header, axes, last)
    curve_ax = axes[1]
    drawn = [list(line.get_xdata()) for line in curve_ax.get_lines() if len(line.get_xdata())]
    assert drawn and all(xs == every_5.frame_epochs for xs in drawn)
    assert curve_ax.get_xlim() == (0, EPOCHS)
    assert curve_ax.get_xlabel() == "epoch"
    assert view.frame_title(last) == f"Epoch {EPOCHS} of {EPOCHS}"
    assert view.frame_title(2) == "Epoch 10 of 22"
    plt.close(fig)


def test_history_curves_take_the_frames_epochs(every_5):
    fig, ax = plt.subplots()
    history_panel(ax, every_5.metrics, ("loss",), epochs=every_5.frame_epochs, upto=3,
                  legend=False)
    assert list(ax.get_lines()[0].get_xdata()) == [0, 5, 10, 15]
    plt.close(fig)


def test_tween_shows_an_epoch_the_run_recorded(every_5):
    view = Tween(every_5, epoch=15, grid_resolution=10, mesh_resolution=8, steps=2,
                 camera_steps=0, hold=0)
    assert (view.frame, view.epoch) == (3, 15)
    assert view.frame_label(0).endswith("· epoch 15")
    with pytest.raises(VizkitError, match="epoch 7 was not recorded: the trajectory keeps "
                                          "epochs 0, 5, 10, 15, 20, 22"):
        Tween(every_5, epoch=7)


def test_the_manifest_names_the_frames_and_their_epochs(every_5, tmp_path):
    path = every_5.save(tmp_path / "run.npz")
    out = tmp_path / "landscape.gif"
    result = run_cli(["replay", str(path), "--view", "landscape", "--frames", "all",
                      "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    parameters = json.loads((tmp_path / "landscape.gif.json").read_text())["parameters"]
    assert parameters["frames_shown"] == list(range(every_5.n_frames))
    assert parameters["epochs_shown"] == every_5.frame_epochs


# -- item 4: the weights restore_best_weights kept ---------------------------------
def worsening_fit(keras, data, recorder, *, recorder_first):
    """Gentle steps for 4 epochs, then a step size that makes the loss worse; early
    stopping (patience 1) restores the best epoch's weights. The recorder goes before or
    after EarlyStopping: Keras ends callbacks in the order given."""
    model = small_model(keras, learning_rate=0.5, optimizer="sgd")
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    rate = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.5 if epoch < 4 else 60.0)
    callbacks = [recorder, stop, rate] if recorder_first else [stop, rate, recorder]
    model.fit(*data, epochs=30, batch_size=16, verbose=0, callbacks=callbacks)
    return model, stop


@pytest.mark.parametrize("recorder_first", [True, False])
def test_the_restored_frame_is_recorded_and_is_the_model_kept(keras, data, recorder_first):
    recorder = Recorder(*data)
    model, stop = worsening_fit(keras, data, recorder, recorder_first=recorder_first)
    trajectory = recorder.trajectory
    restored = stop.best_epoch + 1  # Keras counts epochs from 0, frames from "before"
    assert restored < trajectory.frame_epochs[-1]  # the run got worse after it
    assert trajectory.restored_epoch == restored
    frame = trajectory.info["restored_frame"]
    assert trajectory.frame_epochs[frame] == restored
    for kept, recorded in zip(model.get_weights(), trajectory.weights_at(frame)):
        np.testing.assert_array_equal(kept, recorded)
    # The final metrics are the kept model's: model.evaluate on the same data.
    loss, accuracy = model.evaluate(*data, verbose=0)
    final = trajectory.final_metrics()
    assert final["loss"] == pytest.approx(loss, rel=1e-5)
    assert final["accuracy"] == pytest.approx(accuracy)
    assert final["loss"] < trajectory.metrics["loss"][-1]
    view = TrajectoryView()
    view.trajectory = trajectory
    last = trajectory.n_frames - 1
    assert view.frame_title(last).endswith(f"restored: epoch {restored}")
    assert view.frame_title(frame).endswith("restored at the end")


def test_a_restored_epoch_between_frames_keeps_its_metrics(keras, data, tmp_path):
    recorder = Recorder(*data, every=3)
    model, stop = worsening_fit(keras, data, recorder, recorder_first=True)
    trajectory = recorder.trajectory
    restored = stop.best_epoch + 1
    assert trajectory.restored_epoch == restored
    loss, _ = model.evaluate(*data, verbose=0)
    if restored in trajectory.frame_epochs:
        pytest.skip("the best epoch fell on a frame; the test above covers it")
    assert "restored_frame" not in trajectory.info
    assert trajectory.final_metrics()["loss"] == pytest.approx(loss, rel=1e-5)
    # and the manifest says so, through a replay of the saved run
    path = trajectory.save(tmp_path / "run.npz")
    result = run_cli(["replay", str(path), "--view", "landscape", "--out",
                      str(tmp_path / "l.gif"), "--quiet"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "l.gif.json").read_text())
    assert manifest["final_metrics"]["loss"] == pytest.approx(loss, rel=1e-5)


def test_no_restore_says_nothing(every_5):
    assert every_5.restored_epoch is None
    assert every_5.final_metrics()["loss"] == every_5.metrics["loss"][-1]


# -- item 5: a drawing or one line ------------------------------------------------
@pytest.fixture(scope="module")
def files(tmp_path_factory, keras):
    """Models and data sets that used to crash."""
    folder = tmp_path_factory.mktemp("crashes")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("int64")
    np.savez(folder / "table.npz", x=x, y=y)
    np.savez(folder / "one_hot.npz", x=x, y=np.eye(2)[y])
    np.savez(folder / "values.npz", x=x, y=(x[:, 0] + 2 * x[:, 1]).astype("float32"))
    codes = rng.integers(0, 30, size=(60, 2))
    np.savez(folder / "codes.npz", x=codes, y=(codes.sum(axis=1) > 29).astype("int64"))

    def save(name, layers, loss, inputs=2):
        inputs = keras.Input((inputs,))
        outputs = inputs
        for layer in layers:
            outputs = layer(outputs)
        model = keras.Model(inputs, outputs)
        model.compile("adam", loss)
        model.save(folder / name)

    dense = keras.layers.Dense
    save("no_bias.keras", [dense(3, activation="relu", use_bias=False),
                           dense(1, activation="sigmoid", use_bias=False)],
         "binary_crossentropy")
    save("softmax.keras", [dense(3, activation="relu"), dense(2, activation="softmax")],
         "sparse_categorical_crossentropy")
    save("regression.keras", [dense(3, activation="tanh"), dense(1)], "mse")
    save("embedding.keras", [keras.layers.Embedding(30, 3), keras.layers.Flatten(),
                             dense(1, activation="sigmoid")], "binary_crossentropy")
    return folder


def animate(files, tmp_path, model, data, *extra):
    return run_cli(["animate", "--model", str(files / model), "--data", str(files / data),
                    "--epochs", "2", "--out", str(tmp_path / "run.gif"), "--quiet", *extra])


def assert_one_line(result, *phrases):
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output


def test_embedding_inputs_are_refused_before_training(files, tmp_path):
    result = animate(files, tmp_path, "embedding.keras", "codes.npz", "--view", "layers")
    assert_one_line(result, "layer 'embedding' (Embedding) reads the model's inputs as "
                            "integer codes (0 to 29)", "--view landscape")
    assert not list(tmp_path.iterdir())


def test_embedding_model_draws_its_landscape(files, tmp_path):
    result = animate(files, tmp_path, "embedding.keras", "codes.npz", "--view", "landscape")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run.gif").is_file()


@pytest.mark.parametrize("view", ["units", "network"])
def test_dense_without_bias_is_drawn(files, tmp_path, view):
    result = animate(files, tmp_path, "no_bias.keras", "table.npz", "--view", view)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run.gif").is_file()


def test_one_hot_labels_are_named_with_the_fix(files, tmp_path):
    result = animate(files, tmp_path, "softmax.keras", "one_hot.npz")
    assert_one_line(result, "one_hot.npz: the labels are one-hot rows (60 × 2)",
                    "y.argmax(axis=1)")


def test_units_of_a_regression_draws_without_warnings(files, tmp_path):
    """The unit maps draw a regression (targets on one value scale): no refusal, no
    RuntimeWarning from numpy."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = animate(files, tmp_path, "regression.keras", "values.npz", "--view", "units")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run.gif").is_file()


def test_image_runs_are_pointed_to_the_image_view():
    images = Trajectory(model_config="{}", weights=(np.zeros((2, 1)),),
                        metrics={"loss": np.zeros(2)}, x=np.zeros((3, 4, 4, 1)),
                        y=np.zeros(3))
    for make in (LayerSpaces, Tween):
        with pytest.raises(VizkitError, match="drawn by the image view") as refused:
            make(images)
        assert "landscape" not in str(refused.value)


def test_replaying_a_regression_as_unit_maps_draws(keras, tmp_path):
    x = np.random.default_rng(1).normal(size=(30, 2)).astype("float32")
    y = x[:, 0] - x[:, 1]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    recorder = Recorder(x, y)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[recorder])
    path = recorder.trajectory.save(tmp_path / "run.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = run_cli(["replay", str(path), "--view", "units", "--out",
                          str(tmp_path / "units.gif"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "units.gif").is_file()


@pytest.mark.parametrize("info, line", [
    ({"frame_epochs": [0, 5]}, "its frame_epochs do not give one increasing epoch to each "
                               "of its 6 frames"),
    ({"frame_epochs": "0,5"}, "its frame_epochs do not give one increasing epoch"),
    ({"restored_frame": 9}, "its restored_frame 9 is not one of its 6 frames"),
    ({"restored_metrics": ["loss"]}, "its restored_metrics are not a mapping"),
])
def test_a_file_whose_frame_fields_disagree_is_one_line(every_5, tmp_path, info, line):
    forged = Trajectory(model_config=every_5.model_config, weights=every_5.weights,
                        metrics=every_5.metrics, x=every_5.x, y=every_5.y,
                        info=dict(every_5.info, **info), extras=every_5.extras)
    path = forged.save(tmp_path / "forged.npz")
    with pytest.raises(VizkitError, match=f"forged.npz: {line}"):
        Trajectory.load(path)
