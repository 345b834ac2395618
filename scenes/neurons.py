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

from vizkit.cli.options import progress, render_options, render_scene, report, run_program, \
    scene_command, training_options

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

    keras = import_keras()
    spec = NEURONS[kind]
    keras.utils.set_random_seed(seed)
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


def draw_stills(out, dpi, overwrite):
    """The three stills; returns the paths written."""
    from vizkit import new_figure, render_frames
    from vizkit.neuron import activation_curve, linear_fit, logistic_fit
    from vizkit.style import style

    paths = []
    with style():
        for kind, draw in (("linear", linear_fit), ("logistic", logistic_fit)):
            spec = NEURONS[kind]
            x, y = spec["data"]()
            xs = np.linspace(x.min() - 0.5, x.max() + 0.5, 200)
            tensorflow, numpy = set_weight_predictions(kind, xs)
            w, b = spec["weights"]
            equation = f"y = {w:g}x {'+' if b >= 0 else '−'} {abs(b):g}"
            if kind == "logistic":
                equation = f"sigmoid({w:g}x {'+' if b >= 0 else '−'} {abs(b):g})"
            fig = new_figure(5.2, 4.2, dpi=dpi)
            ax = fig.add_subplot()
            fig.subplots_adjust(left=0.15, bottom=0.13, right=0.96, top=0.9)
            ax.set_xlabel(spec["labels"][0])
            ax.set_ylabel(spec["labels"][1])
            ax.set_title(f"{kind} neuron, weights set by hand")
            path = out.with_name(f"{out.stem}-{kind}-fit.png")
            render_frames(fig, lambda _: draw(ax, x.ravel(), y.ravel(), xs, tensorflow, numpy,
                                              equation), [0], path, "png", overwrite=overwrite)
            paths.append(path)
        fig = new_figure(9.6, 2.9, dpi=dpi)
        fig.subplots_adjust(left=0.05, right=0.98, bottom=0.14, top=0.86, wspace=0.25)
        axes = fig.subplots(1, len(ACTIVATIONS))
        z = np.linspace(-10, 10, 401)

        def draw_activations(_):
            for ax, name in zip(axes, ACTIVATIONS):
                activation_curve(ax, z, *activation_values(name, z), name)

        path = out.with_name(f"{out.stem}-activations.png")
        render_frames(fig, draw_activations, [0], path, "png", overwrite=overwrite)
        paths.append(path)
    return paths


@scene_command(NAME, showcase_args=["--format", "gif", "--format", "mp4"])
@training_options(epochs=150, learning_rate=None, seed=1234,
                  epochs_help="Epochs of gradient descent for each neuron.",
                  rate_help="SGD step size for both neurons [default: 0.05 linear, 1.0 logistic].",
                  seed_help="Seed for the initial weights.")
@render_options(out=f"output/{NAME}/{NAME}.gif")
def cli(epochs, learning_rate, seed, out, formats, fps, dpi, stills, overwrite, quiet):
    """A neuron is linear or logistic regression; gradient descent on its loss surface."""
    from vizkit.artifacts import check_plan, write_still_manifests
    from vizkit.neuron import NeuronView

    animations = {kind: out.with_name(f"{out.stem}-{kind}-training{out.suffix}")
                  for kind in NEURONS}
    still_names = ("linear-fit", "logistic-fit", "activations")
    still_paths = [out.with_name(f"{out.stem}-{name}.png") for name in still_names]
    trajectories = {kind: out.with_name(f"{out.stem}-{kind}.trajectory.npz") for kind in NEURONS}
    for kind, path in animations.items():
        check_plan(path, formats, stills=stills, max_frames=epochs + 1, overwrite=overwrite,
                   also=[trajectories[kind]])
    check_plan(still_paths[0], ["png"], overwrite=overwrite, also=still_paths[1:],
               max_frames=1)

    written = draw_stills(out, dpi, overwrite)
    write_still_manifests(dict(zip(still_names, written)), scene=NAME,
                          parameters=dict(dpi=dpi), seed=seed)
    for kind, path in animations.items():
        with progress(f"training {kind}", epochs + 1, quiet) as advance:
            trajectory = record_run(kind, epochs=epochs, learning_rate=learning_rate, seed=seed,
                                    on_epoch=advance)
        trajectory.save(trajectories[kind])
        spec = NEURONS[kind]
        view = NeuronView(trajectory, spec["loss"], spec["activation"], target=spec["weights"],
                          labels=spec["labels"])
        written += render_scene(view, path, formats, scene=NAME, parameters=trajectory.info,
                                seed=seed, stills=stills, fps=fps, dpi=dpi,
                                overwrite=overwrite, quiet=quiet)
        written.append(trajectories[kind])
    report(written, quiet)


if __name__ == "__main__":
    run_program(cli)
