"""The vizkit program on a hostile machine: closed or full output, a bad MPLBACKEND,
a read-only home. One line at most, the right exit code, nothing left behind."""

import glob
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

VIZKIT = [sys.executable, "-c", "from vizkit.cli import run; run()"]
QUICK = ["layer-spaces", "--epochs", "1", "--grid-resolution", "20", "--dpi", "30", "--quiet"]


def vizkit(args, **kwargs):
    return subprocess.run(VIZKIT + args, capture_output=True, text=True, timeout=300, **kwargs)


def test_list_into_a_full_device_is_one_line_and_exit_1():
    with open("/dev/full", "w") as full:
        done = subprocess.run(VIZKIT + ["list"], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: cannot write the output (No space left on device)"]


def test_list_into_a_closed_pipe_does_not_trace():
    done = subprocess.run(" ".join(VIZKIT[:2]) + " 'from vizkit.cli import run; run()' list"
                          " | head -c 0", shell=True, capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in done.stderr


def test_bogus_matplotlib_backend_is_ignored(tmp_path):
    done = vizkit([*QUICK, "--out", str(tmp_path / "o.gif")],
                  env=dict(os.environ, MPLBACKEND="bogus"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o.gif").is_file()


@pytest.fixture
def read_only_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(home)],
        capture_output=True).returncode == 0
    if not mounted:
        home.chmod(0o555)
    yield home
    if mounted:
        subprocess.run(["umount", str(home)], check=False)


def test_read_only_home_leaves_no_matplotlib_folder(tmp_path, read_only_home):
    scratch = Path(tempfile.gettempdir())
    before = set(glob.glob(str(scratch / "matplotlib-*")) +
                 glob.glob(str(scratch / "vizkit-matplotlib-*")))
    env = {k: v for k, v in os.environ.items() if k not in ("MPLCONFIGDIR", "XDG_CONFIG_HOME")}
    done = vizkit([*QUICK, "--out", str(tmp_path / "o.gif")],
                  env=dict(env, HOME=str(read_only_home)))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    after = set(glob.glob(str(scratch / "matplotlib-*")) +
                glob.glob(str(scratch / "vizkit-matplotlib-*")))
    assert after == before
