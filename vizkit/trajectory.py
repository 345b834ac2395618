"""A recorded training run: the model's weights and metrics at every epoch.

One ``.npz`` file holds everything needed to draw the run again without
training: the Keras model config, the weights before training and after each
epoch, the metrics at those weights, the data, and how the run was made.
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import VizkitError

__all__ = ["Trajectory"]

_FORMAT = "vizkit-trajectory"
_VERSION = 1


@dataclass(frozen=True)
class Trajectory:
    """Weights and metrics of a model at frames 0..n-1 (frame k = after epoch k).

    Attributes
    ----------
    model_config : str
        The model as ``model.to_json()`` wrote it.
    weights : tuple of ndarray
        One array per weight of the model, each shaped ``(n_frames, *shape)``.
    metrics : dict of str to ndarray
        Each metric at every frame, shape ``(n_frames,)``: ``loss``,
        ``accuracy``, and ``test_loss`` etc. for other evaluation sets.
    x, y : ndarray
        The training data.
    info : dict
        How the run was made (seed, epochs, parameters); JSON-serialisable.
    extras : dict of str to ndarray
        Arrays a scene needs to draw the run again without training (a test
        set, results of side experiments); numeric, saved as ``extra_NAME``.
    """

    model_config: str
    weights: tuple
    metrics: dict
    x: np.ndarray
    y: np.ndarray
    info: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)

    def __post_init__(self):
        counts = {len(w) for w in self.weights} | {len(m) for m in self.metrics.values()}
        if len(counts) != 1:
            raise VizkitError(f"trajectory is inconsistent: frame counts {sorted(counts)} "
                              "differ between weights and metrics; record it again")

    @property
    def n_frames(self):
        """Number of recorded states, the untrained one included."""
        return len(self.weights[0])

    def final_metrics(self):
        """Every metric at the last frame, as plain floats."""
        return {name: float(values[-1]) for name, values in self.metrics.items()}

    def weights_at(self, frame):
        """The model's weights at ``frame``, as ``model.set_weights`` takes them."""
        return [w[frame] for w in self.weights]

    def build_model(self, frame=-1):
        """A new Keras model from the stored config, with the weights of ``frame``."""
        from ._keras import import_keras

        keras = import_keras()
        model = keras.models.model_from_json(self.model_config)
        model.set_weights(self.weights_at(frame))
        return model

    def save(self, path):
        """Write the trajectory to ``path`` (``.npz``), atomically."""
        path = Path(path)
        arrays = {
            "format": np.array(_FORMAT),
            "version": np.array(_VERSION),
            "model_config": np.array(self.model_config),
            "info": np.array(json.dumps(self.info)),
            "x": self.x,
            "y": self.y,
        }
        arrays.update({f"weight_{i}": w for i, w in enumerate(self.weights)})
        arrays.update({f"metric_{name}": m for name, m in self.metrics.items()})
        arrays.update({f"extra_{name}": np.asarray(a) for name, a in self.extras.items()})
        tmp = path.with_name(f".{path.name}.partial")
        try:
            with open(tmp, "wb") as f:
                np.savez_compressed(f, **arrays)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    @classmethod
    def load(cls, path):
        """Read a trajectory written by :meth:`save`."""
        path = Path(path)
        if not path.is_file():
            raise VizkitError(f"trajectory file {path} does not exist; record one first")
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["format"]) != _FORMAT:
                    raise ValueError("not a trajectory")
                if int(data["version"]) > _VERSION:
                    raise VizkitError(f"{path} was written by a newer vizkit "
                                      f"(format {int(data['version'])}); upgrade vizkit")
                n_weights = sum(1 for k in data.files if k.startswith("weight_"))
                return cls(
                    model_config=str(data["model_config"]),
                    weights=tuple(data[f"weight_{i}"] for i in range(n_weights)),
                    metrics={k[len("metric_"):]: data[k] for k in data.files
                             if k.startswith("metric_")},
                    x=data["x"],
                    y=data["y"],
                    info=json.loads(str(data["info"])),
                    extras={k[len("extra_"):]: data[k] for k in data.files
                            if k.startswith("extra_")},
                )
        except VizkitError:
            raise
        except Exception as exc:  # zip, npy, key and JSON errors all mean the same
            raise VizkitError(f"{path} is not a readable vizkit trajectory "
                              f"({type(exc).__name__}); record it again") from None
