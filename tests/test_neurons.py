"""The neurons scene: TensorFlow equals numpy, the loss surface is the true loss."""

import numpy as np
import pytest
from click.testing import CliRunner

from fixtures import NEURON_TRAJECTORIES
from vizkit import Trajectory
from vizkit.views.neuron_fit import NeuronView, loss_surface
from vizkit_scenes.neurons import NEURONS, activation_values, cli, set_weight_predictions


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("kind", ["linear", "logistic"])
def test_tensorflow_output_equals_numpy_with_the_labs_weights(kind):
    xs = np.linspace(-1, 6, 50)
    tensorflow, numpy = set_weight_predictions(kind, xs)
    w, b = NEURONS[kind]["weights"]
    independent = w * xs + b if kind == "linear" else sigmoid(w * xs + b)
    np.testing.assert_allclose(tensorflow, independent, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(numpy, independent, rtol=1e-12)


def test_mse_surface_is_the_mean_squared_error():
    x, y = np.array([1.0, 2.0]), np.array([300.0, 500.0])
    ws, bs = np.array([0.0, 150.0, 200.0]), np.array([-10.0, 100.0])
    surface = loss_surface("mean_squared_error", x, y, ws, bs)
    for i, b in enumerate(bs):
        for j, w in enumerate(ws):
            assert surface[i, j] == pytest.approx(np.mean((w * x + b - y) ** 2), rel=1e-6)
    assert surface[1, 2] == 0


def test_bce_surface_is_the_binary_cross_entropy():
    x, y = np.arange(6.0), np.array([0, 0, 0, 1, 1, 1.0])
    ws, bs = np.array([0.5, 2.0]), np.array([-4.5, 0.0])
    surface = loss_surface("binary_crossentropy", x, y, ws, bs, activation="sigmoid")
    for i, b in enumerate(bs):
        for j, w in enumerate(ws):
            p = np.clip(sigmoid(w * x + b), 1e-7, 1 - 1e-7)
            expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
            assert surface[i, j] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("kind", ["linear", "logistic"])
def test_view_follows_the_trajectory(kind):
    trajectory = Trajectory.load(NEURON_TRAJECTORIES[kind])
    spec = NEURONS[kind]
    view = NeuronView(trajectory, spec["loss"], spec["activation"], target=spec["weights"])
    model = trajectory.build_model(0)
    x = trajectory.x.astype(np.float32)
    for frame in (0, trajectory.n_frames - 1):
        w, b = trajectory.weights_at(frame)
        assert tuple(view.path[frame]) == (w[0, 0], b[0])
        model.set_weights([w, b])
        np.testing.assert_allclose(view.predict(frame, x.ravel()), np.asarray(model(x)).ravel(),
                                   rtol=1e-5, atol=1e-5)
    # the recorded loss at each frame lies on the surface drawn
    last = trajectory.n_frames - 1
    recomputed = loss_surface(spec["loss"], x.ravel(), trajectory.y.ravel(), [view.path[last, 0]],
                              [view.path[last, 1]], view.activation)[0, 0]
    assert recomputed == pytest.approx(trajectory.metrics["loss"][last], rel=1e-4)
    (w0, w1), (b0, b1) = (view.ws[[0, -1]], view.bs[[0, -1]])
    assert (w0 <= view.path[:, 0]).all() and (view.path[:, 0] <= w1).all()
    assert (b0 <= view.path[:, 1]).all() and (view.path[:, 1] <= b1).all()


def test_gradient_descent_lowers_the_loss():
    for kind in NEURONS:
        losses = Trajectory.load(NEURON_TRAJECTORIES[kind]).metrics["loss"]
        assert losses[-1] < losses[0] / 2


def test_activation_derivatives_come_from_tensorflow():
    z = np.array([-3.0, -0.5, 0.5, 3.0])
    for name, derivative in (("sigmoid", sigmoid(z) * (1 - sigmoid(z))),
                             ("tanh", 1 - np.tanh(z) ** 2), ("relu", (z > 0).astype(float)),
                             ("linear", np.ones_like(z))):
        values, gradient = activation_values(name, z)
        np.testing.assert_allclose(gradient, derivative, rtol=1e-5, atol=1e-6)


def test_scene_writes_stills_animations_and_manifests(tmp_path):
    result = CliRunner().invoke(cli, ["--epochs", "3", "--out", str(tmp_path / "n.gif"),
                                      "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    for stem in ("n-linear-fit.png", "n-logistic-fit.png", "n-activations.png",
                 "n-linear.gif", "n-logistic.gif"):
        assert stem in names and f"{stem}.json" in names
    assert {"n-linear.trajectory.npz", "n-logistic.trajectory.npz"} <= names


def test_scene_refuses_to_overwrite(tmp_path):
    (tmp_path / "n-activations.png").write_bytes(b"mine")
    result = CliRunner().invoke(cli, ["--epochs", "2", "--out", str(tmp_path / "n.gif")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: ") and "already exists" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n-activations.png"]
