"""What a command shows on the terminal: progress bars, messages, files written."""

import sys
from contextlib import contextmanager

import click

from ..progress import Progress

__all__ = ["ConsoleProgress", "report"]


class ConsoleProgress(Progress):
    """Progress bars and messages on stderr; bars only on a terminal, nothing if quiet."""

    def __init__(self, quiet=False):
        self.quiet = quiet

    @contextmanager
    def bar(self, label, total):
        if self.quiet or not sys.stderr.isatty():
            yield lambda *_: None
            return
        with click.progressbar(length=total, label=label, file=sys.stderr,
                               show_pos=True) as bar:
            yield lambda *_: bar.update(1)

    def say(self, text):
        if not self.quiet:
            click.echo(text, err=True)


def report(paths, quiet=False):
    """Say which files were written, one line each (nothing with ``--quiet``)."""
    if not quiet:
        for path in paths:
            click.echo(f"wrote {path}")
