"""Hostile input, round three: each case ends in one line naming the problem and the fix,
a non-zero exit and nothing left behind, or in a true drawing; nothing is lost silently.

Cases run through the real program (``python -m vizkit`` in a child process) where the
program's own handling (exit codes, stderr, a closed stdout) is what is tested.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).parents[1]


def vizkit(*args, cwd, stdout=subprocess.PIPE, timeout=240):
    """``python -m vizkit args`` in ``cwd``: the real program, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "vizkit", *map(str, args)], cwd=cwd,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, env=env,
                          timeout=timeout)


def assert_one_line(result, *words):
    """Exit 1, and stderr is one ``Error:`` line (no traceback) holding ``words``."""
    lines = result.stderr.splitlines()
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_python_dash_m_vizkit_runs_the_command_line(tmp_path):
    result = vizkit("list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "classification"
    assert vizkit("--help", cwd=tmp_path).stdout.startswith("Usage: python -m vizkit ")


# -- CSV: nothing lost silently ------------------------------------------------------
ROWS = "0.5,-1.25,1\n-0.75,2.0,0\n1.5,0.25,1\n"


def write_csv(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize("header", ["", "x0,x1,label\n", "size (m²),price $,y\n"])
def test_a_csv_with_excels_byte_order_mark_keeps_every_row(tmp_path, header):
    """Excel's "CSV UTF-8" starts with a BOM: the first row was read as a header and lost."""
    from vizkit.data.tables import feature_names, load_xy

    path = write_csv(tmp_path / "excel.csv", header + ROWS, encoding="utf-8-sig")
    x, y = load_xy(path)
    expected = np.loadtxt(ROWS.splitlines(), delimiter=",")
    np.testing.assert_array_equal(x, expected[:, :-1].astype(np.float32))
    np.testing.assert_array_equal(y, expected[:, -1])
    names = header.strip().split(",")[:-1] or None
    assert feature_names(path) == names


@pytest.mark.parametrize("first, cell", [("1.0,2.O,1", "line 1, column 2: '2.O'"),
                                         ("x0,1,label", "line 1, column 1: 'x0'"),
                                         ("l.5,2.0,1", "line 1, column 1: 'l.5'")])
def test_a_first_row_mixing_numbers_and_words_is_refused_not_eaten(tmp_path, first, cell):
    """A first row is a header only if no cell is a number; a data row with a typo was
    taken as a header and lost without a word."""
    write_csv(tmp_path / "typo.csv", f"{first}\n{ROWS}")
    result = vizkit("animate", "--model", "model.keras", "--data", "typo.csv",
                    "--out", "out/a.gif", cwd=tmp_path)
    assert_one_line(result, f"typo.csv {cell} is not a number", "header")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["typo.csv"]


def test_a_header_of_names_is_read_quietly(tmp_path):
    from vizkit.data.tables import feature_names, load_xy

    path = write_csv(tmp_path / "named.csv", "x0,x1,label\n" + ROWS)
    assert load_xy(path)[0].shape == (3, 2)
    assert feature_names(path) == ["x0", "x1"]


# -- seeds: 0 .. 2**32 - 1, checked where they are taken -----------------------------
@pytest.mark.parametrize("command", [["neurons", "--epochs", "2"],
                                     ["animate", "--model", "model.keras", "--data",
                                      "data.csv", "--epochs", "1"]])
@pytest.mark.parametrize("seed", [-1, 2 ** 32, -2 ** 40])
def test_a_seed_outside_32_bits_is_one_line(tmp_path, command, seed):
    """NumPy's legacy seeding raised a ValueError traceback inside Keras."""
    write_csv(tmp_path / "data.csv", ROWS)
    (tmp_path / "model.keras").write_bytes(b"")  # the seed is refused before the model
    keep = sorted(p.name for p in tmp_path.iterdir())
    result = vizkit(*command, "--seed", seed, "--out", "out/a.gif", cwd=tmp_path)
    assert_one_line(result, f"--seed {seed} is not a seed", "at most 4294967295")
    assert sorted(p.name for p in tmp_path.iterdir()) == keep


@pytest.mark.parametrize("seed", [-1, 2 ** 32, 1.0, True, "7"])
def test_the_library_takes_only_32_bit_seeds(seed):
    from vizkit import VizkitError
    from vizkit.seeding import MAX_SEED, check_seed, set_seed

    for take in (check_seed, set_seed):
        with pytest.raises(VizkitError, match=rf"^seed={seed!r} is not a seed: .* at most "
                                              f"{MAX_SEED} "):
            take(seed)
    assert check_seed(0) == 0 and check_seed(MAX_SEED) == 2 ** 32 - 1


# -- outputs that are no place for a file ------------------------------------------
def listing(folder):
    return sorted(os.listdir(folder))


@pytest.mark.parametrize("command", [["neurons", "--epochs", "2", "--format", "gif"],
                                     ["record", "--model", "model.keras", "--data",
                                      "data.csv", "--epochs", "1"]])
@pytest.mark.parametrize("out", ["/dev/stdout", "/dev/shm/run.gif", "/dev/null"])
def test_outputs_under_dev_are_refused_before_any_work(tmp_path, command, out):
    """``--out /dev/stdout`` wrote the run's files into /dev/ (as root)."""
    write_csv(tmp_path / "data.csv", ROWS)
    before = set(listing("/dev")) | set(listing("/dev/shm"))
    result = vizkit(*command, "--out", out, "--overwrite", cwd=tmp_path)
    assert_one_line(result, "it is under /dev, not a file in a folder; choose another "
                    "output path")
    stem = Path(out).stem  # other processes come and go in /dev/shm: only ours count
    appeared = (set(listing("/dev")) | set(listing("/dev/shm"))) - before
    assert not [name for name in appeared if name.startswith(stem)]
    assert listing(tmp_path) == ["data.csv"]


def test_a_fifo_a_device_or_a_symlink_into_dev_is_no_output(tmp_path):
    from vizkit import VizkitError
    from vizkit.run.transaction import OutputTransaction

    os.mkfifo(tmp_path / "pipe.gif")
    (tmp_path / "null.gif").symlink_to("/dev/null")
    for name, why in (("pipe.gif", "is a device, FIFO or socket"),
                      ("null.gif", "is under /dev")):
        with OutputTransaction(overwrite=True) as run:
            with pytest.raises(VizkitError, match=f"^cannot write {tmp_path / name}: it {why}, "
                                                  "not a file in a folder;"):
                run.check([tmp_path / "fine.gif", tmp_path / name])
    assert listing(tmp_path) == ["null.gif", "pipe.gif"]


def test_record_to_an_empty_name_is_one_line(tmp_path):
    """``vizkit record --out ''`` was a ValueError traceback from pathlib."""
    write_csv(tmp_path / "data.csv", ROWS)
    result = vizkit("record", "--model", "model.keras", "--data", "data.csv", "--out", "",
                    cwd=tmp_path)
    assert_one_line(result, "--out names no file; give a file name such as run.npz")
    assert listing(tmp_path) == ["data.csv"]


@pytest.mark.parametrize("command", [["neurons", "--epochs", "2"],
                                     ["animate", "--model", "model.keras", "--data",
                                      "data.csv"]])
def test_an_empty_output_name_is_one_line(tmp_path, command):
    write_csv(tmp_path / "data.csv", ROWS)
    assert_one_line(vizkit(*command, "--out", "", cwd=tmp_path), "output suffix of ''")
    assert listing(tmp_path) == ["data.csv"]


# -- sweeps: no worker without a variant -------------------------------------------
def test_local_workers_never_outnumber_the_tasks():
    from vizkit.sweep.cluster import default_workers, local_workers

    assert local_workers(32, 2) == 2
    assert local_workers(1, 2) == 1
    assert local_workers(None, 1) == 1 == default_workers(1)
    assert local_workers(5, None) == 5


def test_a_sweep_of_two_variants_starts_two_workers_and_says_so(tmp_path):
    """``--workers 32`` for 2 variants started 32 worker processes (4.4 GB)."""
    result = vizkit("sweep", "layer-spaces", "--vary", "activation=tanh,relu", "--epochs", "2",
                    "--grid-resolution", "40", "--dpi", "40", "--workers", "32",
                    "--out", "s.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[:2] == [
        "sweep: 2 workers, not the 32 asked for: one per variant, as a worker without a "
        "variant would only hold memory",
        "sweep: 2 variants on 2 Dask worker(s) on this machine"]


# -- a closed standard output ------------------------------------------------------
@pytest.mark.parametrize("args", ["list", "--version", "neurons --epochs 2 --out n/n.gif",
                                  "neurons --epochs 2 --quiet --out n/n.gif"])
def test_a_closed_standard_output_is_one_line_before_any_work(tmp_path, args):
    """``vizkit ... >&-`` wrote every file, then ended in an AttributeError traceback."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT),
                                                       os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run(f"'{sys.executable}' -m vizkit {args} >&-", shell=True, cwd=tmp_path,
                            stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert_one_line(result, "standard output is closed; redirect it instead (> /dev/null)")
    assert listing(tmp_path) == []


# -- a user's text is drawn as text, never as mathtext -------------------------------
NAMES = ["$x_1$", "a$b", r"$\frac$", r"\frac{1}{2}", "$x_$"]


def drawn_width(text, parse_math=None):
    """The width in pixels of ``text`` drawn as an axis label in vizkit's style."""
    import matplotlib.pyplot as plt

    from vizkit.style import style

    with style():
        fig, ax = plt.subplots()
        label = ax.set_xlabel(text)
        if parse_math is not None:
            label.set_parse_math(parse_math)
        fig.canvas.draw()
        width = label.get_window_extent().width
        plt.close(fig)
    return width


@pytest.mark.parametrize("name", NAMES)
def test_feature_and_class_names_are_drawn_letter_for_letter(name):
    """A CSV header ``$x_1$`` was drawn as a subscript, ``$\\frac$`` a ParseSyntaxException."""
    from vizkit.inspect.input_plane import InputPlane
    from vizkit.style import class_names

    x = np.random.default_rng(0).normal(size=(20, 2))
    label = InputPlane.fit(x, names=[name, "other"]).labels[0]
    (class_name,) = class_names(1, [name])
    assert label == class_name
    assert drawn_width(label) == drawn_width(name, parse_math=False)


def test_a_csv_header_matplotlib_would_parse_is_drawn(tmp_path, keras_model):
    header = r"$x_$,$\frac$,label"
    write_csv(tmp_path / "math.csv", f"{header}\n{ROWS * 5}")
    result = vizkit("animate", "--model", keras_model, "--data", "math.csv", "--epochs", "1",
                    "--out", "a.png", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "a.png").is_file()


@pytest.fixture(scope="module")
def keras_model(tmp_path_factory):
    from vizkit._keras import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    path = tmp_path_factory.mktemp("model") / "model.keras"
    model.save(path)
    return path


# -- Trajectory.save: the commands' transaction, from Python -------------------------
@pytest.fixture(scope="module")
def trajectory():
    from fixtures import LAYER_SPACES_TRAJECTORY
    from vizkit import Trajectory

    return Trajectory.load(LAYER_SPACES_TRAJECTORY)


def test_save_refuses_an_existing_file_unless_asked(tmp_path, trajectory):
    """It replaced an existing file without a word."""
    from vizkit import Trajectory, VizkitError

    path = tmp_path / "run.npz"
    path.write_bytes(b"my own file")
    with pytest.raises(VizkitError, match=r"^.*run\.npz already exists; pass overwrite=True "
                                          "to replace it"):
        trajectory.save(path)
    assert path.read_bytes() == b"my own file"
    assert listing(tmp_path) == ["run.npz"]
    assert trajectory.save(path, overwrite=True) == path
    assert listing(tmp_path) == ["run.npz"]
    again = Trajectory.load(path)
    for saved, loaded in zip(trajectory.weights, again.weights):
        np.testing.assert_array_equal(saved, loaded)


def test_save_never_writes_through_a_planted_link(tmp_path, trajectory):
    """A symlink at the old fixed staging name (``.NAME.partial``) sent the content to
    its target and left the trajectory itself as a link."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / ".run.npz.partial").symlink_to(victim)
    trajectory.save(folder / "run.npz")
    assert victim.read_text() == "keep me"
    assert not (folder / "run.npz").is_symlink()
    assert sorted(listing(folder)) == [".run.npz.partial", "run.npz"]


def test_save_makes_missing_folders_and_leaves_nothing_on_failure(tmp_path, trajectory):
    from vizkit import VizkitError

    assert trajectory.save(tmp_path / "a" / "b" / "run.npz").is_file()
    (tmp_path / "file").write_text("")
    with pytest.raises(VizkitError, match="is a file, not a folder"):
        trajectory.save(tmp_path / "file" / "run.npz")
    assert listing(tmp_path) == ["a", "file"]


def test_image_class_names_are_drawn_letter_for_letter():
    """An image set's class names are a user's text too: ``$\\frac$`` or ``$x_1$`` is drawn
    as written (no mathtext, no ParseSyntaxException), in the tiles' key and the bars."""
    from dataclasses import replace

    from fixtures import DIGITS_TRAJECTORY

    from vizkit import ImageClassifierView, Trajectory
    from vizkit.data.image_sets import load_image_set
    from vizkit.style import style

    names = ("$\\frac$", "$x_1$", "a$b", *map(str, range(3, 10)))
    images = replace(load_image_set("digits", seed=1234), class_names=names)
    view = ImageClassifierView(Trajectory.load(DIGITS_TRAJECTORY), images)
    with style():
        fig, header, axes = view.figure(dpi=60)
        view.draw(header, axes, view.trajectory.n_frames - 1)
        fig.canvas.draw()  # mathtext would raise here
    drawn = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert any("\\$x_1\\$" in text for text in drawn)
    assert not any("$x_1$" in text.replace("\\$", "") for text in drawn)
