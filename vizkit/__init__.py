"""vizkit: see what happens inside a small Keras network while it learns.

The public names load on first use, so ``import vizkit`` stays quick and does
not import TensorFlow.
"""

import importlib

from ._keras import apply_environment

apply_environment()  # TensorFlow's defaults must be set before it starts

__version__ = "0.1.0"

_PUBLIC = {
    "VizkitError": "errors",
    "Trajectory": "run.trajectory",
    "record": "recording.fit",
    "Recorder": "recording.callback",
    "LayerProbe": "inspect.probe",
    "InputGrid": "inspect.grid",
    "PlaneProjection": "inspect.projection",
    "Bounds": "inspect.limits",
    "StreamingCamera": "output.camera",
    "render_frames": "output.render",
    "new_figure": "output.render",
    "LayerSpaces": "views.spaces",
    "UnitMaps": "views.units",
    "NeuronView": "views.neuron_fit",
    "NetworkDiagram": "views.network",
    "Tween": "views.tween",
    "LossLandscape": "views.landscape",
    "ImageClassifierView": "views.image_classifier",
    "ImageSet": "data.image_sets",
    "record_image_run": "recording.image_run",
    "InputPlane": "inspect.input_plane",
    "LayerHealth": "inspect.layer_health",
    "animate": "animation",
    "Animation": "animation",
    "write_manifest": "output.manifest",
    "style": "style",
    "datasets": "data.datasets",
    "panels": "panels",
}

_MODULES = {"datasets", "panels"}  # public names that are modules, not their contents

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'vizkit' has no attribute {name!r}")
    module = importlib.import_module(f".{_PUBLIC[name]}", __name__)
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value
    return value
