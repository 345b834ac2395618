"""What every vizkit command shares: option groups, one-line errors, progress."""

import os
import pkgutil
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import VizkitError
from ..writers import FORMATS

__all__ = ["OneLineErrors", "SceneCommand", "scene_command", "scene_names",
           "training_options", "render_options", "progress", "run_program", "render_scene",
           "report"]


def scene_names():
    """Every scene module in ``vizkit_scenes``, as command names (``layer-spaces``)."""
    import vizkit_scenes

    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(vizkit_scenes.__path__)
                  if not m.name.startswith("_"))


class OneLineErrors:
    """Mixin for click commands: every error is one line on stderr, no traceback.

    Usage errors exit 2 (click's convention), problems with input (a
    :class:`~vizkit.errors.VizkitError`) exit 1; bugs still show their traceback.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except VizkitError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def run_program(command):
    """Run a click command as the whole program, then exit at once.

    Keras loads without its scikit-learn wrappers (see
    :func:`vizkit._keras.skip_keras_sklearn_wrappers`). Once TensorFlow is loaded, Python's normal shutdown spends about a second
    tearing it down; every file is closed by then, so a program entry point
    flushes its streams and ends the process directly. Never call this from
    code that others import (tests, notebooks): it ends the process.
    """
    from .._keras import skip_keras_sklearn_wrappers

    skip_keras_sklearn_wrappers()
    try:
        command.main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    if "tensorflow" not in sys.modules:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class SceneCommand(OneLineErrors, click.Command):
    """A scene's click command; ``showcase_args`` are what ``make animations`` adds."""

    def __init__(self, *args, showcase_args=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.showcase_args = list(showcase_args)


def scene_command(name, showcase_args=()):
    """Decorator: a scene command called ``name``, with ``-h`` for help."""
    return click.command(name, cls=SceneCommand, showcase_args=showcase_args,
                         context_settings={"help_option_names": ["-h", "--help"]})


def _stack(*decorators):
    def apply(function):
        for decorator in reversed(decorators):
            function = decorator(function)
        return function
    return apply


def training_options(epochs, learning_rate, seed, *, epochs_help="Most epochs to train.",
                     rate_help="Optimizer step size.",
                     seed_help="Seed for data, initial weights and batch order."):
    """``--epochs``, ``--learning-rate``, ``--seed`` with a scene's defaults and words.

    A ``learning_rate`` of ``None`` lets the scene choose (say so in ``rate_help``).
    """
    return _stack(
        click.option("--epochs", type=click.IntRange(min=1), default=epochs, show_default=True,
                     help=epochs_help),
        click.option("--learning-rate", type=click.FloatRange(min=0, min_open=True),
                     default=learning_rate, show_default=learning_rate is not None,
                     help=rate_help),
        click.option("--seed", type=int, default=seed, show_default=True, help=seed_help),
    )


def render_options(out):
    """``--out``, ``--format``, ``--fps``, ``--dpi``, ``--stills``, ``--overwrite``, ``--quiet``."""
    return _stack(
        click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                     default=Path(out), show_default=True,
                     help="Output file; its suffix picks the format unless --format is given."),
        click.option("--format", "formats", multiple=True,
                     type=click.Choice(FORMATS, case_sensitive=False),
                     help="Output format; repeat for several (same name, other suffix)."),
        click.option("--fps", type=click.IntRange(1, 60), default=8, show_default=True,
                     help="Frames per second of GIF, MP4 and the HTML player."),
        click.option("--dpi", type=click.IntRange(30, 400), default=100, show_default=True,
                     help="Pixels per inch of every frame."),
        click.option("--stills", default="last", show_default=True,
                     help="Frames kept as PNG stills: numbers or first/middle/last, "
                          "comma-separated."),
        click.option("--overwrite", is_flag=True, help="Replace output files that exist."),
        click.option("--quiet", is_flag=True, help="No progress bars or messages."),
    )


@contextmanager
def progress(label, total, quiet=False):
    """A progress bar on a terminal (stderr); yields ``advance()`` to call per step."""
    if quiet or not sys.stderr.isatty():
        yield lambda *_: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr,
                           show_pos=True) as bar:
        yield lambda *_: bar.update(1)


def render_scene(view, out, formats, *, scene, parameters, seed, stills, fps, dpi, overwrite,
                 quiet):
    """Render ``view`` in every requested format, with a progress bar; the paths written."""
    from ..artifacts import planned_paths, render_artifacts

    total = view.trajectory.n_frames * len(planned_paths(out, formats))
    with progress("rendering", total, quiet) as advance:
        return render_artifacts(view, out, formats, scene=scene,
                                parameters=dict(parameters, fps=fps, dpi=dpi), seed=seed,
                                stills=stills, fps=fps, dpi=dpi, overwrite=overwrite,
                                on_frame=advance)


def report(paths, quiet=False):
    """Say which files were written, one line each (nothing with ``--quiet``)."""
    if not quiet:
        for path in paths:
            click.echo(f"wrote {path}")
