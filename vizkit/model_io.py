"""Load a user's saved Keras model, compile it if asked, and check it fits vizkit."""

import warnings
from pathlib import Path

from ._keras import import_keras
from .errors import VizkitError
from .readout import Readout

__all__ = ["load_model", "compile_model", "check_model"]

OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw", "adagrad", "nadam")


def load_model(path):
    """A Keras model from a ``.keras`` (or ``.h5``) file, or a one-line error."""
    path = Path(path)
    if not path.is_file():
        raise VizkitError(f"model file {path} does not exist")
    keras = import_keras()
    try:
        with warnings.catch_warnings():
            # A model saved before training has no optimizer state to restore.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model = keras.models.load_model(path, compile=True)
    except Exception as exc:  # keras raises many kinds for a bad file
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else \
            type(exc).__name__
        raise VizkitError(f"could not load model {path.name} ({reason}); save it with "
                          "model.save('model.keras')") from None
    return model


def compile_model(model, loss=None, optimizer=None, learning_rate=None):
    """Compile with the given settings, keeping the model's own where none are given.

    A model that was never compiled needs ``loss``. The loss and the output
    layer must make a model vizkit can read (see :class:`~vizkit.readout.Readout`);
    a classifier gets an ``accuracy`` metric that follows the same rule (a logit
    is class 1 above 0, a probability above 0.5), a compiled one without
    accuracy by recompiling with its own optimizer and loss. A regression gets
    none: :func:`~vizkit.recorder.record` measures ``mae`` and ``r2`` itself.
    """
    keras = import_keras()
    compiled = getattr(model, "optimizer", None) is not None and \
        getattr(model, "loss", None) is not None
    if compiled and loss is None and optimizer is None and learning_rate is None:
        accuracy = _accuracy_metric(keras, Readout.of(model))
        if accuracy is not None and not _measures_accuracy(model):
            # the same optimizer object: its state is kept
            model.compile(optimizer=model.optimizer, loss=model.loss, metrics=[accuracy])
        return model
    if loss is None and not compiled:
        raise VizkitError("the model is not compiled; give --loss (e.g. binary_crossentropy, "
                          "sparse_categorical_crossentropy, mse)")
    try:
        loss = keras.losses.get(loss) if loss is not None else model.loss
    except (ValueError, TypeError):
        raise VizkitError(f"unknown loss {loss!r}; use a Keras loss name such as "
                          "binary_crossentropy") from None
    accuracy = _accuracy_metric(keras, Readout.of(model, loss=loss))
    name = optimizer or (type(model.optimizer).__name__.lower() if compiled else "adam")
    if name not in OPTIMIZERS:
        raise VizkitError(f"unknown optimizer {name!r}; use one of: {', '.join(OPTIMIZERS)}")
    rate = learning_rate
    if rate is None:
        rate = float(model.optimizer.learning_rate) if compiled and optimizer is None else 0.01
    model.compile(optimizer=keras.optimizers.get({"class_name": name,
                                                   "config": {"learning_rate": rate}}),
                  loss=loss, metrics=[] if accuracy is None else [accuracy])
    return model


def _accuracy_metric(keras, readout):
    """Keras's accuracy by ``readout``'s rule, named ``accuracy``; None for a regression."""
    if readout.is_regression:
        return None
    if readout.n_outputs == 1:
        threshold = 0.0 if readout.kind == "binary-logit" else 0.5
        return keras.metrics.BinaryAccuracy(name="accuracy", threshold=threshold)
    return keras.metrics.SparseCategoricalAccuracy(name="accuracy")


def _measures_accuracy(model):
    """Whether the model was compiled with an accuracy metric."""
    config = getattr(model, "get_compile_config", lambda: None)() or {}
    return "acc" in repr(config.get("metrics", ""))


def check_model(model):
    """The model must take 2 features and produce one output tensor."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise VizkitError("the model has no defined input; build it with keras.Input(shape=(2,))")
    if len(inputs) != 1 or inputs[0].shape[-1] != 2:
        shapes = ", ".join(str(tuple(i.shape)) for i in inputs)
        raise VizkitError(f"the model's input is {shapes}; vizkit draws models of 2 input "
                          "features (x0, x1)")
    if len(model.outputs) != 1:
        raise VizkitError(f"the model has {len(model.outputs)} outputs; vizkit needs one")
    return model
