"""Your own model and data: animate, record, replay, from the CLI and Python."""

import json

import imageio.v3 as iio
import numpy as np
import pytest
from click.testing import CliRunner

from vizkit import Animation, LayerProbe, Trajectory, VizkitError, animate, datasets
from vizkit._keras import import_keras
from vizkit.cli import main
from helpers import assert_one_line_error
from vizkit.data.tables import check_xy, load_xy

FAST = ["--epochs", "2", "--dpi", "30", "--quiet"]


@pytest.fixture(scope="module")
def keras():
    return import_keras()


def small_model(keras, hidden=3, outputs=1, name="net", compile=True):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((2,), name="features")
    h = keras.layers.Dense(hidden, activation="tanh", name="hidden")(inputs)
    out = keras.layers.Dense(outputs, activation="sigmoid" if outputs == 1 else "softmax",
                             name="out")(h)
    model = keras.Model(inputs, out, name=name)
    if compile:
        model.compile(optimizer="adam", metrics=["accuracy"],
                      loss="binary_crossentropy" if outputs == 1 else
                      "sparse_categorical_crossentropy")
    return model


@pytest.fixture(scope="module")
def files(tmp_path_factory, keras):
    folder = tmp_path_factory.mktemp("own")
    x, y = datasets.moons(0, n_samples=60)
    np.savetxt(folder / "moons.csv", np.column_stack([x, y]), delimiter=",",
               header="x0,x1,label", comments="")
    np.savetxt(folder / "plain.csv", np.column_stack([x, y]), delimiter=",")
    np.savez(folder / "moons.npz", x=x, y=y)
    small_model(keras).save(folder / "model.keras")
    small_model(keras, compile=False).save(folder / "raw.keras")
    small_model(keras, outputs=3).save(folder / "three.keras")
    wide = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    wide.compile(optimizer="adam", loss="binary_crossentropy")
    wide.save(folder / "wide.keras")
    return folder


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.parametrize("data", ["moons.csv", "plain.csv", "moons.npz"])
def test_animate_from_files(files, tmp_path, data):
    out = tmp_path / "a.gif"
    result = run(["animate", "--model", str(files / "model.keras"), "--data", str(files / data),
                  "--out", str(out), *FAST])
    assert result.exit_code == 0, result.output
    assert iio.imread(out, index=None).shape[0] == 3
    manifest = json.loads((tmp_path / "a.gif.json").read_text())
    assert manifest["scene"] == "animate" and manifest["frames"] == 3
    assert (tmp_path / "a.trajectory.npz").exists()


def test_record_then_replay_with_other_layers_and_format(files, tmp_path):
    run_file = tmp_path / "run.npz"
    result = run(["record", "--model", str(files / "model.keras"), "--data",
                  str(files / "moons.csv"), "--epochs", "3", "--out", str(run_file), "--quiet"])
    assert result.exit_code == 0, result.output
    assert Trajectory.load(run_file).n_frames == 4
    result = run(["replay", str(run_file), "--layers", "hidden", "--out",
                  str(tmp_path / "r.html"), "--fps", "3", "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.html").read_text().count("data:image/webp;base64,") == 4
    result = run(["replay", str(run_file), "--unit-maps", "--format", "png", "--out",
                  str(tmp_path / "u.png"), "--dpi", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "u.png").exists()


def test_uncompiled_model_needs_a_loss(files, tmp_path):
    args = ["animate", "--model", str(files / "raw.keras"), "--data", str(files / "moons.csv"),
            "--out", str(tmp_path / "a.gif"), *FAST]
    assert_one_line_error(run(args), "not compiled", "--loss")
    result = run(args + ["--loss", "binary_crossentropy", "--optimizer", "sgd",
                         "--learning-rate", "0.1"])
    assert result.exit_code == 0, result.output
    info = Trajectory.load(tmp_path / "a.trajectory.npz").info
    assert "binary_crossentropy" in info["loss"]


@pytest.mark.parametrize("content, needle", [
    ("1,2\n3,4\n", "bad.csv has 1 feature column(s) but the model takes 2"),
    ("x0,x1,y\n1,2,0\n1,2\n", "line 3 has 2 columns, the lines before it 3"),
    ("x0,x1,y\n1,2,0\n1,banana,1\n", "'banana' is not a number"),
    ("1,2,0\nnan,1,1\n", "NaN or infinity"),
    ("1,2,0\ninf,1,1\n", "NaN or infinity"),
    ("1,2,0\n1,1,2\n", "labels go up to 2 but the model has one output unit"),
    ("1,2,0\n1,1,0.5\n", "class numbers"),
    ("", "no data rows"),
])
def test_bad_data_is_a_one_line_error(files, tmp_path, content, needle):
    data = tmp_path / "bad.csv"
    data.write_text(content)
    result = run(["animate", "--model", str(files / "model.keras"), "--data", str(data),
                  "--out", str(tmp_path / "a.gif"), *FAST])
    assert_one_line_error(result, needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_bad_model_files(files, tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a model")
    base = ["--data", str(files / "moons.csv"), "--out", str(tmp_path / "a.gif"), *FAST]
    assert_one_line_error(run(["animate", "--model", str(junk), *base]), "could not load model",
                          "model.save")
    assert_one_line_error(run(["animate", "--model", str(tmp_path / "none.keras"), *base]),
                          "does not exist")
    assert_one_line_error(run(["animate", "--model", str(files / "wide.keras"), *base]),
                          "moons.csv has 2 feature column(s) but the model takes 3")


def test_unknown_layer_lists_the_layers(files, tmp_path):
    result = run(["animate", "--model", str(files / "model.keras"), "--data",
                  str(files / "moons.csv"), "--layers", "hiden", "--out", str(tmp_path / "a.gif"),
                  *FAST])
    assert_one_line_error(result, "'hiden'", "hidden, out")


def test_existing_output_needs_overwrite(files, tmp_path):
    out = tmp_path / "a.gif"
    out.write_bytes(b"mine")
    args = ["animate", "--model", str(files / "model.keras"), "--data", str(files / "moons.csv"),
            "--out", str(out), *FAST]
    assert_one_line_error(run(args), "already exists", "--overwrite")
    assert out.read_bytes() == b"mine"
    assert run(args + ["--overwrite"]).exit_code == 0
    assert out.read_bytes() != b"mine"


def test_labels_must_fit_a_multiclass_output(files, tmp_path):
    x, _ = datasets.moons(0, n_samples=20)
    np.savez(tmp_path / "four.npz", x=x, y=np.arange(20) % 4)
    result = run(["animate", "--model", str(files / "three.keras"), "--data",
                  str(tmp_path / "four.npz"), "--out", str(tmp_path / "a.gif"), *FAST])
    assert_one_line_error(result, "labels go up to 3 but the model has 3 output units")


def test_python_api_writes_a_file_and_returns_a_player(keras, tmp_path):
    x, y = datasets.moons(1, n_samples=50)
    path = animate(small_model(keras), x, y, epochs=2, out=tmp_path / "p.mp4", dpi=30)
    assert path == tmp_path / "p.mp4" and path.exists()
    player = animate(small_model(keras), x, y, epochs=2, dpi=30)
    assert isinstance(player, Animation)
    assert player._repr_html_().count("data:image/webp;base64,") == 3
    assert player.trajectory.n_frames == 3


def test_python_api_checks_its_input(keras, tmp_path):
    x, y = datasets.moons(1, n_samples=20)
    with pytest.raises(VizkitError, match="4 feature column"):
        animate(small_model(keras), np.column_stack([x, x]), y, epochs=1)
    with pytest.raises(VizkitError, match="no layer named 'nope'"):
        animate(small_model(keras), x, y, epochs=1, layers=["nope"])
    (tmp_path / "taken.gif").write_bytes(b"x")
    with pytest.raises(VizkitError, match="already exists"):
        animate(small_model(keras), x, y, epochs=1, out=tmp_path / "taken.gif")


def test_nested_and_sequential_models_are_probed_by_outer_inner_names(keras):
    keras.utils.set_random_seed(2)
    block = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu",
                                                                      name="inner")],
                             name="block")
    inputs = keras.Input((2,))
    hidden = block(inputs)
    out = keras.layers.Dense(1, activation="sigmoid", name="head")(hidden)
    model = keras.Model(inputs, out)
    probe = LayerProbe(model, ["block/inner", "head"])
    x = np.random.default_rng(0).normal(size=(7, 2)).astype(np.float32)
    w, b = block.get_layer("inner").get_weights()
    inner = np.maximum(0, x @ w + b)
    np.testing.assert_allclose(probe(x)["block/inner"], inner, rtol=1e-5, atol=1e-6)
    w2, b2 = model.get_layer("head").get_weights()
    np.testing.assert_allclose(probe(x)["head"], 1 / (1 + np.exp(-(inner @ w2 + b2))),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(VizkitError, match="block/inner"):
        LayerProbe(model, ["block/nope"])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    xs, ys = datasets.moons(0, n_samples=30)
    player = animate(model, xs, ys, epochs=1, layers=["block/inner"], dpi=30)
    assert player.trajectory.n_frames == 2


def test_load_xy_and_check_xy(files):
    x, y = load_xy(files / "moons.csv")
    x2, y2 = load_xy(files / "moons.npz")
    np.testing.assert_allclose(x, x2, atol=1e-6)
    np.testing.assert_array_equal(y, y2)
    assert x.dtype == np.float32 and y.dtype == np.int64
    with pytest.raises(VizkitError, match="3 feature rows but 2 labels"):
        check_xy(np.zeros((3, 2)), [0, 1])


def test_compiled_model_without_metrics_gets_accuracy_and_keeps_its_optimizer(keras):
    from vizkit.data.model_files import compile_model

    model = small_model(keras, compile=False)
    optimizer = keras.optimizers.SGD(0.2)
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    compile_model(model)
    assert model.optimizer is optimizer
    x, y = datasets.moons(0, n_samples=20)
    assert "accuracy" in model.evaluate(x, y, verbose=0, return_dict=True)


def test_replay_of_a_wide_input_as_a_tween_is_a_one_line_error(tmp_path):
    from fixtures import DATA

    result = run(["replay", str(DATA / "digits_trajectory.npz"), "--view", "tween", "--out",
                  str(tmp_path / "r.gif"), "--quiet"])
    assert_one_line_error(result, "64 input features", "--view layers")
    assert list(tmp_path.iterdir()) == []


def test_same_seed_same_run_for_a_model_with_dropout(keras, files, tmp_path):
    """Loading a model draws its dropout layer's seed: `vizkit record` seeds first, so the
    same --seed gives the same weights, and another seed other ones."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(1, "sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.save(tmp_path / "dropout.keras")
    runs = {}
    for name, seed in [("a", "5"), ("b", "5"), ("c", "6")]:
        result = run(["record", "--model", str(tmp_path / "dropout.keras"), "--data",
                      str(files / "moons.csv"), "--epochs", "3", "--seed", seed, "--quiet",
                      "--out", str(tmp_path / f"{name}.npz")])
        assert result.exit_code == 0, result.output
        runs[name] = Trajectory.load(tmp_path / f"{name}.npz").weights[-1]
    assert all(np.array_equal(x, y) for x, y in zip(runs["a"], runs["b"]))
    assert not all(np.array_equal(x, y) for x, y in zip(runs["a"], runs["c"]))
