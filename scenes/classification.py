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

import click
import numpy as np

from vizkit import datasets
from vizkit.cli.options import progress, render_options, render_scene, report, run_program, \
    scene_command, training_options

NAME = "classification"
LADDER = {  # title: hidden layers (units, activation), optimizer
    "Dense(1)": ([], "sgd"),
    "Dense(1) → Dense(1)": ([(1, None)], "sgd"),
    "Dense(100) → Dense(10) → Dense(1)": ([(100, None), (10, None)], "adam"),
    "Dense(10, relu) → Dense(5, relu) → Dense(1)": ([(10, "relu"), (5, "relu")], "adam"),
}
FINAL_LAYERS = [(4, "relu"), (4, "relu")]


def circles_split(seed=42):
    """The notebook's rings and its split: first 800 to train, last 200 to test."""
    x, y = datasets.circles(seed, n_samples=1000, noise=0.03)
    return (x[:800], y[:800]), (x[800:], y[800:])


def build_classifier(hidden, optimizer="adam", learning_rate=0.001, seed=42):
    """Dense layers ``hidden`` (units, activation), then Dense(1, sigmoid)."""
    from vizkit._keras import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(seed)
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
    from vizkit.grid import InputGrid

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

    keras = import_keras()
    x = np.arange(0, 1000, 5, dtype=np.float32)
    y = x + 100
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(100),
                              keras.layers.Dense(10), keras.layers.Dense(1)])
    model.compile(loss="mae", optimizer=keras.optimizers.Adam(), metrics=["mae"])
    record(model, x[:150, None], y[:150], epochs=epochs, seed=seed)
    return x[:150], y[:150], x[150:], y[150:], np.asarray(model(x[150:, None]))[:, 0]


def still(path, draw, size=(5.0, 4.4), dpi=100, overwrite=False, columns=1, left=None):
    """One PNG drawn by ``draw(axes)`` on a fresh figure (``left``: margin, a fraction)."""
    from vizkit import new_figure, render_frames
    from vizkit.style import style

    with style():
        fig = new_figure(*size, dpi=dpi)
        axes = fig.subplots(1, columns, squeeze=False)[0]
        fig.subplots_adjust(left=left or 0.1 / columns ** 0.5, right=0.97, bottom=0.14,
                            top=0.86, wspace=0.3)
        return render_frames(fig, lambda _: draw(axes), [0], path, "png", overwrite=overwrite)


@scene_command(NAME, showcase_args=["--format", "gif", "--format", "mp4"])
@training_options(epochs=40, learning_rate=None, seed=42,
                  epochs_help="Epochs for the final model.",
                  rate_help="Adam's rate for the final model [default: the search's suggestion].",
                  seed_help="Seed for initial weights and batch order.")
@render_options(out=f"output/{NAME}/{NAME}.gif")
def cli(epochs, learning_rate, seed, out, formats, fps, dpi, stills, overwrite, quiet):
    """Rings: straight lines fail, ReLU succeeds; curves, rate search, confusion matrix."""
    from vizkit import record
    from vizkit.artifacts import check_plan, write_still_manifests
    from vizkit.classification import (ClassificationView, decision_panel, history_panel,
                                       regression_panel)
    from vizkit.confusion import confusion_matrix, confusion_panel
    from vizkit.lr_finder import find_learning_rate, lr_finder_panel

    names = ("ladder", "train-test", "curves", "learning-rate", "confusion", "regression")
    still_paths = {name: out.with_name(f"{out.stem}-{name}.png") for name in names}
    trajectory_path = out.with_name(out.stem + ".trajectory.npz")
    check_plan(out, formats, stills=stills, max_frames=epochs + 1, overwrite=overwrite,
               also=[trajectory_path, *still_paths.values()])
    (x, y), (x_test, y_test) = circles_split()
    echo = (lambda *_: None) if quiet else (lambda text: click.echo(text, err=True))

    echo("training the model ladder (4 models, 100 epochs each)")
    grid, ladder = train_ladder(seed=seed)
    echo("searching a learning rate (100 epochs, 1e-4 to 8.9)")
    search = find_learning_rate(build_classifier(FINAL_LAYERS, seed=seed), x, y, seed=seed)
    rate = learning_rate or search.suggestion
    model = build_classifier(FINAL_LAYERS, "adam", rate, seed)
    with progress("training", epochs + 1, quiet) as advance:
        trajectory = record(model, x, y, epochs=epochs, seed=seed, on_epoch=advance,
                            eval_sets={"test": (x_test, y_test)},
                            info=dict(scene=NAME, learning_rate=rate,
                                      suggested_rate=search.suggestion))
    trajectory.save(trajectory_path)
    view = ClassificationView(trajectory, x_test, y_test)
    predictions = (np.asarray(model(x_test))[:, 0] > 0.5).astype(int)
    matrix = confusion_matrix(y_test, predictions, 2)
    regression = regression_fit(seed=seed)
    final = view.probabilities(trajectory.n_frames - 1)

    def ladder_still(axes):
        for ax, (title, (probabilities, accuracy)) in zip(axes, ladder.items()):
            decision_panel(ax, grid, probabilities, x_test, y_test,
                           title=f"{title}\ntest accuracy {accuracy:.1%}")
            ax.set_box_aspect(1)

    def train_test_still(axes):
        decision_panel(axes[0], view.grid, final, x, y, title="train")
        decision_panel(axes[1], view.grid, final, x_test, y_test, title="test")

    def curves_still(axes):
        history_panel(axes[0], trajectory.metrics, ("loss", "test_loss"))
        history_panel(axes[1], trajectory.metrics, ("accuracy", "test_accuracy"))
        axes[0].set_xlabel("epoch")
        axes[1].set_xlabel("epoch")

    def rate_still(axes):
        lr_finder_panel(axes[0], search)
        axes[0].set_title(f"loss against learning rate: use about {search.suggestion:.2g}")

    def confusion_still(axes):
        confusion_panel(axes[0], matrix, ["outer ring", "inner ring"])
        axes[0].set_title(f"test set: {int(np.trace(matrix))} of {matrix.sum()} right")

    def regression_still(axes):
        regression_panel(axes[0], *regression)
        axes[0].set_title("a linear network fits a straight line")

    drawings = {"ladder": (ladder_still, (16, 4.6), 4), "train-test": (train_test_still, (9, 4.6), 2),
                "curves": (curves_still, (9, 3.6), 2), "learning-rate": (rate_still, (6, 4.2), 1),
                "confusion": (confusion_still, (4.6, 4.4), 1),
                "regression": (regression_still, (6, 4.2), 1)}
    for name, (draw, size, columns) in drawings.items():
        still(still_paths[name], draw, size, dpi, overwrite, columns,
              left=0.27 if name == "confusion" else None)
    write_still_manifests(still_paths, scene=NAME, parameters=trajectory.info, seed=seed,
                          metrics=trajectory.final_metrics())
    written = list(still_paths.values())
    written += render_scene(view, out, formats, scene=NAME, parameters=trajectory.info,
                            seed=seed, stills=stills, fps=fps, dpi=dpi, overwrite=overwrite,
                            quiet=quiet)
    echo(f"learning rate: suggested {search.suggestion:.3g}, used {rate:.3g}")
    report(written + [trajectory_path], quiet)


if __name__ == "__main__":
    run_program(cli)
