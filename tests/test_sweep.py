"""Sweeps: plans and layouts, cells against numpy, the composed frame, bounded memory,
and whole sweeps on Dask, on a local cluster and through a scheduler started apart."""

import json
import math
import os
import signal
import subprocess
import sys
import time
import tracemalloc
import weakref
from dataclasses import replace
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from click.testing import CliRunner

from test_cli import assert_one_line_error
from vizkit.cli import main
from vizkit.errors import VizkitError
from vizkit.pipeline import Progress, Recipe, RenderSettings
from vizkit.sweep.sweep_run import plan_sweep, shared_grid
from vizkit.sweep.cells import render_cells
from vizkit_scenes import layer_spaces

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--epochs", "2", "--grid-resolution", "40", "--dpi", "40", "--quiet"]
GRID_2X2 = ["--vary", "activation=tanh,relu", "--vary", "hidden-units=2,3"]


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def vary(*specs):
    """``("hidden-units", [2, 3])`` → the (flag, name, values) that plan_sweep takes."""
    return [(flag, flag.replace("-", "_"), list(values)) for flag, values in specs]


def scene_options(**given):
    options = dict(epochs=2, learning_rate=0.1, seed=12345, activation="tanh", hidden_units=2,
                   stop_at_loss=None, grid_resolution=40)
    return dict(options, **given)


# -- plans and layouts ------------------------------------------------------------------
def test_two_varied_options_are_rows_and_columns():
    plan = plan_sweep(layer_spaces.RECIPE, scene_options(),
                      vary(("activation", ["tanh", "relu", "gelu"]), ("hidden-units", [2, 8])))
    assert (plan.rows, plan.columns) == (3, 2)
    places = {v.label: (v.row, v.column) for v in plan.variants}
    assert places["activation=relu · hidden-units=8"] == (1, 1)
    assert places["activation=gelu · hidden-units=2"] == (2, 0)
    relu8 = next(v for v in plan.variants if v.label == "activation=relu · hidden-units=8")
    assert relu8.options == scene_options(activation="relu", hidden_units=8)
    assert relu8.slug == "activation-relu_hidden-units-8"
    assert "activation" not in plan.fixed and "grid_resolution" not in plan.fixed


def test_three_varied_options_make_rows_of_the_first_and_columns_of_the_rest():
    plan = plan_sweep(layer_spaces.RECIPE, scene_options(),
                      vary(("activation", ["tanh", "relu"]), ("hidden-units", [2, 3, 8]),
                           ("seed", [0, 1])))
    assert (plan.rows, plan.columns) == (2, 6)
    assert [v.label for v in plan.variants if v.row == 1][:2] == [
        "activation=relu · hidden-units=2 · seed=0", "activation=relu · hidden-units=2 · seed=1"]
    assert "rows: activation, columns: hidden-units × seed" in plan.describe()


@pytest.mark.parametrize("count, shape", [(2, (1, 2)), (4, (1, 4)), (5, (2, 3)), (8, (2, 4)),
                                          (9, (3, 3))])
def test_one_varied_option_wraps_into_balanced_rows(count, shape):
    plan = plan_sweep(layer_spaces.RECIPE, scene_options(), vary(("seed", range(count))))
    assert (plan.rows, plan.columns) == shape
    assert len({(v.row, v.column) for v in plan.variants}) == count


@pytest.mark.parametrize("specs, needle", [
    ([("grid-resolution", [50, 100])], "changes the drawing"),
    ([("seed", [1])], "at least two variants"),
    ([("seed", [1, 1])], "repeats a value"),
    ([("seed", range(9)), ("hidden-units", range(1, 9))], "72 variants"),
    ([], "nothing varies"),
])
def test_plans_that_cannot_be_drawn_are_one_line_errors(specs, needle):
    with pytest.raises(VizkitError, match=needle):
        plan_sweep(layer_spaces.RECIPE, scene_options(), vary(*specs))


def test_a_scene_of_two_runs_cannot_be_swept():
    from vizkit_scenes import neurons

    with pytest.raises(VizkitError, match="records 2 runs"):
        plan_sweep(neurons.RECIPE, {}, vary(("seed", [0, 1])))


@pytest.mark.parametrize("args, needles", [
    (["--vary", "activation=tanh,swoosh"], ["--vary", "activation", "'swoosh' is not one of"]),
    (["--vary", "hidden-units=2,0"], ["--vary", "hidden-units", "0"]),
    (["--vary", "nope=1,2"], ["'nope' is not an option", "hidden-units"]),
    (["--vary", "seed"], ["give NAME=V1,V2"]),
    (["--vary", "seed=1,,2"], ["separated by commas"]),
    (["--activation", "relu", "--vary", "activation=tanh,relu"], ["--activation",
                                                                  "given once and varied"]),
    (["--vary", "grid-resolution=50,100"], ["changes the drawing"]),
    (["--vary", "seed=1,2", "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"],
     ["give one of them"]),
])
def test_bad_sweep_options_are_one_line_errors(tmp_path, args, needles):
    result = run(["sweep", "layer-spaces", "--epochs", "2", "--quiet", "--out",
                  str(tmp_path / "s.gif"), *args])
    assert_one_line_error(result, *needles)
    assert list(tmp_path.iterdir()) == []


def test_scenes_that_cannot_be_swept_say_which_can():
    assert_one_line_error(run(["sweep", "neurons", "--vary", "seed=1,2"]), "neurons",
                          "layer-spaces")


def test_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    import vizkit.sweep.cluster

    monkeypatch.setattr(vizkit.sweep.cluster, "_CONNECT_S", 1)
    result = run(["sweep", "layer-spaces", *FAST, "--vary", "seed=1,2", "--out",
                  str(tmp_path / "s.gif"), "--scheduler", "tcp://127.0.0.1:9"])
    assert_one_line_error(result, "cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert list(tmp_path.iterdir()) == []


def test_two_local_clusters_at_once_start_without_a_warning():
    """Two sweeps at once on one machine: the second one's scheduler does not find its
    HTTP port taken (it printed a UserWarning into a --quiet run)."""
    import warnings

    from vizkit.sweep.cluster import dask_client

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with dask_client(workers=1) as first, dask_client(workers=1) as second:
            assert len(first.nthreads()) == len(second.nthreads()) == 1
    assert [str(w.message) for w in caught if "Port" in str(w.message)] == []


def test_workers_of_several_threads_are_refused_in_one_line():
    """Two tasks at once in one worker would share matplotlib's global style."""
    from vizkit.sweep.cluster import _check_workers

    class Client:
        def nthreads(self):
            return {"tcp://10.0.0.1:4000": 1, "tcp://10.0.0.2:4000": 4}

        def run(self, function):
            raise AssertionError("refused before running anything")

    with pytest.raises(VizkitError) as error:
        _check_workers(Client(), "tcp://10.0.0.9:8786")
    assert str(error.value) == (
        "the Dask worker tcp://10.0.0.2:4000 runs 4 threads; vizkit draws one cell at a time "
        "per worker: start workers with `dask worker tcp://10.0.0.9:8786 --nthreads 1` (and "
        "--nworkers for more)")


# -- cells, against numpy ---------------------------------------------------------------
@pytest.fixture(scope="module")
def cell(stored_trajectory):
    from vizkit.inspect.grid import InputGrid
    from vizkit.sweep.cells import CellScales, VariantCell

    grid = InputGrid.around(stored_trajectory.x, 30)
    cell = VariantCell(stored_trajectory, grid, 2, "activation_1")
    cell.scales = CellScales(grid, 2, "seed=12345", cell.fit_hidden())
    return cell


def numpy_forward(trajectory, frame, x):
    kernel, bias, out_kernel, out_bias = trajectory.weights_at(frame)
    hidden = np.tanh(x.astype(np.float64) @ kernel + bias)
    return hidden, 1 / (1 + np.exp(-(hidden @ out_kernel + out_bias)[:, 0]))


@pytest.mark.parametrize("frame", [0, 4, -1])
def test_cell_scores_and_hidden_plane_are_the_network_computed_in_numpy(cell, frame):
    trajectory = cell.trajectory
    frame %= trajectory.n_frames
    scores, coords = cell.values(frame)
    hidden, probability = numpy_forward(trajectory, frame, cell._inputs)
    np.testing.assert_allclose(scores, probability, atol=1e-5)
    np.testing.assert_allclose(coords, hidden, atol=1e-5)  # 2 units: drawn as they are


def test_hidden_limits_hold_every_point_of_every_frame(cell):
    (x0, x1), (y0, y1) = cell.scales.hidden.limits
    for frame in range(cell.trajectory.n_frames):
        hidden, _ = numpy_forward(cell.trajectory, frame, cell.trajectory.x)
        assert (hidden[:, 0] >= x0).all() and (hidden[:, 0] <= x1).all()
        assert (hidden[:, 1] >= y0).all() and (hidden[:, 1] <= y1).all()
    assert cell.scales.hidden.comparable == ("activation_1", 2, "tanh")


def test_the_grid_holds_every_variants_data_and_comparable_planes_share_limits():
    from vizkit.sweep.sweep_run import _shared_limits
    from vizkit.sweep.cells import HiddenFit

    done = [{"low": np.array([-1.0, 0.0]), "high": np.array([1.0, 2.0])},
            {"low": np.array([-3.0, 1.0]), "high": np.array([0.0, 5.0])}]
    grid = shared_grid(done, 50)
    assert grid.extent == pytest.approx((-3.4, 1.4, -0.5, 5.5), abs=1e-5)
    tanh = ("activation_1", 2, "tanh")
    fits = {0: HiddenFit("h", None, ((-1, 1), (-2, 0)), "t", tanh),
            1: HiddenFit("h", None, ((-3, 0), (-1, 4)), "t", tanh),
            2: HiddenFit("h", None, ((0, 9), (0, 9)), "t", ("activation_1", 2, "relu")),
            3: HiddenFit("h", None, ((5, 6), (5, 6)), "t", None), 4: None}
    shared = _shared_limits(fits)
    assert shared[0].limits == shared[1].limits == ((-3, 1), (-2, 4))
    assert shared[2].limits == ((0, 9), (0, 9)) and shared[3].limits == ((5, 6), (5, 6))
    assert shared[4] is None


def test_metrics_line_says_when_a_run_stopped_early():
    from vizkit.sweep.cells import metrics_line

    metrics = {"loss": np.array([0.7, 0.5, 0.25]), "accuracy": np.array([0.5, 0.75, 0.875])}
    assert metrics_line(metrics, 1, 2, 10) == "acc 0.750  ·  loss 0.500"
    assert metrics_line(metrics, 2, 2, 10) == "acc 0.875  ·  loss 0.250  ·  stopped at epoch 2"
    assert metrics_line(metrics, 2, 2, 2) == "acc 0.875  ·  loss 0.250"
    metrics["test_accuracy"] = np.array([0.5, 0.5, 0.625])
    assert metrics_line(metrics, 2, 2, 2, split_sets=True) == \
        "acc 0.875  ·  loss 0.250\ntest acc 0.625"
    assert metrics_line(metrics, 2, 2, 9, split_sets=False) == \
        "acc 0.875  ·  loss 0.250  ·  test acc 0.625  ·  stopped at epoch 2"


@pytest.mark.snapshot
def test_sweep_frame(cell, tmp_path, assert_image_matches):
    """Two cells in a row: a run, and a variant that failed, marked."""
    from vizkit.sweep.canvas import SweepCanvas, failed_cell

    dpi = 60
    last = cell.trajectory.n_frames - 1
    image = cell.render(cell.scales, [last], dpi)[0]
    canvas = SweepCanvas(1, 2, image.shape[:2], "2 runs of layer-spaces  ·  seed varies  ·  "
                         "every run: epochs 8, learning-rate 0.1", dpi)
    canvas.place(0, 0, image)
    canvas.place(0, 1, failed_cell("seed=7", "unknown loss 'nope'; use a Keras loss name",
                                   2, dpi))
    path = tmp_path / "sweep.png"
    iio.imwrite(path, canvas.frame(f"Epoch {last} of {last}")[..., :3])
    assert_image_matches(path, "sweep_frame.png")


# -- the main process holds one frame and a bounded window -------------------------------
class _Lazy:
    """A future computed when its result is asked for (a worker that is always done)."""

    def __init__(self, compute):
        self._compute = compute

    def result(self):
        return self._compute()


class _FakeClient:
    """What the render step asks of a Dask client; cells are noise seeded by (variant,
    frame), so that the frame can be checked and the PNGs do not compress."""

    CELL = (90, 120)

    def __init__(self):
        self.alive = weakref.WeakSet()
        self.most_alive = 0

    def nthreads(self):
        return {"tcp://127.0.0.1:1": 1, "tcp://127.0.0.1:2": 1}

    def submit(self, function, *args, key=None):
        assert function is render_cells
        _, index, _, frames, _ = args  # cell key, trajectory, scales, frames, dpi
        future = _Lazy(lambda: [self.cell(index, f)[..., :3].copy() for f in frames])
        self.alive.add(future)
        self.most_alive = max(self.most_alive, len(self.alive))
        return future

    @classmethod
    def cell(cls, index, frame):
        return np.random.default_rng([index, frame]).integers(0, 256, (*cls.CELL, 4),
                                                              dtype=np.uint8)


def render_with_fake_workers(tmp_path, n_variants, n_frames, traced=True):
    from vizkit.sweep.sweep_run import _Sweep
    from vizkit.output.files import artifact_paths
    from vizkit.run.transaction import OutputTransaction

    recipe = Recipe("fake", record=None, view=None, sweepable=True)
    plan = plan_sweep(recipe, {"epochs": n_frames - 1}, vary(("seed", range(n_variants))))
    settings = RenderSettings(out=tmp_path / f"s{n_variants}.png", formats=("png",),
                              stills="last", dpi=50)
    client = _FakeClient()
    with OutputTransaction() as transaction:
        sweep = _Sweep(client, recipe, plan, settings, False, Progress())
        lengths = {v.index: n_frames - (v.index % 3) for v in plan.variants}  # some stop early
        sweep.done = {i: {"n_frames": n, "epochs": n_frames - 1} for i, n in lengths.items()}
        sweep.trajectories = {i: i for i in lengths}
        sweep.scales = {i: None for i in lengths}
        # what the fitted cells would have said (the canvas keys it)
        sweep.n_classes, sweep.values, sweep.classes = 2, None, ["class 0", "class 1"]
        if traced:  # after a first sweep: fonts and modules load once, not per frame
            render_with_fake_workers(tmp_path / "warm-up", 2, 2, traced=False)
            tracemalloc.start()
        every = artifact_paths(settings.out, "png", range(n_frames))  # a frame streamed each
        sweep.write([transaction.stage(p) for p in every], "png", frames=range(n_frames), dpi=50)
        peak = tracemalloc.get_traced_memory()[1] if traced else None
        tracemalloc.stop()
        transaction.commit()
    return plan, lengths, client, peak, iio.imread(every[-1])


@pytest.mark.parametrize("n_variants, n_frames", [(4, 80), (16, 40)])
def test_main_process_holds_one_frame_and_a_bounded_window(tmp_path, n_variants, n_frames):
    plan, lengths, client, peak, frame = render_with_fake_workers(tmp_path, n_variants,
                                                                  n_frames)
    height, width = _FakeClient.CELL
    header = frame.shape[0] - plan.rows * height
    for variant in plan.variants:  # each cell shows its own last frame
        top, left = header + variant.row * height, variant.column * width
        expected = _FakeClient.cell(variant.index, lengths[variant.index] - 1)[..., :3]
        assert np.array_equal(frame[top:top + height, left:left + width], expected)
    ahead = max(2, math.ceil(2 * 2 / n_variants))
    assert client.most_alive <= ahead * n_variants
    cell_png = height * width * 3  # a cell's RGB pixels
    frame_bytes = frame.shape[0] * frame.shape[1] * 4
    every_frame = n_variants * n_frames * cell_png
    bound = 3 * frame_bytes + 2 * n_variants * 4 * cell_png + (4 << 20)
    assert peak < bound < every_frame / 1.5, (peak, bound, every_frame)


# -- whole sweeps on Dask -----------------------------------------------------------------
def weights_equal(a, b):
    return len(a.weights) == len(b.weights) and all(
        np.array_equal(x, y) for x, y in zip(a.weights, b.weights))


def check_two_by_two(folder, name="s"):
    """Four trajectories, one animation of four cells, a manifest that lists them."""
    from vizkit import Trajectory
    from vizkit.sweep.cells import cell_size

    manifest = json.loads((folder / f"{name}.gif.json").read_text())
    variants = manifest["variants"]
    assert [v["label"] for v in variants] == [
        "activation=tanh · hidden-units=2", "activation=tanh · hidden-units=3",
        "activation=relu · hidden-units=2", "activation=relu · hidden-units=3"]
    assert manifest["parameters"]["rows"] == 2 and manifest["parameters"]["columns"] == 2
    trajectories = {}
    for variant in variants:
        assert variant["status"] == "ok"
        assert variant["environment"]["TF_ENABLE_ONEDNN_OPTS"] == "0"
        trajectory = Trajectory.load(folder / variant["trajectory"])
        assert trajectory.info["scene"] == "layer-spaces"
        assert trajectory.info["activation"] == variant["options"]["activation"]
        assert trajectory.info["hidden_units"] == variant["options"]["hidden_units"]
        trajectories[variant["label"]] = trajectory
    frames = iio.imread(folder / f"{name}.gif", index=None)
    assert frames.shape[0] == 3 == manifest["frames"]
    width, _ = cell_size(2)
    assert frames.shape[2] == 2 * int(width * 40) == manifest["frame_size"][0]
    assert manifest["resources"]["main_peak_rss_mib"] > 0
    return trajectories


def test_sweep_on_a_local_cluster(tmp_path):
    """The issue's sweep, small: four labelled cells, four replayable trajectories, each
    the same run as `vizkit layer-spaces` makes alone with the same options."""
    result = run(["sweep", "layer-spaces", *GRID_2X2, *FAST, "--workers", "2", "--out",
                  str(tmp_path / "s.gif"), "--format", "gif", "--format", "png", "--stills",
                  "first,last"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["s.gif", "s.gif.json", "s-frame000.png", "s-frame000.png.json", "s-frame002.png"]
        + [f"s-activation-{a}_hidden-units-{u}.trajectory.npz"
           for a in ("tanh", "relu") for u in (2, 3)])
    trajectories = check_two_by_two(tmp_path)

    from vizkit import Trajectory

    alone = tmp_path / "alone"
    result = run(["layer-spaces", *FAST, "--activation", "relu", "--hidden-units", "3",
                  "--out", str(alone / "p.gif")])
    assert result.exit_code == 0, result.output
    assert weights_equal(trajectories["activation=relu · hidden-units=3"],
                         Trajectory.load(alone / "p.trajectory.npz"))
    replayed = run(["layer-spaces", "--replay",
                    str(tmp_path / "s-activation-tanh_hidden-units-2.trajectory.npz"),
                    "--out", str(alone / "r.png"), "--dpi", "30", "--quiet"])
    assert replayed.exit_code == 0, replayed.output


@pytest.mark.parametrize("moment", ["starting", "recording"])
def test_sigterm_mid_sweep_leaves_nothing_and_no_process(tmp_path, moment):
    """Interrupted while its workers start (TensorFlow loading in the process they are
    forked from) or while its variants record: no file, no folder, no traceback, no
    worker left."""
    import psutil

    out = tmp_path / "out" / "s.gif"
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.argv[0] = 'vizkit'; "
                               "from vizkit.cli import run; run()",
         "sweep", "layer-spaces", "--vary", "seed=1,2", "--epochs", "300", "--dpi", "40",
         "--workers", "2", "--out", str(out)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if moment == "starting":
        deadline = time.monotonic() + 60
        while not psutil.Process(process.pid).children():
            assert time.monotonic() < deadline, "no child process in 60 s"
            time.sleep(0.05)
        time.sleep(0.5)
    else:
        assert "sweep: 2 variants" in process.stderr.readline()  # the workers are up
        time.sleep(3)  # into the recordings
    children = psutil.Process(process.pid).children(recursive=True)
    assert children
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=120)
    stderr = process.stderr.read()
    assert code == 130, stderr
    assert "Traceback" not in stderr, stderr
    assert list(tmp_path.iterdir()) == []
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.cmdline() for p in alive]


def test_a_layer_the_model_lacks_is_one_line_with_no_worker_log(tmp_path):
    """--hidden is checked against the first variant that comes back (its model's
    layer names), and the workers' own logs of the failure do not reach the user."""
    out = tmp_path / "out" / "s.gif"
    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv[0] = 'vizkit'; "
                               "from vizkit.cli import run; run()",
         "sweep", "layer-spaces", "--vary", "seed=1,2", *FAST, "--hidden", "nope",
         "--workers", "1", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: --hidden nope: the model has no layer of that name; give one of: hidden_1, "
        "activation_1, output, activation_output (or --hidden none)"]
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """A Dask scheduler and two worker processes started with Dask's own commands, on
    127.0.0.1 only, as the README says; stopped at the end."""
    folder = tmp_path_factory.mktemp("dask")
    info = folder / "scheduler.json"
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED="False",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    log = open(folder / "dask.log", "wb")
    started = []

    def start(*args):
        started.append(subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=folder,
                                        env=env, stdout=log, stderr=subprocess.STDOUT))
        return started[-1]

    try:
        process = start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                        "--scheduler-file", str(info))
        deadline = time.monotonic() + 120
        address = None
        while address is None:
            assert process.poll() is None, (folder / "dask.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start in 120 s"
            try:
                address = json.loads(info.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        start("worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
              "--no-dashboard")
        yield address
    finally:
        for process in reversed(started):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def test_an_interrupted_sweep_frees_the_workers_of_a_running_cluster(tmp_path, scheduler):
    """A running cluster's workers outlive the sweep and run tasks in threads, which Dask
    cannot stop: the recordings end at their next epoch instead of their last (20000
    epochs that never stop early, a minute or more, would otherwise hold both workers)."""
    import psutil
    from distributed import Client

    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.argv[0] = 'vizkit'; "
                               "from vizkit.cli import run; run()",
         "sweep", "layer-spaces", "--vary", "seed=1,2", "--epochs", "20000", "--stop-at-loss",
         "0", "--dpi", "40", "--scheduler", scheduler, "--out", str(tmp_path / "s.gif")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert "sweep: 2 variants" in process.stderr.readline()
    with Client(scheduler, set_as_default=False) as client:
        deadline = time.monotonic() + 60
        while sum(map(len, client.processing().values())) < 2:  # both recordings running
            assert time.monotonic() < deadline, "the recordings did not start in 60 s"
            time.sleep(0.2)
        time.sleep(2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 130
        assert "Traceback" not in process.stderr.read()
        # Dask forgets the tasks at once, but a thread that runs one goes on: the workers
        # are idle only once the recordings have ended
        # (20000 epochs take minutes; under load a recording may still be starting)
        workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        deadline = time.monotonic() + 30
        while True:
            before = [sum(worker.cpu_times()[:2]) for worker in workers]
            time.sleep(2)
            busy = [sum(worker.cpu_times()[:2]) - cpu for worker, cpu in zip(workers, before)]
            if max(busy) < 0.3:
                break
            assert time.monotonic() < deadline, f"workers busy 30 s after the sweep: {busy}"
    assert list(tmp_path.iterdir()) == []


def test_sweep_through_a_scheduler_started_apart(tmp_path, scheduler):
    result = run(["sweep", "layer-spaces", *GRID_2X2, *FAST, "--scheduler", scheduler,
                  "--out", str(tmp_path / "s.gif")])
    assert result.exit_code == 0, result.output
    trajectories = check_two_by_two(tmp_path)
    assert len(json.loads((tmp_path / "s.gif.json").read_text())["resources"]
               ["worker_peak_rss_mib"]) == 2
    alone = layer_spaces.record_run(epochs=2, hidden_units=2, activation="tanh")
    assert weights_equal(trajectories["activation=tanh · hidden-units=2"], alone)


@pytest.fixture
def own_model(tmp_path):
    from vizkit._keras import import_keras
    from vizkit.data.datasets import moons

    keras = import_keras()
    x, y = moons(0, n_samples=120)
    np.savetxt(tmp_path / "data.csv", np.column_stack([x, y]), delimiter=",")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh",
                                                                    name="hidden"),
                              keras.layers.Dense(1, activation="sigmoid", name="out")])
    model.save(tmp_path / "model.keras")
    return ["--model", str(tmp_path / "model.keras"), "--data", str(tmp_path / "data.csv")]


def test_own_model_sweep_keeps_going_past_a_failed_variant(tmp_path, scheduler, own_model):
    out = tmp_path / "out" / "mine.gif"
    result = run(["sweep", "animate", *own_model, "--epochs", "2", "--dpi", "40", "--quiet",
                  "--vary", "loss=binary_crossentropy,nope", "--hidden", "hidden",
                  "--keep-going", "--scheduler", scheduler, "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out.parent / "mine.gif.json").read_text())
    good, bad = manifest["variants"]
    assert good["status"] == "ok" and (out.parent / good["trajectory"]).is_file()
    assert bad["status"] == "failed" and bad["trajectory"] is None
    assert "unknown loss 'nope'" in bad["error"]
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "mine-loss-binary_crossentropy.trajectory.npz", "mine.gif", "mine.gif.json"]
    last = iio.imread(out, index=None)[-1]
    failed_half = last[:, last.shape[1] // 2:, :3]
    assert (np.abs(failed_half.astype(int) - 0xe6).max(axis=-1) <= 3).mean() > 0.2  # grey


def test_a_failed_variant_stops_the_sweep_and_leaves_nothing(tmp_path, scheduler, own_model):
    out = tmp_path / "out" / "mine.gif"
    result = run(["sweep", "animate", *own_model, "--epochs", "2", "--dpi", "40", "--quiet",
                  "--vary", "loss=binary_crossentropy,nope", "--scheduler", scheduler,
                  "--out", str(out)])
    assert_one_line_error(result, "variant loss=nope failed", "unknown loss 'nope'",
                          "--keep-going")
    assert not out.parent.exists()


def test_the_sweepable_scenes_are_the_recipes_that_say_so():
    """``vizkit sweep`` lists exactly the recipes that declare themselves sweepable, and a
    recipe that does not is refused by the library too."""
    from click.testing import CliRunner

    from vizkit.cli import main
    from vizkit.cli.scenes import load_scene, scene_names
    from vizkit_scenes import neurons

    sweepable = {name for name in scene_names() if load_scene(name).recipe.sweepable}
    assert sweepable == {"classification", "layer-spaces", "unit-maps"}
    listed = CliRunner().invoke(main, ["sweep", "--help"]).output
    for name in scene_names():
        assert (f"  {name} " in listed) == (name in sweepable), name
    assert "  animate " in listed
    one_run = replace(neurons.RECIPE, parts=("",))
    with pytest.raises(VizkitError, match="neurons cannot be swept"):
        plan_sweep(one_run, {}, vary(("seed", [0, 1])))
