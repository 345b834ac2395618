"""Scene ``digits``: an image classifier learning, from pixels to predictions.

After the handwritten-digits lab (Dense(25, ReLU) → Dense(15, ReLU) →
Dense(10) logits, softmax applied separately) and the Fashion-MNIST part of the
classification notebook: sample grids, label against prediction, one image's
probabilities, the errors, the confusion matrix, the first layer's weights, and
the last hidden layer pulling the classes apart while the errors disappear.
"""

from pathlib import Path

import click
import numpy as np

from vizkit.cli.options import progress, render_options, render_scene, report, run_program, \
    scene_command, training_options
from vizkit.image_data import DATASETS

NAME = "digits"


def build_model(n_pixels, n_classes, learning_rate=0.001, seed=1234):
    """The lab's network: Dense(25, relu) → Dense(15, relu) → Dense(n_classes) logits."""
    from vizkit._keras import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((n_pixels,)),
                              keras.layers.Dense(25, activation="relu", name="L1"),
                              keras.layers.Dense(15, activation="relu", name="L2"),
                              keras.layers.Dense(n_classes, activation="linear", name="L3")],
                             name="digits")
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.Adam(learning_rate), metrics=["accuracy"])
    return model


def record_run(image_set, *, epochs=20, learning_rate=0.001, seed=1234, on_epoch=None):
    """Train the lab's network on ``image_set`` and return the trajectory."""
    from vizkit import record

    model = build_model(int(np.prod(image_set.shape)), len(image_set.class_names),
                        learning_rate, seed)
    return record(model, image_set.flat(image_set.x_train), image_set.y_train, epochs=epochs,
                  seed=seed, on_epoch=on_epoch,
                  eval_sets={"test": (image_set.flat(image_set.x_test), image_set.y_test)},
                  info=dict(scene=NAME, dataset=image_set.name, learning_rate=learning_rate))


def draw_stills(view, paths, dpi, overwrite, seed):
    """The six stills after training, each from a panel function of vizkit.images."""
    from vizkit import new_figure, render_frames
    from vizkit.confusion import confusion_matrix, confusion_panel
    from vizkit.images import image_grid, probability_bars, weight_images
    from vizkit.style import style

    images, names = view.images, view.images.class_names
    last = view.trajectory.n_frames - 1
    probabilities = view.outputs(last)["probabilities"]
    predicted = probabilities.argmax(axis=1)
    truth = images.y_test
    wrong = np.flatnonzero(predicted != truth)
    sample = np.random.default_rng(seed).choice(len(truth), 48, replace=False)
    kernel = view.trajectory.weights_at(last)[0]

    def sample_grid(ax):
        image_grid(ax, images.x_test[sample], [names[truth[k]] for k in sample])
        ax.set_title("test images and their labels", fontsize=10)

    def prediction_grid(ax):
        image_grid(ax, images.x_test[sample],
                   [f"{names[truth[k]]}→{names[predicted[k]]}" for k in sample],
                   colors=["#1e8449" if truth[k] == predicted[k] else "#e74c3c"
                           for k in sample])
        ax.set_title("label → prediction (red: wrong)", fontsize=10)

    def one_image(ax):
        probability_bars(ax, probabilities[view.example], names,
                         true_class=int(truth[view.example]))
        ax.set_xticks(range(len(names)), names, fontsize=7, rotation=60 if
                      max(map(len, names)) > 2 else 0)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"softmax of the logits (sum {probabilities[view.example].sum():.3f})",
                     fontsize=10)
        inset = ax.inset_axes((0.02, 0.55, 0.3, 0.4))
        inset.imshow(images.x_test[view.example], cmap="gray_r", vmin=0, vmax=1)
        inset.set_axis_off()

    def errors(ax):
        shown = wrong[:48]
        if len(shown):
            image_grid(ax, images.x_test[shown],
                       [f"{names[truth[k]]}→{names[predicted[k]]}" for k in shown],
                       colors=["#e74c3c"] * len(shown))
        else:
            ax.set_axis_off()
        more = f" (first {len(shown)} shown)" if len(wrong) > len(shown) else ""
        ax.set_title(f"{len(wrong)} errors out of {len(truth)} test images{more}", fontsize=10)

    def confusion(ax):
        confusion_panel(ax, confusion_matrix(truth, predicted, len(names)), names)
        ax.set_title("confusion matrix (test set)", fontsize=10)

    def weights(ax):
        image = weight_images(ax, kernel, images.shape)
        ax.figure.colorbar(image, ax=ax, fraction=0.04, label="weight")
        ax.set_title("first layer's weights, one image per unit", fontsize=10)

    drawings = {"samples": (sample_grid, (6, 5.2)), "predictions": (prediction_grid, (6, 5.2)),
                "probabilities": (one_image, (5, 3.8)), "errors": (errors, (6, 5.2)),
                "confusion": (confusion, (6, 5.6)), "weights": (weights, (6, 6.4))}
    written = []
    with style():
        for name, (draw, size) in drawings.items():
            fig = new_figure(*size, dpi=dpi)
            ax = fig.add_subplot()
            fig.subplots_adjust(left=0.16 if name in ("confusion", "probabilities") else 0.03,
                                right=0.86 if name == "weights" else 0.97, bottom=0.14,
                                top=0.9)
            render_frames(fig, lambda _: draw(ax), [0], paths[name], "png", overwrite=overwrite)
            written.append(paths[name])
    return written


@scene_command(NAME, showcase_args=["--format", "gif", "--format", "mp4"])
@click.option("--dataset", type=click.Choice(DATASETS), default="digits", show_default=True,
              help="digits: scikit-learn's 8x8 (bundled); lab: --data folder with X.npy, "
                   "y.npy; fashion-mnist: Keras's cache or --data FILE.npz.")
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help="Where the lab or Fashion-MNIST data are.")
@training_options(epochs=20, learning_rate=0.001, seed=1234, rate_help="Adam's step size.",
                  seed_help="Seed for the split, initial weights and batch order.")
@render_options(out=f"output/{NAME}/{NAME}.gif")
def cli(dataset, data, epochs, learning_rate, seed, out, formats, fps, dpi, stills, overwrite,
        quiet):
    """Image classifier: grids of predictions, confusion matrix, hidden layer, errors."""
    from vizkit.artifacts import check_plan, write_still_manifests
    from vizkit.image_data import load_image_set
    from vizkit.images import DigitsView

    if data is not None and dataset == "digits":
        raise click.UsageError("--data is for --dataset lab or fashion-mnist; digits are "
                               "bundled with scikit-learn")
    names = ("samples", "predictions", "probabilities", "errors", "confusion", "weights")
    still_paths = {name: out.with_name(f"{out.stem}-{name}.png") for name in names}
    trajectory_path = out.with_name(out.stem + ".trajectory.npz")
    check_plan(out, formats, stills=stills, max_frames=epochs + 1, overwrite=overwrite,
               also=[trajectory_path, *still_paths.values()])
    image_set = load_image_set(dataset, data, seed=seed)
    with progress("training", epochs + 1, quiet) as advance:
        trajectory = record_run(image_set, epochs=epochs, learning_rate=learning_rate,
                                seed=seed, on_epoch=advance)
    trajectory.save(trajectory_path)
    view = DigitsView(trajectory, image_set)
    written = draw_stills(view, still_paths, dpi, overwrite, seed)
    write_still_manifests(still_paths, scene=NAME, parameters=trajectory.info, seed=seed,
                          metrics=trajectory.final_metrics())
    written += render_scene(view, out, formats, scene=NAME, parameters=trajectory.info,
                            seed=seed, stills=stills, fps=fps, dpi=dpi, overwrite=overwrite,
                            quiet=quiet)
    report(written + [trajectory_path], quiet)


if __name__ == "__main__":
    run_program(cli)
