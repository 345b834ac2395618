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

from vizkit.cli.options import training_options
from vizkit.cli.program import run_program
from vizkit.cli.scenes import scene_command
from vizkit.data.image_sets import DATASETS
from vizkit.pipeline import Recipe

NAME = "digits"


def build_model(n_pixels, n_classes, learning_rate=0.001, seed=1234):
    """The lab's network: Dense(25, relu) → Dense(15, relu) → Dense(n_classes) logits."""
    from vizkit._keras import import_keras
    from vizkit.seeding import set_seed

    keras = import_keras()
    set_seed(seed)
    model = keras.Sequential([keras.Input((n_pixels,)),
                              keras.layers.Dense(25, activation="relu", name="L1"),
                              keras.layers.Dense(15, activation="relu", name="L2"),
                              keras.layers.Dense(n_classes, activation="linear", name="L3")],
                             name="digits")
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.Adam(learning_rate), metrics=["accuracy"])
    return model


def record_run(image_set, *, epochs=20, learning_rate=0.001, seed=1234, on_epoch=None):
    """Train the lab's network on ``image_set`` and return the trajectory (as any
    image classifier's run: :func:`vizkit.recording.image_run.record_image_run`)."""
    from vizkit.recording.image_run import record_image_run

    model = build_model(int(np.prod(image_set.shape)), len(image_set.class_names),
                        learning_rate, seed)
    return record_image_run(model, image_set, epochs=epochs, seed=seed, on_epoch=on_epoch,
                            info=dict(scene=NAME, learning_rate=learning_rate))


def _record(options, progress):
    from vizkit.data.image_sets import load_image_set

    if options["data"] is not None and options["dataset"] == "digits":
        raise click.UsageError("--data is for --dataset lab or fashion-mnist; digits are "
                               "bundled with scikit-learn")
    image_set = load_image_set(options["dataset"], options["data"], seed=options["seed"])
    with progress.bar("training", options["epochs"] + 1) as advance:
        return record_run(image_set, epochs=options["epochs"],
                          learning_rate=options["learning_rate"], seed=options["seed"],
                          on_epoch=advance)


def _view(trajectory, options):
    from vizkit.views.image_classifier import ImageClassifierView

    return ImageClassifierView(trajectory)


def _stills(trajectory, view, options):
    from vizkit.views.image_classifier import digits_stills

    return digits_stills(view, seed=trajectory.info.get("seed") or 0)


RECIPE = Recipe(NAME, record=_record, view=_view, stills=_stills,
                still_names=("samples", "predictions", "probabilities", "logits", "errors",
                             "confusion", "weights", "curves"))


@scene_command(RECIPE, showcase_args=["--format", "gif", "--format", "mp4"])
@click.option("--dataset", type=click.Choice(DATASETS), default="digits", show_default=True,
              help="digits: scikit-learn's 8x8 (bundled); lab: --data folder with X.npy, "
                   "y.npy; fashion-mnist: Keras's cache or --data FILE.npz.")
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help="Where the lab or Fashion-MNIST data are.")
@training_options(epochs=20, learning_rate=0.001, seed=1234, rate_help="Adam's step size.",
                  seed_help="Seed for the split, initial weights and batch order.")
def cli(**options):
    """Image classifier: grids of predictions, confusion matrix, hidden layer, errors."""


if __name__ == "__main__":
    run_program(cli)
