"""Classification tools: boundaries, confusion matrix, learning-rate search."""

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

from fixtures import CLASSIFICATION_TRAJECTORY
from vizkit import Trajectory, VizkitError, new_figure
from vizkit.views.decision_regions import ClassificationView
from vizkit.inspect.confusion_matrix import confusion_matrix
from vizkit.panels import confusion_panel
from vizkit.recording.lr_finder import find_learning_rate
from vizkit_scenes.classification import FINAL_LAYERS, build_classifier, circles_split


@pytest.fixture(scope="module")
def trajectory():
    return Trajectory.load(CLASSIFICATION_TRAJECTORY)


def test_boundary_pixels_are_numpys_thresholded_forward_pass(trajectory):
    (_, _), (x_test, y_test) = circles_split()
    view = ClassificationView(trajectory, x_test, y_test, grid_resolution=50)
    frame = trajectory.n_frames - 1
    w1, b1, w2, b2, w3, b3 = [w.astype(np.float64) for w in trajectory.weights_at(frame)]
    hidden = np.maximum(0, np.maximum(0, view.grid.points @ w1 + b1) @ w2 + b2)
    p = 1 / (1 + np.exp(-(hidden @ w3 + b3)))[:, 0]
    drawn = view.probabilities(frame)
    np.testing.assert_allclose(drawn, p, rtol=1e-5, atol=1e-6)
    near = np.abs(p - 0.5) < 1e-5  # float round-off may flip these, nothing else
    assert np.array_equal((drawn > 0.5)[~near], (p > 0.5)[~near])


def test_trajectory_holds_train_and_test_metrics(trajectory):
    assert {"loss", "accuracy", "test_loss", "test_accuracy"} <= set(trajectory.metrics)


@pytest.mark.parametrize("n", [2, 3, 10])
def test_confusion_matrix_equals_scikit_learns(rng, n):
    y_true, y_pred = rng.integers(0, n, 500), rng.integers(0, n, 500)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, n),
                                  sklearn_confusion_matrix(y_true, y_pred, labels=range(n)))


def test_confusion_matrix_rejects_mismatched_input():
    with pytest.raises(VizkitError, match="3 true labels but 2 predictions"):
        confusion_matrix([0, 1, 1], [0, 1])
    fig = new_figure(3, 3)
    with pytest.raises(VizkitError, match="2 classes but 3 class names"):
        confusion_panel(fig.add_subplot(), np.eye(2, dtype=int), ["a", "b", "c"])


def test_confusion_panel_text_shows_counts_shares_and_stays_readable():
    fig = new_figure(3, 3)
    ax = confusion_panel(fig.add_subplot(), np.array([[90, 10], [0, 100]]), ["no", "yes"])
    texts = {t.get_text(): t.get_color() for t in ax.texts}
    assert texts == {"90\n90%": "white", "10\n10%": "black", "0\n0%": "black",
                     "100\n100%": "white"}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["no", "yes"]


@pytest.fixture(scope="module")
def search_and_model():
    (x, y), _ = circles_split()
    model = build_classifier(FINAL_LAYERS, seed=1)
    before = [w.copy() for w in model.get_weights()]
    search = find_learning_rate(model, x[:200], y[:200], epochs=12, seed=1)
    return search, model, before


def test_finder_schedule_and_suggestion(search_and_model):
    search, _, _ = search_and_model
    np.testing.assert_allclose(search.rates, 1e-4 * 10 ** (np.arange(12) / 20))
    assert search.suggestion == pytest.approx(search.rates[np.argmin(search.losses)] / 10)
    assert search.losses.shape == (12,)


def test_finder_restores_weights_optimizer_and_rate(search_and_model):
    _, model, before = search_and_model
    for now, then in zip(model.get_weights(), before):
        np.testing.assert_array_equal(now, then)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.001)
    assert int(model.optimizer.iterations.numpy()) == 0
    moments = [v for v in model.optimizer.variables
               if "momentum" in v.path or "velocity" in v.path]
    assert len(moments) == 2 * len(model.trainable_variables)
    assert all(not np.any(v.numpy()) for v in moments)


@pytest.mark.parametrize("low, high", [(1e-2, 1e-3), (1e-3, 1e-3), (0, 1.0)])
def test_finder_rejects_a_bad_range(low, high):
    model = build_classifier(FINAL_LAYERS)
    with pytest.raises(VizkitError, match="needs 0 < min < max"):
        find_learning_rate(model, np.zeros((4, 2)), np.zeros(4), min_rate=low, max_rate=high)


def test_scene_refuses_existing_stills_before_training(tmp_path):
    from vizkit_scenes.classification import cli

    (tmp_path / "c-confusion.png").write_bytes(b"mine")
    result = CliRunner().invoke(cli, ["--out", str(tmp_path / "c.gif"), "--quiet"])
    assert result.exit_code == 1 and "already exists" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-confusion.png"]
