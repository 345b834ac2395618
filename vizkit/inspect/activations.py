"""Keras's activation functions in numpy, float32 in and out, by the names Keras saves.

Each follows Keras 3's TensorFlow backend (``keras/src/backend/tensorflow/nn.py``):
the same formula, evaluated in float64 where a float32 formula would lose digits,
so the result is within a few float32 steps of Keras's.
"""

import numpy as np

__all__ = ["ACTIVATIONS", "activation_function", "relu", "leaky_relu", "elu", "softmax"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float32(function):
    """``function`` computed on float64 and returned as float32."""
    def wrapped(x, **kwargs):
        return function(np.asarray(x, dtype=np.float64), **kwargs).astype(np.float32)
    wrapped.__name__ = function.__name__
    wrapped.__doc__ = function.__doc__
    return wrapped


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for any x


def _softplus(x):
    return np.logaddexp(0.0, x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """``keras.activations.relu`` and the ``ReLU`` layer (slope below, cap, threshold)."""
    x = np.asarray(x, dtype=np.float32)
    below = np.float32(negative_slope) * (np.minimum(x - np.float32(threshold), 0)
                                          if negative_slope else 0)
    out = np.where(x > threshold, x, np.float32(0)) if threshold else np.maximum(x, 0)
    if max_value is not None:
        out = np.minimum(out, np.float32(max_value))
    return (out + below).astype(np.float32)


def leaky_relu(x, negative_slope=0.2):
    """``x`` above zero, ``negative_slope * x`` below."""
    x = np.asarray(x, dtype=np.float32)
    return np.where(x >= 0, x, np.float32(negative_slope) * x).astype(np.float32)


@_float32
def elu(x, alpha=1.0):
    """``x`` above zero, ``alpha * (exp(x) - 1)`` below."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


@_float32
def softmax(x, axis=-1):
    """Exponentials normalised to sum to one along ``axis`` (all axes but the batch for
    ``None``, as Keras does)."""
    if axis is None:
        axis = tuple(range(1, x.ndim))
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


@_float32
def _gelu(x, approximate=False):
    if approximate:
        return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))
    from scipy.special import erf  # scikit-learn's dependency; only gelu needs it

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


@_float32
def _selu(x):
    return _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0)))


@_float32
def _celu(x, alpha=1.0):
    return np.maximum(x, 0.0) + alpha * np.expm1(np.minimum(x, 0.0) / alpha)


@_float32
def _log_softmax(x, axis=-1):
    if axis is None:
        axis = tuple(range(1, x.ndim))
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _hard_sigmoid(x):
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def _sparse_plus(x):
    return np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4))


def _sparse_sigmoid(x):
    return np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2))


_ELEMENTWISE = {
    "linear": lambda x: x,
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softplus": _softplus,
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "hard_sigmoid": _hard_sigmoid,
    "hard_silu": lambda x: x * _hard_sigmoid(x),
    "hard_swish": lambda x: x * _hard_sigmoid(x),
    "exponential": np.exp,
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "log_sigmoid": lambda x: -_softplus(-x),
    "hard_tanh": lambda x: np.clip(x, -1.0, 1.0),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4.0)) / 2.0,
    "sparse_plus": _sparse_plus,
    "sparse_sigmoid": _sparse_sigmoid,
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0.0),
}

#: Every activation the engine computes, by the name Keras saves in a config.
ACTIVATIONS = {name: _float32(function) for name, function in _ELEMENTWISE.items()}
ACTIVATIONS.update({"relu": relu, "leaky_relu": leaky_relu, "elu": elu, "selu": _selu,
                    "gelu": _gelu, "celu": _celu, "softmax": softmax,
                    "log_softmax": _log_softmax})


def activation_function(spec):
    """The function for an activation as a config saves it (``"relu"``, or Keras's
    serialised form of a built-in function), or None if the engine does not know it."""
    if spec is None:
        return ACTIVATIONS["linear"]
    if isinstance(spec, dict) and spec.get("class_name") == "function":
        spec = spec.get("config")
    return ACTIVATIONS.get(spec) if isinstance(spec, str) else None
