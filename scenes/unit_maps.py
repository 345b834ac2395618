"""Scene ``unit-maps``: what each unit computes, from the input plane to the logits.

After the multiclass lab: four blobs (centres (−5, 2), (−2, −2), (1, 2),
(5, −2), σ = 1, ``random_state=30``), a network Dense(2, ReLU, "L1") →
Dense(4, linear, "L2") trained on logits with Adam(0.01). Each L1 unit is a
map over the input plane (dashed: where its ReLU switches on); each L2 unit is
a map over L1's activation plane, where the training points have been carried.
"""

import click

from vizkit import datasets
from vizkit.cli.options import progress, render_options, render_scene, report, run_program, \
    scene_command, training_options

NAME = "unit-maps"
CENTRES = ((-5, 2), (-2, -2), (1, 2), (5, -2))
DATA_SEED = 30  # the lab's make_blobs random_state


def build_model(learning_rate=0.01, seed=1234):
    """The lab's network: Dense(2, relu, "L1") → Dense(4, linear, "L2"), logits loss."""
    from vizkit._keras import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((2,), name="input"),
                              keras.layers.Dense(2, activation="relu", name="L1"),
                              keras.layers.Dense(4, activation="linear", name="L2")],
                             name="unit_maps")
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.Adam(learning_rate), metrics=["accuracy"])
    return model


def record_run(*, epochs=200, learning_rate=0.01, seed=1234, on_epoch=None):
    """Train the lab's model on the lab's blobs and return the trajectory."""
    from vizkit import record

    x, y = datasets.blobs(DATA_SEED, n_samples=100, centers=CENTRES, std=1.0)
    model = build_model(learning_rate, seed)
    return record(model, x, y, epochs=epochs, seed=seed, on_epoch=on_epoch,
                  info=dict(scene=NAME, learning_rate=learning_rate, data_seed=DATA_SEED))


STILLS = ("data", "regions", "L1-units", "L2-units")


def still_parts(view, still):
    """The panels of one still: the data, the regions, or every shown unit of a layer."""
    if still in ("data", "regions"):
        return [(still, None)]
    layer = still.removesuffix("-units")
    return [(layer, unit) for unit in view.units[layer]]


@scene_command(NAME, showcase_args=["--format", "gif", "--format", "mp4"])
@training_options(epochs=200, learning_rate=0.01, seed=1234)
@click.option("--units", "unit_specs", multiple=True, metavar="LAYER:UNITS",
              help="Units to show, e.g. L2:0,3 (repeat for each layer; default: all).")
@render_options(out=f"output/{NAME}/{NAME}.gif")
def cli(epochs, learning_rate, seed, unit_specs, out, formats, fps, dpi, stills, overwrite,
        quiet):
    """Each unit's output as a map: input plane for L1, L1's plane for L2."""
    from vizkit.artifacts import check_plan, write_still_manifests
    from vizkit.unit_maps import UnitMaps, parse_units

    units = parse_units(unit_specs, {"L1": 2, "L2": 4})
    still_paths = {part: out.with_name(f"{out.stem}-{part}.png") for part in STILLS}
    trajectory_path = out.with_name(out.stem + ".trajectory.npz")
    check_plan(out, formats, stills=stills, max_frames=epochs + 1, overwrite=overwrite,
                      also=[trajectory_path, *still_paths.values()])
    with progress("training", epochs + 1, quiet) as advance:
        trajectory = record_run(epochs=epochs, learning_rate=learning_rate, seed=seed,
                                on_epoch=advance)
    trajectory.save(trajectory_path)
    view = UnitMaps(trajectory, units=units, centres=CENTRES)
    parameters = dict(trajectory.info, units=view.units)
    for part, path in still_paths.items():
        view.still(path, still_parts(view, part), dpi=dpi, overwrite=overwrite)
    write_still_manifests(still_paths, scene=NAME, parameters=parameters, seed=seed,
                          metrics=trajectory.final_metrics())
    written = list(still_paths.values())
    written += render_scene(view, out, formats, scene=NAME, parameters=parameters, seed=seed,
                            stills=stills, fps=fps, dpi=dpi, overwrite=overwrite, quiet=quiet)
    report(written + [trajectory_path], quiet)


if __name__ == "__main__":
    run_program(cli)
