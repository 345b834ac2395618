"""Scene ``neurons``: a single neuron is linear or logistic regression.

After the "Neurons and Layers" lab: a Dense layer with one unit and no
activation, set to w = 200, b = 100, is the house-price line (size in
1000 sqft → price in $1000s), and TensorFlow's output equals numpy's w·x + b;
with a sigmoid and w = 2, b = −4.5 it is logistic regression. Then each neuron
learns from its initial weights by gradient descent, drawn as a path on its
loss surface over (w, b); and the activation functions themselves, with their
derivatives, as in the classification notebook.
"""

import numpy as np

from vizkit.cli.options import training_options
from vizkit.cli.program import run_program
from vizkit.cli.scenes import scene_command
from vizkit.pipeline import Recipe

NAME = "neurons"
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu")


def linear_data():
    """The lab's houses: size (1000 sqft) → price ($1000s)."""
    return np.array([[1.0], [2.0]], np.float32), np.array([[300.0], [500.0]], np.float32)


def logistic_data():
    """The lab's logistic set: x = 0…5, y = 0, 0, 0, 1, 1, 1."""
    return (np.arange(6, dtype=np.float32).reshape(-1, 1),
            np.array([0, 0, 0, 1, 1, 1], np.float32).reshape(-1, 1))


NEURONS = {
    # name: data, activation, loss, the lab's weights, default SGD rate, axis labels
    "linear": dict(data=linear_data, activation="linear", loss="mean_squared_error",
                   weights=(200.0, 100.0), learning_rate=0.05,
                   labels=("size (1000 sqft)", "price ($1000s)")),
    "logistic": dict(data=logistic_data, activation="sigmoid", loss="binary_crossentropy",
                     weights=(2.0, -4.5), learning_rate=1.0, labels=("x", "y")),
}


def build_neuron(kind, learning_rate=None, seed=1234):
    """One Dense unit with the neuron's activation, compiled with plain SGD."""
    from vizkit._keras import import_keras
    from vizkit.seeding import set_seed

    keras = import_keras()
    spec = NEURONS[kind]
    set_seed(seed)
    model = keras.Sequential([keras.Input((1,)),
                              keras.layers.Dense(1, activation=spec["activation"], name="L1")],
                             name=f"{kind}_neuron")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate or spec["learning_rate"]),
                  loss=spec["loss"])
    return model


def record_run(kind, *, epochs=150, learning_rate=None, seed=1234, on_epoch=None):
    """Gradient descent of one neuron from its initial weights; the trajectory."""
    from vizkit import record

    x, y = NEURONS[kind]["data"]()
    model = build_neuron(kind, learning_rate, seed)
    rate = learning_rate or NEURONS[kind]["learning_rate"]
    return record(model, x, y, epochs=epochs, batch_size=len(x), seed=seed, on_epoch=on_epoch,
                  info=dict(scene=NAME, neuron=kind, learning_rate=rate, optimizer="SGD"))


def set_weight_predictions(kind, xs):
    """TensorFlow's and numpy's outputs of the neuron with the lab's weights on ``xs``."""
    model = build_neuron(kind)
    w, b = NEURONS[kind]["weights"]
    model.get_layer("L1").set_weights([np.array([[w]], np.float32), np.array([b], np.float32)])
    tensorflow = np.asarray(model(xs.reshape(-1, 1).astype(np.float32))).ravel()
    z = np.dot(xs.reshape(-1, 1), np.array([[w]])).ravel() + b
    numpy = z if NEURONS[kind]["activation"] == "linear" else 1 / (1 + np.exp(-z))
    return tensorflow, numpy


def activation_values(name, z):
    """An activation and its derivative on ``z``, both computed by TensorFlow."""
    import tensorflow as tf

    from vizkit._keras import import_keras

    activation = import_keras().activations.get(name)
    z = tf.constant(z, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(z)
        values = activation(z)
    return np.asarray(values), np.asarray(tape.gradient(values, z))


def fit_still(kind):
    """The neuron with the lab's weights: TensorFlow's output and numpy's, on the data."""
    from vizkit.views.neuron_fit import neuron_fit_still

    spec = NEURONS[kind]
    x, y = spec["data"]()
    xs = np.linspace(x.min() - 0.5, x.max() + 0.5, 200)
    tensorflow, numpy = set_weight_predictions(kind, xs)
    return neuron_fit_still(x.ravel(), y.ravel(), xs, tensorflow, numpy, spec["weights"],
                            activation=spec["activation"], labels=spec["labels"],
                            title=f"{kind} neuron, weights set by hand")


def static_stills(options=None):
    """The stills that need no training: both fits and the activation functions."""
    from vizkit.views.neuron_fit import activations_still

    z = np.linspace(-10, 10, 401)
    curves = {name: activation_values(name, z) for name in ACTIVATIONS}
    return {"linear-fit": fit_still("linear"), "logistic-fit": fit_still("logistic"),
            "activations": activations_still(z, curves)}


def _record(options, progress):
    trajectories = {}
    for kind in NEURONS:
        with progress.bar(f"training {kind}", options["epochs"] + 1) as advance:
            trajectories[kind] = record_run(kind, epochs=options["epochs"],
                                            learning_rate=options["learning_rate"],
                                            seed=options["seed"], on_epoch=advance)
    return trajectories


def _view(trajectory, options):
    from vizkit.views.neuron_fit import NeuronView

    spec = NEURONS[trajectory.info["neuron"]]
    return NeuronView(trajectory, spec["loss"], spec["activation"], target=spec["weights"],
                      labels=spec["labels"])


RECIPE = Recipe(NAME, record=_record, view=_view, static_stills=static_stills,
                static_still_names=("linear-fit", "logistic-fit", "activations"),
                parts=tuple(NEURONS))


@scene_command(RECIPE, showcase_args=["--format", "gif", "--format", "mp4"])
@training_options(epochs=150, learning_rate=None, seed=1234,
                  epochs_help="Epochs of gradient descent for each neuron.",
                  rate_help="SGD step size for both neurons [default: 0.05 linear, 1.0 logistic].",
                  seed_help="Seed for the initial weights.")
def cli(**options):
    """A neuron is linear or logistic regression; gradient descent on its loss surface."""


if __name__ == "__main__":
    run_program(cli)
