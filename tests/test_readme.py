"""The README's "Your own model" example runs as written."""

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from vizkit.cli import main

README = Path(__file__).parents[1] / "README.md"


def section(title):
    text = README.read_text()
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def blocks(text, language):
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_your_own_model_example_runs_as_written(tmp_path, monkeypatch):
    example = section("Your own model")
    (python,), (shell,) = blocks(example, "python"), blocks(example, "sh")
    monkeypatch.chdir(tmp_path)
    exec(compile(python, "README.md", "exec"), {})
    for line in shell.strip().splitlines():
        args = shlex.split(line)
        assert args[0] == "vizkit"
        result = CliRunner().invoke(main, args[1:] + ["--quiet"], catch_exceptions=False)
        assert result.exit_code == 0, f"{line}\n{result.output}"
    for name in ("my_moons.gif", "my_moons.gif.json", "my_run.npz", "my_squeeze.mp4",
                 "my_units.png"):
        assert (tmp_path / name).exists(), name
