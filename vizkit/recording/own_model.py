"""Your own model on your own data: load, check, train.

One set of functions for :func:`vizkit.animate`, ``vizkit animate``/``record`` and the
workers of ``vizkit sweep animate``. Every check that can fail (the model, the data,
the view and its choices) runs in :func:`check_table_run` or :func:`check_image_run`,
before the first epoch.
"""

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import VizkitError, parameter
from ..seeding import check_seed

__all__ = ["OwnRun", "check_table_run", "check_image_run", "check_view_choice", "load_run",
           "train_own_model", "absolute_files"]


@dataclass
class OwnRun:
    """A model and its data, checked against each other and the chosen view: a table of
    features (``x``, ``y``) or an :class:`~vizkit.data.image_sets.ImageSet` (``images``)."""

    model: object
    x: object = None
    y: object = None
    images: object = None
    info: dict = field(default_factory=dict)

    def train(self, *, epochs, batch_size=32, seed=None, on_epoch=None):
        """Train the model in place, epoch by epoch; the recorded
        :class:`~vizkit.run.trajectory.Trajectory`."""
        if self.images is not None:
            from .image_run import record_image_run

            return record_image_run(self.model, self.images, epochs=epochs,
                                    batch_size=batch_size, seed=seed, on_epoch=on_epoch,
                                    info=self.info)
        from .fit import record

        return record(self.model, self.x, self.y, epochs=epochs, batch_size=batch_size,
                      seed=seed, on_epoch=on_epoch, info=self.info)


def check_view_choice(view, input_features):
    """``input_features`` chooses the input panel of the layers view, which the other
    views do not have."""
    if input_features is not None and view not in (None, "layers"):
        raise VizkitError(f"{parameter('input_features')} chooses the input panel of "
                          f"{parameter('view', 'layers')}; {parameter('view', view)} has none "
                          "to choose")


def check_table_run(model, x, y, *, view="layers", layers=None, input_features=None,
                    image=None, feature_names=None, source="the data", info=None):
    """``model`` (compiled) and a table of features ``x`` and targets ``y``, checked for
    each other and for the view (a name in :data:`vizkit.views.registry.VIEWS`), its ``layers``
    and ``input_features``; ``feature_names`` name the columns."""
    from ..data.model_files import check_features, check_model
    from ..data.tables import check_xy
    from ..inspect.input_plane import InputPlane
    from ..inspect.probe import LayerProbe
    from ..inspect.readout import Readout
    from ..views.registry import VIEWS

    check_model(model)
    x, y = check_xy(x, y, source=source)  # a table of numbers, before its width is checked
    check_features(model, x, source)
    x, y = check_xy(x, y, readout=Readout.of(model), source=source)  # targets the model fits
    if image is not None:
        raise VizkitError(f"{parameter('image')} picks a test image of an image classifier; "
                          f"{source} holds a table of features, not images")
    check_view_choice(view, input_features)
    VIEWS.check_inputs(view or "layers", x)
    VIEWS.check_model(view or "layers", model, Readout.of(model))
    InputPlane.fit(x[:2], input_features)  # bad feature numbers fail now
    if layers:
        LayerProbe(model, layers)  # unknown names fail now
    info = dict(info or {})
    if feature_names is not None:
        if len(feature_names) != x.shape[1]:
            raise VizkitError(f"{parameter('feature_names')} has {len(feature_names)} names "
                              f"for {x.shape[1]} features; give one name per feature column")
        info["feature_names"] = [str(n) for n in feature_names]
    return OwnRun(model, x, y, info=info)


def check_image_run(model, images, *, view="layers", layers=None, input_features=None,
                    image=None, info=None):
    """``model`` (compiled, taking the images) and an
    :class:`~vizkit.data.image_sets.ImageSet`: drawn by the image classifier's view,
    following test image ``image``."""
    from ..data.model_files import check_model

    check_model(model, images=True)
    if view not in (None, "layers") or layers or input_features:
        raise VizkitError(f"{parameter('view')}, {parameter('layers')} and "
                          f"{parameter('input_features')} draw models of feature vectors; an "
                          "image model gets the image classifier's view (leave them out; "
                          f"{parameter('image')} picks the image it follows)")
    if image is not None:
        images.check_test_image(image)
    return OwnRun(model, images=images, info=dict(info or {}))


def load_run(model_path, data_path, *, loss=None, optimizer=None, learning_rate=None, seed=0,
             view="layers", layers=None, input_features=None, image=None):
    """A saved Keras model and a data file (CSV or ``.npz`` of features, or ``.npz`` of
    images), loaded, compiled (with ``loss``, ``optimizer``, ``learning_rate`` where
    given) and checked as :func:`check_table_run` or :func:`check_image_run` do."""
    from ..data.image_sets import load_image_file
    from ..data.model_files import compile_model, load_model
    from ..data.tables import feature_names, load_xy

    check_seed(seed)
    model_path, data_path = Path(model_path), Path(data_path)
    images = (load_image_file(data_path, seed=seed)
              if data_path.suffix.lower() == ".npz" and data_path.is_file() else None)
    table = load_xy(data_path) if images is None else None
    model = compile_model(load_model(model_path, need_optimizer=loss is None, seed=seed),
                          loss, optimizer, learning_rate)
    info = dict(model=str(model_path), data=str(data_path), loss=str(loss or model.loss))
    choice = dict(view=view, layers=layers, input_features=input_features, image=image)
    if images is not None:
        return check_image_run(model, images, info=info, **choice)
    x, y = table
    names = feature_names(data_path)
    if names is not None and len(names) != x.shape[1]:
        names = None  # a header that is not one name per feature column
    return check_table_run(model, x, y, feature_names=names, source=data_path.name,
                           info=info, **choice)


def train_own_model(options, on_epoch=None):
    """The run of :func:`vizkit.animation.model_recipe` for a model and data in files:
    ``options`` as ``vizkit animate`` gives them (``model_path``, ``data_path``,
    ``epochs``, ``batch_size``, ``seed``, ``loss``, ``optimizer``, ``learning_rate``,
    and the view's choices)."""
    run = load_run(options["model_path"], options["data_path"], loss=options.get("loss"),
                   optimizer=options.get("optimizer"),
                   learning_rate=options.get("learning_rate"), seed=options["seed"],
                   view=options.get("view"), layers=options.get("layers"),
                   input_features=options.get("input_features"), image=options.get("image"))
    return run.train(epochs=options["epochs"], batch_size=options["batch_size"],
                     seed=options["seed"], on_epoch=on_epoch)


def absolute_files(options):
    """``options`` with the model and data as absolute paths (a sweep's workers may run
    elsewhere), each checked to exist."""
    options = dict(options)
    for key in ("model_path", "data_path"):
        path = Path(options[key]).absolute()
        if not path.is_file():
            raise VizkitError(f"{parameter(key, str(options[key]))} does not exist; give the path "
                              "of a file")
        options[key] = path
    return options
