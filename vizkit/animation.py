"""``vizkit.animate``: any 2-input Keras model and data in, an animation out;
and the recipe behind ``vizkit animate``, ``record`` and ``replay``."""

import tempfile
from pathlib import Path

from .errors import VizkitError, parameter
from .output.writers import DEFAULT_FPS
from .progress import Progress

__all__ = ["animate", "Animation", "view_for", "model_recipe"]


class Animation:
    """An animation held in memory; Jupyter shows it as the HTML player."""

    def __init__(self, player, trajectory):
        self.player = player  # a vizkit.output.player.Player
        self.trajectory = trajectory

    def _repr_html_(self):
        return self.player.html()

    def save(self, path):
        """Write the player to ``path`` (``.html``), as a standalone page."""
        return self.player.save(path)


def view_for(trajectory, layers=None, view=None, grid_resolution=200, input_features=None,
             image=None):
    """The view named ``view`` (see :data:`vizkit.views.registry.VIEWS`; default
    ``"layers"``) of ``trajectory``; ``input_features``: the two features the layers
    view's input panel shows (see :class:`~vizkit.inspect.input_plane.InputPlane`).
    An image classifier's run gets the view that draws images (following test image
    ``image``)."""
    from .data.image_sets import is_image_run
    from .views.registry import DEFAULT_VIEW, VIEWS

    if is_image_run(trajectory):
        if view not in (None, DEFAULT_VIEW) or layers or input_features:
            raise VizkitError(f"{parameter('view')}, {parameter('layers')} and "
                              f"{parameter('input_features')} draw models of feature vectors; "
                              "an image classifier's run gets the image view (leave them out; "
                              f"{parameter('image')} picks the image it follows)")
        entry = VIEWS.of_images()
    else:
        if image is not None:
            raise VizkitError(f"{parameter('image')} picks a test image of an image "
                              "classifier's run; this run is of a model of feature vectors")
        entry = VIEWS[view or DEFAULT_VIEW]
    return entry.make(trajectory, layers=layers, grid_resolution=grid_resolution,
                      input_features=input_features, image=image)


def model_recipe(train):
    """The recipe of a run of your own model: ``train(options, on_epoch)`` records it;
    the view follows ``options["view"]`` and ``options["layers"]``."""
    from .pipeline import Recipe

    def record(options, progress):
        with progress.bar("training", options["epochs"] + 1) as advance:
            return train(options, advance)

    def view(trajectory, options):
        from .data.image_sets import is_image_run
        from .inspect.readout import Readout
        from .recording.own_model import check_view_choice
        from .views.registry import DEFAULT_VIEW, VIEWS

        check_view_choice(options.get("view"), options.get("input_features"))
        if not is_image_run(trajectory):  # a replay's view must draw its kind of output
            VIEWS.check_outputs(options.get("view") or DEFAULT_VIEW,
                                Readout.of_trajectory(trajectory))
        return view_for(trajectory, options.get("layers"), options.get("view"),
                        input_features=options.get("input_features"),
                        image=options.get("image"))

    return Recipe("animate", record=record, view=view,
                  render_options=("layers", "view", "input_features", "image"),
                  sweepable=True)


class _Frames(Progress):
    """Progress that calls ``on_frame(position)`` for every rendered frame."""

    def __init__(self, on_frame):
        self.on_frame = on_frame

    def bar(self, label, total):
        from contextlib import nullcontext

        return nullcontext(self.on_frame if label.startswith("rendering") and self.on_frame
                           else (lambda *_: None))


def animate(model, x, y, *, epochs=20, layers=None, out=None, fmt=None, fps=DEFAULT_FPS, dpi=100,
            batch_size=32, seed=None, unit_maps=False, overwrite=False, on_frame=None,
            tensorboard=None, input_features=None, feature_names=None):
    """Train ``model`` on ``(x, y)`` epoch by epoch and animate what its layers do.

    Parameters
    ----------
    model : keras.Model
        Compiled, taking a vector of features; functional, Sequential or
        nested (name inner layers ``outer/inner``). It is trained in place.
    x, y : array-like
        Features (n, features) and targets (n,): class numbers, or values
        for a regression.
    epochs : int
    layers : list of str, optional
        Layers to draw (default: every layer with an output, see
        :func:`vizkit.views.registry.default_animate_layers`).
    out : path, optional
        Where to write (gif, mp4, html, png), with its manifest and the
        trajectory beside it; without it an :class:`Animation` is returned,
        which Jupyter displays as a player.
    unit_maps : bool
        Draw per-unit maps of Dense layers instead of layer spaces.
    tensorboard : path, optional
        A TensorBoard log folder: every frame and the metrics go there too.
    input_features : (int, int), optional
        With more than 2 features, the two the input panel shows (the others
        at their mean); default: the data's two principal axes.
    feature_names : list of str, optional
        Names of the features, for the axis labels.

    Returns
    -------
    pathlib.Path or Animation
    """
    from .output.player import Player
    from .pipeline import RenderSettings, produce
    from .recording.own_model import check_table_run

    view = "units" if unit_maps else "layers"
    run = check_table_run(model, x, y, view=view, layers=layers, input_features=input_features,
                          feature_names=feature_names)
    recorded = []

    def train(options, on_epoch):
        recorded.append(run.train(epochs=epochs, batch_size=batch_size, seed=seed,
                                  on_epoch=on_epoch))
        return recorded[-1]

    options = dict(epochs=epochs, layers=layers, view=view,
                   input_features=None if input_features is None else list(input_features))
    progress = _Frames(on_frame)
    if out is not None:
        settings = RenderSettings(out, formats=(fmt,) if fmt else (), fps=fps, dpi=dpi,
                                  overwrite=overwrite, tensorboard=tensorboard)
        return produce(model_recipe(train), options, settings, progress=progress)[0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "animation.html"
        settings = RenderSettings(path, fps=fps, dpi=dpi, trajectory=False,
                                  tensorboard=tensorboard)
        produce(model_recipe(train), options, settings, progress=progress)
        return Animation(Player.load(path), recorded[-1])
