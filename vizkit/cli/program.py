"""The vizkit program as a whole: one-line errors, exit codes, signals, fast exit."""

import os
import shutil
import signal
import sys
import tempfile

import click

from ..errors import VizkitError

__all__ = ["OneLineErrors", "run_program", "flag"]

#: Python parameters whose flag is not their name with dashes.
_FLAGS = {"fmt": "--format", "example": "--image", "model_path": "--model",
          "data_path": "--data"}


def flag(name):
    """The command-line flag of the Python parameter ``name``: ``input_features`` →
    ``--input-features``."""
    return _FLAGS.get(name, "--" + name.replace("_", "-"))



class OneLineErrors:
    """Mixin for click commands: every error is one line on stderr, no traceback.

    Usage errors exit 2 (click's convention), problems with input (a
    :class:`~vizkit.errors.VizkitError`, its parameters named by their flags, see
    :func:`flag`) exit 1, an interruption (Ctrl-C, SIGTERM) 130; bugs still show their
    traceback.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.Abort:
            _say("Aborted: nothing was saved.")
            sys.exit(130)
        except click.ClickException as exc:
            _say(f"Error: {exc.format_message()}")
            sys.exit(exc.exit_code)
        except VizkitError as exc:
            _say(f"Error: {exc.for_command_line(flag)}")
            sys.exit(1)
        except BrokenPipeError:
            sys.exit(1)
        except OSError as exc:  # e.g. standard output closed or on a full device
            if exc.filename is None and exc.errno is not None:
                _say(f"Error: cannot write the output ({exc.strerror})")
                sys.exit(1)
            raise
        sys.exit(code if isinstance(code, int) else 0)


def _say(text):
    """One line on stderr, even if stderr itself is gone."""
    try:
        click.echo(text, err=True)
    except OSError:
        pass


def _terminate(signum, frame):
    """SIGTERM ends a run as Ctrl-C does: partial files are removed on the way out."""
    raise KeyboardInterrupt


def run_program(command):
    """Run a click command as the whole program, then exit at once.

    Keras loads without its scikit-learn wrappers (see
    :func:`vizkit._keras.skip_keras_sklearn_wrappers`). SIGTERM cleans up as
    Ctrl-C does. Once TensorFlow is loaded, Python's normal shutdown spends
    about a second tearing it down; every file is closed by then, so the
    program flushes its streams and ends the process directly. Never call this
    from code that others import (tests, notebooks): it ends the process.
    """
    from .._keras import skip_keras_sklearn_wrappers

    if sys.stdout is None:  # started with its standard output closed (>&-)
        _say("Error: standard output is closed; redirect it instead (> /dev/null), "
             "nothing was done")
        sys.exit(1)
    skip_keras_sklearn_wrappers()
    os.environ["MPLBACKEND"] = "Agg"  # vizkit draws off-screen; a GUI backend is never used
    scratch = _matplotlib_config_folder()
    signal.signal(signal.SIGTERM, _terminate)
    try:
        command.main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if not isinstance(code, int):
        if code is not None:
            _say(str(code))
        code = 0 if code is None else 1
    try:
        sys.stdout.flush()
    except OSError:
        code = code or 1
    if "tensorflow" not in sys.modules:
        sys.exit(code)
    try:
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code)


def _matplotlib_config_folder():
    """Where matplotlib keeps its cache: its own, or (read-only home) a scratch folder
    this program removes when it ends. Returns the scratch folder, if one was made."""
    if os.environ.get("MPLCONFIGDIR"):
        return None
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    try:
        os.makedirs(os.path.join(base, "matplotlib"), exist_ok=True)
        if os.access(os.path.join(base, "matplotlib"), os.W_OK):
            return None
    except OSError:
        pass
    scratch = tempfile.mkdtemp(prefix="vizkit-matplotlib-")
    os.environ["MPLCONFIGDIR"] = scratch
    return scratch
