"""The pipeline: every scene replays, a run's files appear together or not at all."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from click.testing import CliRunner

from vizkit import VizkitError
from vizkit.cli import main
from helpers import assert_one_line_error
from vizkit.run.transaction import OutputTransaction

FAST = ["--epochs", "2", "--dpi", "30", "--quiet"]


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def rms(a, b):
    return float(np.sqrt(np.mean((a.astype(float) - b.astype(float)) ** 2)))


# One short run of each scene, the part whose animation is compared, extra options.
SCENES = {
    "layer-spaces": ("", ["--grid-resolution", "30"]),
    "unit-maps": ("", []),
    "neurons": ("-linear", []),
    "digits": ("", []),
    "classification": ("", []),
    "views": ("-landscape", []),
}


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_every_scene_replays_its_run(scene, tmp_path):
    part, extra = SCENES[scene]
    first = tmp_path / "first" / "run.gif"
    result = run([scene, *FAST, *extra, "--out", str(first), "--format", "gif",
                  "--format", "png", "--stills", "last"])
    assert result.exit_code == 0, result.output
    trajectory = first.with_name(f"run{part}.trajectory.npz")
    again = tmp_path / "again" / "run.gif"
    result = run([scene, "--replay", str(trajectory), *extra, "--dpi", "30", "--quiet",
                  "--out", str(again), "--format", "gif", "--format", "png", "--stills", "last"])
    assert result.exit_code == 0, result.output
    frames = [json.loads((p.parent / f"run{part}.gif.json").read_text())["frames"]
              for p in (first, again)]
    assert frames[0] == frames[1] == 3
    assert iio.imread(again.with_name(f"run{part}.gif"), index=None).shape[0] == 3
    last = [iio.imread(p.parent / f"run{part}.png") for p in (first, again)]
    assert last[0].shape == last[1].shape
    assert rms(*last) <= 2
    assert not again.with_name(f"run{part}.trajectory.npz").exists()  # replay trains nothing


def test_replay_of_another_scene_names_the_scene_that_draws_it(tmp_path, stored_trajectory):
    path = stored_trajectory.save(tmp_path / "ls.npz")
    result = run(["unit-maps", "--replay", str(path), "--out", str(tmp_path / "u.gif")])
    assert_one_line_error(result, "'layer-spaces'", "vizkit layer-spaces --replay")


def test_replay_refuses_options_that_change_the_run(tmp_path, stored_trajectory):
    path = stored_trajectory.save(tmp_path / "ls.npz")
    result = run(["layer-spaces", "--replay", str(path), "--epochs", "5", "--out",
                  str(tmp_path / "o.gif")])
    assert_one_line_error(result, "--epochs", "--replay")


def test_existing_manifest_is_kept_without_overwrite(tmp_path):
    manifest = tmp_path / "o.gif.json"
    manifest.write_text("mine")
    result = run(["layer-spaces", *FAST, "--grid-resolution", "20", "--out",
                  str(tmp_path / "o.gif")])
    assert_one_line_error(result, "o.gif.json already exists", "--overwrite")
    assert manifest.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.gif.json"]


def test_failure_in_the_last_format_leaves_nothing(tmp_path, monkeypatch):
    import vizkit.output.writers as writers

    def broken_finish(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers._HtmlWriter, "_finish", broken_finish)
    (tmp_path / ".o.gif.partial").write_text("the user's own file")
    result = run(["layer-spaces", *FAST, "--grid-resolution", "20", "--out",
                  str(tmp_path / "o.gif"), "--format", "gif", "--format", "html"])
    assert_one_line_error(result, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".o.gif.partial"]


def test_a_file_that_appears_meanwhile_is_not_replaced(tmp_path):
    target = tmp_path / "a.gif"
    with OutputTransaction() as first, OutputTransaction() as second:
        first.check([target])
        second.check([target])
        first.stage(target).write_text("first")
        second.stage(target).write_text("second")
        assert first.commit() == [target]
        with pytest.raises(VizkitError, match="appeared while this run was rendering"):
            second.commit()
    assert target.read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif"]


def test_overwrite_replaces_all_or_nothing(tmp_path):
    old = {tmp_path / "a.gif": "old a", tmp_path / "a.gif.json": "old json"}
    for path, text in old.items():
        path.write_text(text)
    (tmp_path / "blocker").mkdir()
    with OutputTransaction(overwrite=True) as run_:
        for path in old:
            run_.stage(path).write_text("new")
        run_.stage(tmp_path / "blocker").write_text("cannot land on a folder")
        with pytest.raises(VizkitError, match="a folder has that name"):
            run_.commit()
    assert {p: p.read_text() for p in old} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif", "a.gif.json", "blocker"]


def _scene_process(out, *extra):
    script = Path(__file__).parents[1] / "scenes" / "layer_spaces.py"
    return subprocess.Popen([sys.executable, str(script), "--dpi", "40", "--out", str(out),
                             "--quiet", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_concurrent_runs_on_one_output_end_with_one_complete_set(tmp_path):
    out = tmp_path / "same.gif"
    processes = [_scene_process(out, "--epochs", "6", "--grid-resolution", "40")
                 for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    error = next(err for code, err in results if code == 1).strip().splitlines()
    assert len(error) == 1 and error[0].startswith("Error: ") and "same." in error[0]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["same-data.png", "same-data.png.json", "same.gif", "same.gif.json",
                     "same.trajectory.npz"]
    manifest = json.loads((tmp_path / "same.gif.json").read_text())
    assert iio.imread(out, index=None).shape[0] == manifest["frames"] == 7


def test_sigterm_mid_render_leaves_nothing(tmp_path):
    out = tmp_path / "big.gif"
    process = _scene_process(out, "--epochs", "200", "--grid-resolution", "300",
                             "--format", "gif", "--format", "mp4")
    deadline = time.time() + 240
    while time.time() < deadline and not any(p.name.endswith(".partial")
                                             for p in tmp_path.iterdir()):
        time.sleep(0.2)
    assert any(p.name.endswith(".partial") for p in tmp_path.iterdir()), "never started"
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=60)
    assert code == 130, process.stderr.read()
    assert list(tmp_path.iterdir()) == []
    assert "Traceback" not in process.stderr.read()


def test_own_folder_is_not_left_behind_by_a_failed_run(tmp_path):
    result = run(["layer-spaces", *FAST, "--out", str(tmp_path / "new" / "deeper" / "o.avi")])
    assert_one_line_error(result, "o.avi")
    assert list(tmp_path.iterdir()) == []



def test_tensorflow_imported_first_is_said_once_and_not_pretended(tmp_path):
    """A notebook that imported TensorFlow first: one warning, environment left true."""
    code = """
import os, warnings
for k in ("TF_ENABLE_ONEDNN_OPTS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ.pop(k, None)
import tensorflow
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from vizkit._keras import import_keras
    import_keras(); import_keras()
print(len(caught), "TF_NUM_INTRAOP_THREADS=1" in str(caught[0].message),
      "TF_NUM_INTRAOP_THREADS" in os.environ)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split() == ["1", "True", "False"], done.stderr


def test_an_output_name_taken_by_a_folder_is_one_line(tmp_path):
    (tmp_path / "d.gif").mkdir()
    result = run(["layer-spaces", *FAST, "--grid-resolution", "20", "--out",
                  str(tmp_path / "d.png"), "--format", "gif", "--overwrite"])
    assert_one_line_error(result, "d.gif", "a folder has that name")
    (tmp_path / "t.trajectory.npz").mkdir()
    result = run(["layer-spaces", *FAST, "--grid-resolution", "20", "--out",
                  str(tmp_path / "t.gif"), "--overwrite"])
    assert_one_line_error(result, "t.trajectory.npz", "a folder has that name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.gif", "t.trajectory.npz"]


@pytest.mark.parametrize("arguments, message", [
    (dict(fps=0), "fps must be a whole number from 1 to 60"),
    (dict(dpi=2.5), "dpi must be a whole number"),
    (dict(epochs=2.5), "epochs must be a whole number"),
])
def test_python_api_refuses_bad_arguments_before_any_work(tmp_path, arguments, message):
    import vizkit
    from vizkit import datasets
    from vizkit._keras import import_keras

    keras = import_keras()
    x, y = datasets.moons(0, n_samples=40)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(VizkitError, match=message):
        vizkit.animate(model, x, y, out=tmp_path / "a.gif", **arguments)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert list(tmp_path.iterdir()) == []


# -- a run that stops early writes exactly the names it checked ---------------------------
@pytest.fixture
def checked(monkeypatch):
    """The paths passed to each OutputTransaction.check, in order."""
    calls = []
    check = OutputTransaction.check

    def spy(self, paths):
        calls.append(sorted(Path(p) for p in paths))
        return check(self, paths)

    monkeypatch.setattr(OutputTransaction, "check", spy)
    return calls


def test_a_run_with_fewer_frames_than_planned_checks_exactly_what_it_writes(
        tmp_path, checked, stored_trajectory):
    from vizkit import LayerSpaces
    from vizkit.pipeline import Recipe, RenderSettings, produce

    recipe = Recipe("layer-spaces", record=lambda options, progress: stored_trajectory,
                    view=lambda t, o: LayerSpaces(t, grid_resolution=20))
    n = stored_trajectory.n_frames  # 9 frames: the 20 epochs asked for stopped at 8
    written = produce(recipe, {"epochs": 20}, RenderSettings(
        tmp_path / "run.gif", formats=("gif", "png"), stills="first,middle,last", dpi=30))
    assert [p.name for p in written if p.suffix == ".png"] == [
        f"run-frame{i:03d}.png" for i in (0, (n - 1) // 2, n - 1)]
    assert sorted(tmp_path.iterdir()) == sorted(written)
    assert tmp_path / "run-frame020.png" in checked[0]  # the plan, before training
    assert checked[-1] == sorted(written)


def test_a_run_stopped_by_its_loss_target_checks_exactly_what_it_writes(tmp_path, checked):
    from vizkit import Trajectory

    out = tmp_path / "run.gif"
    result = run(["layer-spaces", "--epochs", "40", "--stop-at-loss", "0.6", "--dpi", "30",
                  "--grid-resolution", "20", "--quiet", "--format", "png", "--stills",
                  "first,last", "--out", str(out)])
    assert result.exit_code == 0, result.output
    n = Trajectory.load(tmp_path / "run.trajectory.npz").n_frames
    assert 3 <= n < 41  # stopped early, after a few epochs
    written = sorted(tmp_path.iterdir())
    assert [p.name for p in written if "-frame" in p.name and p.suffix == ".png"] == [
        "run-frame000.png", f"run-frame{n - 1:03d}.png"]
    assert tmp_path / "run-frame040.png" in checked[0]
    assert checked[-1] == written


class _Stripes:
    """A composed view of several runs (as a sweep's): frame k is grey level 40·k."""

    def __init__(self, trajectories):
        self.trajectories = trajectories

    def frames(self, choice="auto"):
        return range(3)

    def write(self, paths, fmt, *, frames, fps=10, dpi=100, on_frame=None, sinks=()):
        from vizkit.output.render import RenderResult
        from vizkit.output.writers import open_writer

        with open_writer(paths, fmt, fps=fps) as writer:
            for position, frame in enumerate(frames):
                writer.append(np.full((20, 30, 4), 40 * frame, np.uint8))
                on_frame(position)
        return RenderResult(list(paths), fmt, writer.frame_count, writer.frame_size)

    def manifest_fields(self, files):
        return dict(scene="stripes", parameters={"runs": len(self.trajectories)}, seed=None,
                    metrics={}, trajectories=[files.trajectory(p).name
                                              for p in self.trajectories])


def test_a_composed_view_draws_every_run_once_and_each_trajectory_is_saved(
        tmp_path, checked, stored_trajectory):
    """Runs "a" and "b" came back, "c" did not (a failed sweep variant): one drawing,
    its manifest with the view's own fields, two trajectories; checked as written."""
    from vizkit import Trajectory
    from vizkit.pipeline import Recipe, RenderSettings, produce

    recipe = Recipe("stripes", record=lambda options, progress: {"a": stored_trajectory,
                                                                 "b": stored_trajectory},
                    view=None, parts=("a", "b", "c"), compose=lambda runs, options: _Stripes(runs))
    written = produce(recipe, {"epochs": 2}, RenderSettings(
        tmp_path / "s.gif", formats=("gif", "png"), stills="last"))
    assert [p.name for p in written] == ["s.gif", "s.gif.json", "s.png", "s.png.json",
                                         "s-a.trajectory.npz", "s-b.trajectory.npz"]
    assert tmp_path / "s-c.trajectory.npz" in checked[0]
    assert checked[-1] == sorted(written)
    manifest = json.loads((tmp_path / "s.gif.json").read_text())
    assert (manifest["scene"], manifest["frames"], manifest["parameters"]) == (
        "stripes", 3, {"runs": 2})
    assert manifest["trajectories"] == ["s-a.trajectory.npz", "s-b.trajectory.npz"]
    assert iio.imread(tmp_path / "s.png")[0, 0, 0] == 80
    assert Trajectory.load(tmp_path / "s-b.trajectory.npz").info == stored_trajectory.info
