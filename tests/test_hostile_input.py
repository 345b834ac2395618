"""Hostile and broken files: each is one exact line of error, and nothing is written.

Memory bombs are built small here (a forged ``.npy`` header, a forged zip
directory, an HDF5 dataset with no chunk written, a sparse file); the ones
that would allocate in a regression also run in a child process whose
address space is capped at 1 GiB, so a regression fails with a MemoryError
instead of eating the machine. The cap is below what TensorFlow alone maps
(about 1.25 GB), so it also checks that bombs are refused before Keras loads.
"""

import importlib.util
import json
import os
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner

from vizkit import Trajectory, VizkitError
from vizkit._keras import import_keras
from vizkit.cli import main
from vizkit.data.model_files import compile_model, load_model

from fixtures import LAYER_SPACES_TRAJECTORY

GB3 = 3 * 2 ** 30
SAVE = "save the model with model.save('model.keras')"
LIMIT = "over vizkit's limit of 512 MB per file; if you trust the file, set VIZKIT_MAX_LOAD_MB="
HAS_H5PY = importlib.util.find_spec("h5py") is not None
needs_h5py = pytest.mark.skipif(not HAS_H5PY, reason="h5py is not installed: no legacy .h5 "
                                "models to load")


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def assert_refused(result, line, folder, keep):
    """Exit 1 with exactly ``Error: line``, and ``folder`` holds only ``keep``."""
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: {line}\n"
    assert sorted(p.name for p in folder.iterdir()) == sorted(keep)


@pytest.fixture(scope="module")
def keras():
    return import_keras()


@pytest.fixture(scope="module")
def models(tmp_path_factory, keras):
    folder = tmp_path_factory.mktemp("models")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh",
                                                                    name="hidden"),
                              keras.layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    inputs = keras.Input((2,))
    doubled = keras.layers.Lambda(lambda t: t * 2, name="doubler")(inputs)
    lambda_model = keras.Model(inputs, keras.layers.Dense(1)(doubled))
    for suffix in (".keras", ".h5") if HAS_H5PY else (".keras",):
        model.save(folder / f"good{suffix}")
        lambda_model.save(folder / f"lambda{suffix}")
    x = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    np.savetxt(folder / "data.csv", np.column_stack([x, x[:, 0] > 0]), delimiter=",")
    return folder


# -- forging helpers ---------------------------------------------------------------
def trajectory_arrays(**changes):
    """The stored layer-spaces trajectory's arrays, with ``changes`` (None removes)."""
    with np.load(LAYER_SPACES_TRAJECTORY) as data:
        arrays = {name: data[name] for name in data.files}
    arrays.update(changes)
    return {name: value for name, value in arrays.items() if value is not None}


def changed_config(change):
    config = json.loads(str(trajectory_arrays()["model_config"]))
    change(next(layer for layer in config["config"]["layers"]
                if layer["config"]["name"] == "hidden_1"))
    return np.array(json.dumps(config))


def forge_npy(path, arrays, name, shape):
    """An .npz of ``arrays`` whose member ``name`` declares ``shape`` but holds 16 bytes."""
    np.savez(path, **{k: v for k, v in arrays.items() if k != name})
    header = {"descr": "<f4", "fortran_order": False, "shape": shape}
    with zipfile.ZipFile(path, "a") as archive, archive.open(f"{name}.npy", "w") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.write(bytes(16))
    return path


def forge_member_size(source, target, member, size):
    """A copy of zip ``source`` whose directory says ``member`` unpacks to ``size`` bytes."""
    data = bytearray(source.read_bytes())
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46:start + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, start + 24, size)
        start += 4
    target.write_bytes(bytes(data))
    return target


def rewrite_zip(source, target, replace):
    """A copy of zip ``source`` with members replaced, added or (None) removed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename not in replace:
                new.writestr(info, old.read(info.filename))
        for name, content in replace.items():
            if content is not None:
                new.writestr(name, content)
    return target


# -- trajectories --------------------------------------------------------------------
def _layer_class(name):
    return lambda layer: layer.update(class_name=name)


def _activation(value):
    return lambda layer: layer["config"].update(activation=value)


WEIGHT_1 = trajectory_arrays()["weight_1"]
X = trajectory_arrays()["x"]
OUTSIDE_KERAS = ("which is neither part of Keras nor registered in this session; vizkit loads "
                 "no other code, so rebuild the model from Keras layers")
BROKEN = {
    "wrong weight shape": (
        dict(weight_0=np.zeros((9, 3, 2), np.float32)),
        "run.npz: weight 0 (hidden_1/kernel) is (3, 2) at each frame but the model declares "
        "(2, 2); record it again"),
    "text for numbers": (
        dict(x=np.array([["a", "b"]] * 400)),
        "run.npz: x holds text, not numbers; record it again"),
    "NaN weights": (
        dict(weight_1=np.where(np.arange(9)[:, None] >= 4, np.nan, WEIGHT_1).astype(np.float32)),
        "run.npz: weight 1 holds NaN or infinity at frame 4; record it again, with a smaller "
        "learning rate if the training diverged"),
    "NaN x": (
        dict(x=np.where(np.arange(400)[:, None] == 6, np.inf, X).astype(np.float32)),
        "run.npz: x holds NaN or infinity at row 7; record it again"),
    "zero frames": (
        {**{f"weight_{i}": trajectory_arrays()[f"weight_{i}"][:0] for i in range(4)},
         "metric_loss": np.zeros(0), "metric_accuracy": np.zeros(0)},
        "run.npz holds no frames (a weight array is empty); record it again"),
    "no weights": (
        {f"weight_{i}": None for i in range(4)},
        "run.npz holds no weights; record it again"),
    "empty x": (
        dict(x=np.zeros((0, 2), np.float32), y=np.zeros(0, np.int64)),
        "run.npz: its training data x is empty (shape (0, 2)); record it again"),
    "x and y disagree": (
        dict(y=np.zeros(10, np.int64)),
        "run.npz: x has 400 rows but y has 10 labels; record it again"),
    "metrics and weights disagree": (
        dict(metric_loss=np.zeros(5)),
        "run.npz: metric 'loss' has shape (5,) but the weights have 9 frames; record it again"),
    "info not a mapping": (
        dict(info=np.array("[1, 2]")),
        "run.npz: its run info is a list, not a mapping of names to values; record it again"),
    "model config not JSON": (
        dict(model_config=np.array("{not json")),
        "run.npz: its model config is not valid JSON; the file is damaged, save or record it "
        "again"),
    "unknown layer class": (
        dict(model_config=changed_config(_layer_class("Dense2"))),
        f"run.npz: its model names the class 'keras.layers.Dense2', {OUTSIDE_KERAS}"),
    "Lambda layer": (
        dict(model_config=changed_config(_layer_class("Lambda"))),
        "run.npz: the model holds a Lambda layer (layer 'hidden_1'), Python code that vizkit "
        "never runs from a file; build that step from Keras layers and save the model again"),
    "os.system as activation": (
        dict(model_config=changed_config(_activation(
            {"module": "os", "class_name": "function", "config": "system",
             "registered_name": None}))),
        f"run.npz: its model names the function 'system', {OUTSIDE_KERAS}"),
    "pickled objects": (
        dict(x=np.array([{"run": "os.system('echo hi')"}] * 3, dtype=object)),
        "run.npz: array 'x' holds object values (Python objects or records); vizkit loads only "
        "numbers and text, never pickled data"),
    "x unlike the model's input": (
        dict(x=np.zeros((400, 3), np.float32)),
        "run.npz: each row of x has shape (3,) but the model takes (2,); record it again"),
    "more weights than the model": (
        dict(weight_4=trajectory_arrays()["weight_3"]),
        "run.npz holds 5 weight arrays but its model has 4 weights; record it again"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_trajectory_is_one_line_and_writes_nothing(tmp_path, case):
    changes, line = BROKEN[case]
    path = tmp_path / "run.npz"
    np.savez(path, **trajectory_arrays(**changes))
    result = run(["replay", str(path), "--out", str(tmp_path / "o.gif"), "--quiet"])
    assert_refused(result, line, tmp_path, ["run.npz"])


def test_array_declaring_gigabytes_is_refused_from_its_header(tmp_path):
    path = forge_npy(tmp_path / "run.npz", trajectory_arrays(), "x", (400_000_000, 2))
    result = run(["replay", str(path), "--out", str(tmp_path / "o.gif"), "--quiet"])
    assert_refused(result, f"run.npz: array 'x' of shape (400000000, 2) would take 3.0 GB, "
                   f"{LIMIT}3052 or more", tmp_path, ["run.npz"])


def test_array_header_disagreeing_with_its_content_is_refused(tmp_path):
    path = forge_npy(tmp_path / "run.npz", trajectory_arrays(), "x", (1000, 2))
    result = run(["replay", str(path), "--out", str(tmp_path / "o.gif"), "--quiet"])
    assert_refused(result, "run.npz: array 'x' declares shape (1000, 2) (8000 bytes) but "
                   "holds 16 bytes; the file is damaged or forged", tmp_path, ["run.npz"])


def test_limit_is_named_and_can_be_lifted(tmp_path, monkeypatch):
    x = np.zeros((150_000, 2), np.float32)  # 1.1 MB, and as much again for y
    path = tmp_path / "run.npz"
    np.savez_compressed(path, **trajectory_arrays(x=x, y=np.zeros(len(x), np.int64)))
    monkeypatch.setenv("VIZKIT_MAX_LOAD_MB", "2")
    with pytest.raises(VizkitError, match=r"^run.npz: its unpacked contents would take 2.3 MB, "
                       r"over vizkit's limit of 2.0 MB per file; if you trust the file, set "
                       r"VIZKIT_MAX_LOAD_MB=3 or more$"):
        Trajectory.load(path)
    monkeypatch.setenv("VIZKIT_MAX_LOAD_MB", "3")
    assert Trajectory.load(path).x.shape == x.shape
    monkeypatch.setenv("VIZKIT_MAX_LOAD_MB", "lots")
    with pytest.raises(VizkitError, match="VIZKIT_MAX_LOAD_MB='lots' is not a positive number"):
        Trajectory.load(path)


# -- model files -----------------------------------------------------------------------
def animate_with(models, tmp_path, model, data=None):
    return run(["animate", "--model", str(model), "--data", str(data or models / "data.csv"),
                "--epochs", "1", "--out", str(tmp_path / "o.gif"), "--quiet"])


def test_keras_archive_declaring_gigabytes_is_refused(models, tmp_path):
    bomb = forge_member_size(models / "good.keras", tmp_path / "bomb.keras",
                             "model.weights.h5", GB3)
    assert_refused(animate_with(models, tmp_path, bomb), "bomb.keras: its unpacked contents "
                   f"would take 3.0 GB, {LIMIT}3073 or more", tmp_path, ["bomb.keras"])


def hdf5_bomb(models, path):
    """``good.h5`` plus a dataset declaring 3.4 GB, of which no chunk is written."""
    import h5py

    path.write_bytes((models / "good.h5").read_bytes())
    with h5py.File(path, "a") as f:
        f.create_dataset("extra/huge", shape=(30_000, 30_000), dtype="f4", chunks=(1000, 1000),
                         compression="gzip")
    assert path.stat().st_size < 100_000
    return path


@needs_h5py
def test_hdf5_dataset_declaring_gigabytes_is_refused(models, tmp_path):
    bomb = hdf5_bomb(models, tmp_path / "bomb.h5")
    assert_refused(animate_with(models, tmp_path, bomb), "bomb.h5: its weights would take "
                   f"3.4 GB, {LIMIT}3434 or more", tmp_path, ["bomb.h5"])


@pytest.mark.parametrize("member", [pytest.param("model.weights.h5", marks=needs_h5py),
                                    "model.weights.npz"])
def test_weights_inside_a_keras_archive_declaring_gigabytes_are_refused(models, tmp_path,
                                                                        member):
    if member.endswith(".h5"):
        weights = hdf5_bomb(models, tmp_path / "w.h5")
        line = f"bomb.keras: its weights would take 3.4 GB, {LIMIT}3434 or more"
    else:
        weights = forge_npy(tmp_path / "w.npz", {}, "0", (400_000_000, 2))
        line = (f"bomb.keras: array '0' of shape (400000000, 2) would take 3.0 GB, {LIMIT}3052 "
                "or more")
    bomb = rewrite_zip(models / "good.keras", tmp_path / "bomb.keras",
                       {"model.weights.h5": None, member: weights.read_bytes()})
    weights.unlink()
    assert_refused(animate_with(models, tmp_path, bomb), line, tmp_path, ["bomb.keras"])


@pytest.mark.parametrize("name, content, line", [
    ("random.keras", os.urandom(2000), "could not load model random.keras: it is not a Keras "
     f"model file (not a zip archive); {SAVE}"),
    pytest.param("random.h5", os.urandom(2000), "could not load model random.h5: it is not a "
                 f"Keras model file (not HDF5); {SAVE}", marks=needs_h5py),
    ("model.pt", b"torch", f"model file model.pt is neither .keras nor .h5; {SAVE}"),
])
def test_files_that_are_not_models(models, tmp_path, name, content, line):
    path = tmp_path / name
    path.write_bytes(content)
    assert_refused(animate_with(models, tmp_path, path), line, tmp_path, [name])


def test_keras_archive_without_config(models, tmp_path):
    path = rewrite_zip(models / "good.keras", tmp_path / "m.keras", {"config.json": None})
    assert_refused(animate_with(models, tmp_path, path), "could not load model m.keras: it is "
                   f"not a Keras model file (no config.json inside); {SAVE}", tmp_path,
                   ["m.keras"])


@pytest.mark.parametrize("suffix", [".keras", pytest.param(".h5", marks=needs_h5py)])
def test_lambda_layers_are_refused_whole(models, tmp_path, suffix):
    path = tmp_path / f"lambda{suffix}"
    path.write_bytes((models / f"lambda{suffix}").read_bytes())
    assert_refused(animate_with(models, tmp_path, path), f"lambda{suffix}: the model holds a "
                   "Lambda layer (layer 'doubler'), Python code that vizkit never runs from a "
                   "file; build that step from Keras layers and save the model again",
                   tmp_path, [f"lambda{suffix}"])


def test_lambda_is_refused_even_with_unsafe_deserialization_enabled(models, keras,
                                                                     monkeypatch):
    from keras.src.saving import serialization_lib

    monkeypatch.setattr(serialization_lib, "in_safe_mode", lambda: False)
    with pytest.raises(VizkitError, match="holds a Lambda layer"):
        load_model(models / "lambda.keras")


@pytest.mark.parametrize("change, line", [
    (_activation({"module": "os", "class_name": "function", "config": "system",
                  "registered_name": None}),
     f"its model names the function 'system', {OUTSIDE_KERAS}"),
    (lambda layer: layer.update(module="os", class_name="system"),
     f"its model names the class 'system', {OUTSIDE_KERAS}"),
])
def test_config_naming_code_outside_keras_is_refused(models, tmp_path, change, line):
    with zipfile.ZipFile(models / "good.keras") as archive:
        config = json.loads(archive.read("config.json"))
    change(next(layer for layer in config["config"]["layers"]
                if layer["config"].get("name") == "hidden"))
    path = rewrite_zip(models / "good.keras", tmp_path / "m.keras",
                       {"config.json": json.dumps(config)})
    assert_refused(animate_with(models, tmp_path, path), f"m.keras: {line}", tmp_path,
                   ["m.keras"])


@needs_h5py
def test_compiled_h5_model_trains(models, tmp_path):
    """Keras 3 restores an .h5 optimizer built for no variables; vizkit starts it afresh."""
    result = animate_with(models, tmp_path, models / "good.h5")
    assert result.exit_code == 0, result.output


@needs_h5py
def test_h5_optimizer_keras_cannot_restore_asks_for_loss(models, tmp_path, keras):
    import h5py

    path = tmp_path / "old.h5"
    path.write_bytes((models / "good.h5").read_bytes())
    with h5py.File(path, "r+") as f:
        training = json.loads(f.attrs["training_config"])
        training["optimizer_config"] = {"class_name": "Addons>RectifiedAdam",
                                        "config": {"name": "RectifiedAdam",
                                                   "learning_rate": 0.001}}
        f.attrs["training_config"] = json.dumps(training)
    assert_refused(animate_with(models, tmp_path, path), f"old.h5: Keras {keras.__version__} "
                   "cannot restore the optimizer or loss it was saved with (Could not interpret "
                   "optimizer identifier: RectifiedAdam); give --loss (and --optimizer, "
                   "--learning-rate) to compile it afresh", tmp_path, ["old.h5"])
    with pytest.raises(VizkitError, match=r"give loss \(and optimizer, learning_rate\)"):
        load_model(path)
    uncompiled = load_model(path, need_optimizer=False)  # what --loss asks for
    assert getattr(uncompiled, "optimizer", None) is None
    model = compile_model(uncompiled, loss="binary_crossentropy")
    assert type(model.optimizer).__name__ == "Adam" and model.loss is not None
    kept = load_model(models / "good.h5", need_optimizer=False)  # restorable: kept
    assert type(kept.optimizer).__name__ == "Adam" and kept.loss is not None


# -- data files ------------------------------------------------------------------------
def test_sparse_csv_is_refused_by_its_size(models, tmp_path):
    data = tmp_path / "x.csv"
    with open(data, "wb") as f:
        f.truncate(2 * 10 ** 9)
    assert_refused(animate_with(models, tmp_path, models / "good.keras", data),
                   f"x.csv is 1.9 GB, {LIMIT}1908 or more", tmp_path, ["x.csv"])


@pytest.mark.parametrize("content, line", [
    (b"\0" * 70000, "x.csv line 1 is longer than 65536 characters; a data line holds the "
     "features, then the label"),
    (b"x0,x1,y\n1,2,0\n3,1e308,1\n", "x.csv: value too large for float32 at line 3 (1e308; at "
     "most 3.4e38); rescale that column"),
    (b"1,2,0\n" * 6, "x.csv has more than 5 data rows; if you mean it, set VIZKIT_MAX_ROWS to "
     "a larger count"),
])
def test_csv_read_within_limits(models, tmp_path, monkeypatch, content, line):
    monkeypatch.setenv("VIZKIT_MAX_ROWS", "5")
    data = tmp_path / "x.csv"
    data.write_bytes(content)
    assert_refused(animate_with(models, tmp_path, models / "good.keras", data), line, tmp_path,
                   ["x.csv"])


def test_npz_data_is_read_within_limits(models, tmp_path):
    data = forge_npy(tmp_path / "d.npz", {"y": np.zeros(4)}, "x", (400_000_000, 2))
    assert_refused(animate_with(models, tmp_path, models / "good.keras", data),
                   f"d.npz: array 'x' of shape (400000000, 2) would take 3.0 GB, {LIMIT}3052 or "
                   "more", tmp_path, ["d.npz"])
    np.savez(data, x=np.array([[1e308, 0.0]]), y=np.zeros(1))
    assert_refused(animate_with(models, tmp_path, models / "good.keras", data),
                   "d.npz: value too large for float32 at row 1 (1e+308; at most 3.4e38); "
                   "rescale that column", tmp_path, ["d.npz"])
    np.savez(data, x=np.array([object()] * 2), y=np.zeros(2))
    assert_refused(animate_with(models, tmp_path, models / "good.keras", data),
                   "d.npz: array 'x' holds object values (Python objects or records); vizkit "
                   "loads only numbers and text, never pickled data", tmp_path, ["d.npz"])


# -- bombs in a child process with 1 GiB of address space --------------------------------
CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 ** 30, 2 ** 30))
from vizkit.cli import main
main(sys.argv[1:], prog_name="vizkit")
"""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory, models):
    folder = tmp_path_factory.mktemp("bombs")
    forge_npy(folder / "run.npz", trajectory_arrays(), "x", (400_000_000, 2))
    forge_member_size(models / "good.keras", folder / "bomb.keras", "model.weights.h5", GB3)
    with open(folder / "x.csv", "wb") as f:
        f.truncate(2 * 10 ** 9)
    return folder


@pytest.mark.parametrize("command, limit_mb, line", [
    ("replay run.npz", None,
     f"run.npz: array 'x' of shape (400000000, 2) would take 3.0 GB, {LIMIT}3052 or more"),
    ("replay run.npz", 4096, "run.npz: array 'x' declares shape (400000000, 2) (3.0 GB) but "
     "holds 16 bytes; the file is damaged or forged"),
    ("animate --model bomb.keras --data data.csv", None,
     f"bomb.keras: its unpacked contents would take 3.0 GB, {LIMIT}3073 or more"),
    ("animate --model good.keras --data x.csv", None, f"x.csv is 1.9 GB, {LIMIT}1908 or more"),
    ("animate --model good.keras --data x.csv", 4096,
     "x.csv line 1 is longer than 65536 characters; a data line holds the features, then "
     "the label"),
])
def test_bombs_are_refused_before_allocating(models, bombs, tmp_path, command, limit_mb, line):
    """In a regression the child fails on its 1 GiB cap (MemoryError, or TensorFlow
    unable to load) instead of taking gigabytes; here it must print the refusal."""
    args = [str(bombs / word) if (bombs / word).exists() else
            str(models / word) if (models / word).exists() else word
            for word in command.split()]
    env = dict(os.environ, **({"VIZKIT_MAX_LOAD_MB": str(limit_mb)} if limit_mb else {}))
    child = subprocess.run([sys.executable, "-c", CAPPED, *args, "--out",
                            str(tmp_path / "o.gif"), "--quiet"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert (child.returncode, child.stderr) == (1, f"Error: {line}\n")
    assert not list(tmp_path.iterdir())
