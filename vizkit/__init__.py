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
    "Trajectory": "trajectory",
    "record": "recorder",
    "Recorder": "callback",
    "LayerProbe": "probe",
    "InputGrid": "grid",
    "PlaneProjection": "projection",
    "Bounds": "limits",
    "StreamingCamera": "camera",
    "render_frames": "render",
    "new_figure": "render",
    "LayerSpaces": "layer_spaces",
    "UnitMaps": "unit_maps",
    "NeuronView": "neuron",
    "NetworkDiagram": "network",
    "Tween": "tween",
    "LossLandscape": "landscape",
    "ImageClassifierView": "images",
    "ImageSet": "image_data",
    "record_image_run": "image_run",
    "InputPlane": "input_plane",
    "LayerHealth": "layer_health",
    "animate": "animation",
    "Animation": "animation",
    "write_manifest": "manifest",
    "style": "style",
    "datasets": None,
    "panels": None,
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'vizkit' has no attribute {name!r}")
    module = importlib.import_module(f".{_PUBLIC[name] or name}", __name__)
    value = module if _PUBLIC[name] is None else getattr(module, name)
    globals()[name] = value
    return value
