"""Rebuild a Keras model from its config, with no code from the file and no memory surprise.

A config is JSON, but Keras can turn parts of it into code: a ``Lambda``
layer carries Python byte code, other entries name functions to import.
vizkit refuses the first itself (whatever Keras's safe-mode setting is) and
leaves the rest to Keras's safe mode, which imports nothing outside Keras.
Before the model is built for real, its weights are declared without
memory (a Keras ``StatelessScope``) and their size checked.
"""

import copy
import json
import re
import warnings

import numpy as np

from .._keras import import_keras
from ..errors import VizkitError
from .safe_load import check_declared, reason

__all__ = ["parse_config", "model_from_config", "check_declared_weights",
           "restore_derived_state", "stateful_layer_types", "rebuild_error"]

_CODE = {"Lambda": "a Lambda layer", "__lambda__": "a Python lambda",
         "TorchModuleWrapper": "a wrapped PyTorch module"}
_STATEFUL_MODULES = ("preprocessing", "normalization", "regularization")


def parse_config(text, source):
    """The model config (a dict) from its JSON text; entries that carry code are refused."""
    try:
        config = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        raise VizkitError(f"{source}: its model config is not valid JSON; the file is "
                          "damaged, save or record it again") from None
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise VizkitError(f"{source}: its model config does not describe a Keras model; "
                          "save or record it again")
    _refuse_code(config, source)
    return config


def config_layer_names(config, prefix=""):
    """:func:`vizkit.inspect.probe.layer_names` of a model from its config (a dict), without
    building it: every layer but the inputs, a nested model's as ``outer/inner``."""
    names = []
    for layer in (config.get("config") or {}).get("layers") or ():
        if layer.get("class_name") == "InputLayer":
            continue
        name = prefix + str(layer["config"]["name"])
        names.append(name)
        if layer["config"].get("layers"):
            names += config_layer_names(layer, prefix=f"{name}/")
    return names


def _refuse_code(config, source):
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            what = _CODE.get(node.get("class_name"))
            if what:
                inner = node.get("config")
                name = inner.get("name") if isinstance(inner, dict) else None
                called = f" (layer {name!r})" if isinstance(name, str) else ""
                raise VizkitError(f"{source}: the model holds {what}{called}, Python code "
                                  "that vizkit never runs from a file; build that step from "
                                  "Keras layers and save the model again")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _deserialize(keras, config):
    """Keras's safe deserialization of a copy of ``config`` (Keras consumes the dicts it
    reads), without the compile settings: vizkit draws, it never needs the optimizer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.saving.deserialize_keras_object(
            copy.deepcopy(dict(config, compile_config=None)), safe_mode=True)


def model_from_config(config, source, *, check_size=False):
    """An uncompiled Keras model from a config dict made by :func:`parse_config`.

    With ``check_size``, the weights the config declares are counted first,
    without allocating them, and refused over the load limit.
    """
    keras = import_keras()
    if check_size:
        check_declared_weights(config, source)
    try:
        model = _deserialize(keras, config)
    except Exception as exc:  # Keras raises many kinds for a config it cannot follow
        raise rebuild_error(exc, source) from None
    if not isinstance(model, keras.Model):
        raise VizkitError(f"{source}: its config describes a {type(model).__name__}, not a "
                          "Keras model; save or record the model again")
    return model


def check_declared_weights(config, source):
    """Refuse a config whose weights would not fit the load limit (counted, not allocated)."""
    keras = import_keras()
    from keras.src.backend.common import global_state  # where Keras queues deferred variables

    pending = global_state.get_global_attribute("uninitialized_variables")
    try:
        with keras.StatelessScope(initialize_variables=False):
            n_bytes = sum(int(np.prod(v.shape, dtype=object)) * _itemsize(v.dtype)
                          for v in _deserialize(keras, config).weights)
    except Exception:  # the real build reports what is wrong with the config
        return
    finally:  # the declared variables must never be initialised
        global_state.set_global_attribute("uninitialized_variables", pending)
    check_declared(source, "the model's weights", n_bytes)


def _itemsize(dtype):
    try:
        return np.dtype(dtype).itemsize
    except TypeError:
        return 4


def rebuild_error(exc, source):
    """A one-line :class:`VizkitError` for an exception Keras raised while rebuilding."""
    innermost = str(exc).rsplit("Exception encountered:", 1)[-1]
    unknown = re.search(r"Could not (?:locate (class|function)|deserialize) '([^']+)'",
                        innermost)
    if unknown:
        kind, name = unknown.group(1) or "class", unknown.group(2)
        return VizkitError(f"{source}: its model names the {kind} {name!r}, which is neither "
                           "part of Keras nor registered in this session; vizkit loads no "
                           "other code, so rebuild the model from Keras layers")
    return VizkitError(f"{source}: Keras cannot rebuild its model ({reason(innermost)}); "
                       "save or record it again")


def _layers(model):
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _layers(layer)


def restore_derived_state(model):
    """Let every layer recompute what it derives from its weights, as loading a file does.

    ``set_weights`` only assigns variables. Keras's loaders also let a layer
    rebuild state it computes from them (an adapted ``Normalization`` turns
    its ``mean`` and ``variance`` weights into the constants it uses): the
    ``.keras`` loader through ``load_own_variables``, the HDF5 loader through
    ``finalize_state``. Both are done here, for layers at any depth.
    """
    keras = import_keras()
    for layer in _layers(model):
        if not layer.weights:
            continue
        if type(layer).load_own_variables is not keras.layers.Layer.load_own_variables:
            store = {}
            layer.save_own_variables(store)
            layer.load_own_variables(store)
        elif hasattr(layer, "finalize_state"):
            layer.finalize_state()
    return model


def stateful_layer_types(model):
    """Names of the model's layer types whose output depends on more than their weights
    (preprocessing, normalization, dropout and noise, non-trainable state); all types if none."""
    layers = [layer for layer in _layers(model) if type(layer).__name__ != "InputLayer"]
    stateful = {type(layer).__name__ for layer in layers
                if layer.non_trainable_weights or hasattr(layer, "finalize_state")
                or any(part in type(layer).__module__ for part in _STATEFUL_MODULES)}
    return sorted(stateful or {type(layer).__name__ for layer in layers})
