"""``vizkit sweep SCENE --vary NAME=V1,V2 ...``: variants of a run side by side.

Each sweep command takes its scene's own options (``vizkit sweep layer-spaces``
takes ``--activation``, ``--hidden-units``...): given once, an option is the
same for every variant; ``--vary`` gives several values, each checked by that
option's own type and range. ``vizkit sweep animate`` sweeps your own model
and data as ``vizkit animate`` takes them.
"""

import click
from click.core import ParameterSource

from .console import ConsoleProgress, report
from .options import render_options

__all__ = ["sweep"]

_RENDER = {"out", "formats", "fps", "dpi", "stills", "overwrite", "quiet", "tensorboard",
           "replay"}
_ANIMATE_VIEW = {"layers", "view", "unit_maps"}  # a sweep's cells have their own view


class SweepGroup(click.Group):
    """One sweep command per recipe that declares itself sweepable (``Recipe.sweepable``),
    made from its command: your own model's and the scenes'."""

    def list_commands(self, ctx):
        from .scenes import scene_names

        return [name for name in ["animate", *scene_names()] if _source(name)[1].sweepable]

    def get_command(self, ctx, name):
        from .scenes import scene_names

        if name != "animate" and name not in scene_names():
            return None
        if not _source(name)[1].sweepable:
            raise click.UsageError(f"{name} cannot be swept (no single run over a 2-D input "
                                   f"plane); sweep one of: "
                                   f"{', '.join(self.list_commands(ctx))}")
        return _sweep_command(name)


@click.group("sweep", cls=SweepGroup,
             context_settings={"help_option_names": ["-h", "--help"]})
def sweep():
    """Variants of a run side by side in one animation (on Dask).

    vizkit sweep SCENE --help lists a scene's options, e.g.

    vizkit sweep layer-spaces --vary activation=tanh,relu --vary hidden-units=2,3 --epochs 20
    """


def _source(name):
    """The command whose options a sweep of ``name`` takes, and how it records."""
    if name == "animate":
        from ..animation import model_recipe
        from ..recording.own_model import train_own_model
        from .commands import animate

        return animate, model_recipe(train_own_model)
    from .scenes import load_scene

    command = load_scene(name)
    return command, command.recipe


def _sweep_command(name):
    command_of_scene, recipe = _source(name)
    left_out = _RENDER | (_ANIMATE_VIEW if name == "animate" else set())
    scene_params = [p for p in command_of_scene.params if p.name not in left_out]

    def run(vary_specs, workers, scheduler, keep_going, hidden, out, formats, fps, dpi, stills,
            tensorboard, overwrite, quiet, **options):
        from ..pipeline import RenderSettings
        from ..sweep.sweep_run import plan_sweep, run_sweep

        context = click.get_current_context()
        if tensorboard is not None:
            raise click.UsageError("--tensorboard is not available for sweeps; replay one "
                                   "variant's trajectory with --tensorboard instead")
        vary = [_parse_vary(spec, scene_params, context) for spec in vary_specs]
        for flag, param_name, _ in vary:
            if context.get_parameter_source(param_name) is ParameterSource.COMMANDLINE:
                raise click.UsageError(f"--{flag} is given once and varied; drop one of them")
        if name == "animate":
            from ..recording.own_model import absolute_files

            options = absolute_files(options)
        plan = plan_sweep(recipe, options, vary,
                          hidden=None if hidden.lower() == "none" else hidden)
        settings = RenderSettings(out=out, formats=tuple(formats), fps=fps, dpi=dpi,
                                  stills=stills, overwrite=overwrite)
        written = run_sweep(recipe, plan, settings, workers=workers, scheduler=scheduler,
                            keep_going=keep_going, progress=ConsoleProgress(quiet))
        report(written, quiet)

    decorators = [
        click.command(name, context_settings={"help_option_names": ["-h", "--help"]},
                      short_help=f"Variants of {name} side by side."),
        click.option("--vary", "vary_specs", multiple=True, metavar="NAME=V1,V2,...",
                     help="An option of the scene and its values, e.g. activation=tanh,relu "
                          "(repeat to vary several: rows follow the first, columns the rest)."),
        click.option("--workers", type=click.IntRange(1, 512), default=None,
                     help="Worker processes of a Dask cluster on this machine "
                          "[default: one per core, at most one per variant]."),
        click.option("--scheduler", metavar="ADDRESS", default=None,
                     help="Run on a running Dask cluster instead, e.g. tcp://HOST:8786."),
        click.option("--keep-going", is_flag=True,
                     help="A variant that fails leaves its cell marked instead of stopping."),
        click.option("--hidden", default=recipe.sweep_hidden or "none", show_default=True,
                     help="Layer whose space each cell draws beside the input space "
                          "(none: the input space only)."),
        render_options(out=f"output/sweep/{name}.gif", engine=False),
    ]
    for decorator in reversed(decorators[1:]):
        run = decorator(run)
    command = decorators[0](run)
    command.help = (f"Variants of a {name} run side by side, one cell each, on shared "
                    "scales. Options given once apply to every variant.")
    command.params = scene_params + command.params
    return command


def _parse_vary(spec, params, context):
    """``"hidden-units=2,3"`` → ``("hidden-units", "hidden_units", [2, 3])``, each value
    converted and checked by the scene option's own type."""
    flag, sep, text = spec.partition("=")
    flag = flag.strip().lstrip("-")
    param = next((p for p in params if f"--{flag}" in getattr(p, "opts", ())), None)
    if param is None or not sep:
        names = ", ".join(o.lstrip("-") for p in params for o in p.opts[:1])
        problem = (f"{flag!r} is not an option of this scene" if param is None
                   else "give NAME=V1,V2")
        raise click.BadParameter(f"{spec}: {problem}; vary one of: {names}",
                                 param_hint="'--vary'")
    values = [v.strip() for v in text.split(",")]
    if not all(values):
        raise click.BadParameter(f"{spec}: give values separated by commas, e.g. {flag}=1,2",
                                 param_hint="'--vary'")
    kind = click.BOOL if getattr(param, "is_flag", False) else param.type
    converted = []
    for value in values:
        try:
            converted.append(kind.convert(value, param, context))
        except click.BadParameter as exc:
            raise click.BadParameter(f"{flag}: {exc.message}", param_hint="'--vary'") from None
    return flag, param.name, converted

