"""``python -m vizkit``: the ``vizkit`` command, where the console script is not on PATH."""

from .cli import run

if __name__ == "__main__":
    run()
