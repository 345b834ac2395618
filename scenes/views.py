"""Scene ``views``: three pictures no other tool renders from a real training run.

A 2 → 8 (ReLU) → 8 (tanh) → 1 (sigmoid) network learns two moons; the one
recorded run is drawn three ways:

- ``tween``: the input grid and the data moving through each stage of each
  layer (linear map, bias, activation) after training (after Chris Olah,
  "Neural Networks, Manifolds, and Topology", 2014);
- ``network``: the network diagram with a picture in every unit (after
  TensorFlow Playground): each unit's output over the input plane, edges
  coloured by the sign and widened by the size of their weight;
- ``landscape``: the loss over the plane through the final weights spanned by
  the two main directions of the weights' path, with the path (after Li et al.,
  "Visualizing the Loss Landscape of Neural Nets", 2018).
"""

import click

from vizkit import datasets
from vizkit.cli.options import training_options
from vizkit.cli.program import run_program
from vizkit.cli.scenes import scene_command
from vizkit.pipeline import Recipe

NAME = "views"
VIEWS = ("tween", "network", "landscape")


def build_model(hidden_units=8, learning_rate=0.03, seed=0):
    """Dense(8, relu) → Dense(8, tanh) → Dense(1, sigmoid), Adam."""
    from vizkit._keras import import_keras
    from vizkit.seeding import set_seed

    keras = import_keras()
    set_seed(seed)
    inputs = keras.Input((2,), name="features")
    hidden = keras.layers.Dense(hidden_units, activation="relu", name="relu_layer")(inputs)
    hidden = keras.layers.Dense(hidden_units, activation="tanh", name="tanh_layer")(hidden)
    output = keras.layers.Dense(1, activation="sigmoid", name="output")(hidden)
    model = keras.Model(inputs, output, name="moons")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def _record(options, progress):
    from vizkit import record

    x, y = datasets.moons(options["seed"], n_samples=300, noise=0.15)
    model = build_model(options["hidden_units"], options["learning_rate"], options["seed"])
    with progress.bar("training", options["epochs"] + 1) as advance:
        trajectory = record(model, x, y, epochs=options["epochs"], seed=options["seed"],
                            on_epoch=advance,
                            info=dict(loss="binary_crossentropy",
                                      hidden_units=options["hidden_units"],
                                      learning_rate=options["learning_rate"]))
    return {view: trajectory for view in VIEWS}


def _view(trajectory, options):
    from vizkit.animation import view_for

    return view_for(trajectory, view=trajectory.info["part"])


RECIPE = Recipe(NAME, record=_record, view=_view, parts=VIEWS)


@scene_command(RECIPE, showcase_args=["--format", "gif", "--format", "png"])
@training_options(epochs=30, learning_rate=0.03, seed=0)
@click.option("--hidden-units", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Units in each hidden layer.")
def cli(**options):
    """One run, three views: the layer tween, the network diagram, the loss landscape."""


if __name__ == "__main__":
    run_program(cli)
