"""A full disk is never reported as success: one line, non-zero exit, the old file kept,
nothing partial left.

The disk is a small tmpfs mounted for the test (as root, where mounting works);
elsewhere the same runs happen in a child process whose files may not grow past
a few kilobytes (RLIMIT_FSIZE): the same failure, "File too large".
"""

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scenes" / "layer_spaces.py"
RUN = ["--epochs", "6", "--grid-resolution", "60", "--dpi", "80", "--quiet"]


def _mount_tmpfs(folder, size):
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """``(folder, run)``: ``run(args)`` runs the layer-spaces scene on a nearly full disk."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = _mount_tmpfs(folder, "400k")

    def run(args, free=60_000):
        limit = None
        if mounted:
            used = sum(p.stat().st_size for p in folder.iterdir())
            (folder / "filler").write_bytes(b"\0" * max(0, 400 * 1024 - used - free))
        else:
            limit = free

        def shrink():
            if limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                              text=True, timeout=300, preexec_fn=shrink)
        (folder / "filler").unlink(missing_ok=True)
        return done

    yield folder, run
    if mounted:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("fmt", ["gif", "mp4", "html", "png"])
def test_full_disk_fails_in_one_line_and_keeps_the_old_file(small_disk, fmt):
    folder, run = small_disk
    old = folder / f"o.{fmt}"
    old.write_bytes(b"the good one")
    done = run([*RUN, "--out", str(old), "--overwrite", "--stills", "first,last"])
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write "), done.stderr
    assert ".partial" not in lines[0]
    assert old.read_bytes() == b"the good one"
    assert sorted(p.name for p in folder.iterdir()) == [old.name]


def test_full_disk_while_saving_the_trajectory(small_disk):
    folder, run = small_disk
    done = run([*RUN, "--out", str(folder / "t.gif"), "--dpi", "30", "--grid-resolution",
                "20"], free=3_000)
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert list(folder.iterdir()) == []
