"""``vizkit.Recorder``: record a trajectory from your own ``model.fit``.

The recorder is a ``keras.callbacks.Callback``, so importing this module
imports Keras; ``vizkit.Recorder`` loads it on first use only.
"""

import hashlib
import math

import numpy as np

from .._keras import import_keras
from ..errors import VizkitError
from .fit import _evaluate
from ..run.trajectory import Trajectory

keras = import_keras()

__all__ = ["Recorder"]

DEFAULT_MAX_BYTES = 512 * 2**20


class Recorder(keras.callbacks.Callback):
    """Record the trajectory of ``model.fit``: weights and metrics at chosen epochs.

    ``Recorder(x, y, validation_split=0.2)`` with the arrays and the split you
    give ``model.fit(x, y, validation_split=0.2, callbacks=[recorder])``; then
    ``recorder.trajectory`` is what :func:`vizkit.record` returns: frame 0 the
    weights before training, then the weights after every ``every``-th epoch
    and after the last epoch run. When another callback leaves the model holding an
    earlier epoch's weights (``EarlyStopping(restore_best_weights=True)``), the
    trajectory says which: ``info["restored_epoch"]``, and ``info["restored_frame"]``
    when that epoch is a frame (else ``info["restored_metrics"]``, evaluated at those
    weights); :meth:`~vizkit.run.trajectory.Trajectory.final_metrics` is then the
    restored model's. Each frame's metrics are ``model.evaluate``'s
    at exactly those weights (not ``fit``'s running averages), on the training
    data (``loss``, ``accuracy``...) and on the validation data when there is
    some (``val_loss``, ``val_accuracy``...), without sample or class weights.

    Keras hands its callbacks the model and the logs, not ``fit``'s data, so
    the recorder is given the arrays: split as ``fit`` splits them (the last
    ``validation_split`` of the rows validate, before shuffling), or the
    validation arrays themselves, ``validation_data=(x_val, y_val)``.

    Parameters
    ----------
    x, y : array-like
        The data ``fit`` gets, to evaluate at every frame.
    validation_split : float, optional
        The share of ``x, y`` that ``fit`` validates on, as given to ``fit``.
    validation_data : (x_val, y_val), optional
        Validation data to evaluate at every frame (instead of a split).
    every : int
        Record every ``every``-th epoch (and the last one); frames then keep
        their epoch numbers in ``info["frame_epochs"]``.
    max_bytes : int
        Most memory the recorded weights may take; ``fit`` is refused before
        its first epoch if the frames could need more.
    """

    def __init__(self, x=None, y=None, *, validation_split=None, validation_data=None,
                 every=1, max_bytes=DEFAULT_MAX_BYTES):
        super().__init__()
        if x is None and y is None:
            raise VizkitError("Recorder needs the arrays model.fit trains on (Keras does not "
                              "give them to callbacks); fix: Recorder(x, y, "
                              "validation_split=...) with fit's x, y and validation_split")
        if (x is None) != (y is None):
            raise VizkitError("Recorder got only one of x and y; give both")
        if validation_split is not None and validation_data is not None:
            raise VizkitError("Recorder got both validation_split and validation_data; "
                              "give the one you give fit")
        if not isinstance(every, int) or every < 1:
            raise VizkitError(f"Recorder(every={every!r}) must be a whole number of epochs, "
                              "1 or more")
        if not max_bytes > 0:
            raise VizkitError(f"Recorder(max_bytes={max_bytes!r}) must be a positive number "
                              "of bytes")
        train = _arrays(x, y, "Recorder(x, y)")
        validation = None
        if validation_split is not None:
            train, validation = _split(train, validation_split)
        elif validation_data is not None:
            validation = _arrays(*_pair(validation_data), "Recorder(validation_data=...)")
        self._sets = {"": train, **({"val_": validation} if validation else {})}
        self.every = every
        self.max_bytes = max_bytes
        self._epochs, self._ended = [], False

    def on_train_begin(self, logs=None):
        self._epochs, self._digests, self._restored, self._ended = [], {}, None, False

    def on_epoch_begin(self, epoch, logs=None):
        if not self._epochs:
            self._start(epoch)

    def on_epoch_end(self, epoch, logs=None):
        epoch += 1
        weights = self.model.get_weights()
        self._digests.setdefault(_digest(weights), epoch)
        if epoch % self.every == 0:
            self._add_frame(epoch, weights)
            self._pending = None
        else:
            self._pending = (epoch, weights)

    def on_train_end(self, logs=None):
        self._ended = True
        if not self._epochs:
            return  # fit ran no epoch
        if self._pending is not None:
            # Other callbacks may have changed the weights since (restore_best_weights).
            epoch, weights = self._pending
            current = self.model.get_weights()
            self.model.set_weights(weights)
            try:
                self._add_frame(epoch, weights)
            finally:
                self.model.set_weights(current)
            self._pending = None
        self._run["info"]["stopped_early"] = self._epochs[-1] < self.params["epochs"]

    def _start(self, first):
        """Before ``fit``'s first epoch (``first``, its ``initial_epoch``): check the
        memory, make room for the frames and record frame 0."""
        initial = self.model.get_weights()
        epochs = self.params["epochs"]
        self._check_memory(initial, epochs, first)
        (x, y), validation = self._sets[""], self._sets.get("val_")
        self._run = dict(
            model_config=self.model.to_json(), x=x, y=y,
            extras=dict(zip(("val_x", "val_y"), validation or ())),
            info=dict(recorded_by="keras.callbacks", epochs=epochs, loss=_loss_of(self.model),
                      steps_per_epoch=self.params.get("steps"), every=self.every,
                      stopped_early=False))
        self._weights = [np.empty((self._most_frames(epochs, first), *w.shape), w.dtype)
                         for w in initial]
        self._metrics, self._pending = {}, None
        self._digests = {_digest(initial): first}
        self._add_frame(first, initial)

    @property
    def trajectory(self):
        """The frames recorded so far, as a :class:`~vizkit.run.trajectory.Trajectory`."""
        if not self._epochs:
            raise VizkitError("the Recorder has recorded nothing yet; fix: pass it to "
                              "model.fit(..., callbacks=[recorder]) first")
        n = len(self._epochs)
        run = self._run
        return Trajectory(
            model_config=run["model_config"],
            weights=tuple(w[:n] for w in self._weights),
            metrics={k: np.asarray(v, dtype=np.float64) for k, v in self._metrics.items()},
            x=run["x"], y=run["y"], extras=run["extras"],
            info=dict(run["info"], epochs_run=self._epochs[-1] - self._epochs[0],
                      frame_epochs=list(self._epochs), **self._restored_info()))

    def _restored_info(self):
        """Which epoch the model holds when that is not the last frame's: a callback
        restored it (``restore_best_weights``). Asked when the trajectory is read, after
        ``fit`` returned, because callbacks end training in the order ``fit`` got them.
        An epoch's weights are known by their digest; weights of no epoch say nothing."""
        if not self._ended:
            return {}  # fit is still running: the weights are its latest epoch's
        if self._restored is None:
            epoch = self._digests.get(_digest(self.model.get_weights()))
            self._restored = {}
            if epoch is not None and epoch != self._epochs[-1]:
                self._restored["restored_epoch"] = epoch
                if epoch in self._epochs:
                    self._restored["restored_frame"] = self._epochs.index(epoch)
                else:
                    self._restored["restored_metrics"] = {
                        prefix + name: float(value) for prefix, (x, y) in self._sets.items()
                        for name, value in _evaluate(self.model, x, y).items()}
        return self._restored

    def _add_frame(self, epoch, weights):
        """Store ``weights`` as the next frame, with the metrics the model has now."""
        for store, w in zip(self._weights, weights):
            store[len(self._epochs)] = w
        for prefix, (x, y) in self._sets.items():
            for name, value in _evaluate(self.model, x, y).items():
                self._metrics.setdefault(prefix + name, []).append(float(value))
        self._epochs.append(epoch)

    def _most_frames(self, epochs, first):
        """Frames a fit from epoch ``first`` to ``epochs`` can record, the first included."""
        return 1 + max(0, math.ceil(epochs / self.every) - first // self.every)

    def _check_memory(self, weights, epochs, first):
        per_frame = sum(w.nbytes for w in weights)
        frames = self._most_frames(epochs, first)
        if per_frame * frames <= self.max_bytes:
            return
        fits = self.max_bytes // per_frame
        fix = (f"Recorder(every={math.ceil(epochs / (fits - 1))}) to keep fewer frames, or a "
               "larger max_bytes" if fits >= 2 else "a larger Recorder(max_bytes=...)")
        raise VizkitError(f"recording {frames} frames of {_size(per_frame)} of weights needs "
                          f"{_size(per_frame * frames)}, over max_bytes={_size(self.max_bytes)}; "
                          f"fix: {fix}")


def _loss_of(model):
    """The compiled loss as JSON (a name, or Keras's config of it), for views that
    evaluate it again (the loss landscape); ``None`` if Keras cannot serialise it."""
    loss = getattr(model, "loss", None)
    if loss is None or isinstance(loss, str):
        return loss
    try:
        return keras.losses.serialize(loss)
    except (TypeError, ValueError):
        return None


def _digest(weights):
    """A fingerprint of a model's weights: equal weights, equal digests."""
    digest = hashlib.sha256()
    for w in weights:
        digest.update(str(w.shape).encode())
        digest.update(np.ascontiguousarray(w).tobytes())
    return digest.hexdigest()


def _pair(data):
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise VizkitError("Recorder(validation_data=...) must be a pair (x_val, y_val)")
    return data


def _split(arrays, validation_split):
    """``(train, validation)`` as ``fit(validation_split=...)`` splits: the last
    ``validation_split`` of the rows (rounded up) validate."""
    x, y = arrays
    if not (isinstance(validation_split, (int, float)) and 0 < validation_split < 1):
        raise VizkitError(f"Recorder(validation_split={validation_split!r}) must be a share "
                          "between 0 and 1, the one given to fit")
    split_at = math.floor(len(x) * (1 - validation_split))
    if not 0 < split_at < len(x):
        raise VizkitError(f"Recorder(validation_split={validation_split!r}) leaves {split_at} "
                          f"of {len(x)} rows for training and {len(x) - split_at} for "
                          "validation; fix: more rows, or a share that leaves some for both")
    return (x[:split_at], y[:split_at]), (x[split_at:], y[split_at:])


def _arrays(x, y, source):
    """``(x, y)`` as NumPy arrays, or a one-line error naming ``source`` and the fix."""
    if not (hasattr(x, "shape") and hasattr(y, "shape")):
        kind = type(x if not hasattr(x, "shape") else y).__name__
        raise VizkitError(f"Recorder needs arrays to evaluate on, but {source} is a {kind}; "
                          "fix: pass the arrays, Recorder(x, y, validation_data=(x_val, y_val))")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise VizkitError(f"{source}: x has {len(x)} rows but y has {len(y)}; give one label "
                          "per row")
    return x, y


def _size(n_bytes):
    """``n_bytes`` for people: ``3.2 MiB``."""
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        n_bytes /= 1024
        if n_bytes < 1024 or unit == "GiB":
            return f"{n_bytes:.1f} {unit}"
