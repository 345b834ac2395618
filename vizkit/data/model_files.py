"""Load a user's saved Keras model, compile it if asked, and check it fits vizkit."""

import logging
import warnings
import zipfile
from pathlib import Path

from .._keras import defined_tensors, import_keras
from ..errors import VizkitError, parameter
from .model_config import check_declared_weights, parse_config, rebuild_error
from ..inspect.readout import Readout
from .safe_load import (check_file_size, check_h5_datasets, npy_members, open_zip,
                        read_zip_member, reason)
from ..seeding import set_seed

__all__ = ["load_model", "compile_model", "check_model"]

OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw", "adagrad", "nadam")

_SAVE = "save the model with model.save('model.keras')"
_NOT_A_MODEL = "is not a Keras model file"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"  # where Keras writes it: at the start


def load_model(path, need_optimizer=True, seed=None):
    """A Keras model from a ``.keras`` (or ``.h5``) file, or a one-line error.

    The file is checked before Keras reads it: sizes against the load limit
    (:mod:`vizkit.data.safe_load`), no code in its config
    (:func:`vizkit.data.model_config.parse_config`), its weights declared within the
    limit. The model comes compiled as it was saved; if Keras cannot restore
    that optimizer or loss, it is a one-line error asking for ``loss``, or,
    with ``need_optimizer=False`` (a ``loss`` was given), the model uncompiled.
    ``seed`` seeds Keras just before it reads the file: building the layers draws
    the seeds of dropout and other random layers, which the file does not hold.
    """
    path = Path(path)
    if not path.is_file():
        raise VizkitError(f"model file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".keras":
        text = _archive_config(path)
    elif suffix in (".h5", ".hdf5"):
        text = _h5_config(path)
    else:
        raise VizkitError(f"model file {path.name} is neither .keras nor .h5; {_SAVE}")
    check_declared_weights(parse_config(text, path.name), path.name)
    keras = import_keras()
    if seed is not None:
        set_seed(seed)
    try:
        model = _keras_load(keras, path, compile=True)
    except Exception as exc:  # keras raises many kinds for a bad file
        model = _uncompiled(keras, path)
        if model is None:
            raise rebuild_error(exc, path.name) from None
        if need_optimizer:
            raise VizkitError(f"{path.name}: Keras {keras.__version__} cannot restore the "
                              f"optimizer or loss it was saved with ({reason(exc)}); give "
                              f"{parameter('loss')} (and {parameter('optimizer')}, "
                              f"{parameter('learning_rate')}) to compile it afresh") from None
        return model
    if suffix != ".keras" and getattr(model, "optimizer", None) is not None:
        _fresh_optimizer(model, path.name)
    return model


def _archive_config(path):
    """The config of a ``.keras`` zip, once its members and weights are within limits."""
    if not zipfile.is_zipfile(path):
        raise VizkitError(f"could not load model {path.name}: it {_NOT_A_MODEL} (not a zip "
                          f"archive); {_SAVE}")
    with open_zip(path, "a Keras model file") as archive:
        names = archive.namelist()
        if "config.json" not in names:
            raise VizkitError(f"could not load model {path.name}: it {_NOT_A_MODEL} (no "
                              f"config.json inside); {_SAVE}")
        for name in {"model.weights.h5", "model.weights.npz"} & set(names):
            _check_archived_weights(archive, name, path.name)
        return read_zip_member(archive, "config.json", path.name).decode("utf-8", "replace")


def _check_archived_weights(archive, name, source):
    """The sizes the weights file inside a ``.keras`` declares (it may compress)."""
    import h5py

    try:
        with archive.open(name) as f:
            if name.endswith(".npz"):
                with zipfile.ZipFile(f) as weights:
                    npy_members(weights, source)
            elif f.read(len(_HDF5_SIGNATURE)) != _HDF5_SIGNATURE:
                raise ValueError("no HDF5 signature")
            else:
                with h5py.File(f, "r") as weights:
                    check_h5_datasets(weights, source)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise VizkitError(f"{source}: its weights are not readable ({reason(exc)}); "
                          f"{_SAVE}") from None


def _h5_config(path):
    """The model config of a legacy ``.h5`` file, once its datasets are within limits."""
    import h5py

    check_file_size(path)
    try:
        with h5py.File(path, "r") as f:
            check_h5_datasets(f, path.name)
            text = f.attrs.get("model_config")
    except OSError:
        raise VizkitError(f"could not load model {path.name}: it {_NOT_A_MODEL} (not HDF5); "
                          f"{_SAVE}") from None
    if text is None:
        raise VizkitError(f"{path.name} holds weights but no model; {_SAVE}")
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _keras_load(keras, path, compile):
    """Keras's own loader in safe mode, without its notes on what it could not restore
    (an untrained model's missing optimizer state, legacy arguments, metrics not built)."""
    absl = logging.getLogger("absl")
    level = absl.level
    absl.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return keras.models.load_model(path, compile=compile, safe_mode=True)
    finally:
        absl.setLevel(level)


def _uncompiled(keras, path):
    """The model without its optimizer and loss, or ``None`` if even that fails."""
    try:
        return _keras_load(keras, path, compile=False)
    except Exception:
        return None


def _fresh_optimizer(model, source):
    """Give an ``.h5`` model a new optimizer with its saved settings.

    Keras 3's HDF5 loader builds the restored optimizer for no variables (it
    asks the model, not its layers), so the first training step fails; its
    saved state is lost either way, as Keras itself warns when it can tell.
    """
    try:
        model.compile_from_config(model.get_compile_config())
    except Exception as exc:
        raise VizkitError(f"{source}: its optimizer cannot be rebuilt ({reason(exc)}); give "
                          f"{parameter('loss')} (and {parameter('optimizer')}, "
                          f"{parameter('learning_rate')}) to compile it afresh") from None


def compile_model(model, loss=None, optimizer=None, learning_rate=None):
    """Compile with the given settings, keeping the model's own where none are given.

    A model that was never compiled needs ``loss``. The loss and the output
    layer must make a model vizkit can read (see :class:`~vizkit.inspect.readout.Readout`);
    a classifier gets an ``accuracy`` metric that follows the same rule (a logit
    is class 1 above 0, a probability above 0.5), a compiled one without
    accuracy by recompiling with its own optimizer and loss. A regression gets
    none: :func:`~vizkit.recording.fit.record` measures ``mae`` and ``r2`` itself.
    """
    keras = import_keras()
    compiled = (getattr(model, "optimizer", None) is not None
                and getattr(model, "loss", None) is not None)
    if compiled and loss is None and optimizer is None and learning_rate is None:
        accuracy = _accuracy_metric(keras, Readout.of(model))
        if accuracy is not None and not _measures_accuracy(model):
            # the same optimizer object: its state is kept
            model.compile(optimizer=model.optimizer, loss=model.loss, metrics=[accuracy])
        return model
    if loss is None and not compiled:
        raise VizkitError(f"the model is not compiled; give {parameter('loss')} (e.g. "
                          "binary_crossentropy, sparse_categorical_crossentropy, mse)")
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


def check_model(model, images=False):
    """The model must take one vector of features (or, with ``images``, one input of
    any shape) and produce one output tensor."""
    inputs = defined_tensors(model, "inputs")
    if not inputs:
        raise VizkitError("the model has no defined input; build it with "
                          "keras.Input(shape=(n_features,))")
    vector = images or (len(inputs[0].shape) == 2 and inputs[0].shape[-1] is not None)
    if len(inputs) != 1 or not vector:
        shapes = ", ".join(str(tuple(i.shape)) for i in inputs)
        raise VizkitError(f"the model's input is {shapes}; vizkit animate draws models "
                          "whose one input is a vector of features, keras.Input(shape=(n,))")
    if len(model.outputs) != 1:
        raise VizkitError(f"the model has {len(model.outputs)} outputs; vizkit needs one")
    return model


def check_features(model, x, source="the data"):
    """The data's feature columns must be the model's input width (after :func:`check_model`)."""
    expected, found = int(model.inputs[0].shape[-1]), int(x.shape[1])
    if found != expected:
        raise VizkitError(f"{source} has {found} feature column(s) but the model takes "
                          f"{expected}; give {expected} feature columns, then the label")
