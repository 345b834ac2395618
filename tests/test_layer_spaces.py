"""Layer spaces colour each hidden plane by the rest of the network: numpy from the
weights says what that colour must be."""

import numpy as np
import pytest

from vizkit import LayerSpaces


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture(scope="module")
def view(stored_trajectory):
    return LayerSpaces(stored_trajectory, grid_resolution=30, plane_resolution=25)


@pytest.mark.parametrize("frame", [0, -1])
def test_hidden_planes_are_coloured_by_the_rest_of_the_network(view, stored_trajectory, frame):
    frame %= stored_trajectory.n_frames
    _, _, w2, b2 = [w.astype(np.float64) for w in stored_trajectory.weights_at(frame)]
    after_tanh = view.plane_grids["activation_1"].points.astype(np.float64)
    expected = sigmoid(after_tanh @ w2 + b2)[:, 0]
    np.testing.assert_allclose(view.plane_scores(frame, "activation_1").ravel(), expected,
                               rtol=1e-5, atol=1e-6)
    before_tanh = view.plane_grids["hidden_1"].points.astype(np.float64)
    expected = sigmoid(np.tanh(before_tanh) @ w2 + b2)[:, 0]
    np.testing.assert_allclose(view.plane_scores(frame, "hidden_1").ravel(), expected,
                               rtol=1e-5, atol=1e-6)


def test_limits_hold_nearly_every_point_of_every_frame(view, stored_trajectory):
    x = stored_trajectory.x.astype(np.float64)
    inside = []
    for frame in range(stored_trajectory.n_frames):
        w1, b1, _, _ = [w.astype(np.float64) for w in stored_trajectory.weights_at(frame)]
        for name, points in (("hidden_1", x @ w1 + b1), ("activation_1", np.tanh(x @ w1 + b1))):
            (x0, x1), (y0, y1) = view.limits[name]
            inside.append(((points[:, 0] >= x0) & (points[:, 0] <= x1) &
                           (points[:, 1] >= y0) & (points[:, 1] <= y1)).mean())
    assert min(inside) > 0.97 and np.mean(inside) > 0.995


def test_a_branching_graph_falls_back_to_the_carried_sheet():
    import keras

    from vizkit.views.spaces import downstream_layers

    inputs = keras.Input((2,))
    a = keras.layers.Dense(2, name="a")(inputs)
    b = keras.layers.Dense(2, name="b")(a)
    joined = keras.layers.Concatenate(name="c")([a, b])
    model = keras.Model(inputs, keras.layers.Dense(1, name="o")(joined))
    assert downstream_layers(model, "a") is None and downstream_layers(model, "b") is None
    chain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, name="h"),
                              keras.layers.Dense(1, name="out")])
    assert [layer.name for layer in downstream_layers(chain, "h")] == ["out"]
