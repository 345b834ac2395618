"""The one exception type vizkit raises for problems a user can fix."""

__all__ = ["VizkitError"]


class VizkitError(Exception):
    """A problem with the user's input, stated in one line with its fix.

    The command line prints the message alone (no traceback) and exits with
    status 1; from Python it is an ordinary exception.
    """
