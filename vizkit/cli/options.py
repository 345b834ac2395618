"""Option groups that vizkit commands share."""

from pathlib import Path

import click

from ..inspect.engine import ENGINES
from ..views.pacing import FRAME_CHOICES
from ..output.writers import DEFAULT_FPS, FORMATS

__all__ = ["training_options", "render_options", "stack"]


def stack(*decorators):
    """One decorator applying ``decorators`` in the order written."""
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
    return stack(
        click.option("--epochs", type=click.IntRange(min=1), default=epochs, show_default=True,
                     help=epochs_help),
        click.option("--learning-rate", type=click.FloatRange(min=0, min_open=True),
                     default=learning_rate, show_default=learning_rate is not None,
                     help=rate_help),
        click.option("--seed", type=int, default=seed, show_default=True, help=seed_help),
    )


def render_options(out, engine=True):
    """``--out``, ``--format``, ``--fps``, ``--dpi``, ``--stills``, ``--frames``,
    ``--engine`` (unless ``engine`` is false: a sweep draws its cells on its workers),
    ``--tensorboard``, ``--overwrite``, ``--quiet``."""
    engine_option = click.option(
        "--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
        help="Who computes the layer outputs drawn: numpy (refused for a layer it does not "
             "know), keras, or auto (numpy when it knows every layer).")
    return stack(
        click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                     default=Path(out), show_default=True,
                     help="Output file; its suffix picks the format unless --format is given. "
                          "Missing folders are created."),
        click.option("--format", "formats", multiple=True,
                     type=click.Choice(FORMATS.list(), case_sensitive=False),
                     help="Output format; repeat for several (same name, other suffix)."),
        click.option("--fps", type=click.IntRange(1, 60), default=DEFAULT_FPS, show_default=True,
                     help="Frames per second of GIF, MP4 and the HTML player."),
        click.option("--dpi", type=click.IntRange(30, 400), default=100, show_default=True,
                     help="Pixels per inch of every frame."),
        click.option("--stills", default="last", show_default=True,
                     help="Frames kept as PNG stills: numbers or first/middle/last, "
                          "comma-separated."),
        click.option("--frames", type=click.Choice(FRAME_CHOICES), default="auto",
                     show_default=True,
                     help="Frames an animation shows: auto (every epoch while the picture "
                          "changes fast, fewer as it settles) or all."),
        *([engine_option] if engine else []),
        click.option("--tensorboard", type=click.Path(file_okay=False, path_type=Path),
                     default=None, metavar="LOGDIR",
                     help="Also write every frame and the metrics to TensorBoard's LOGDIR."),
        click.option("--overwrite", is_flag=True, help="Replace output files that exist."),
        click.option("--quiet", is_flag=True, help="No progress bars or messages."),
    )
