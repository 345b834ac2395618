"""Scene ``classification``: two rings, from straight-line failure to non-linear success.

After "Neural network classification with TensorFlow": scikit-learn's
``make_circles(1000, noise=0.03, random_state=42)``. Linear models draw a
straight boundary through two rings; ReLU layers separate them. Then a
Dense(4, ReLU) → Dense(4, ReLU) → Dense(1, sigmoid) network learns on 800
points and is judged on 200: loss curves, a learning-rate search, train and
test boundaries, the confusion matrix. Linear models do learn regression,
though: a straight line, fitted. (The ladder's linear models get a sigmoid on
their output, so that their loss is a true cross-entropy; their hidden layers
stay linear.)
"""

import numpy as np

from vizkit import datasets
from vizkit.cli.options import training_options
from vizkit.cli.program import run_program
from vizkit.cli.scenes import scene_command
from vizkit.pipeline import Recipe

NAME = "classification"
LADDER = {  # title: hidden layers (units, activation), optimizer
    "Dense(1)": ([], "sgd"),
    "Dense(1) → Dense(1)": ([(1, None)], "sgd"),
    "Dense(100) → Dense(10) → Dense(1)": ([(100, None), (10, None)], "adam"),
    "Dense(10, relu) → Dense(5, relu) → Dense(1)": ([(10, "relu"), (5, "relu")], "adam"),
}
FINAL_LAYERS = [(4, "relu"), (4, "relu")]
CLASS_NAMES = ("outer ring", "inner ring")


def circles_split(seed=42):
    """The notebook's rings and its split: first 800 to train, last 200 to test."""
    x, y = datasets.circles(seed, n_samples=1000, noise=0.03)
    return (x[:800], y[:800]), (x[800:], y[800:])


def build_classifier(hidden, optimizer="adam", learning_rate=0.001, seed=42):
    """Dense layers ``hidden`` (units, activation), then Dense(1, sigmoid)."""
    from vizkit._keras import import_keras
    from vizkit.seeding import set_seed

    keras = import_keras()
    set_seed(seed)
    layers = [keras.Input((2,))]
    layers += [keras.layers.Dense(units, activation=activation, name=f"hidden_{i}")
               for i, (units, activation) in enumerate(hidden, start=1)]
    layers.append(keras.layers.Dense(1, activation="sigmoid", name="output"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.get({"class_name": optimizer,
                                                  "config": {"learning_rate": learning_rate}}),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def train_ladder(epochs=100, seed=42, grid=None):
    """Each model of the ladder trained; ``{title: (P(class 1) on grid, test accuracy)}``."""
    from vizkit import record
    from vizkit.inspect.grid import InputGrid

    (x, y), (x_test, y_test) = circles_split()
    grid = grid or InputGrid.around(np.concatenate([x, x_test]), 120, padding=0.05)
    results = {}
    for title, (hidden, optimizer) in LADDER.items():
        model = build_classifier(hidden, optimizer, 0.01 if optimizer == "sgd" else 0.001, seed)
        run = record(model, x, y, epochs=epochs, seed=seed, eval_sets={"test": (x_test, y_test)})
        probabilities = np.asarray(model(grid.points.astype(np.float32)))[:, 0]
        results[title] = (probabilities, run.metrics["test_accuracy"][-1])
    return grid, results


def regression_fit(epochs=100, seed=42):
    """The notebook's line: x = 0…995 step 5, y = x + 100, the first 150 to train."""
    from vizkit import record
    from vizkit._keras import import_keras
    from vizkit.seeding import set_seed

    keras = import_keras()
    x = np.arange(0, 1000, 5, dtype=np.float32)
    y = x + 100
    set_seed(seed)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(100),
                              keras.layers.Dense(10), keras.layers.Dense(1)])
    model.compile(loss="mae", optimizer=keras.optimizers.Adam(), metrics=["mae"])
    record(model, x[:150, None], y[:150], epochs=epochs, seed=seed)
    return x[:150], y[:150], x[150:], y[150:], np.asarray(model(x[150:, None]))[:, 0]


def side_runs(seed=42, ladder_epochs=100, regression_epochs=100, say=print):
    """The ladder, the learning-rate search and the regression fit, as trajectory extras."""
    from vizkit.recording.lr_finder import find_learning_rate

    (x, y), _ = circles_split()
    say(f"training the model ladder (4 models, {ladder_epochs} epochs each)")
    grid, ladder = train_ladder(epochs=ladder_epochs, seed=seed)
    say("searching a learning rate (100 epochs, 1e-4 to 8.9)")
    search = find_learning_rate(build_classifier(FINAL_LAYERS, seed=seed), x, y, seed=seed)
    regression = regression_fit(epochs=regression_epochs, seed=seed)
    extras = dict(ladder_xs=grid.xs, ladder_ys=grid.ys,
                  ladder_probabilities=np.stack([p for p, _ in ladder.values()]),
                  ladder_accuracy=np.array([a for _, a in ladder.values()]),
                  rates=search.rates, rate_losses=search.losses)
    if search.accuracies is not None:
        extras["rate_accuracy"] = search.accuracies
    extras.update(zip(("regression_x_train", "regression_y_train", "regression_x_test",
                       "regression_y_test", "regression_y_pred"), regression))
    return extras, dict(ladder=list(ladder), suggested_rate=search.suggestion)


def _record(options, progress):
    from dataclasses import replace

    from vizkit import record

    (x, y), (x_test, y_test) = circles_split()
    extras, info = side_runs(options["seed"], say=progress.say)
    rate = options["learning_rate"] or info["suggested_rate"]
    model = build_classifier(FINAL_LAYERS, "adam", rate, options["seed"])
    with progress.bar("training", options["epochs"] + 1) as advance:
        trajectory = record(model, x, y, epochs=options["epochs"], seed=options["seed"],
                            on_epoch=advance, eval_sets={"test": (x_test, y_test)},
                            info=dict(info, learning_rate=rate, class_names=CLASS_NAMES))
    progress.say(f"learning rate: suggested {info['suggested_rate']:.3g}, used {rate:.3g}")
    return replace(trajectory, extras={**trajectory.extras, **extras, "x_test": x_test,
                                       "y_test": y_test})


def _view(trajectory, options):
    from vizkit.views.decision_regions import ClassificationView

    return ClassificationView(trajectory, trajectory.extras["x_test"],
                              trajectory.extras["y_test"])


def _stills(trajectory, view, options):
    from vizkit.views.decision_regions import classification_stills
    from vizkit.views.network import NetworkDiagram

    return dict(classification_stills(trajectory, view),
                network=NetworkDiagram(trajectory).frame_still())


RECIPE = Recipe(NAME, record=_record, view=_view, stills=_stills,
                still_names=("data", "ladder", "train-test", "curves", "learning-rate",
                             "schedule", "confusion", "regression", "network"),
                sweepable=True)


@scene_command(RECIPE, showcase_args=["--format", "gif", "--format", "mp4"])
@training_options(epochs=40, learning_rate=None, seed=42,
                  epochs_help="Epochs for the final model.",
                  rate_help="Adam's rate for the final model [default: the search's suggestion].",
                  seed_help="Seed for initial weights and batch order.")
def cli(**options):
    """Rings: straight lines fail, ReLU succeeds; curves, rate search, confusion matrix."""


if __name__ == "__main__":
    run_program(cli)
