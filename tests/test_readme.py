"""The README's examples run as written, in order: its Python, and every shell line.

``make`` lines are the set-up this suite itself runs under, and activating the
environment is what running the venv's own interpreter already does; every
other line runs as a separate program, in a fresh folder, in README order.
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
SECTIONS = ("Quick start", "Scenes", "Your own model", "Tabular data: any number of features",
            "Image models of your own", "From your own training loop")  # the ones with runnable examples


def section(title):
    text = README.read_text()
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def blocks(text, language):
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def shell_lines(block):
    """Commands of a shell block: continuation lines joined, comments dropped."""
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] not in ("make", "."):
            yield words


def command(words):
    if words[0] == "vizkit":
        return [sys.executable, "-c", "from vizkit.cli import run; run()", *words[1:]]
    assert words[0] == "python", words
    return [sys.executable, str(ROOT / words[1]), *words[2:]]


def test_every_example_runs_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = []
    for title in SECTIONS:
        text = section(title)
        for python in blocks(text, "python"):
            exec(compile(python, f"README.md ({title})", "exec"), {"__name__": "readme"})
        for block in blocks(text, "sh"):
            for words in shell_lines(block):
                done = subprocess.run(command(words), cwd=tmp_path, capture_output=True,
                                      text=True, timeout=600)
                assert done.returncode == 0, f"{shlex.join(words)}\n{done.stderr}"
                ran.append(words[:2])
    assert ["vizkit", "list"] in ran and ["vizkit", "replay"] in ran
    for name in ("output/relu.mp4", "output/script/run.html", "output/two-units.mp4",
                 "output/big.gif", "my_moons.gif", "my_moons.gif.json", "my_run.npz",
                 "my_squeeze.mp4", "my_units.png", "table.gif", "income_score.png", "cnn.gif", "cnn_image7.png",
                 "fit_run.gif", "fit_logs"):
        assert (tmp_path / name).exists(), name
