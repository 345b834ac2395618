"""``vizkit animate``, ``record`` and ``replay``: your own model and data."""

from pathlib import Path

import click

from .console import ConsoleProgress, report
from .options import render_options, stack

__all__ = ["animate", "record", "replay"]

_model_options = stack(
    click.option("--model", "model_path", required=True,
                 type=click.Path(dir_okay=False, path_type=Path),
                 help="A saved Keras model (.keras) whose input is a vector of features."),
    click.option("--data", "data_path", required=True,
                 type=click.Path(dir_okay=False, path_type=Path),
                 help="CSV (feature columns, then the label; header optional) or .npz "
                      "with x and y."),
    click.option("--epochs", type=click.IntRange(min=1), default=20, show_default=True,
                 help="Epochs to train."),
    click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True,
                 help="Mini-batch size."),
    click.option("--seed", type=int, default=0, show_default=True,
                 help="Seed for the batch order."),
    click.option("--loss", default=None,
                 help="Keras loss, to compile (or recompile) the model."),
    click.option("--optimizer", default=None,
                 help="adam, sgd, rmsprop, ... (with --loss or --learning-rate)."),
    click.option("--learning-rate", type=click.FloatRange(min=0, min_open=True),
                 default=None, help="Optimizer step size."),
)


def _view_options(function):
    from ..views.registry import DEFAULT_VIEW, VIEWS

    return stack(
        click.option("--layers", default=None,
                     help="Comma-separated layer names (outer/inner inside a nested model); "
                          "default: every layer with an output."),
        click.option("--view", type=click.Choice(VIEWS.choices()), default=DEFAULT_VIEW,
                     show_default=True, help=VIEWS.help()),
        click.option("--unit-maps", is_flag=True, help="Same as --view units."),
        click.option("--input-features", default=None, metavar="I,J",
                     help="With more than 2 input features, the input panel shows features I "
                          "and J (the others at their mean) instead of the data's two "
                          "principal axes."),
        click.option("--image", type=click.IntRange(min=0), default=None, metavar="N",
                     help="An image classifier's run: the test image whose probabilities and "
                          "feature maps are shown (default 0)."),
    )(function)


def _settings(out, formats, fps, dpi, stills, overwrite, frames="auto", **extra):
    from ..pipeline import RenderSettings

    return RenderSettings(out=out, formats=tuple(formats), fps=fps, dpi=dpi, stills=stills,
                          frames=frames, overwrite=overwrite, **extra)


def _view_choice(options):
    """``--layers`` as a list, ``--unit-maps`` folded into ``--view``, ``--input-features``
    as two numbers."""
    from ..inspect.input_plane import parse_features

    layers = options.pop("layers")
    options["layers"] = [n.strip() for n in layers.split(",") if n.strip()] if layers else None
    if options.pop("unit_maps"):
        options["view"] = "units"
    if options["input_features"] is not None:
        options["input_features"] = list(parse_features(options["input_features"]))
    return options


@click.command()
@_model_options
@_view_options
@render_options(out="output/animate/animation.gif")
def animate(out, formats, fps, dpi, stills, frames, engine, tensorboard, overwrite, quiet,
            **options):
    """Train your model on your data and animate every layer."""
    from ..animation import model_recipe
    from ..pipeline import produce
    from ..recording.own_model import train_own_model

    written = produce(model_recipe(train_own_model), _view_choice(options),
                      _settings(out, formats, fps, dpi, stills, overwrite, frames,
                                tensorboard=tensorboard, engine=engine),
                      progress=ConsoleProgress(quiet))
    report(written, quiet)


@click.command()
@_model_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Trajectory file to write (.npz).")
@click.option("--overwrite", is_flag=True, help="Replace the file if it exists.")
@click.option("--quiet", is_flag=True, help="No progress bar or messages.")
def record(out, overwrite, quiet, **options):
    """Train your model on your data and save the trajectory (no drawing)."""
    from ..animation import model_recipe
    from ..pipeline import RenderSettings, produce
    from ..recording.own_model import train_own_model

    settings = RenderSettings.trajectory_only(out, overwrite=overwrite)
    written = produce(model_recipe(train_own_model), options, settings,
                      progress=ConsoleProgress(quiet))
    report(written, quiet)


@click.command()
@click.argument("trajectory_path", metavar="TRAJECTORY",
                type=click.Path(dir_okay=False, path_type=Path))
@_view_options
@render_options(out="output/replay/replay.gif")
def replay(trajectory_path, out, formats, fps, dpi, stills, frames, engine, tensorboard,
           overwrite, quiet, **options):
    """Render a saved trajectory again, with no training."""
    from ..animation import model_recipe
    from ..pipeline import produce
    from ..run.trajectory import Trajectory

    trajectory = Trajectory.load(trajectory_path)
    recipe = model_recipe(None)
    written = produce(recipe, _view_choice(options),
                      _settings(out, formats, fps, dpi, stills, overwrite, frames,
                                tensorboard=tensorboard, engine=engine), replay=trajectory,
                      replay_from=trajectory_path, progress=ConsoleProgress(quiet),
                      any_scene=True)
    report(written, quiet)
