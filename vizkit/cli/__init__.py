"""The ``vizkit`` command: one sub-command per scene, ``list`` and ``render-all``,
and ``animate``, ``record``, ``replay`` for your own model and data.

Scenes live in ``scenes/`` (installed as ``vizkit_scenes``); each module there
defines a click command named ``cli``. They are found and imported only when
needed, and TensorFlow only when a command trains or probes.
"""

from pathlib import Path

import click

from . import commands, sweep
from .program import OneLineErrors, run_program
from .scenes import load_scene, scene_names

__all__ = ["main", "run"]


class SceneGroup(OneLineErrors, click.Group):
    """A click group whose sub-commands include every scene module."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(scene_names()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in scene_names():
            command = load_scene(name)
        return command


@click.group(cls=SceneGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vizkit")
def main():
    """See what happens inside a small Keras network while it learns.

    Run a scene (vizkit SCENE --help for its options), or `vizkit list`.
    """


main.add_command(commands.animate)
main.add_command(commands.record)
main.add_command(commands.replay)
main.add_command(sweep.sweep)


@main.command("list")
def list_scenes():
    """List the scenes, one line each."""
    names = scene_names()
    width = max(map(len, names))
    for name in names:
        click.echo(f"{name:<{width}}  {load_scene(name).get_short_help_str(limit=80)}")


@main.command("render-all")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Folder for every scene.")
@click.option("--overwrite", is_flag=True, help="Replace artifacts that already exist.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def render_all(out_dir, overwrite, quiet):
    """Render every scene with its defaults into OUT_DIR/SCENE/."""
    for name in scene_names():
        command = load_scene(name)
        folder = out_dir / name
        click.echo(f"== {name}", err=True)
        args = [*getattr(command, "showcase_args", []), "--out", str(folder / f"{name}.gif")]
        command.main(args + (["--overwrite"] if overwrite else []) + (["--quiet"] if quiet else []),
                     prog_name=f"vizkit {name}", standalone_mode=False)


def run():
    """The ``vizkit`` console script."""
    run_program(main)
