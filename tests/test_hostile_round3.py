"""Hostile input, round three: each case ends in one line naming the problem and the fix,
a non-zero exit and nothing left behind, or in a true drawing; nothing is lost silently.

Cases run through the real program (``python -m vizkit`` in a child process) where the
program's own handling (exit codes, stderr, a closed stdout) is what is tested.
"""

import os
import subprocess
import sys
from pathlib import Path

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
