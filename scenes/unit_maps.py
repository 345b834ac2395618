"""Scene ``unit-maps``: what each unit computes, from the input plane to the logits.

After the multiclass lab: four blobs (centres (−5, 2), (−2, −2), (1, 2),
(5, −2), σ = 1, ``random_state=30``), a network Dense(2, ReLU, "L1") →
Dense(4, linear, "L2") trained on logits with Adam(0.01). Each L1 unit is a
map over the input plane (dashed: where its ReLU switches on); each L2 unit is
a map over L1's activation plane, where the training points have been carried.
"""

import click

from vizkit import datasets
from vizkit.cli.options import training_options
from vizkit.cli.program import run_program
from vizkit.cli.scenes import scene_command
from vizkit.pipeline import Recipe

NAME = "unit-maps"
CENTRES = ((-5, 2), (-2, -2), (1, 2), (5, -2))
DATA_SEED = 30  # the lab's make_blobs random_state


def build_model(learning_rate=0.01, seed=1234):
    """The lab's network: Dense(2, relu, "L1") → Dense(4, linear, "L2"), logits loss."""
    from vizkit._keras import import_keras
    from vizkit.seeding import set_seed

    keras = import_keras()
    set_seed(seed)
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


def _record(options, progress):
    with progress.bar("training", options["epochs"] + 1) as advance:
        return record_run(epochs=options["epochs"], learning_rate=options["learning_rate"],
                          seed=options["seed"], on_epoch=advance)


def _view(trajectory, options):
    from vizkit.views.units import UnitMaps, dense_layers, parse_units

    model = trajectory.build_model()
    widths = {name: model.get_layer(name).units for name in dense_layers(model)}
    return UnitMaps(trajectory, units=parse_units(options["unit_specs"], widths),
                    centres=CENTRES)


def _stills(trajectory, view, options):
    from vizkit.views.network import NetworkDiagram
    from vizkit.views.units import unit_map_stills

    return dict(unit_map_stills(view), network=NetworkDiagram(trajectory).frame_still())


RECIPE = Recipe(NAME, record=_record, view=_view, stills=_stills,
                still_names=("data", "regions", "L1-units", "L2-units", "network"),
                render_options=("unit_specs",), sweepable=True, sweep_hidden="L1")


@scene_command(RECIPE, showcase_args=["--format", "gif", "--format", "mp4"])
@training_options(epochs=200, learning_rate=0.01, seed=1234)
@click.option("--units", "unit_specs", multiple=True, metavar="LAYER:UNITS",
              help="Units to show, e.g. L2:0,3 (repeat for each layer; default: all).")
def cli(**options):
    """Each unit's output as a map: input plane for L1, L1's plane for L2."""


if __name__ == "__main__":
    run_program(cli)
