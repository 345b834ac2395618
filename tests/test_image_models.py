"""Image classifiers of your own: .npz images in, the image view out, its filters and
feature maps against numpy from the layer weights."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from fixtures import DATA
from helpers import assert_one_line_error
from vizkit import Trajectory, VizkitError
from vizkit._keras import import_keras
from vizkit.animation import view_for
from vizkit.cli import main
from vizkit.data.image_sets import load_image_file
from vizkit.views.image_classifier import ImageClassifierView
from vizkit.panels import mosaic


def digit_images(n=300):
    """scikit-learn's bundled 8 x 8 digits upscaled to 28 x 28 (nothing downloaded)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.pad(np.kron(digits.images[:n], np.ones((3, 3))), ((0, 0), (2, 2), (2, 2)))
    return (images / 16).astype(np.float32), digits.target[:n]


def small_cnn(keras, input_shape=(28, 28, 1)):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(input_shape),
                              keras.layers.Conv2D(4, 5, strides=2, activation="relu",
                                                  name="conv1"),
                              keras.layers.Conv2D(6, 3, strides=2, activation="relu",
                                                  name="conv2"),
                              keras.layers.Flatten(),
                              keras.layers.Dense(10, name="logits")])
    model.compile(optimizer=keras.optimizers.Adam(0.003),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    keras = import_keras()
    images, labels = digit_images()
    np.savez(folder / "images.npz", x=images[..., None], y=labels)
    np.savez(folder / "grey.npz", x=np.round(images * 255).astype(np.uint8), y=labels,
             class_names=np.array([f"digit {k}" for k in range(10)]))
    small_cnn(keras).save(folder / "cnn.keras")
    keras.utils.set_random_seed(0)
    dense = keras.Sequential([keras.Input((784,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    dense.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    dense.save(folder / "dense.keras")
    return folder


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def recorded(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("cnn") / "cnn.gif"
    result = run(["animate", "--model", str(files / "cnn.keras"), "--data",
                  str(files / "images.npz"), "--epochs", "2", "--dpi", "30", "--quiet",
                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.parent


@pytest.fixture(scope="module")
def view(recorded):
    return ImageClassifierView(Trajectory.load(recorded / "cnn.trajectory.npz"), example=3)


def conv_numpy(image, kernel, bias, stride):
    """A 'valid' convolution with ReLU, in numpy: (h, w, c) -> (h', w', filters)."""
    kh, kw, _, filters = kernel.shape
    rows = (image.shape[0] - kh) // stride + 1
    cols = (image.shape[1] - kw) // stride + 1
    out = np.empty((rows, cols, filters))
    for i in range(rows):
        for j in range(cols):
            patch = image[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.tensordot(patch, kernel, axes=3) + bias
    return np.maximum(out, 0)


def test_held_out_split_and_test_set(view, files):
    images = load_image_file(files / "images.npz", seed=0)
    assert len(images.x_train) == 240 and len(images.x_test) == 60  # 20 % held out
    assert view.trajectory.x.shape == (240, 28, 28, 1)  # stored as the model takes them
    np.testing.assert_array_equal(view.images.x_test, images.x_test)
    grey = load_image_file(files / "grey.npz", seed=0)
    assert grey.x_train.max() <= 1 and grey.class_names[3] == "digit 3"  # 0-255 scaled


def test_feature_maps_and_filters_are_numpys(view):
    trajectory = view.trajectory
    image = view.images.x_test[3].astype(np.float64)
    for frame in (0, trajectory.n_frames - 1):
        k1, b1, k2, b2 = (w.astype(np.float64) for w in trajectory.weights_at(frame)[:4])
        first = conv_numpy(image, k1, b1, 2)
        second = conv_numpy(first, k2, b2, 2)
        maps = view.feature_maps(frame)
        np.testing.assert_allclose(maps["conv1"], first.transpose(2, 0, 1), atol=1e-5)
        np.testing.assert_allclose(maps["conv2"], second[..., :6].transpose(2, 0, 1),
                                   atol=1e-4)
        np.testing.assert_allclose(view.filters(frame), k1.mean(axis=2).transpose(2, 0, 1),
                                   atol=1e-7)


def test_conv_scales_hold_every_frame(view):
    for frame in range(view.trajectory.n_frames):
        assert np.abs(view.filters(frame)).max() <= view.filter_norm.vmax + 1e-9
        assert view.filter_norm.vmin == -view.filter_norm.vmax
        for name, maps in view.feature_maps(frame).items():
            norm, _ = view.map_scales[name]
            assert norm.vmin <= maps.min() and maps.max() <= norm.vmax + 1e-9


def test_the_frame_names_its_panels(view):
    _, _, axes = view.figure(dpi=30)
    titles = [ax.get_title() for ax in axes]
    assert titles[4].startswith("conv1: its 4 filters")
    assert "feature maps of test image\n3 (" in titles[5] and titles[6].startswith("conv2")


def test_replay_follows_the_chosen_image(recorded, tmp_path):
    result = run(["replay", str(recorded / "cnn.trajectory.npz"), "--image", "3", "--out",
                  str(tmp_path / "r.png"), "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r.png.json").read_text())["parameters"]["image"] == 3
    assert_one_line_error(run(["replay", str(recorded / "cnn.trajectory.npz"), "--image",
                               "60", "--out", str(tmp_path / "s.png")]),
                          "--image 60", "numbered 0 to 59")
    assert_one_line_error(run(["replay", str(recorded / "cnn.trajectory.npz"), "--view",
                               "network", "--out", str(tmp_path / "t.png")]),
                          "image classifier's run gets the image view")


def test_a_dense_model_on_flat_pixels(files, tmp_path):
    result = run(["animate", "--model", str(files / "dense.keras"), "--data",
                  str(files / "grey.npz"), "--epochs", "1", "--dpi", "30", "--quiet",
                  "--out", str(tmp_path / "d.png")])
    assert result.exit_code == 0, result.output
    trajectory = Trajectory.load(tmp_path / "d.trajectory.npz")
    assert trajectory.x.shape == (240, 784)
    assert trajectory.info["class_names"][0] == "digit 0"
    view = ImageClassifierView(trajectory)
    assert not view.convs and view.x_test.shape == (60, 784)


def bad_npz(folder, name, **arrays):
    np.savez(folder / name, **arrays)
    return folder / name


@pytest.mark.parametrize("arrays, needles", [
    (dict(x=np.zeros((10, 4, 4, 2)), y=np.zeros(10)), ["1 or 3 channels"]),
    (dict(x=np.zeros((10, 28, 28)), y=np.full(10, 0.5)), ["class numbers"]),
    (dict(x=np.zeros((10, 28, 28)), y=np.zeros(9)), ["10 images but 9 labels"]),
    (dict(x=np.full((10, 28, 28), 300.0), y=np.zeros(10)), ["0–1 or 0–255"]),
    (dict(x=np.zeros((10, 20, 20)), y=np.zeros(10)), ["20×20", "(28, 28, 1)"]),
    (dict(x=np.zeros((10, 28, 28)), y=np.zeros(10), x_test=np.zeros((2, 28, 28))),
     ["x_test and y_test"]),
])
def test_bad_image_data_is_one_line(files, tmp_path, arrays, needles):
    data = bad_npz(tmp_path, "bad.npz", **arrays)
    out = tmp_path / "out" / "a.gif"
    result = run(["animate", "--model", str(files / "cnn.keras"), "--data", str(data),
                  "--epochs", "1", "--quiet", "--out", str(out)])
    assert_one_line_error(result, *needles)
    assert not out.parent.exists()


@pytest.mark.parametrize("args, needles", [
    (["--view", "units"], ["image classifier's view"]),
    (["--layers", "conv1"], ["image classifier's view"]),
])
def test_feature_vector_options_on_images_are_one_line(files, tmp_path, args, needles):
    result = run(["animate", "--model", str(files / "cnn.keras"), "--data",
                  str(files / "images.npz"), "--epochs", "1", "--quiet", "--out",
                  str(tmp_path / "a.gif"), *args])
    assert_one_line_error(result, *needles)
    assert list(tmp_path.iterdir()) == []


def test_image_option_on_a_table_is_one_line(tmp_path):
    keras = import_keras()
    x = np.random.default_rng(0).normal(size=(40, 2))
    np.savetxt(tmp_path / "t.csv", np.column_stack([x, x[:, 0] > 0]), delimiter=",")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.save(tmp_path / "m.keras")
    result = run(["animate", "--model", str(tmp_path / "m.keras"), "--data",
                  str(tmp_path / "t.csv"), "--image", "2", "--quiet", "--out",
                  str(tmp_path / "out" / "a.gif")])
    assert_one_line_error(result, "--image", "table of features")
    with pytest.raises(VizkitError, match="image classifier"):
        view_for(Trajectory.load(DATA / "layer_spaces_trajectory.npz"), image=1)


def test_colour_images_are_read_and_drawn_in_colour(tmp_path):
    """(n, h, w, 3) images: a Dense model on their flat pixels, the tiles in colour."""
    from vizkit.recording.image_run import record_image_run

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 60)
    images = np.zeros((60, 6, 6, 3), np.float32)
    images[labels == 0, ..., 0] = 1.0  # red images are class 0, blue ones class 1
    images[labels == 1, ..., 2] = 1.0
    np.savez(tmp_path / "rgb.npz", x=images + rng.uniform(0, 0.05, images.shape), y=labels)
    image_set = load_image_file(tmp_path / "rgb.npz", seed=0)
    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((108,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    view = ImageClassifierView(record_image_run(model, image_set, epochs=1, seed=0))
    fig, _, axes = view.figure(dpi=30)
    sheet = np.asarray(axes[0].get_images()[0].get_array())
    assert sheet.ndim == 3 and sheet.shape[-1] == 3  # drawn as RGB, not as grey
    expected, _ = mosaic(image_set.x_test[view.shown], 6)
    np.testing.assert_allclose(sheet, np.clip(expected, 0, 1), atol=1e-6)
    assert sheet[..., 0].max() > 0.9 and sheet[..., 2].max() > 0.9  # both colours there


def test_a_recorder_run_of_a_cnn_is_drawn_on_its_validation_images(tmp_path):
    """model.fit with vizkit.Recorder: replay gives the image view, on fit's validation
    images, its error count that of the trained model."""
    from vizkit import Recorder

    keras = import_keras()
    images, labels = digit_images(200)
    model = small_cnn(keras)
    recorder = Recorder(images[..., None], labels, validation_split=0.25)
    model.fit(images[..., None], labels, validation_split=0.25, epochs=2, batch_size=32,
              verbose=0, callbacks=[recorder])
    path = recorder.trajectory.save(tmp_path / "fit.npz")
    result = run(["replay", str(path), "--image", "2", "--out", str(tmp_path / "r.png"),
                  "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    view = ImageClassifierView(Trajectory.load(path))
    assert view.images.held_out == "validation" and len(view.images.x_test) == 50
    predicted = np.asarray(model(images[150:, ..., None])).argmax(axis=1)  # Keras's split
    assert view.errors[-1] == int((predicted != labels[150:]).sum())
    assert view.frame_subtitle(view.trajectory.n_frames - 1).startswith(
        f"{view.errors[-1]} errors out of 50 validation images")


def test_an_image_number_out_of_range_is_refused_before_training(files, tmp_path,
                                                                  monkeypatch):
    import vizkit.recording.fit

    def no_training(*args, **kwargs):
        raise AssertionError("trained before checking --image")

    monkeypatch.setattr(vizkit.recording.fit, "record", no_training)
    result = run(["animate", "--model", str(files / "cnn.keras"), "--data",
                  str(files / "images.npz"), "--image", "60", "--epochs", "1", "--quiet",
                  "--out", str(tmp_path / "a.gif")])
    assert_one_line_error(result, "--image 60", "numbered 0 to 59")
    assert list(tmp_path.iterdir()) == []
