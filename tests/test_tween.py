"""The tween view: every stage starts at its input and ends at its output, in numpy.

Models with known weights (no training): each stage's first and last frame are
checked against x·W, x·W + b, tanh(...), a normalisation and a PCA, all
computed here with numpy from the layer weights; then pixels of the stored
layer-spaces run against reviewed baselines.
"""

import numpy as np
import pytest

from vizkit import Trajectory, VizkitError
from vizkit._keras import import_keras
from vizkit.views.tween import Tween

STEPS, CAMERA, HOLD = 5, 2, 3
OPTIONS = dict(steps=STEPS, camera_steps=CAMERA, hold=HOLD, grid_resolution=24)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def ease(t):
    return 3 * t ** 2 - 2 * t ** 3


def known_trajectory(layers, frames, seed=0, sequential=False):
    """A 2-input model and a trajectory of the given weights (one list per frame)."""
    keras = import_keras()
    if sequential:
        model = keras.Sequential([keras.Input(shape=(2,)), *layers])
    else:
        inputs = tensor = keras.Input(shape=(2,), name="input")
        for layer in layers:
            tensor = layer(tensor)
        model = keras.Model(inputs, tensor)
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1.2, (60, 2)).astype(np.float32)
    y = (np.abs(x[:, 0] - x[:, 1]) < 1).astype(np.int64)
    frames = [[np.asarray(w, dtype=np.float32) for w in weights] for weights in frames]
    for weights in frames:
        model.set_weights(weights)  # the shapes fit the model
    return Trajectory(model_config=model.to_json(),
                      weights=tuple(np.stack(ws) for ws in zip(*frames)),
                      metrics={"loss": np.linspace(0.7, 0.3, len(frames))}, x=x, y=y,
                      info={"epochs": len(frames) - 1, "readout": _readout(keras, model)})


def _readout(keras, model):
    """Read the output as trained: a sigmoid/softmax as probabilities, else as logits."""
    from vizkit.inspect.readout import Readout

    probabilities = model.layers[-1].get_config().get("activation") in ("sigmoid", "softmax")
    loss = (keras.losses.BinaryCrossentropy if model.outputs[0].shape[-1] == 1 else
            keras.losses.SparseCategoricalCrossentropy)(from_logits=not probabilities)
    return Readout.of(model, loss).to_info()


def stage_ends(view, stage, panel=-1):
    """Coordinates (grid then data) at the first and last in-between frame of ``stage``."""
    moving = [i for i, f in enumerate(view.sequence) if f.stage == stage and f.view == stage + 1]
    assert len(moving) == STEPS
    first, last = (np.concatenate(view.coordinates(i, panel)) for i in (moving[0], moving[-1]))
    return first, last, moving


def inputs_of(view):
    return np.concatenate([view.grid.points, view.trajectory.x]).astype(np.float64)


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


# -- Dense(2, tanh) → Dense(1, sigmoid) -----------------------------------------
W1 = np.array([[1.5, -0.5], [0.8, 1.2]])
B1 = np.array([0.3, -0.2])
W2 = np.array([[2.0], [-1.5]])
B2 = np.array([0.1])
UNTRAINED = [W1 * 0.2, B1 * 0, W2 * 0.3, B2 * 0]


@pytest.fixture(scope="module")
def small():
    keras = import_keras()
    trajectory = known_trajectory([keras.layers.Dense(2, activation="tanh", name="hidden"),
                                   keras.layers.Dense(1, activation="sigmoid", name="out")],
                                  [UNTRAINED, [W1, B1, W2, B2]])
    return Tween(trajectory, compare=True, **OPTIONS)


def test_dense_tanh_is_three_stages(small):
    assert [s.label for s in small.stages] == ["hidden: linear map W", "hidden: + bias b",
                                              "hidden: tanh"]


def test_each_stage_runs_from_its_input_to_its_output(small):
    x = inputs_of(small)
    z = x @ W1
    expected = [(x, z), (z, z + B1), (z + B1, np.tanh(z + B1))]
    for stage, (start, end) in enumerate(expected):
        first, last, moving = stage_ends(small, stage)
        close(first, start)
        close(last, end)
        middle = moving[1]  # t = 1/4: eased, not linear
        s = ease(small.sequence[middle].t)
        assert s == pytest.approx(0.15625)
        close(np.concatenate(small.coordinates(middle)), (1 - s) * start + s * end)


def test_before_panel_is_the_untrained_network(small):
    x = inputs_of(small)
    hidden = np.tanh(x @ UNTRAINED[0] + UNTRAINED[1])
    assert small.epochs == (0, 1)
    close(stage_ends(small, 2, panel=0)[1], hidden)
    close(stage_ends(small, 2, panel=1)[1], np.tanh(x @ W1 + B1))


def test_a_sequential_model_is_a_chain_too():
    keras = import_keras()
    trajectory = known_trajectory([keras.layers.Dense(2, activation="tanh", name="hidden"),
                                   keras.layers.Dense(1, activation="sigmoid", name="out")],
                                  [[W1, B1, W2, B2]], sequential=True)
    view = Tween(trajectory, **OPTIONS)
    close(stage_ends(view, 2)[1], np.tanh(inputs_of(view) @ W1 + B1))


def test_frame_count_is_stages_times_steps_plus_camera_and_holds(small):
    stages = 3
    assert small.frame_count == len(small.sequence) == \
        stages * STEPS + (stages + 1) * CAMERA + 2 * HOLD
    assert small.frame_label(0) == "input space · epoch 1"
    assert small.frame_label(HOLD + CAMERA) == "hidden: linear map W · epoch 1"
    assert small.frame_label(small.frame_count - 1) == "after hidden · epoch 1"


def test_points_stand_still_while_the_camera_moves(small):
    camera = [i for i, f in enumerate(small.sequence) if f.view != int(f.view)]
    assert len(camera) == 4 * CAMERA
    x = inputs_of(small)
    tanh = np.tanh(x @ W1 + B1)
    for i in camera[-CAMERA:]:  # after the last stage, towards the end's view
        close(np.concatenate(small.coordinates(i)), tanh)
    limits = [small.limits(i) for i in camera[-CAMERA:]]
    assert limits[0] != limits[-1]


def test_limits_hold_the_data_at_every_frame_and_are_square(small):
    for i in range(small.frame_count):
        for panel in (0, 1):
            (x0, x1), (y0, y1) = small.limits(i, panel)
            _, data = small.coordinates(i, panel)
            assert x0 <= data[:, 0].min() and data[:, 0].max() <= x1
            assert y0 <= data[:, 1].min() and data[:, 1].max() <= y1
            assert x1 - x0 == pytest.approx(y1 - y0)


def test_cells_and_mesh_nodes_are_coloured_by_the_model_output(small):
    grid = small.grid
    output = sigmoid(np.tanh(grid.points.astype(np.float64) @ W1 + B1) @ W2 + B2)
    output = output.reshape(grid.shape)
    rows, cols = grid.line_indices(96)  # the default mesh_resolution
    centres = np.ix_((rows[:-1] + rows[1:]) // 2, (cols[:-1] + cols[1:]) // 2)
    close(small.panels[-1].node_scores, output[np.ix_(rows, cols)])
    close(small.panels[-1].cell_scores, output[centres])


# -- 2 → 3 (PCA) → 2 → 1: the PCA plane and width changes -------------------------
WA = np.array([[1.0, -0.7, 0.4], [0.5, 0.9, -1.1]])
BA = np.array([0.2, -0.1, 0.3])
WB = np.array([[1.2, -0.4], [0.3, 0.8], [-0.9, 0.6]])
BB = np.array([0.05, -0.15])
WO, BO = np.array([[1.0], [-2.0]]), np.array([0.2])


@pytest.fixture(scope="module")
def wide():
    keras = import_keras()
    trajectory = known_trajectory([keras.layers.Dense(3, activation="tanh", name="wide"),
                                   keras.layers.Dense(2, activation="tanh", name="narrow"),
                                   keras.layers.Dense(1, activation="sigmoid", name="out")],
                                  [[WA, BA, WB, BB, WO, BO]])
    return Tween(trajectory, **OPTIONS)


def pca_coordinates(values):
    """Values on the plane of their two principal axes, each axis up to its sign."""
    centred = values - values.mean(axis=0)
    return centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T


def close_up_to_axis_signs(actual, expected):
    signs = np.sign(np.sum(actual * expected, axis=0))
    close(actual * signs, expected)


def test_a_three_unit_layer_moves_on_its_pca_plane(wide):
    x = inputs_of(wide)
    z = x @ WA
    hidden = np.tanh(z + BA)
    plane = wide.panels[-1].projections[3]  # the plane fitted on the layer's output
    assert plane.units == 3
    close_up_to_axis_signs(plane(hidden), pca_coordinates(hidden))
    close(plane.components.T @ plane.components, np.eye(2))
    first, last, _ = stage_ends(wide, 0)  # 2 → 3: from the input plane to the PCA plane
    close(first, x)
    close(last, (z - plane.mean) @ plane.components)
    for stage, (start, end) in enumerate([(z, z + BA), (z + BA, hidden)], start=1):
        first, last, _ = stage_ends(wide, stage)
        close(first, (start - plane.mean) @ plane.components)
        close(last, (end - plane.mean) @ plane.components)


def test_a_three_to_two_layer_lands_in_its_own_plane(wide):
    x = inputs_of(wide)
    hidden = np.tanh(x @ WA + BA)
    first, last, _ = stage_ends(wide, 3)  # narrow: linear map W
    close_up_to_axis_signs(first, pca_coordinates(hidden))
    close(last, hidden @ WB)
    close(stage_ends(wide, 5)[1], np.tanh(hidden @ WB + BB))
    assert wide.panels[-1].axis_labels[-1][:2] == ("unit 0", "unit 1")
    assert "PCA of 3 units" in wide.panels[-1].axis_labels[3][2]


def test_a_wide_last_layer_is_drawn_along_the_output_weights():
    keras = import_keras()
    trajectory = known_trajectory([keras.layers.Dense(3, activation="tanh", name="wide"),
                                   keras.layers.Dense(1, activation="sigmoid", name="out")],
                                  [[WA, BA, WB[:, :1], BO]])
    view = Tween(trajectory, **OPTIONS)
    hidden = np.tanh(inputs_of(view) @ WA + BA)
    _, last, _ = stage_ends(view, 2)
    # across the panel: the output unit's input x·w + b, up to scale and shift
    w = WB[:, 0]
    logit = hidden @ w + BO[0]
    slope, intercept = np.polyfit(logit, last[:, 0], 1)
    close(last[:, 0], slope * logit + intercept)
    assert slope == pytest.approx(1 / np.linalg.norm(w))
    # up the panel: the main direction of what w does not see
    across = hidden - np.outer(hidden @ w, w) / (w @ w)
    across -= across.mean(axis=0)
    main = across @ np.linalg.svd(across, full_matrices=False)[2][0]
    close_up_to_axis_signs(last[:, 1:], main[:, None])
    # the output over the plane: 0.5 on the vertical line where x·w + b = 0
    grid, values = view.panels[-1].field[:2]
    right = grid.xs > intercept
    step = grid.xs[1] - grid.xs[0]
    near = np.abs(grid.xs - intercept) < step
    assert np.all((values > 0.5)[:, ~near] == right[~near])
    close(values, sigmoid(slope ** -1 * (grid.xs - intercept))[None, :].repeat(len(grid.ys), 0))


# -- Normalization → Dense → BatchNormalization → Activation → Dropout → Dense ----
MEAN, VARIANCE = np.array([0.5, -1.0]), np.array([4.0, 0.25])
GAMMA, BETA = np.array([1.5, 0.7]), np.array([0.2, -0.3])
MOVING_MEAN, MOVING_VARIANCE = np.array([0.4, -0.2]), np.array([2.0, 0.5])


@pytest.fixture(scope="module")
def normalised():
    keras = import_keras()
    layers = [keras.layers.Normalization(mean=MEAN, variance=VARIANCE, name="norm"),
              keras.layers.Dense(2, name="hidden"),
              keras.layers.BatchNormalization(epsilon=1e-3, name="bn"),
              keras.layers.Activation("tanh", name="act"),
              keras.layers.Dropout(0.5, name="drop"),
              keras.layers.Dense(1, activation="sigmoid", name="out")]
    weights = [W1, B1, GAMMA, BETA, MOVING_MEAN, MOVING_VARIANCE, W2, B2]
    return Tween(known_trajectory(layers, [weights]), **OPTIONS)


def test_other_layers_move_straight_from_input_to_output(normalised):
    assert [s.label for s in normalised.stages] == [
        "norm: Normalization", "hidden: linear map W", "hidden: + bias b",
        "bn: BatchNormalization", "act: tanh", "drop: Dropout"]
    x = inputs_of(normalised)
    n = (x - MEAN) / np.sqrt(VARIANCE)
    z = n @ W1 + B1
    b = GAMMA * (z - MOVING_MEAN) / np.sqrt(MOVING_VARIANCE + 1e-3) + BETA
    expected = [(x, n), (n, n @ W1), (n @ W1, z), (z, b), (b, np.tanh(b)),
                (np.tanh(b), np.tanh(b))]  # dropout is the identity at inference
    for stage, (start, end) in enumerate(expected):
        first, last, _ = stage_ends(normalised, stage)
        close(first, start)
        close(last, end)


# -- what is refused, in one line ----------------------------------------------
def test_bad_options_and_models_are_refused(small):
    trajectory = small.trajectory
    with pytest.raises(VizkitError, match="epoch 5 is out of range"):
        Tween(trajectory, epoch=5)
    with pytest.raises(VizkitError, match="steps = 1 is not a whole number >= 2"):
        Tween(trajectory, steps=1)
    keras = import_keras()
    lonely = known_trajectory([keras.layers.Dense(1, activation="sigmoid", name="out")],
                              [[W2, B2]])
    with pytest.raises(VizkitError, match="no hidden layer"):
        Tween(lonely)


def test_a_branching_model_is_refused():
    keras = import_keras()
    inputs = keras.Input(shape=(2,))
    a = keras.layers.Dense(2, name="a")(inputs)
    b = keras.layers.Dense(2, name="b")(inputs)
    joined = keras.layers.Concatenate(name="join")([a, b])
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="out")(joined))
    weights = [np.stack([w]) for w in model.get_weights()]
    trajectory = Trajectory(model.to_json(), tuple(weights), {"loss": np.array([0.5])},
                            np.zeros((4, 2), np.float32), np.array([0, 1, 0, 1]))
    with pytest.raises(VizkitError, match="does not take the previous layer's output"):
        Tween(trajectory)


def test_a_nested_model_is_refused_in_one_line():
    keras = import_keras()
    inner_input = keras.Input(shape=(2,))
    block = keras.Model(inner_input, keras.layers.Dense(2, name="inner")(inner_input),
                        name="block")
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, keras.layers.Dense(1, name="out")(block(inputs)))
    weights = [np.stack([w]) for w in model.get_weights()]
    trajectory = Trajectory(model.to_json(), tuple(weights), {"loss": np.array([0.5])},
                            np.zeros((4, 2), np.float32), np.array([0, 1, 0, 1]))
    with pytest.raises(VizkitError, match="'block' is a nested model"):
        Tween(trajectory)


# -- files and pixels ----------------------------------------------------------
def test_render_writes_every_frame_of_the_tween(small, tmp_path):
    import imageio.v3 as iio

    view = Tween(small.trajectory, steps=2, camera_steps=0, hold=1, grid_resolution=20)
    result = view.render(tmp_path / "t.gif", fps=5, dpi=30)
    assert result.frame_count == view.frame_count == 3 * 2 + 2
    assert iio.imread(result.paths[0], index=None).shape[0] == view.frame_count


@pytest.mark.snapshot
def test_tween_frames(stored_trajectory, tmp_path, assert_image_matches):
    view = Tween(stored_trajectory, grid_resolution=60, mesh_resolution=40)
    chosen = {"linear-map": 21, "tanh": 70, "end": view.frame_count - 1}
    assert view.sequence[chosen["linear-map"]].stage == 0
    assert view.sequence[chosen["tanh"]].stage == 2
    result = view.render(tmp_path / "tw.png", "png", frames=list(chosen.values()), dpi=45)
    for name, path in zip(chosen, result.paths):
        assert_image_matches(path, f"tween_{name}.png")


@pytest.mark.snapshot
def test_tween_before_and_after(stored_trajectory, tmp_path, assert_image_matches):
    view = Tween(stored_trajectory, compare=True, grid_resolution=60, mesh_resolution=40)
    result = view.render(tmp_path / "tw.png", "png", frames=[64], dpi=45)
    assert_image_matches(result.paths[0], "tween_compare.png")
