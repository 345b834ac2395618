"""The loss landscape shows the model's true loss: checked against the recorded run and numpy."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from vizkit import Trajectory, VizkitError, record
from vizkit._keras import import_keras
from vizkit.views.landscape import LossLandscape, resolve_loss


def bce(p, y):
    p = np.clip(p.ravel(), 1e-7, 1 - 1e-7)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def sparse_ce_logits(logits, y):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(y)), y.astype(int)]))


def weights_on_plane(view, trajectory, alpha, beta):
    """The model's weights at plane point (alpha, beta), built from the plane's definition."""
    flat = view.final + alpha * view.directions[0] + beta * view.directions[1]
    model = trajectory.build_model(-1)
    sizes = [v.numpy().size for v in model.trainable_variables]
    for variable, part in zip(model.trainable_variables, np.split(flat, np.cumsum(sizes)[:-1])):
        variable.assign(part.reshape(variable.shape).astype(np.float32))
    return [w.astype(np.float64) for w in model.get_weights()]


@pytest.fixture(scope="module")
def steps():
    return []


@pytest.fixture(scope="module")
def view(stored_trajectory, steps):
    return LossLandscape(stored_trajectory, resolution=11, on_step=lambda *a: steps.append(a))


def test_centre_is_the_recorded_final_loss(view, stored_trajectory):
    centre = view.plane_loss(view.weights_at([[0.0, 0.0]]))[0]
    assert centre == pytest.approx(stored_trajectory.metrics["loss"][-1], rel=1e-6)
    assert view.path_loss[-1] == pytest.approx(stored_trajectory.metrics["loss"][-1], rel=1e-6)


@pytest.mark.parametrize("row, column", [(2, 7), (9, 0), (5, 5)])
def test_grid_points_are_the_models_loss_at_those_weights(view, stored_trajectory, row, column):
    alpha, beta = view.alphas[column], view.betas[row]
    w1, b1, w2, b2 = weights_on_plane(view, stored_trajectory, alpha, beta)
    x = stored_trajectory.x.astype(np.float64)
    probability = 1 / (1 + np.exp(-(np.tanh(x @ w1 + b1) @ w2 + b2)))
    assert view.surface[row, column] == pytest.approx(bce(probability, stored_trajectory.y),
                                                      rel=2e-5)


def test_plane_is_the_trajectorys_top_two_principal_directions(view, stored_trajectory):
    flat = np.concatenate([w.reshape(stored_trajectory.n_frames, -1)
                           for w in stored_trajectory.weights], axis=1).astype(np.float64)
    offsets = flat - flat[-1]
    pca = PCA(2).fit(offsets)
    np.testing.assert_allclose(np.abs(np.sum(pca.components_ * view.directions, axis=1)), 1,
                               atol=1e-9)
    np.testing.assert_allclose(view.explained, pca.explained_variance_ratio_, rtol=1e-9)
    np.testing.assert_allclose(view.path, offsets @ view.directions.T, atol=1e-12)
    np.testing.assert_allclose(view.directions @ view.directions.T, np.eye(2), atol=1e-12)
    assert tuple(view.path[-1]) == (0.0, 0.0)
    assert view.alphas[0] <= view.path[:, 0].min() and view.path[:, 0].max() <= view.alphas[-1]
    assert view.betas[0] <= view.path[:, 1].min() and view.path[:, 1].max() <= view.betas[-1]


def test_progress_is_reported_per_grid_row(view, steps):
    assert steps == [(row, 11) for row in range(1, 12)]
    assert view.surface.shape == (11, 11)


def test_logit_scene_loss_comes_from_the_scene(unit_maps_trajectory):
    view = LossLandscape(unit_maps_trajectory, resolution=5)
    assert view.loss_label == "sparse_categorical_crossentropy (logits)"
    w1, b1, w2, b2 = weights_on_plane(view, unit_maps_trajectory, view.alphas[1], view.betas[3])
    x = unit_maps_trajectory.x.astype(np.float64)
    expected = sparse_ce_logits(np.maximum(0, x @ w1 + b1) @ w2 + b2, unit_maps_trajectory.y)
    assert view.surface[3, 1] == pytest.approx(expected, rel=2e-5)


def test_frozen_weights_stay_final_and_regularisers_count(rng):
    keras = import_keras()
    keras.utils.set_random_seed(3)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    model = keras.Sequential([keras.Input((2,)),
                              keras.layers.Dense(6, activation="relu", kernel_regularizer="l2"),
                              keras.layers.BatchNormalization(), keras.layers.Dropout(0.2),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1))
    trajectory = record(model, x, y, epochs=3, seed=3, info=dict(loss=str(model.loss)))
    view = LossLandscape(trajectory, resolution=5)
    assert view.n_trainable == 2 * 6 + 6 + 6 + 6 + 6 + 1
    assert view.n_fixed == 12  # BatchNorm's moving mean and variance
    assert view.directions.shape == (2, view.n_trainable)
    assert view.path_loss[-1] == pytest.approx(trajectory.metrics["loss"][-1], rel=1e-5)
    assert "12 non-trainable weights" in view._plane_note()


def test_stored_loss_objects_and_names_resolve():
    keras = import_keras()
    loss, label = resolve_loss(None, {"loss": str(keras.losses.SparseCategoricalCrossentropy(
        from_logits=True))})
    assert label == "sparse_categorical_crossentropy (logits)"
    assert loss.get_config()["from_logits"] is True
    assert resolve_loss(None, {"loss": "binary_crossentropy"})[1] == "binary_crossentropy"
    assert resolve_loss("mse", {})[1] == "mse"


@pytest.mark.parametrize("loss, info, message", [
    (None, {}, "does not say which loss"),
    ("swoosh", {}, "unknown loss 'swoosh'"),
    (None, {"loss": "<function my_loss at 0x7f00>"}, "unknown loss"),
])
def test_unknown_losses_get_one_line(loss, info, message):
    with pytest.raises(VizkitError, match=message) as caught:
        resolve_loss(loss, info)
    assert "\n" not in str(caught.value)


def test_a_loss_the_run_was_not_trained_with_is_refused(stored_trajectory):
    with pytest.raises(VizkitError, match="but the run recorded") as caught:
        LossLandscape(stored_trajectory, "mean_squared_error", resolution=3)
    assert "\n" not in str(caught.value)


def test_a_run_too_short_for_a_plane_is_refused(stored_trajectory):
    short = Trajectory(stored_trajectory.model_config, tuple(w[:2] for w in
                                                             stored_trajectory.weights),
                       {k: v[:2] for k, v in stored_trajectory.metrics.items()},
                       stored_trajectory.x, stored_trajectory.y, stored_trajectory.info)
    with pytest.raises(VizkitError, match="do not span a plane"):
        LossLandscape(short, resolution=3)


def test_a_run_without_a_recorded_loss_is_refused(stored_trajectory):
    unscored = Trajectory(stored_trajectory.model_config, stored_trajectory.weights, {},
                          stored_trajectory.x, stored_trajectory.y, stored_trajectory.info)
    with pytest.raises(VizkitError, match="no recorded loss"):
        LossLandscape(unscored, resolution=3)


@pytest.mark.snapshot
def test_frames_match_baselines(view, tmp_path, assert_image_matches):
    result = view.render(tmp_path / "l.png", "png", frames=[3, 8], dpi=45)
    for frame, path in zip((3, 8), result.paths):
        assert_image_matches(path, f"landscape_layer_spaces_frame{frame:03d}.png")
