"""A VizkitError names the parameter that fixes it in the reader's words: the Python
parameter from Python, its flag on the command line. The library never writes a flag."""

import ast
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import vizkit
from vizkit import VizkitError, datasets
from vizkit._keras import import_keras
from vizkit.cli import main
from vizkit.cli.program import flag
from vizkit.errors import parameter, spoken
from helpers import assert_one_line_error

LIBRARY = Path(vizkit.__file__).parent
FLAG = re.compile(r"(?<![\w-])--[a-z][\w-]*")
#: Flags of other programs that a message tells the user to run (`dask worker ... --nthreads 1`).
OTHER_PROGRAMS = {"--nthreads", "--nworkers"}


def test_a_parameter_in_python_words_and_in_flags():
    error = VizkitError(f"{parameter('input_features', (3, 12))}: the model takes 4 features; "
                        f"pass {parameter('overwrite', True)}, leave out {parameter('layers')}, "
                        f"render with {parameter('fmt', 'html')} or "
                        + spoken("hidden=None", parameter("hidden", "none")))
    assert str(error) == ("input_features=(3, 12): the model takes 4 features; pass "
                          "overwrite=True, leave out layers, render with fmt='html' or "
                          "hidden=None")
    assert error.for_command_line(flag) == (
        "--input-features 3,12: the model takes 4 features; pass --overwrite, leave out "
        "--layers, render with --format html or --hidden none")


def test_a_pickled_error_keeps_both_wordings():
    """A sweep worker's error crosses to the client pickled."""
    error = pickle.loads(pickle.dumps(VizkitError(f"pass {parameter('keep_going', True)}")))
    assert (str(error), error.for_command_line(flag)) == ("pass keep_going=True",
                                                          "pass --keep-going")


def test_a_quoted_error_is_worded_for_the_reader_of_the_one_quoting_it():
    """A sweep quotes its worker's error inside its own."""
    inner = VizkitError(f"the model is not compiled; give {parameter('loss')}")
    outer = VizkitError(f"variant seed=1 failed: {inner.quoted}")
    assert str(outer) == "variant seed=1 failed: the model is not compiled; give loss"
    assert outer.for_command_line(flag) == ("variant seed=1 failed: the model is not "
                                            "compiled; give --loss")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    keras = import_keras()
    folder = tmp_path_factory.mktemp("words")
    x, y = datasets.moons(0, n_samples=40)
    np.savetxt(folder / "moons.csv", np.column_stack([x, y]), delimiter=",")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.save(folder / "model.keras")
    return folder


def test_an_existing_output_from_python_and_from_the_command_line(files, tmp_path):
    out = tmp_path / "a.gif"
    out.write_bytes(b"mine")
    x, y = datasets.moons(0, n_samples=40)
    model = import_keras().models.load_model(files / "model.keras")
    with pytest.raises(VizkitError) as error:
        vizkit.animate(model, x, y, epochs=1, out=out, dpi=30)
    assert "already exists; pass overwrite=True to replace it" in str(error.value)
    assert "--" not in str(error.value)
    result = CliRunner().invoke(main, ["animate", "--model", str(files / "model.keras"),
                                       "--data", str(files / "moons.csv"), "--epochs", "1",
                                       "--out", str(out), "--quiet"])
    assert_one_line_error(result, "already exists; pass --overwrite to replace it")
    assert "overwrite=True" not in result.output
    assert out.read_bytes() == b"mine"


def test_a_view_choice_from_python_and_from_the_command_line(files, tmp_path):
    """input_features with the unit maps: refused before training, in each one's words."""
    x, y = datasets.moons(0, n_samples=40)
    model = import_keras().models.load_model(files / "model.keras")
    weights = [w.copy() for w in model.get_weights()]
    with pytest.raises(VizkitError) as error:
        vizkit.animate(model, x, y, epochs=1, unit_maps=True, input_features=(0, 1),
                       out=tmp_path / "u.gif")
    assert str(error.value) == ("input_features chooses the input panel of view='layers'; "
                                "view='units' has none to choose")
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    result = CliRunner().invoke(main, ["animate", "--model", str(files / "model.keras"),
                                       "--data", str(files / "moons.csv"), "--view", "units",
                                       "--input-features", "0,1", "--out",
                                       str(tmp_path / "u.gif"), "--quiet"])
    assert_one_line_error(result, "--input-features chooses the input panel of --view "
                                  "layers; --view units has none to choose")
    assert list(tmp_path.iterdir()) == []


def _flags_in_messages(source):
    """Every ``--flag`` in the string literals of ``source`` that are not docstrings."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, found) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings
            for found in FLAG.findall(node.value) if found not in OTHER_PROGRAMS]


def test_the_scan_finds_a_flag():
    source = ('"""Docs may say --overwrite."""\n'
              'def f(path):\n    """Nor here: --quiet."""\n'
              '    raise VizkitError(f"{path} exists; pass --overwrite")\n')
    assert _flags_in_messages(source) == [(4, "--overwrite")]


def test_the_library_never_speaks_in_flags():
    """Outside vizkit/cli/, no string but a docstring holds a ``--flag``, and no module
    imports click."""
    found = []
    for path in sorted(LIBRARY.rglob("*.py")):
        if "cli" in path.relative_to(LIBRARY).parts:
            continue
        source = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(LIBRARY)}:{line}: {name}"
                  for line, name in _flags_in_messages(source)]
        found += [f"{path.relative_to(LIBRARY)}: imports click"
                  for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Import) and any(a.name == "click" for a in node.names)
                  or isinstance(node, ast.ImportFrom) and (node.module or "").startswith("click")]
    assert found == []
