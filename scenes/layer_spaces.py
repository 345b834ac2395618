"""Scene ``layer-spaces``: how each layer bends the input plane while a network learns.

After "Understanding Neural Networks (with Graphs)" (P. Leo Muñoz): a
2 → 2 (tanh) → 1 (sigmoid) network on two classes no straight line can
separate, class 0 in the corners (−1, −1) and (1, 1), class 1 in the middle.
Every epoch shows the decision regions in the input plane, then where the
hidden layer sends the whole input grid before and after its activation.

The default learning rate is 0.01, a tenth of the notebook's: at 0.1 Adam
drives the tanh units into saturation within a few epochs, every point then
sits on the edge of the square and the activation panel stops showing how the
layer bends the plane. At 0.01 the 20 epochs end with the classes apart on a
bent sheet, a straight line between them (accuracy 0.89; 0.1 reaches 0.90).
"""

import click

from vizkit import datasets
from vizkit.cli.options import training_options
from vizkit.cli.program import run_program
from vizkit.cli.scenes import scene_command
from vizkit.pipeline import Recipe

NAME = "layer-spaces"
CLASS_NAMES = ("corners", "middle")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "elu", "selu", "softplus", "softsign", "gelu",
               "silu", "leaky_relu", "linear")


def build_model(hidden_units=2, activation="tanh", learning_rate=0.01, seed=12345):
    """The notebook's network: Dense → Activation → Dense(1) → sigmoid, with Adam."""
    from vizkit._keras import import_keras
    from vizkit.seeding import set_seed

    keras = import_keras()
    set_seed(seed)
    inputs = keras.Input(shape=(2,), name="input")
    hidden = keras.layers.Dense(hidden_units, name="hidden_1")(inputs)
    hidden = keras.layers.Activation(activation, name="activation_1")(hidden)
    output = keras.layers.Dense(1, name="output")(hidden)
    output = keras.layers.Activation("sigmoid", name="activation_output")(output)
    model = keras.Model(inputs, output, name="layer_spaces")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def record_run(*, epochs=20, hidden_units=2, activation="tanh", learning_rate=0.01,
               seed=12345, stop_at_loss=None, on_epoch=None):
    """Train the scene's model on its data set and return the trajectory."""
    from vizkit import record

    x, y = datasets.diagonal_clusters(seed)
    model = build_model(hidden_units, activation, learning_rate, seed)
    parameters = dict(hidden_units=hidden_units, activation=activation,
                      learning_rate=learning_rate)
    return record(model, x, y, epochs=epochs, seed=seed, stop_at_loss=stop_at_loss,
                  on_epoch=on_epoch, info=dict(scene=NAME, class_names=CLASS_NAMES,
                                               **parameters))


def _record(options, progress):
    with progress.bar("training", options["epochs"] + 1) as advance:
        return record_run(epochs=options["epochs"], hidden_units=options["hidden_units"],
                          activation=options["activation"],
                          learning_rate=options["learning_rate"], seed=options["seed"],
                          stop_at_loss=options["stop_at_loss"], on_epoch=advance)


def _view(trajectory, options):
    from vizkit import LayerSpaces

    return LayerSpaces(trajectory, grid_resolution=options["grid_resolution"])


def _stills(trajectory, view, options):
    return {"data": view.data_still()}


RECIPE = Recipe(NAME, record=_record, view=_view, stills=_stills, still_names=("data",),
                render_options=("grid_resolution",), sweepable=True,
                sweep_hidden="activation_1")


@scene_command(RECIPE, showcase_args=["--format", "gif", "--format", "mp4", "--format", "html",
                                      "--format", "png", "--stills", "first,middle,last"])
@training_options(epochs=20, learning_rate=0.01, seed=12345)
@click.option("--activation", type=click.Choice(ACTIVATIONS), default="tanh",
              show_default=True, help="Activation of the hidden layer.")
@click.option("--hidden-units", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Units in the hidden layer (more than 2 are drawn in a fixed PCA plane).")
@click.option("--stop-at-loss", type=click.FloatRange(min=0), default=None,
              help="Stop early once the training loss is at most this (the notebook: 0.263).")
@click.option("--grid-resolution", type=click.IntRange(20, 1000), default=200,
              show_default=True, help="Grid points per side over the input plane.")
def cli(**options):
    """Decision regions and the input grid bent by each layer, epoch by epoch."""


if __name__ == "__main__":
    run_program(cli)
