"""A model rebuilt from a trajectory is the model that was trained, or it is refused.

Each model here has a layer whose output depends on more than its trainable
weights (an adapted Normalization, a Discretization, BatchNormalization's
moving statistics, Dropout's training mode). It is recorded on moons shifted
to about 10 +/- 3, saved, loaded and rebuilt the way views do it; the rebuilt
model's outputs at the first and last frame must equal the trained model's own
outputs and a numpy forward pass from the stored weights.
"""

import dataclasses

import numpy as np
import pytest

from vizkit import Trajectory, VizkitError, datasets, record
from vizkit._keras import import_keras
from vizkit.run.fingerprint import OUTPUTS

from fixtures import DATA

EPOCHS = 3


@pytest.fixture(scope="module")
def keras():
    return import_keras()


@pytest.fixture(scope="module")
def shifted():
    x, y = datasets.moons(0, n_samples=200)
    return x * 3 + 10, y


def _relu(z):
    return np.maximum(z, 0)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _normalization(keras, x):
    norm = keras.layers.Normalization(name="norm")
    norm.adapt(x)
    mean, std = x.mean(axis=0, dtype=np.float64), x.std(axis=0, dtype=np.float64)

    def forward(w, points):
        _, _, _, k1, b1, k2, b2 = w
        return _sigmoid(_relu((points - mean) / std @ k1 + b1) @ k2 + b2)
    return [norm, keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, "sigmoid")], \
        forward


def _discretization(keras, x):
    bins = keras.layers.Discretization(num_bins=4, name="bins")
    bins.adapt(x)
    edges = np.asarray(bins.bin_boundaries)

    def forward(w, points):
        k1, b1, k2, b2 = w
        return _sigmoid(_relu(np.digitize(points, edges) @ k1 + b1) @ k2 + b2)
    return [bins, keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, "sigmoid")], \
        forward


def _batch_normalization(keras, x):
    def forward(w, points):
        k1, b1, gamma, beta, mean, var, k2, b2 = w
        h = (points @ k1 + b1 - mean) / np.sqrt(var + 1e-3) * gamma + beta
        return _sigmoid(_relu(h) @ k2 + b2)
    return [keras.layers.Dense(8), keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"), keras.layers.Dense(1, "sigmoid")], forward


def _dropout(keras, x):
    def forward(w, points):  # dropout is off when a model is probed
        k1, b1, k2, b2 = w
        return _sigmoid(_relu(points @ k1 + b1) @ k2 + b2)
    return [keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.5),
            keras.layers.Dense(1, "sigmoid")], forward


CASES = {"normalization": _normalization, "discretization": _discretization,
         "batch-normalization": _batch_normalization, "dropout": _dropout}


@pytest.fixture(scope="module")
def runs(keras, shifted):
    """``runs(case)``: the case's trajectory, numpy forward pass and the trained model's
    outputs on the data at the first and last frame; each case recorded once."""
    done = {}

    def get(case):
        if case not in done:
            done[case] = _record(keras, *shifted, case)
        return done[case]
    return get


def _record(keras, x, y, case):
    keras.utils.set_random_seed(3)
    layers, forward = CASES[case](keras, x)
    model = keras.Sequential([keras.Input((2,)), *layers])
    model.compile(optimizer=keras.optimizers.Adam(0.03), loss="binary_crossentropy",
                  metrics=["accuracy"])
    first = np.asarray(model(x, training=False), dtype=np.float64)
    trajectory = record(model, x, y, epochs=EPOCHS, seed=0)
    last = np.asarray(model(x, training=False), dtype=np.float64)
    return trajectory, forward, {0: first, EPOCHS: last}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rebuilt_model_computes_what_the_trained_one_did(runs, shifted, tmp_path, case):
    x, y = shifted
    trajectory, forward, trained = runs(case)
    loaded = Trajectory.load(trajectory.save(tmp_path / "run.npz"))
    assert loaded.n_frames == EPOCHS + 1
    model = loaded.build_model(0)  # as a view does: build once, then set each frame
    for step, frame in enumerate((0, EPOCHS, 0)):
        if step:
            loaded.set_frame(model, frame)
        rebuilt = np.asarray(model(x, training=False), dtype=np.float64)
        weights = [w.astype(np.float64) for w in loaded.weights_at(frame)]
        np.testing.assert_allclose(rebuilt, trained[frame], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(rebuilt, forward(weights, x.astype(np.float64)),
                                   rtol=1e-4, atol=1e-5)
    loaded.set_frame(model, EPOCHS)
    accuracy = np.mean((model(x, training=False).numpy()[:, 0] > 0.5) == y)
    assert accuracy == pytest.approx(loaded.metrics["accuracy"][-1], abs=1e-6)


def test_normalization_alone_learns_the_shifted_moons(runs, shifted):
    """The case of the report: trained well, so a rebuilt model at 0.5 was a lie."""
    x, y = shifted
    trajectory, _, _ = runs("normalization")
    model = trajectory.build_model()
    accuracy = np.mean((model(x, training=False).numpy()[:, 0] > 0.5) == y)
    assert accuracy > 0.85
    assert accuracy == pytest.approx(trajectory.metrics["accuracy"][-1], abs=1e-6)


def test_stale_derived_state_is_refused_naming_the_layer(runs, tmp_path, monkeypatch):
    """Without restoring Normalization's state, the rebuilt model differs: refused."""
    trajectory, _, _ = runs("normalization")
    path = trajectory.save(tmp_path / "run.npz")
    monkeypatch.setattr("vizkit.data.model_config.restore_derived_state", lambda model: model)
    with pytest.raises(VizkitError) as info:
        Trajectory.load(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("run.npz: the model rebuilt from it does not compute what the "
                              "trained model did (outputs at frame 0 differ by up to ")
    assert message.endswith("; layers involved: Normalization); vizkit draws only the model "
                            "that was trained: record the run again with this vizkit")


def test_tampered_trajectory_is_refused(runs, tmp_path):
    trajectory, _, _ = runs("dropout")
    outputs = trajectory.extras[OUTPUTS].copy()
    outputs[1, 3, 0] += 0.01
    tampered = dataclasses.replace(trajectory, extras={**trajectory.extras, OUTPUTS: outputs})
    path = tampered.save(tmp_path / "tampered.npz")
    with pytest.raises(VizkitError, match=r"^tampered.npz: the model rebuilt from it does not "
                       r"compute what the trained model did \(outputs at frame 3 differ by "
                       r"up to 0.01; layers involved: Dropout\)"):
        Trajectory.load(path)
    with pytest.raises(VizkitError, match="does not compute what the trained model did"):
        tampered.build_model()  # in memory too
    weights = list(trajectory.weights)
    weights[0] = weights[0].copy()
    weights[0][0] *= 1.5  # the untrained weights, changed after the fact
    changed = dataclasses.replace(trajectory, weights=tuple(weights))
    with pytest.raises(VizkitError, match="outputs at frame 0 differ"):
        Trajectory.load(changed.save(tmp_path / "changed.npz"))


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*trajectory.npz")))
def test_trajectories_without_recorded_outputs_still_load(name):
    trajectory = Trajectory.load(DATA / name)
    assert OUTPUTS not in trajectory.extras
    model = trajectory.build_model(0)
    trajectory.set_frame(model, trajectory.n_frames - 1)
    for got, stored in zip(model.get_weights(), trajectory.weights_at(-1)):
        np.testing.assert_array_equal(got, stored)
