"""A JSON sidecar beside every artifact: how it was made."""

import json
import os
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

__all__ = ["write_manifest", "manifest_record", "write_json", "tensorflow_settings"]

_PACKAGES = ("vizkit", "tensorflow-cpu", "tensorflow", "keras", "matplotlib", "numpy",
             "imageio", "imageio-ffmpeg")


def _versions():
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    versions["python"] = platform.python_version()
    return versions


def manifest_record(artifact, *, scene, parameters, seed, frames, metrics, files=None,
                    frame_size=None):
    """How ``artifact`` was made, as a JSON-ready dict.

    Records the scene, its parameters and seed, package versions, the number
    of frames and their pixel size, the final metrics and the files written.
    """
    return {
        "artifact": Path(artifact).name,
        "files": [Path(f).name for f in (files or [artifact])],
        "scene": scene,
        "parameters": parameters,
        "seed": seed,
        "frames": frames,
        "frame_size": list(frame_size) if frame_size else None,
        "final_metrics": metrics,
        "versions": _versions(),
        "environment": tensorflow_settings(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def tensorflow_settings():
    """The TensorFlow settings in force in this process, as a manifest records them."""
    return {k: os.environ[k] for k in ("TF_ENABLE_ONEDNN_OPTS", "TF_NUM_INTRAOP_THREADS",
                                       "TF_NUM_INTEROP_THREADS") if k in os.environ}


def write_json(path, record):
    """Write ``record`` as indented JSON to ``path`` as given (the caller stages it)."""
    from ..run.transaction import os_error

    try:
        Path(path).write_text(json.dumps(record, indent=2, default=_jsonable) + "\n")
    except OSError as exc:
        raise os_error(exc, path) from None
    return path


def write_manifest(artifact, **fields):
    """Write ``<artifact>.json`` atomically (fields as :func:`manifest_record`); its path."""
    from .files import manifest_of
    from ..run.transaction import OutputTransaction

    path = manifest_of(artifact)
    with OutputTransaction(overwrite=True) as run:
        write_json(run.stage(path), manifest_record(artifact, **fields))
        run.commit()
    return path


def _jsonable(value):
    """numpy scalars and paths in parameters."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)
