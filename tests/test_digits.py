"""Image classifiers: true probabilities and error counts, images the right way up."""

import numpy as np
import pytest
from click.testing import CliRunner

from fixtures import DIGITS_TRAJECTORY
from vizkit import Trajectory, VizkitError
from vizkit.data.image_sets import lab_rows_to_images, load_image_set
from vizkit.views.image_classifier import ImageClassifierView
from vizkit.inspect.readout import softmax
from vizkit.panels import mosaic
from vizkit_scenes.digits import cli

# An asymmetric pattern: a bar down the left edge and a dot at the top right.
PATTERN = np.zeros((20, 20), np.float32)
PATTERN[:, 0] = 1.0
PATTERN[0, 19] = 0.5


@pytest.fixture(scope="module")
def image_set():
    return load_image_set("digits", seed=1234)


@pytest.fixture(scope="module")
def view(image_set):
    return ImageClassifierView(Trajectory.load(DIGITS_TRAJECTORY), image_set)


def numpy_logits(trajectory, frame, x):
    w1, b1, w2, b2, w3, b3 = [w.astype(np.float64) for w in trajectory.weights_at(frame)]
    return np.maximum(0, np.maximum(0, x @ w1 + b1) @ w2 + b2) @ w3 + b3


def test_probabilities_are_the_softmax_of_the_logits(view, image_set):
    last = view.trajectory.n_frames - 1
    logits = numpy_logits(view.trajectory, last, image_set.flat(image_set.x_test))
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    probabilities = view.outputs(last)["probabilities"]
    np.testing.assert_allclose(probabilities, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-12)
    np.testing.assert_allclose(softmax([[1000.0, 1000.0]]), [[0.5, 0.5]])


def test_error_count_is_numpys(view, image_set):
    last = view.trajectory.n_frames - 1
    logits = numpy_logits(view.trajectory, last, image_set.flat(image_set.x_test))
    errors = int((logits.argmax(axis=1) != image_set.y_test).sum())
    _, header, axes = view.figure(dpi=30)
    view.draw(header, axes, last)
    assert header.texts[1].get_text().startswith(f"{errors} errors out of "
                                                 f"{len(image_set.y_test)} test images")


def test_projection_is_fitted_once_and_used_in_every_frame(view):
    projection = view.projection
    for frame in (0, view.trajectory.n_frames - 1):
        _, header, axes = view.figure(dpi=30)
        view.draw(header, axes, frame)
        hidden = view.outputs(frame)[view.hidden]
        drawn = np.concatenate([points.get_offsets() for points in axes[3].collections])
        expected = (hidden - projection.mean) @ projection.components
        assert np.allclose(np.sort(drawn, axis=0), np.sort(expected, axis=0), atol=1e-5)
    assert view.projection is projection


def test_lab_rows_are_stored_column_by_column():
    row = PATTERN.T.ravel()  # how the lab's X.npy keeps a 20 x 20 image
    np.testing.assert_array_equal(lab_rows_to_images(row[None])[0], PATTERN)


def test_lab_folder_is_read_the_right_way_up(tmp_path):
    rows = np.stack([PATTERN.T.ravel()] * 10)
    np.save(tmp_path / "X.npy", rows)
    np.save(tmp_path / "y.npy", np.arange(10).reshape(-1, 1))
    images = load_image_set("lab", tmp_path, seed=0)
    np.testing.assert_array_equal(images.x_train[0], PATTERN)


def test_fashion_npz_is_read_the_right_way_up_and_scaled(tmp_path):
    pixels = (PATTERN[:28, :20] * 255).astype(np.uint8)
    stack = np.stack([np.pad(pixels, ((0, 8), (0, 8)))] * 4)
    np.savez(tmp_path / "f.npz", x_train=stack, y_train=np.arange(4), x_test=stack[:2],
             y_test=np.arange(2))
    images = load_image_set("fashion-mnist", tmp_path / "f.npz")
    assert images.shape == (28, 28) and images.class_names[9] == "Ankle boot"
    np.testing.assert_allclose(images.x_train[0][:20, :20], PATTERN, atol=1 / 255)


def test_digits_are_scikit_learns_images():
    from sklearn.datasets import load_digits

    raw = load_digits()
    images = load_image_set("digits", seed=3)
    index = np.flatnonzero((raw.data / 16.0 == images.x_train[0].ravel()).all(axis=1))
    assert len(index) >= 1
    np.testing.assert_allclose(images.x_train[0], raw.images[index[0]] / 16.0)


def test_mosaic_places_each_image_at_its_centre():
    images = np.arange(6 * 4 * 4, dtype=np.float32).reshape(6, 4, 4)
    sheet, centres = mosaic(images, columns=4, gap=1, label_gap=2)
    for image, (x, y) in zip(images, centres):
        top, left = int(y - 1.5), int(x - 1.5)
        np.testing.assert_array_equal(sheet[top:top + 4, left:left + 4], image)


@pytest.mark.parametrize("args, needle", [
    (["--dataset", "mnist"], "--dataset"),
    (["--dataset", "lab"], "--data FOLDER"),
    (["--dataset", "lab", "--data", "/nonexistent"], "X.npy not found"),
    (["--dataset", "digits", "--data", "x.npz"], "digits are bundled"),
])
def test_bad_dataset_options_are_one_line_errors(tmp_path, args, needle):
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "d.gif"), "--quiet"])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], lines
    assert list(tmp_path.iterdir()) == []


def test_fashion_without_cache_or_file_says_how_to_provide_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(VizkitError, match="not in Keras's cache.*give data \\(an .npz file\\)"):
        load_image_set("fashion-mnist")


def test_scene_writes_six_stills_and_the_animation(tmp_path):
    result = CliRunner().invoke(cli, ["--epochs", "2", "--out", str(tmp_path / "d.gif"),
                                      "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    for still in ("samples", "predictions", "probabilities", "errors", "confusion", "weights"):
        assert f"d-{still}.png" in names and f"d-{still}.png.json" in names
    assert {"d.gif", "d.gif.json", "d.trajectory.npz"} <= names
