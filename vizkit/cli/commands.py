"""``vizkit animate``, ``record`` and ``replay``: your own model and data."""

from pathlib import Path

import click

from .options import progress, render_options, render_scene, report

__all__ = ["animate", "record", "replay"]


def _model_options(function):
    for decorator in reversed([
        click.option("--model", "model_path", required=True,
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="A saved Keras model (.keras) with 2 input features."),
        click.option("--data", "data_path", required=True,
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="CSV (x0, x1, label; header optional) or .npz with x and y."),
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
    ]):
        function = decorator(function)
    return function


def _layers_option(function):
    return click.option("--layers", default=None,
                        help="Comma-separated layer names (outer/inner inside a nested "
                             "model); default: every layer with an output.")(function)


def _unit_maps_option(function):
    return click.option("--unit-maps", is_flag=True,
                        help="Draw each Dense unit as a map instead of layer spaces.")(function)


def _record(model_path, data_path, epochs, batch_size, seed, loss, optimizer, learning_rate,
            layers, quiet):
    """Load, check, train: the shared first half of animate and record."""
    from ..data_io import check_xy, load_xy
    from ..model_io import check_model, compile_model, load_model
    from ..probe import LayerProbe
    from ..recorder import record as record_trajectory

    x, y = load_xy(data_path)
    model = check_model(compile_model(load_model(model_path), loss, optimizer, learning_rate))
    x, y = check_xy(x, y, n_outputs=model.outputs[0].shape[-1], source=data_path.name)
    if layers:
        LayerProbe(model, layers)
    info = dict(model=str(model_path), data=str(data_path), loss=str(loss or model.loss))
    with progress("training", epochs + 1, quiet) as advance:
        return record_trajectory(model, x, y, epochs=epochs, batch_size=batch_size, seed=seed,
                                 on_epoch=advance, info=info)


def _render(trajectory, out, formats, layers, unit_maps, fps, dpi, stills, overwrite, quiet,
            command):
    from ..animation import view_for

    view = view_for(trajectory, layers, unit_maps)
    return render_scene(view, out, formats, scene=command,
                        parameters=dict(trajectory.info, layers=layers, unit_maps=unit_maps),
                        seed=trajectory.info.get("seed"), stills=stills, fps=fps, dpi=dpi,
                        overwrite=overwrite, quiet=quiet)


def _split(layers):
    return [name.strip() for name in layers.split(",") if name.strip()] if layers else None


@click.command()
@_model_options
@_layers_option
@_unit_maps_option
@render_options(out="output/animate/animation.gif")
def animate(model_path, data_path, epochs, batch_size, seed, loss, optimizer, learning_rate,
            layers, unit_maps, out, formats, fps, dpi, stills, overwrite, quiet):
    """Train your model on your data and animate every layer."""
    from ..artifacts import check_plan

    layers = _split(layers)
    trajectory_path = out.with_name(out.stem + ".trajectory.npz")
    check_plan(out, formats, stills=stills, max_frames=epochs + 1, overwrite=overwrite,
               also=[trajectory_path])
    trajectory = _record(model_path, data_path, epochs, batch_size, seed, loss, optimizer,
                         learning_rate, layers, quiet)
    trajectory.save(trajectory_path)
    written = _render(trajectory, out, formats, layers, unit_maps, fps, dpi, stills, overwrite,
                      quiet, "animate")
    report(written + [trajectory_path], quiet)


@click.command()
@_model_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Trajectory file to write (.npz).")
@click.option("--overwrite", is_flag=True, help="Replace the file if it exists.")
@click.option("--quiet", is_flag=True, help="No progress bar or messages.")
def record(model_path, data_path, epochs, batch_size, seed, loss, optimizer, learning_rate,
           out, overwrite, quiet):
    """Train your model on your data and save the trajectory (no drawing)."""
    from ..writers import check_outputs

    out = out.with_suffix(".npz")
    check_outputs([out], overwrite)
    trajectory = _record(model_path, data_path, epochs, batch_size, seed, loss, optimizer,
                         learning_rate, None, quiet)
    trajectory.save(out)
    report([out], quiet)


@click.command()
@click.argument("trajectory_path", metavar="TRAJECTORY",
                type=click.Path(dir_okay=False, path_type=Path))
@_layers_option
@_unit_maps_option
@render_options(out="output/replay/replay.gif")
def replay(trajectory_path, layers, unit_maps, out, formats, fps, dpi, stills, overwrite,
           quiet):
    """Render a saved trajectory again, with no training."""
    from ..artifacts import check_plan
    from ..probe import LayerProbe
    from ..trajectory import Trajectory

    trajectory = Trajectory.load(trajectory_path)
    layers = _split(layers)
    check_plan(out, formats, stills=stills, max_frames=trajectory.n_frames, overwrite=overwrite)
    if layers:
        LayerProbe(trajectory.build_model(), layers)
    written = _render(trajectory, out, formats, layers, unit_maps, fps, dpi, stills, overwrite,
                      quiet, "replay")
    report(written, quiet)
