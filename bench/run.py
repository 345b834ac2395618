"""``make bench``: vizkit's layer-spaces GIF against the notebook recipe, and sweeps.

Every case runs as a whole process (start-up, imports, training, drawing,
encoding), one after the other in this run, on this machine; wall time and
peak resident memory (ru_maxrss of that process alone) are measured from
outside. vizkit's cases run three times and report the median. Ratios compare cases of the same run, never numbers from elsewhere.

The sweep section runs an 8-variant layer-spaces sweep (activation × hidden
units × seed, 30 epochs each) on a local Dask cluster of 1 and of 2 workers,
and a plain run of one variant: the speed-up of 2 workers over 1, the time
per variant against the plain run, and peak memory of the main process and
of each worker (read from the sweep's manifest, which measures them itself:
a worker is a child of the main process, so ru_maxrss from outside would
mix them). ``--only sweep --sweep-epochs 2 --dpi 30 --repeat 1`` checks the
section in a minute, without figures worth reporting.

The encoder section streams 30 and 120 frames of a sweep's size (2176 × 728)
into a GIF and reports the peak memory of the ffmpeg processes (ru_maxrss of
the encoding process's children), which must not grow with the frame count.

The frames section draws ``--frame-count`` frames (spread over the run) of each
view from the trajectories stored in tests/data, one process per view, into a
GIF at ``--dpi``: milliseconds per frame (the median of the frames after the
first, which also lays out the figure) and how many times weights are put into
a model (``Trajectory.set_frame`` calls) for those frames. It uses only
names older vizkit checkouts have too: ``--checkout DIR`` measures another
checkout's vizkit (a before/after pair on one machine).
Results go to bench/results/latest.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
REPEAT = 3  # vizkit cases; the reference (minutes) runs once


def run_once(label, argv):
    """Run ``argv``; return wall seconds and peak RSS in MiB of that process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench case {label!r} failed:\n{stderr}")
    return wall, usage.ru_maxrss / 1024


def measure(label, argv, repeat=1):
    """Median wall time and peak RSS of ``repeat`` runs (this VM varies by ±15 %)."""
    runs = sorted(run_once(label, argv) for _ in range(repeat))
    walls = sorted(w for w, _ in runs)
    wall = statistics.median(walls)
    rss = statistics.median(r for _, r in runs)
    result = {"label": label, "wall_s": round(wall, 2), "runs_s": [round(w, 2) for w in walls],
              "peak_rss_mib": round(rss, 1)}
    spread = f"  (runs {walls[0]:.2f}-{walls[-1]:.2f})" if repeat > 1 else ""
    print(f"  {label:<34} {wall:8.2f} s   peak RSS {rss:7.1f} MiB{spread}", flush=True)
    return result


def vizkit_case(epochs, out):
    """The notebook's work: every epoch a frame (no pacing), at the notebook's rate."""
    return [sys.executable, "scenes/layer_spaces.py", "--epochs", str(epochs), "--out", str(out),
            "--frames", "all", "--learning-rate", "0.1", "--quiet", "--overwrite"]


SWEEP_VARY = ["--vary", "activation=tanh,relu", "--vary", "hidden-units=2,3", "--vary",
              "seed=0,1"]  # 8 variants
VIZKIT = [sys.executable, "-c", "import sys; sys.argv[0] = 'vizkit'; "
                                "from vizkit.cli import run; run()"]


def sweep_case(out, epochs, workers, dpi):
    return [*VIZKIT, "sweep", "layer-spaces", *SWEEP_VARY, "--epochs", str(epochs),
            "--workers", str(workers), "--dpi", str(dpi), "--out", str(out), "--quiet",
            "--overwrite"]


def sweep_run(label, out, epochs, workers, dpi):
    """One sweep: its wall time, and peak memory as its manifest measured it."""
    wall, _ = run_once(label, sweep_case(out, epochs, workers, dpi))
    return wall, json.loads(Path(f"{out}.json").read_text())["resources"]


def sweep_summary(label, runs):
    """The median of a case's runs, as a result, with its memory printed."""
    walls = [wall for wall, _ in runs]
    wall, resources = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    print(f"  {label:<34} {wall:8.2f} s   main {resources['main_peak_rss_mib']:7.1f} MiB; "
          + "; ".join(f"worker {mib:.0f} MiB" for mib in resources["worker_peak_rss_mib"].values())
          + (f"  (runs {min(walls):.2f}-{max(walls):.2f})" if len(runs) > 1 else ""),
          flush=True)
    return {"label": label, "wall_s": round(wall, 2), "runs_s": [round(w, 2) for w in walls],
            **resources}


def sweep_section(tmp, epochs, dpi, repeat):
    """8 variants on 1 and on 2 workers, and one variant alone.

    The two sweeps run in pairs, one right after the other, and the ratio is the
    median of the pairs' ratios: this VM's speed drifts by ±20 % over minutes,
    which a block of 1-worker runs then a block of 2-worker runs would read as
    a difference between them."""
    one_runs, two_runs = [], []
    for _ in range(repeat):
        one_runs.append(sweep_run("sweep of 8, 1 worker", tmp / "s1.gif", epochs, 1, dpi))
        two_runs.append(sweep_run("sweep of 8, 2 workers", tmp / "s2.gif", epochs, 2, dpi))
    pair_ratios = sorted(two[0] / one[0] for one, two in zip(one_runs, two_runs))
    cases = {
        "sweep_1_worker": sweep_summary("sweep of 8, 1 worker", one_runs),
        "sweep_2_workers": sweep_summary("sweep of 8, 2 workers", two_runs),
        "plain_variant": measure("one variant alone (layer-spaces)",
                                 [sys.executable, "scenes/layer_spaces.py", "--epochs",
                                  str(epochs), "--dpi", str(dpi), "--out",
                                  str(tmp / "plain.gif"), "--quiet", "--overwrite"], repeat),
    }
    one, two, plain = (cases[k]["wall_s"] for k in ("sweep_1_worker", "sweep_2_workers",
                                                    "plain_variant"))
    ratios = {"sweep_time_2_over_1_workers": round(statistics.median(pair_ratios), 3),
              "sweep_time_2_over_1_workers_pairs": [round(r, 3) for r in pair_ratios],
              "sweep_time_per_variant_1_worker_s": round(one / 8, 2),
              "sweep_time_per_variant_2_workers_s": round(two / 8, 2),
              "plain_variant_s": plain,
              "per_variant_2_workers_over_plain": round(two / 8 / plain, 2)}
    print()
    print(f"  2 workers take {ratios['sweep_time_2_over_1_workers']}x the time of 1 (median of "
          f"{repeat} pairs: {', '.join(f'{r:.2f}' for r in pair_ratios)}; target: at most 0.65)")
    print(f"  a variant takes {ratios['sweep_time_per_variant_2_workers_s']} s in the sweep "
          f"(2 workers), {plain} s alone: {ratios['per_variant_2_workers_over_plain']}x")
    return cases, ratios


def scene_section(tmp):
    """vizkit's layer-spaces GIF for 20 and 200 epochs, and the notebook recipe."""
    cases = {
        "vizkit_20": measure("vizkit layer-spaces, 20 epochs", vizkit_case(20, tmp / "v20.gif"),
                             repeat=REPEAT),
        "vizkit_200": measure("vizkit layer-spaces, 200 epochs",
                              vizkit_case(200, tmp / "v200.gif"), repeat=REPEAT),
        "reference_20": measure("notebook recipe, 20 epochs",
                                [sys.executable, str(HERE / "reference_notebook.py"), "20",
                                 str(tmp / "ref20.gif")]),
    }
    v20, v200, ref = cases["vizkit_20"], cases["vizkit_200"], cases["reference_20"]
    ratios = {
        "speedup_vs_reference_20": round(ref["wall_s"] / v20["wall_s"], 1),
        "time_200_over_20": round(v200["wall_s"] / v20["wall_s"], 2),
        "rss_200_over_20": round(v200["peak_rss_mib"] / v20["peak_rss_mib"], 3),
        "rss_reference_over_vizkit_20": round(ref["peak_rss_mib"] / v20["peak_rss_mib"], 2),
    }
    print()
    print(f"  20 epochs: vizkit is {ratios['speedup_vs_reference_20']}x faster than the recipe "
          "(target: at least 25x)")
    print(f"  200 epochs take {ratios['time_200_over_20']}x the time of 20 (target: at most 3x)")
    print(f"  peak RSS 200 / 20 epochs: {ratios['rss_200_over_20']} (target: at most 1.25)")
    print(f"  peak RSS recipe / vizkit at 20 epochs: {ratios['rss_reference_over_vizkit_20']}")
    return cases, ratios


GIF_FRAMES = """
import json, resource, sys
import numpy as np
from vizkit.output.writers import open_writer
n, path = int(sys.argv[1]), sys.argv[2]
# colours of a colour map, as a frame has: a static background and cells that change
lut = np.stack([np.linspace(40, 250, 256), np.linspace(90, 200, 256)[::-1],
                np.full(256, 160)], axis=1).astype(np.uint8)
y, x = np.mgrid[0:728, 0:2176]
rgba = np.full((728, 2176, 4), 255, dtype=np.uint8)
rgba[..., :3] = lut[(x + y) % 256]
with open_writer([path], "gif", fps=10) as writer:
    for k in range(n):
        rgba[100:400, 100:2000, :3] = lut[(x[100:400, 100:2000] // 7 + 5 * k) % 256]
        writer.append(rgba)
print(json.dumps(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))
"""


def gif_encoder_peak(n, path):
    """Peak RSS (MiB) of ffmpeg while it turns ``n`` sweep-sized frames into a GIF."""
    done = subprocess.run([sys.executable, "-c", GIF_FRAMES, str(n), str(path)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def encoder_section(tmp):
    """ffmpeg's peak memory for a GIF of 30 and of 120 frames."""
    peaks = {n: gif_encoder_peak(n, tmp / f"enc{n}.gif") for n in (30, 120)}
    for n, mib in peaks.items():
        print(f"  GIF of {n:>3} frames, 2176 x 728 px    ffmpeg peak RSS {mib:7.1f} MiB")
    ratio = round(peaks[120] / peaks[30], 2)
    print(f"\n  ffmpeg peak RSS 120 / 30 frames: {ratio} (frames held in memory would make it 4)")
    return ({f"gif_encoder_{n}_frames": {"peak_rss_mib": round(mib, 1)}
             for n, mib in peaks.items()}, {"gif_encoder_rss_120_over_30": ratio})


FRAME_TIMES = """
import importlib, json, sys, tempfile, time
from pathlib import Path
import vizkit
from vizkit import Trajectory

name, count, dpi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def module(*paths):
    # the first of these module paths that this checkout has (modules moved over time)
    for path in paths:
        try:
            return importlib.import_module(path)
        except ImportError:
            pass
    raise ImportError(f"none of {paths}")


def load(run):
    return Trajectory.load(f"tests/data/{run}_trajectory.npz")


def decision_regions():
    (_, _), (x_test, y_test) = module("vizkit_scenes.classification").circles_split()
    views = module("vizkit.views.decision_regions", "vizkit.classification")
    return views.ClassificationView(load("classification"), x_test, y_test)


def image_classifier():
    images = module("vizkit.data.image_sets", "vizkit.image_data")
    return vizkit.ImageClassifierView(load("digits"), images.load_image_set("digits", seed=1234))


def sweep_cell():
    cells = module("vizkit.sweep.cells", "vizkit.sweep_cells")
    trajectory = load("layer_spaces")
    grid = vizkit.InputGrid.around(trajectory.x, 150)
    cell = cells.VariantCell(trajectory, grid, 2, "activation_1")
    scales = cells.CellScales(grid, 2, "seed=12345", cell.fit_hidden())
    return cell, scales


VIEWS = {"layer-spaces": lambda: vizkit.LayerSpaces(load("layer_spaces")),
         "unit-maps": lambda: vizkit.UnitMaps(load("unit_maps")),
         "tween": lambda: vizkit.Tween(load("layer_spaces")),
         "network": lambda: vizkit.NetworkDiagram(load("unit_maps")),
         "landscape": lambda: vizkit.LossLandscape(load("layer_spaces")),
         "image-classifier": image_classifier,
         "decision-regions": decision_regions,
         "sweep-cell": sweep_cell}

start = time.perf_counter()
made = VIEWS[name]()
setup = time.perf_counter() - start
view, scales = made if name == "sweep-cell" else (made, None)
every = list(range(view.trajectory.n_frames) if scales else view.frames("all"))
shown = sorted({every[round(k * (len(every) - 1) / max(1, count - 1))] for k in range(count)})

sets = []
set_frame = Trajectory.set_frame


def counted_set_frame(trajectory, model, frame):
    sets.append(frame)
    return set_frame(trajectory, model, frame)


Trajectory.set_frame = counted_set_frame
ticks = [(time.perf_counter(), 0)]  # (time, weight sets so far) as each frame is done


def tick(*_):
    ticks.append((time.perf_counter(), len(sets)))


if scales:  # a sweep's worker draws a cell's frames into pixels, chunk by chunk
    for frame in shown:
        view.render(scales, [frame], dpi)
        tick()
else:
    with tempfile.TemporaryDirectory() as folder:
        view.render(Path(folder) / "frames.gif", frames=shown, dpi=dpi, on_frame=tick)
print(json.dumps({"frames": shown, "setup_s": setup,
                  "frame_ms": [1000 * (b[0] - a[0]) for a, b in zip(ticks, ticks[1:])],
                  "weight_sets": [b[1] - a[1] for a, b in zip(ticks, ticks[1:])]}))
"""

FRAME_VIEWS = ("layer-spaces", "unit-maps", "tween", "network", "landscape", "image-classifier",
               "decision-regions", "sweep-cell")


def frames_section(count, dpi, checkout):
    """Per-frame draw time and weight sets of every view, each in its own process, on
    ``checkout``'s vizkit and stored trajectories."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(checkout), *filter(None, [os.environ.get("PYTHONPATH")])]))
    print(f"  vizkit of {checkout}; {count} frames a view at {dpi} dpi", flush=True)
    cases, ratios = {}, {}
    for name in FRAME_VIEWS:
        done = subprocess.run([sys.executable, "-c", FRAME_TIMES, name, str(count), str(dpi)],
                              cwd=checkout, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            print(f"  {name:<18} failed: {why}", flush=True)
            continue
        run = json.loads(done.stdout.strip().splitlines()[-1])
        later = run["frame_ms"][1:] or run["frame_ms"]
        median = statistics.median(later)
        sets = run["weight_sets"][1:] or run["weight_sets"]
        per_frame = sum(sets) / len(sets)
        print(f"  {name:<18} {median:8.1f} ms/frame (frames after the first: "
              f"{min(later):.1f}-{max(later):.1f}; first {run['frame_ms'][0]:.0f} ms)   "
              f"weights set {per_frame:.2f}x a frame (first {run['weight_sets'][0]})   "
              f"set-up {run['setup_s']:.2f} s", flush=True)
        key = name.replace("-", "_")
        cases[f"frames_{key}"] = {"label": f"{name}, per frame", "frames": run["frames"],
                                  "frame_ms": [round(ms, 2) for ms in run["frame_ms"]],
                                  "weight_sets": run["weight_sets"],
                                  "setup_s": round(run["setup_s"], 2)}
        ratios[f"frames_{key}_ms_per_frame"] = round(median, 2)
        ratios[f"frames_{key}_weight_sets_per_frame"] = round(per_frame, 2)
    return cases, ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("scenes", "encoder", "sweep", "frames"),
                        default=None, help="run one section (default: all)")
    parser.add_argument("--sweep-epochs", type=int, default=30)
    parser.add_argument("--dpi", type=int, default=100,
                        help="dpi of the sweep and frames sections")
    parser.add_argument("--frame-count", type=int, default=10,
                        help="frames a view draws in the frames section")
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="the vizkit checkout the frames section measures")
    parser.add_argument("--repeat", type=int, default=REPEAT,
                        help="runs per case of the sweep section (median)")
    args = parser.parse_args()
    cases, ratios = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}", flush=True)
        sections = {"scenes": lambda: scene_section(tmp),
                    "encoder": lambda: encoder_section(tmp),
                    "sweep": lambda: sweep_section(tmp, args.sweep_epochs, args.dpi,
                                                   args.repeat),
                    "frames": lambda: frames_section(args.frame_count, args.dpi,
                                                     args.checkout.resolve())}
        for name, section in sections.items():
            if args.only in (None, name):
                more_cases, more_ratios = section()
                cases.update(more_cases)
                ratios.update(more_ratios)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(json.dumps(
        {"machine": {"arch": platform.machine(), "cores": os.cpu_count(),
                     "python": platform.python_version()},
         "cases": cases, "ratios": ratios}, indent=2) + "\n")


if __name__ == "__main__":
    main()
