"""A recorded training run: the model's weights and metrics at every epoch.

One ``.npz`` file holds everything needed to draw the run again without
training: the Keras model config, the weights before training and after each
epoch, the metrics at those weights, the data, and how the run was made.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import VizkitError
from .checks import FORMAT, VERSION

__all__ = ["Trajectory"]


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
        :func:`~vizkit.recording.fit.record` puts the model's outputs on a few
        points here (``fingerprint_points``, ``fingerprint_outputs``; see
        :mod:`vizkit.run.fingerprint`): keep them when adding others.
    """

    model_config: str
    weights: tuple
    metrics: dict
    x: np.ndarray
    y: np.ndarray
    info: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)
    _source: str = field(default="the trajectory", init=False, repr=False, compare=False)
    _outputs_checked: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self):
        counts = {len(w) for w in self.weights} | {len(m) for m in self.metrics.values()}
        if len(counts) != 1:
            raise VizkitError(f"trajectory is inconsistent: frame counts {sorted(counts)} "
                              "differ between weights and metrics; record it again")

    @property
    def n_frames(self):
        """Number of recorded states, the untrained one included."""
        return len(self.weights[0])

    @property
    def frame_epochs(self):
        """The epoch of every frame: ``info["frame_epochs"]`` when the run kept only
        some epochs (``vizkit.Recorder(every=k)``), else frame k is epoch k."""
        return list(self.info.get("frame_epochs", range(self.n_frames)))

    @property
    def restored_epoch(self):
        """The epoch whose weights the trained model kept, when a callback restored an
        earlier one than the last frame's (``restore_best_weights``); else ``None``."""
        return self.info.get("restored_epoch")

    def final_metrics(self):
        """Every metric of the model the run kept, as plain floats: at the last frame,
        or at the epoch restored (see :attr:`restored_epoch`)."""
        if "restored_metrics" in self.info:
            return {name: float(v) for name, v in self.info["restored_metrics"].items()}
        frame = self.info.get("restored_frame", -1)
        return {name: float(values[frame]) for name, values in self.metrics.items()}

    def weights_at(self, frame):
        """The model's weights at ``frame``, as ``model.set_weights`` takes them."""
        return [w[frame] for w in self.weights]

    def set_frame(self, model, frame):
        """Put ``frame`` into ``model`` (from :meth:`build_model`): its weights, and the
        state layers derive from them (an adapted ``Normalization``'s mean, say), which
        ``model.set_weights`` alone leaves stale. Views call this for every frame."""
        from ..data.model_config import restore_derived_state

        model.set_weights(self.weights_at(frame))
        return restore_derived_state(model)

    def build_model(self, frame=-1):
        """A new Keras model from the stored config, at ``frame`` (see :meth:`set_frame`).

        Refused with a :class:`VizkitError` if the rebuilt model does not
        reproduce the outputs recorded with the run: it would not be the
        model that was trained.
        """
        from ..data.model_config import model_from_config, parse_config

        model = model_from_config(parse_config(self.model_config, self._source), self._source)
        self._check_outputs(model)
        return self.set_frame(model, frame)

    def _check_outputs(self, model):
        """Once per trajectory: ``model`` must reproduce the outputs recorded with the run."""
        from .fingerprint import check_outputs

        if not self._outputs_checked:
            check_outputs(self, model, self._source)
            object.__setattr__(self, "_outputs_checked", True)

    def save(self, path, overwrite=False):
        """Write the trajectory to ``path`` (``.npz``) as the commands write their files
        (:class:`~vizkit.run.transaction.OutputTransaction`): staged beside it, then moved
        into place. An existing file is an error unless ``overwrite``; missing folders
        are made. Returns ``path``."""
        from .transaction import OutputTransaction

        path = Path(path)
        with OutputTransaction(overwrite=overwrite) as files:
            files.check([path])
            files.write(path, self.write_npz)
            files.commit()
        return path

    def write_npz(self, file):
        """Write the trajectory's ``.npz`` content to the open binary ``file``."""
        arrays = {
            "format": np.array(FORMAT),
            "version": np.array(VERSION),
            "model_config": np.array(self.model_config),
            "info": np.array(json.dumps(self.info)),
            "x": self.x,
            "y": self.y,
        }
        arrays.update({f"weight_{i}": w for i, w in enumerate(self.weights)})
        arrays.update({f"metric_{name}": m for name, m in self.metrics.items()})
        arrays.update({f"extra_{name}": np.asarray(a) for name, a in self.extras.items()})
        np.savez_compressed(file, **arrays)

    @classmethod
    def load(cls, path):
        """Read a trajectory written by :meth:`save`, checked as a whole.

        Sizes are checked before anything is loaded (see :mod:`vizkit.data.safe_load`),
        then every array, the run info and the model config; the model is rebuilt
        once, compared with the stored weights and data, and must reproduce the
        outputs recorded with the run. Anything wrong is one :class:`VizkitError`.
        """
        from ..data.safe_load import read_npz
        from .checks import check_against_model, trajectory_fields

        path = Path(path)
        if not path.is_file():
            raise VizkitError(f"trajectory file {path} does not exist; record one first")
        arrays = read_npz(path, "a readable vizkit trajectory")
        trajectory = cls(**trajectory_fields(arrays, path.name))
        object.__setattr__(trajectory, "_source", path.name)  # names the file in errors
        trajectory._check_outputs(check_against_model(trajectory, path.name))
        return trajectory
