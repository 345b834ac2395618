"""The one exception type vizkit raises for problems a user can fix, and the words its
messages use for the parameter that fixes them.

A message names a parameter with :func:`parameter` (``pass {parameter("overwrite",
True)} to replace it``): from Python it reads ``overwrite=True``, and the command
line, which knows its own flags, shows ``--overwrite``. The library never writes a
flag itself.
"""

import re

__all__ = ["VizkitError", "parameter", "spoken"]

# Markers inside a message (control characters, never in a user's text):
# \x0e python \x1e command line \x0f, and \x02 name \x1f python value \x1f flag value \x03.
_SPOKEN = re.compile("\x0e([^\x1e\x0f]*)\x1e([^\x0f]*)\x0f")
_PARAMETER = re.compile("\x02([^\x1f\x03]*)\x1f([^\x1f\x03]*)\x1f([^\x03]*)\x03")
_NAME_ONLY = object()


def parameter(name, value=_NAME_ONLY):
    """The Python parameter ``name`` as a message names it: ``name`` (or ``name=value``)
    from Python, its flag (``--name``, or ``--name value``) on the command line. A value
    of ``True`` is a switch: ``overwrite=True`` / ``--overwrite``; a list or tuple is
    given on the command line comma-separated (``input_features=(3, 7)`` /
    ``--input-features 3,7``)."""
    if value is _NAME_ONLY:
        python = flag_value = ""
    elif value is True:
        python, flag_value = "=True", ""
    else:
        python = f"={value!r}"
        flag_value = (",".join(map(str, value)) if isinstance(value, (list, tuple))
                      else str(value))
    return f"\x02{name}\x1f{python}\x1f{flag_value}\x03"


def spoken(python, command_line):
    """Words that differ by audience: ``python`` for a Python caller, ``command_line``
    (which may hold :func:`parameter` s) for the command line."""
    return f"\x0e{python}\x1e{command_line}\x0f"


def _render(message, flag=None):
    """``message`` in Python's words, or, given ``flag`` (a parameter's name → its
    command-line flag), in the command line's."""
    message = _SPOKEN.sub(lambda m: m.group(1) if flag is None else m.group(2), message)
    if flag is None:
        return _PARAMETER.sub(lambda m: m.group(1) + m.group(2), message)
    return _PARAMETER.sub(lambda m: " ".join(filter(None, (flag(m.group(1)), m.group(3)))),
                          message)


class VizkitError(Exception):
    """A problem with the user's input, stated in one line with its fix.

    The command line prints the message alone (no traceback), with its flags
    for the parameters the message names (:meth:`for_command_line`), and exits
    with status 1; from Python it is an ordinary exception whose text names
    Python parameters.
    """

    def __str__(self):
        return _render(super().__str__())

    @property
    def quoted(self):
        """The message with its parameters still marked, to quote inside another
        VizkitError's message (which renders them for its reader)."""
        return super().__str__()

    def for_command_line(self, flag):
        """The message with ``flag(name)`` for every parameter it names."""
        return _render(super().__str__(), flag)
