"""How long work reports itself: progress bars and messages (silent by default)."""

from contextlib import contextmanager

__all__ = ["Progress"]


class Progress:
    """How the pipeline reports: progress bars and messages; this one says nothing."""

    @contextmanager
    def bar(self, label, total):
        """A context giving ``advance()`` to call once per step."""
        yield lambda *_: None

    def say(self, text):
        """A line for the user (e.g. what a long step is doing)."""
