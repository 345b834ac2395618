"""The network diagram draws the true units and weights: checked with numpy from the weights."""

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba_array

from vizkit import Trajectory, VizkitError
from vizkit._keras import import_keras
from vizkit.views.network import NetworkDiagram
from vizkit.style import weight_cmap
from vizkit.style import style


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def weights(trajectory, frame):
    return [w.astype(np.float64) for w in trajectory.weights_at(frame)]


@pytest.fixture(scope="module")
def view(stored_trajectory):
    return NetworkDiagram(stored_trajectory, grid_resolution=20)


@pytest.fixture(scope="module")
def unit_maps_view(unit_maps_trajectory):
    return NetworkDiagram(unit_maps_trajectory, grid_resolution=20)


def random_trajectory(model, x, y, frames=3, seed=0):
    """``frames`` random weight sets of ``model``: no training needed to draw them.
    Its outputs are read as logits (one unit: binary, more: classes)."""
    from vizkit.inspect.readout import Readout

    rng = np.random.default_rng(seed)
    stacked = tuple(np.stack([w + rng.normal(0, 0.5, w.shape) * (k > 0) for k in range(frames)])
                    .astype(np.float32) for w in model.get_weights())
    units = model.outputs[0].shape[-1]
    readout = Readout("binary-logit" if units == 1 else "multi-logit", units)
    return Trajectory(model.to_json(), stacked, {}, x, y, info={"readout": readout.to_info()})


def drawn(view, frame, dpi=40):
    """The artists ``draw`` adds for ``frame``, on a fresh figure."""
    with style():
        fig, header, axes = view.figure(dpi=dpi)
        view.draw(header, axes, frame)
    return axes[0]


def test_layers_become_columns_with_folded_activations(view):
    names = [(c.name, c.units, c.read, c.activation) for c in view.columns]
    assert names == [("input", 2, None, "linear"), ("hidden_1", 2, "activation_1", "tanh"),
                     ("output", 1, "activation_output", "sigmoid")]


@pytest.mark.parametrize("frame", [0, 4, 8])
def test_node_maps_are_the_activations_of_the_weights(view, stored_trajectory, frame):
    w1, b1, w2, b2 = weights(stored_trajectory, frame)
    grid = view.grid.points.astype(np.float64)
    hidden = np.tanh(grid @ w1 + b1)
    inputs, hidden_maps, output = view.node_values(frame)
    np.testing.assert_array_equal(inputs, grid)
    np.testing.assert_allclose(hidden_maps, hidden, atol=2e-6)
    np.testing.assert_allclose(output, sigmoid(hidden @ w2 + b2), atol=2e-6)


def test_logit_output_units_are_mapped_unit_by_unit(unit_maps_view, unit_maps_trajectory):
    w1, b1, w2, b2 = weights(unit_maps_trajectory, 40)
    grid = unit_maps_view.grid.points.astype(np.float64)
    _, relu, logits = unit_maps_view.node_values(40)
    np.testing.assert_allclose(relu, np.maximum(0, grid @ w1 + b1), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(logits, np.maximum(0, grid @ w1 + b1) @ w2 + b2, rtol=1e-5,
                               atol=1e-4)
    norm, cmap = unit_maps_view.scales[2]
    every = np.stack([unit_maps_view.node_values(f)[2]
                      for f in range(unit_maps_trajectory.n_frames)])
    assert cmap.name == "vizkit-signed" and norm(0.0) == pytest.approx(0.5)
    assert (norm.vmin, norm.vmax) == pytest.approx((every.min(), every.max()), rel=1e-5)
    assert unit_maps_view.scales[1][0].vmin == 0  # ReLU: sequential from 0
    classes = unit_maps_view.output_values(40)
    expected = (np.maximum(0, unit_maps_view.output_grid.points @ w1 + b1) @ w2 + b2)
    assert (classes == expected.argmax(axis=1)).mean() > 0.999


def test_colour_scales_hold_every_frame(view, stored_trajectory):
    for frame in range(stored_trajectory.n_frames):
        for values, (norm, _) in zip(view.node_values(frame), view.scales):
            assert norm.vmin <= values.min() and values.max() <= norm.vmax
    assert (view.scales[-1][0].vmin, view.scales[-1][0].vmax) == (0, 1)  # P(class 1)


def test_weight_scale_is_the_largest_weight_of_the_run(view, stored_trajectory):
    largest = max(np.abs(w).max() for w in stored_trajectory.weights)
    assert view.weight_norm.vmin == -view.weight_norm.vmax
    assert view.weight_norm.vmax == pytest.approx(largest, rel=1e-6)


@pytest.mark.parametrize("frame", [0, 8])
def test_edges_follow_each_weights_sign_and_size(view, stored_trajectory, frame):
    ax = drawn(view, frame)
    reach = view.weight_norm.vmax
    kernels = {"hidden_1": stored_trajectory.weights[0][frame],
               "output": stored_trajectory.weights[2][frame]}
    sources = {"hidden_1": view.centres[0], "output": view.centres[1]}
    targets = {"hidden_1": view.centres[1], "output": view.centres[2]}
    edges = {c.get_gid(): c for c in ax.collections if isinstance(c, LineCollection)}
    for name, kernel in kernels.items():
        collection = edges[f"edges:{name}"]
        segments = collection.get_segments()
        assert len(segments) == kernel.size
        drawn_weights, pairs = [], []
        for (x0, y0), (x1, y1) in segments:
            source = int(np.argmin(np.abs(sources[name][:, 1] - y0)))
            target = int(np.argmin(np.abs(targets[name][:, 1] - y1)))
            assert (x0, y0) == pytest.approx(tuple(sources[name][source] + [0.5, 0]))
            assert (x1, y1) == pytest.approx(tuple(targets[name][target] - [0.5, 0]))
            pairs.append((source, target))
            drawn_weights.append(kernel[source, target])
        assert sorted(pairs) == [(i, j) for i in range(kernel.shape[0])
                                 for j in range(kernel.shape[1])]  # every weight, once
        drawn_weights = np.array(drawn_weights)
        colours = collection.get_colors()
        expected = weight_cmap()((drawn_weights + reach) / (2 * reach))
        np.testing.assert_allclose(colours, expected, atol=1e-6)
        grey, purple = to_rgba_array(["#5f5f5f", "#7B5EA7"])  # negative, positive
        strong = np.abs(drawn_weights) > 0.5 * reach
        for colour, weight in zip(colours[strong], drawn_weights[strong]):
            nearer_purple = np.abs(colour - purple).sum() < np.abs(colour - grey).sum()
            assert nearer_purple == (weight > 0)
        widths = collection.get_linewidths()
        slope, intercept = np.polyfit(np.abs(drawn_weights), widths, 1)
        assert slope > 0 and intercept > 0
        np.testing.assert_allclose(widths, slope * np.abs(drawn_weights) + intercept, atol=1e-9)


def test_bias_squares_sit_on_each_node_coloured_by_the_bias(view, stored_trajectory):
    ax = drawn(view, 8)
    squares = {c.get_gid(): c for c in ax.collections if isinstance(c, PathCollection)}
    for name, index, column in (("hidden_1", 1, 1), ("output", 3, 2)):
        square = squares[f"biases:{name}"]
        np.testing.assert_allclose(square.get_array(), stored_trajectory.weights[index][8])
        np.testing.assert_allclose(square.get_offsets(), view.centres[column] - 0.5)
        assert square.norm is view.weight_norm


def test_wide_layers_show_their_first_units_and_count_the_rest(rng):
    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(3, name="logits")])
    x = rng.normal(size=(40, 2)).astype(np.float32)
    trajectory = random_trajectory(model, x, rng.integers(0, 3, 40))
    view = NetworkDiagram(trajectory, max_units=5, grid_resolution=12)
    assert view.shown == [2, 5, 3]
    kernel, bias = trajectory.weights[0][2].astype(np.float64), trajectory.weights[1][2]
    hidden = view.node_values(2)[1]
    np.testing.assert_allclose(hidden, np.maximum(0, view.grid.points @ kernel + bias)[:, :5],
                               rtol=1e-5, atol=1e-5)
    assert [k.shape for k, _ in view.layer_weights(2)] == [(2, 5), (5, 3)]
    ax = drawn(view, 2)
    texts = [t.get_text() for t in ax.texts]
    assert "+ 27 more" in texts
    assert "Dropout 0.3" in texts
    assert view.columns[2].bands == ["Dropout 0.3"]


def test_still_of_an_untrained_model(rng, tmp_path):
    keras = import_keras()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    x = rng.normal(size=(30, 2))
    view = NetworkDiagram.of_model(model, x, (x[:, 0] > 0).astype(int),
                                   loss="binary_crossentropy", grid_resolution=10)
    assert view.frame_title(0) == "The model and its weights as they are"
    result = view.render(tmp_path / "architecture.png", "png", frames=[0], dpi=30)
    assert result.frame_count == 1 and result.paths[0].exists()


@pytest.mark.parametrize("layers, message", [
    (lambda k: [k.Input((3,)), k.layers.Dense(2)], "takes 3 input features"),
    (lambda k: [k.Input((2,)), k.layers.Dense(4), k.layers.Reshape((2, 2)), k.layers.Flatten(),
                k.layers.Dense(1)], "changes the width"),
    (lambda k: [k.Input((2,)), k.layers.BatchNormalization()], "no Dense layer"),
])
def test_models_it_cannot_draw_get_one_line(layers, message, rng):
    keras = import_keras()
    model = keras.Sequential(layers(keras))
    width = model.inputs[0].shape[-1]
    x = rng.normal(size=(10, width))
    with pytest.raises(VizkitError, match=message) as caught:
        NetworkDiagram(random_trajectory(model, x, np.zeros(10, int)), grid_resolution=8)
    assert "\n" not in str(caught.value)


def test_branching_models_are_refused(rng):
    keras = import_keras()
    inputs = keras.Input((2,))
    hidden = keras.layers.Dense(2, name="a")(inputs)
    skipped = keras.layers.Dense(1, name="b")(inputs)  # reads the input, not layer a
    model = keras.Model(inputs, keras.layers.Add()([keras.layers.Dense(1)(hidden), skipped]))
    x = rng.normal(size=(10, 2))
    with pytest.raises(VizkitError, match="'b' .* not the next link"):
        NetworkDiagram(random_trajectory(model, x, np.zeros(10, int)), grid_resolution=8)


@pytest.mark.snapshot
def test_frames_match_baselines(view, unit_maps_view, tmp_path, assert_image_matches):
    result = view.render(tmp_path / "n.png", "png", frames=[0, 8], dpi=45)
    for frame, path in zip((0, 8), result.paths):
        assert_image_matches(path, f"network_layer_spaces_frame{frame:03d}.png")
    result = unit_maps_view.render(tmp_path / "u.png", "png", frames=[40], dpi=45)
    assert_image_matches(result.paths[0], "network_unit_maps_frame040.png")
