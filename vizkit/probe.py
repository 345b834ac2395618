"""Read the outputs of chosen layers with one Keras sub-model, built once."""

import numpy as np

from ._keras import import_keras
from .errors import VizkitError

__all__ = ["LayerProbe", "layer_names"]


def layer_names(model):
    """Names of the model's layers that have an output, in order (inputs left out)."""
    return [layer.name for layer in model.layers
            if type(layer).__name__ != "InputLayer"]


class LayerProbe:
    """Evaluate several layers of ``model`` in one forward pass.

    The sub-model shares the model's weights, so it sees every later
    ``set_weights`` or training step without being rebuilt.

    Parameters
    ----------
    model : keras.Model
        A functional model, or a Sequential model with a known input.
    layers : list of str, optional
        Layer names to read; by default every layer with an output.
    inputs_of : list of str, optional
        Layers whose *input* to read too, returned as ``"NAME:input"``.

    Examples
    --------
    >>> probe = LayerProbe(model, ["hidden_1", "activation_1"])
    >>> outputs = probe(points)        # {"hidden_1": (n, 2), "activation_1": (n, 2)}
    """

    def __init__(self, model, layers=None, inputs_of=()):
        keras = import_keras()
        available = layer_names(model)
        self.layers = list(available if layers is None else layers)
        unknown = [name for name in self.layers + list(inputs_of) if name not in available]
        if unknown:
            raise VizkitError(f"no layer named {', '.join(map(repr, unknown))} in the model; "
                              f"its layers are: {', '.join(available)}")
        try:
            inputs = model.inputs
        except (AttributeError, ValueError):
            inputs = None
        if not inputs:
            raise VizkitError("the model has no defined input; start it with "
                              "keras.Input(shape=...) or call it on data once")
        outputs = [model.get_layer(name).output for name in self.layers]
        outputs += [model.get_layer(name).input for name in inputs_of]
        self.keys = self.layers + [f"{name}:input" for name in inputs_of]
        self._submodel = keras.Model(inputs[0] if len(inputs) == 1 else inputs, outputs)

    def __call__(self, x, batch_size=65536):
        """Every probed tensor for ``x``, as ``{key: (n, units) array}`` (see ``keys``)."""
        x = np.asarray(x, dtype=np.float32)
        chunks = [self._submodel(x[i:i + batch_size], training=False)
                  for i in range(0, len(x), batch_size)]
        columns = zip(*[c if isinstance(c, (list, tuple)) else [c] for c in chunks])
        return {name: np.concatenate([np.asarray(part) for part in parts]).reshape(len(x), -1)
                for name, parts in zip(self.keys, columns)}
