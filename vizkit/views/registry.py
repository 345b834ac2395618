"""Every view of a run by name: where its class lives, what it shows, which runs it can draw.

``--view`` (its choices and help), :func:`vizkit.animation.view_for` and the
checks a run's inputs get before training all read :data:`VIEWS`. A view
class is imported only when a view is made, so that ``vizkit --help`` imports
no view module and no TensorFlow. Adding a view: write its module, register it
below.
"""

from dataclasses import dataclass
from importlib import import_module
from typing import Callable

import numpy as np

from ..errors import VizkitError, parameter

__all__ = ["ViewEntry", "ViewRegistry", "VIEWS", "DEFAULT_VIEW", "default_animate_layers",
           "ONE_FEATURE", "TWO_FEATURES", "MANY_FEATURES", "IMAGES", "CLASSIFICATION",
           "REGRESSION"]

# The inputs a view can draw...
ONE_FEATURE, TWO_FEATURES, MANY_FEATURES, IMAGES = ("1 feature", "2 features",
                                                     "many features", "images")
# ...and the outputs.
CLASSIFICATION, REGRESSION = "classification", "regression"

#: The view of a run of feature vectors when none is named.
DEFAULT_VIEW = "layers"


def _inputs_of(x):
    """What inputs ``x`` (one row each) are, as a view's ``inputs`` name them."""
    shape = np.shape(x)[1:]
    if len(shape) != 1:
        return IMAGES
    return {1: ONE_FEATURE, 2: TWO_FEATURES}.get(shape[0], MANY_FEATURES)


@dataclass(frozen=True)
class ViewEntry:
    """A registered view: ``target`` is ``"module:Class"``; ``build(cls, trajectory,
    layers=, grid_resolution=, input_features=, image=)`` makes it (the options a
    view has no use for are ignored); ``called`` is what a message calls it."""

    name: str
    target: str
    help: str
    called: str
    inputs: frozenset
    outputs: frozenset
    build: Callable
    #: Whether the view maps the model over a plane of its inputs (the landscape does not).
    maps_inputs: bool = True

    def load(self):
        """The view class (its module imported now)."""
        module, _, name = self.target.partition(":")
        return getattr(import_module(module), name)

    def make(self, trajectory, **options):
        """The view of ``trajectory``."""
        return self.build(self.load(), trajectory, **options)

    def needs(self):
        """`` (2 features, classification only)``: what the view cannot do without; ``""``
        when it draws a run of any number of features, classes or values."""
        needs = []
        if self.inputs != {ONE_FEATURE, TWO_FEATURES, MANY_FEATURES}:
            needs.append(" or ".join(sorted(self.inputs)))
        if len(self.outputs) == 1:
            needs.append(f"{next(iter(self.outputs))} only")
        return f" ({', '.join(needs)})" if needs else ""


class ViewRegistry:
    """Views by name (in the manner of matplotlib's ``MovieWriterRegistry``)."""

    def __init__(self):
        self._entries = {}

    def register(self, name, target, *, help, called, inputs, outputs, build, maps_inputs=True):
        """Register view ``name`` (see :class:`ViewEntry`); returns its entry."""
        entry = ViewEntry(name, target, help, called, frozenset(inputs), frozenset(outputs),
                          build, maps_inputs)
        self._entries[name] = entry
        return entry

    def unregister(self, name):
        """Forget view ``name``."""
        del self._entries[name]

    def is_available(self, name):
        """Whether a view is registered as ``name``."""
        return name in self._entries

    def list(self):
        """Every view's name, in the order registered."""
        return tuple(self._entries)

    def __getitem__(self, name):
        """The entry of view ``name``; a one-line error naming the choices if none."""
        if name not in self._entries:
            raise VizkitError(f"unknown view {name!r}; use one of: {', '.join(self.choices())}")
        return self._entries[name]

    def check_inputs(self, name, x):
        """A one-line error when view ``name`` cannot draw a model taking inputs ``x``
        (one row each), naming the views that can."""
        entry, kind = self[name], _inputs_of(x)
        if kind in entry.inputs:
            return
        shape = np.shape(x)[1:]
        what = f"{shape[0]} input features" if len(shape) == 1 else f"inputs of shape {shape}"
        others = [other for other in self.choices() if kind in self[other].inputs]
        fix = (f"draw it with {' or '.join(parameter('view', o) for o in others)}" if others
               else f"no {parameter('view')} draws it")
        raise VizkitError(f"this model takes {what}, but {entry.called} draws "
                          f"{' or '.join(sorted(entry.inputs))}; {fix}")

    def check_outputs(self, name, readout):
        """A one-line error when view ``name`` cannot draw the kind of output ``readout``
        reads (a classification or a regression), naming the views that can."""
        entry = self[name]
        kind = REGRESSION if readout.is_regression else CLASSIFICATION
        if kind not in entry.outputs:
            others = [o for o in self.choices() if kind in self[o].outputs]
            raise VizkitError(f"this model is a {kind}, but {entry.called} draws "
                              f"{' or '.join(sorted(entry.outputs))} only; draw it with "
                              f"{' or '.join(parameter('view', o) for o in others)}")

    def check_model(self, name, model, readout):
        """A one-line error when view ``name`` cannot draw ``model``, whose outputs
        ``readout`` reads: its kind of output, or inputs read as integer codes."""
        from ..inspect.input_plane import require_continuous_inputs

        self.check_outputs(name, readout)
        if self[name].maps_inputs:
            require_continuous_inputs(model, self[name].called)

    def choices(self):
        """The views ``--view`` offers: those that draw feature vectors."""
        return tuple(e.name for e in self._entries.values() if IMAGES not in e.inputs)

    def of_images(self):
        """The view of an image classifier's run: the one that draws images."""
        return next(e for e in self._entries.values() if IMAGES in e.inputs)

    def help(self):
        """``--view``'s help: each choice, what it shows, and what it needs, if anything."""
        return "; ".join(f"{e.name}: {e.help}{e.needs()}"
                         for e in map(self.__getitem__, self.choices())) + "."


def default_animate_layers(model):
    """Every layer with an output, but a last 1-unit layer: its value colours every panel."""
    from ..inspect.probe import layer_names

    names = layer_names(model)
    last = model.layers[-1]
    if names and names[-1] == last.name and last.output.shape[-1] == 1:
        names = names[:-1]
    return [n for n in names if "/" not in n]


def _layer_spaces(cls, trajectory, *, layers, grid_resolution, input_features, **_):
    if layers is None:
        layers = default_animate_layers(trajectory.build_model())
    return cls(trajectory, layers, grid_resolution=grid_resolution,
               input_features=input_features)


#: Every view of a run, by name.
VIEWS = ViewRegistry()
VIEWS.register(
    "layers", "vizkit.views.spaces:LayerSpaces", called="layer spaces",
    help="the spaces each layer makes",
    inputs={ONE_FEATURE, TWO_FEATURES, MANY_FEATURES}, outputs={CLASSIFICATION, REGRESSION},
    build=_layer_spaces)
VIEWS.register(
    "units", "vizkit.views.units:UnitMaps", called="the unit maps view",
    help="each Dense unit as a map", inputs={TWO_FEATURES},
    outputs={CLASSIFICATION, REGRESSION},
    build=lambda cls, trajectory, *, layers, grid_resolution, **_: cls(
        trajectory, layers=layers, grid_resolution=min(grid_resolution, 150)))
VIEWS.register(
    "tween", "vizkit.views.tween:Tween", called="the tween",
    help="the data moving through each layer's stages (last epoch)",
    inputs={TWO_FEATURES}, outputs={CLASSIFICATION, REGRESSION},
    build=lambda cls, trajectory, *, grid_resolution, **_: cls(
        trajectory, grid_resolution=grid_resolution))
VIEWS.register(
    "network", "vizkit.views.network:NetworkDiagram", called="the network diagram",
    help="the diagram with a map in every unit",
    inputs={TWO_FEATURES}, outputs={CLASSIFICATION, REGRESSION},
    build=lambda cls, trajectory, **_: cls(trajectory))
VIEWS.register(
    "landscape", "vizkit.views.landscape:LossLandscape", called="the loss landscape",
    help="the loss over the plane of the weights' path",
    inputs={ONE_FEATURE, TWO_FEATURES, MANY_FEATURES}, outputs={CLASSIFICATION, REGRESSION},
    build=lambda cls, trajectory, **_: cls(trajectory), maps_inputs=False)
VIEWS.register(
    "image", "vizkit.views.image_classifier:ImageClassifierView",
    called="the image classifier's view",
    help="a test image's probabilities and feature maps", inputs={IMAGES},
    outputs={CLASSIFICATION},
    build=lambda cls, trajectory, *, image, **_: cls(trajectory, example=image or 0))
