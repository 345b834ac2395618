"""``make bench``: vizkit's layer-spaces GIF against the notebook recipe.

Every case runs as a whole process (start-up, imports, training, drawing,
encoding), one after the other in this run, on this machine; wall time and
peak resident memory (ru_maxrss of that process alone) are measured from
outside. vizkit's cases run three times and report the median. Ratios compare cases of the same run, never numbers from elsewhere.
Results go to bench/results/latest.json.
"""

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
    return [sys.executable, "scenes/layer_spaces.py", "--epochs", str(epochs), "--out", str(out),
            "--quiet", "--overwrite"]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}", flush=True)
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
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(json.dumps(
        {"machine": {"arch": platform.machine(), "cores": os.cpu_count(),
                     "python": platform.python_version()},
         "cases": cases, "ratios": ratios}, indent=2) + "\n")


if __name__ == "__main__":
    main()
