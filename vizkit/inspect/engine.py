"""A recorded model computed with numpy alone: no TensorFlow, no Keras.

:class:`NumpyModel` reads the Keras config a run stored (the JSON of
``model.to_json()``) and computes, for a frame's weights (``model.get_weights()``
order), every layer's output as :class:`~vizkit.inspect.probe.LayerProbe` reads it
from Keras, in float32, equal to Keras within float32 rounding. It knows the layers
small networks use (see :data:`LAYERS`) and nested and functional models built of
them; anything else raises :class:`UnsupportedModel` when the config is read, so a
caller falls back to Keras before drawing anything.
"""

import json
import math
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from ..errors import VizkitError, parameter
from .activations import activation_function, elu, leaky_relu, relu, softmax

__all__ = ["NumpyModel", "UnsupportedModel", "LAYERS", "ENGINES", "use_engine",
           "engine_choice", "check_engine"]

#: Who computes layer outputs: ``auto`` (numpy when it knows every layer, else Keras),
#: ``numpy`` (refused with :class:`UnsupportedModel` when it does not) or ``keras``.
ENGINES = ("auto", "numpy", "keras")
_CHOICE = ContextVar("vizkit_engine", default="auto")

_EPSILON = 1e-7  # keras.backend.epsilon(), Normalization's floor on the deviation


class UnsupportedModel(VizkitError):
    """The numpy engine cannot compute this model (a layer or setting it does not
    know); Keras can."""


def _unsupported(layer, what):
    return UnsupportedModel(f"the numpy engine cannot compute layer {layer!r} ({what}); "
                            "let Keras compute the model")


def check_engine(engine):
    """``engine`` if it is one of :data:`ENGINES`, else a one-line error."""
    if engine not in ENGINES:
        raise VizkitError(f"{parameter('engine', engine)} is not an engine; choose one of "
                          f"{', '.join(ENGINES)}")
    return engine


def engine_choice():
    """The engine chosen for probes made now (see :func:`use_engine`; default ``auto``)."""
    return _CHOICE.get()


@contextmanager
def use_engine(engine):
    """Within the block, probes made without an explicit engine use ``engine``."""
    token = _CHOICE.set(check_engine(engine))
    try:
        yield
    finally:
        _CHOICE.reset(token)


class _Layer:
    """One layer: how many weights it takes and what it computes from its inputs."""

    def __init__(self, name, call, n_weights=0):
        self.name, self.call, self.n_weights = name, call, n_weights

    def __call__(self, inputs, weights, record, prefix):
        return self.call(*inputs, *weights)


def _option(config, key, name, allowed):
    value = config.get(key)
    if value not in allowed:
        raise _unsupported(name, f"{key}={value!r}")
    return value


def _activation(config, name, key="activation"):
    function = activation_function(config.get(key))
    if function is None:
        raise _unsupported(name, f"activation {config.get(key)!r}")
    return function


def _float32(x):
    return np.asarray(x, dtype=np.float32)


def _dense(config, name):
    _option(config, "lora_rank", name, (None, 0))
    _option(config, "quantization_config", name, (None,))
    act = _activation(config, name)
    if config.get("use_bias", True):
        return _Layer(name, lambda x, kernel, bias: act(_float32(x) @ kernel + bias), 2)
    return _Layer(name, lambda x, kernel: act(_float32(x) @ kernel), 1)


def _activation_layer(config, name):
    act = _activation(config, name)
    return _Layer(name, act)


def _relu_layer(config, name):
    options = {key: config[key] for key in ("negative_slope", "max_value", "threshold")
               if config.get(key) is not None}
    return _Layer(name, lambda x: relu(x, **options))


def _keep_axes(axis, ndim):
    axes = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    return sorted(a % ndim for a in axes)


def _broadcast(values, ndim, keep):
    """``values`` (shaped like the kept axes, or a scalar) shaped to broadcast on inputs."""
    values = np.asarray(values, dtype=np.float32)
    if values.ndim == 0:
        return values
    target = [1] * ndim
    for axis, size in zip(keep[len(keep) - values.ndim:], values.shape):
        target[axis] = size
    return values.reshape(target)


def _normalization(config, name):
    invert = bool(config.get("invert", False))
    axis = config.get("axis", -1)

    def normalize(x, mean, variance):
        x = _float32(x)
        keep = _keep_axes(axis, x.ndim)
        mean = _broadcast(mean, x.ndim, keep)
        deviation = np.maximum(np.sqrt(_broadcast(variance, x.ndim, keep)),
                               np.float32(_EPSILON))
        return (mean + x * deviation) if invert else (x - mean) / deviation

    if config.get("mean") is None:  # adapted: mean, variance and count are weights
        return _Layer(name, lambda x, mean, variance, count: normalize(x, mean, variance), 3)
    mean, variance = config.get("mean"), config.get("variance")
    if not all(isinstance(v, (int, float, list)) for v in (mean, variance)):
        raise _unsupported(name, "a mean and variance given in a form it does not read")
    return _Layer(name, lambda x: normalize(x, mean, variance))


def _rescaling(config, name):
    scale, offset = config.get("scale", 1.0), config.get("offset", 0.0)
    if not all(isinstance(v, (int, float)) for v in (scale, offset)):
        raise _unsupported(name, "a scale or offset per channel")
    return _Layer(name, lambda x: _float32(x) * np.float32(scale) + np.float32(offset))


def _batch_normalization(config, name):
    if config.get("renorm") or config.get("synchronized"):
        raise _unsupported(name, "batch renormalization")
    axis, epsilon = config.get("axis", -1), config.get("epsilon", 1e-3)
    center, scale = config.get("center", True), config.get("scale", True)

    def normalize(x, *weights):
        x = _float32(x)
        weights = list(weights)
        gamma = weights.pop(0) if scale else None
        beta = weights.pop(0) if center else None
        mean, variance = weights
        keep = _keep_axes(axis, x.ndim)
        shaped = [None if w is None else _broadcast(w, x.ndim, keep)
                  for w in (gamma, beta, mean, variance)]
        gamma, beta, mean, variance = shaped
        inverse = 1.0 / np.sqrt(variance + np.float32(epsilon))
        if gamma is not None:
            inverse = inverse * gamma
        out = x * inverse - mean * inverse
        return out + beta if beta is not None else out

    return _Layer(name, normalize, 2 + bool(center) + bool(scale))


def _flatten(config, name):
    channels_first = config.get("data_format") == "channels_first"

    def flatten(x):
        x = _float32(x)
        if channels_first and x.ndim > 2:
            x = np.moveaxis(x, 1, -1)
        return x.reshape(len(x), -1)

    return _Layer(name, flatten)


def _reshape(config, name):
    target = tuple(config["target_shape"])
    return _Layer(name, lambda x: _float32(x).reshape((len(x), *target)))


def _merge(function):
    def build(config, name):
        return _Layer(name, lambda *inputs: _float32(function(inputs, config)))
    return build


def _concatenate(inputs, config):
    return np.concatenate([_float32(x) for x in inputs], axis=config.get("axis", -1))


def _identity(config, name):
    return _Layer(name, _float32)


def _softmax_layer(config, name):
    axis = config.get("axis", -1)
    return _Layer(name, lambda x: softmax(x, axis=axis))


def _leaky_relu_layer(config, name):
    slope = config.get("negative_slope", config.get("alpha", 0.3))
    return _Layer(name, lambda x: leaky_relu(x, negative_slope=slope))


def _elu_layer(config, name):
    alpha = config.get("alpha", 1.0)
    return _Layer(name, lambda x: elu(x, alpha=alpha))


_IDENTITY_TYPES = ("Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                   "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                   "ActivityRegularization", "Identity")

#: What the engine computes: a layer's class name in a config → how it is built.
LAYERS = {
    "Dense": _dense,
    "Activation": _activation_layer,
    "ReLU": _relu_layer,
    "LeakyReLU": _leaky_relu_layer,
    "ELU": _elu_layer,
    "Softmax": _softmax_layer,
    "Normalization": _normalization,
    "Rescaling": _rescaling,
    "BatchNormalization": _batch_normalization,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Add": _merge(lambda xs, c: sum(_float32(x) for x in xs)),
    "Subtract": _merge(lambda xs, c: _float32(xs[0]) - _float32(xs[1])),
    "Multiply": _merge(lambda xs, c: math.prod(_float32(x) for x in xs)),
    "Average": _merge(lambda xs, c: sum(_float32(x) for x in xs) / np.float32(len(xs))),
    "Maximum": _merge(lambda xs, c: np.maximum.reduce([_float32(x) for x in xs])),
    "Minimum": _merge(lambda xs, c: np.minimum.reduce([_float32(x) for x in xs])),
    "Concatenate": _merge(_concatenate),
    **{kind: _identity for kind in _IDENTITY_TYPES},
}


def _check_dtype(config, name):
    policy = config.get("dtype")
    if isinstance(policy, dict):
        policy = (policy.get("config") or {}).get("name")
    if policy not in (None, "float32"):
        raise _unsupported(name, f"dtype {policy!r}; it computes float32")


def _build(entry):
    """The layer (or nested model) a config entry describes."""
    kind, config = entry.get("class_name"), entry.get("config") or {}
    name = str(config.get("name", entry.get("name")))
    _check_dtype(config, name)
    if kind in ("Sequential", "Functional", "Model"):
        return _Graph(entry)
    if kind not in LAYERS:
        raise _unsupported(name, f"a {kind} layer")
    return LAYERS[kind](config, name)


def _history(arg):
    """``(layer, node, tensor)`` of a saved Keras tensor, or None for a constant."""
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        return tuple(arg["config"]["keras_history"])
    return None


def _refs(spec):
    """``[(layer, node, tensor)]`` from a config's ``input_layers``/``output_layers``."""
    return [tuple(spec)] if spec and isinstance(spec[0], str) else [tuple(s) for s in spec]


class _Graph:
    """A Sequential or functional model: its layers in the order Keras keeps their
    weights, and how tensors flow between them."""

    def __init__(self, entry):
        config = entry.get("config") or {}
        self.name = str(config.get("name", entry.get("name")))
        self.sequential = entry.get("class_name") == "Sequential"
        entries = config.get("layers")
        if not isinstance(entries, list):
            raise _unsupported(self.name, "a model without a list of layers")
        self.entries = [e for e in entries if not (self.sequential
                                                   and e.get("class_name") == "InputLayer")]
        self.layers = {}
        for e in self.entries:
            if e.get("class_name") != "InputLayer":
                layer = _build(e)
                self.layers[layer.name] = layer
        self.n_weights = sum(layer.n_weights for layer in self.layers.values())
        if not self.sequential:
            self.inputs = _refs(config["input_layers"])
            self.outputs = _refs(config["output_layers"])

    def layer_names(self, prefix=""):
        """What :func:`~vizkit.inspect.probe.layer_names` lists for the Keras model."""
        names = []
        for name, layer in self.layers.items():
            names.append(prefix + name)
            if isinstance(layer, _Graph):
                names += layer.layer_names(f"{prefix}{name}/")
        return names

    def _split(self, weights):
        """``{layer: its weights}`` from the model's flat list."""
        split, start = {}, 0
        for name, layer in self.layers.items():
            split[name] = weights[start:start + layer.n_weights]
            start += layer.n_weights
        return split

    def __call__(self, inputs, weights, record, prefix=""):
        """The model's output for ``inputs`` (a list); ``record[(path, "output"|"input")]``
        gets every layer's first output and input, paths ``outer/inner`` inside."""
        weights = self._split(weights)
        if self.sequential:
            (x,) = inputs
            for name, layer in self.layers.items():
                record.setdefault((prefix + name, "input"), x)
                x = layer([x], weights[name], record, f"{prefix}{name}/")
                record.setdefault((prefix + name, "output"), x)
            return x
        tensors = {ref: x for ref, x in zip(self.inputs, inputs)}
        pending = [(e, node_index, node) for e in self.entries
                   for node_index, node in enumerate(e.get("inbound_nodes") or ())]
        while pending:
            waiting = []
            for e, node_index, node in pending:
                args = self._arguments(node, tensors)
                if args is None:
                    waiting.append((e, node_index, node))
                    continue
                name = str(e["config"]["name"])
                out = self.layers[name](args, weights[name], record, f"{prefix}{name}/")
                for tensor_index, x in enumerate(out if isinstance(out, list) else [out]):
                    tensors[(name, node_index, tensor_index)] = x
                record.setdefault((prefix + name, "input"), args[0] if len(args) == 1 else args)
                record.setdefault((prefix + name, "output"), out)
            if len(waiting) == len(pending):
                raise _unsupported(self.name, "a graph whose inputs it cannot trace")
            pending = waiting
        outputs = [tensors[ref] for ref in self.outputs]
        return outputs[0] if len(outputs) == 1 else outputs

    def _arguments(self, node, tensors):
        """The arrays a saved call passes, or None while one is not computed yet."""
        if any(_history(v) for v in (node.get("kwargs") or {}).values()):
            raise _unsupported(self.name, "a layer called with tensors by keyword")
        args = node.get("args") or []
        if len(args) == 1 and isinstance(args[0], list):  # a merge layer's list of tensors
            args = args[0]
        refs = [_history(a) for a in args]
        if None in refs:
            raise _unsupported(self.name, "a layer called with constants")
        if any(ref not in tensors for ref in refs):
            return None
        return [tensors[ref] for ref in refs]


class NumpyModel:
    """A recorded Keras model computed with numpy; refused with :class:`UnsupportedModel`
    if a layer is one it does not know.

    Parameters
    ----------
    config : str or dict
        The model's config: the JSON text a trajectory stores, or it parsed.

    Examples
    --------
    >>> engine = NumpyModel(trajectory.model_config)
    >>> engine.outputs(points, trajectory.weights_at(k), ["hidden_1"])  # {"hidden_1": (n, 2)}
    """

    def __init__(self, config):
        if isinstance(config, str):
            config = json.loads(config)
        if config.get("class_name") not in ("Sequential", "Functional", "Model"):
            raise _unsupported(str(config.get("class_name")), "not a Sequential or functional "
                               "model")
        self._graph = _Graph(config)
        self.n_weights = self._graph.n_weights

    def layer_names(self):
        """Every layer with an output, inputs left out, ``outer/inner`` inside nested models."""
        return self._graph.layer_names()

    def _run(self, x, weights):
        if len(weights) != self.n_weights:
            raise UnsupportedModel(f"the model takes {self.n_weights} weight arrays, not "
                                   f"{len(weights)}; let Keras compute it")
        inputs = x if isinstance(x, (list, tuple)) else [x]
        record = {}
        output = self._graph([_float32(i) for i in inputs], [_float32(w) for w in weights],
                             record)
        return output, record

    def predict(self, x, weights):
        """The model's output (a list for several) for ``x`` at ``weights``."""
        return self._run(x, weights)[0]

    def outputs(self, x, weights, layers=None, inputs_of=()):
        """``{name: (n, units) array}`` for each of ``layers`` (default: all) and
        ``{"NAME:input": ...}`` for each of ``inputs_of``, as ``LayerProbe`` returns them."""
        _, record = self._run(x, weights)
        layers = self.layer_names() if layers is None else layers
        n = len(x[0] if isinstance(x, (list, tuple)) else x)
        wanted = [(name, "output", name) for name in layers]
        wanted += [(name, "input", f"{name}:input") for name in inputs_of]
        missing = [name for name, which, _ in wanted if (name, which) not in record]
        if missing:
            raise VizkitError(f"no layer named {', '.join(map(repr, missing))} in the model; "
                              f"its layers are: {', '.join(self.layer_names())}")
        return {key: _float32(record[(name, which)]).reshape(n, -1)
                for name, which, key in wanted}
