"""Scenes as commands: found in ``vizkit_scenes``, each a recipe with options.

A scene module defines its options and a :class:`~vizkit.pipeline.Recipe`,
and :func:`scene_command` makes the click command: it adds the render
options and ``--replay``, and hands everything to :func:`vizkit.pipeline.produce`.
"""

import functools
import importlib
import pkgutil
from pathlib import Path

import click
from click.core import ParameterSource

from .console import ConsoleProgress, report
from .options import render_options
from .program import OneLineErrors

__all__ = ["SceneCommand", "scene_command", "scene_names", "load_scene", "run_scene"]


def scene_names():
    """Every scene module in ``vizkit_scenes``, as command names (``layer-spaces``)."""
    import vizkit_scenes

    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(vizkit_scenes.__path__)
                  if not m.name.startswith("_"))


def load_scene(name):
    """The click command of scene ``name`` (``layer-spaces`` → ``vizkit_scenes.layer_spaces``)."""
    return importlib.import_module(f"vizkit_scenes.{name.replace('-', '_')}").cli


class SceneCommand(OneLineErrors, click.Command):
    """A scene's click command: its ``recipe``, and ``showcase_args``, what ``make
    animations`` adds."""

    def __init__(self, *args, recipe=None, showcase_args=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.recipe = recipe
        self.showcase_args = list(showcase_args)


def scene_command(recipe, *, showcase_args=()):
    """Decorator: the scene's options (the decorated function's) become a command
    that renders ``recipe``, with the render options and ``--replay``."""
    def decorate(function):
        @functools.wraps(function)
        def command(**options):
            run_scene(recipe, options)

        command = render_options(out=f"output/{recipe.name}/{recipe.name}.gif")(command)
        command = click.option(
            "--replay", type=click.Path(dir_okay=False, path_type=Path), default=None,
            help="Render a saved trajectory (.npz) of this scene instead of training.")(command)
        return click.command(recipe.name, cls=SceneCommand, recipe=recipe,
                             showcase_args=showcase_args,
                             context_settings={"help_option_names": ["-h", "--help"]})(command)
    return decorate


def run_scene(recipe, options):
    """Settings from the options, then the pipeline; report what was written."""
    from ..pipeline import RenderSettings, produce
    from ..run.trajectory import Trajectory

    settings = RenderSettings(out=options.pop("out"), formats=tuple(options.pop("formats")),
                              fps=options.pop("fps"), dpi=options.pop("dpi"),
                              stills=options.pop("stills"), frames=options.pop("frames"),
                              overwrite=options.pop("overwrite"),
                              tensorboard=options.pop("tensorboard"),
                              engine=options.pop("engine"))
    quiet, replay_from = options.pop("quiet"), options.pop("replay")
    replay = None
    if replay_from is not None:
        _refuse_recording_options(recipe, options)
        replay = Trajectory.load(replay_from)
    written = produce(recipe, options, settings, replay=replay, replay_from=replay_from,
                      progress=ConsoleProgress(quiet))
    report(written, quiet)


def _refuse_recording_options(recipe, options):
    """With --replay, options that change the run (not the drawing) cannot apply."""
    context = click.get_current_context()
    for name in options:
        if name in recipe.render_options:
            continue
        if context.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            flag = "--" + name.replace("_", "-")
            raise click.UsageError(f"{flag} changes the recorded run, so it does not apply "
                                   "with --replay; record a new run instead")
