"""Read the outputs of chosen layers: with the numpy engine when it knows the model
(:mod:`vizkit.inspect.engine`), else with one Keras sub-model, built once."""

import numpy as np

from .._keras import defined_tensors, import_keras
from ..errors import VizkitError

__all__ = ["LayerProbe", "layer_names", "find_layer", "default_layers"]


def layer_names(model, prefix=""):
    """Names of the model's layers that have an output, in order (inputs left out).

    Layers of a nested model are listed after it as ``outer/inner``.
    """
    names = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        names.append(prefix + layer.name)
        if hasattr(layer, "layers"):
            names += layer_names(layer, prefix=f"{prefix}{layer.name}/")
    return names


def default_layers(model):
    """Every layer before the last one with weights: the hidden spaces."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    weighted = [i for i, layer in enumerate(layers) if layer.weights]
    last = weighted[-1] if weighted else len(layers)
    return [layer.name for layer in layers[:last]]


def find_layer(model, path):
    """The layer called ``path`` (``outer/inner`` for one inside a nested model)."""
    for name in path.split("/"):
        model = model.get_layer(name)
    return model


def _tensor(model, path, which):
    """The symbolic ``output`` (or ``input``) of layer ``path`` in ``model``'s graph.

    A layer inside a nested model is reached by calling a sub-model of the
    nested one on the tensor that feeds it in the outer graph (weights shared).
    """
    keras = import_keras()
    head, _, rest = path.partition("/")
    layer = model.get_layer(head)
    if not rest:
        return getattr(layer, which)
    inner = keras.Model(layer.inputs, _tensor(layer, rest, which))
    return inner(layer.input)


class LayerProbe:
    """Evaluate several layers of ``model`` in one forward pass.

    The sub-model shares the model's weights, so it sees every later
    ``set_weights`` or training step without being rebuilt.

    Parameters
    ----------
    model : keras.Model
        A functional model, or a Sequential model with a known input.
    layers : list of str, optional
        Layer names to read (``outer/inner`` inside a nested model); by
        default every layer with an output.
    inputs_of : list of str, optional
        Layers whose *input* to read too, returned as ``"NAME:input"``.
    engine : {"auto", "numpy", "keras"}, optional
        Who computes the outputs (default: :func:`~vizkit.inspect.engine.engine_choice`):
        ``auto`` uses numpy when it knows every layer of the model, else Keras. Either
        way the outputs are those of the weights the model holds. ``engine`` says which
        one computes.

    Examples
    --------
    >>> probe = LayerProbe(model, ["hidden_1", "activation_1"])
    >>> outputs = probe(points)        # {"hidden_1": (n, 2), "activation_1": (n, 2)}
    """

    def __init__(self, model, layers=None, inputs_of=(), engine=None):
        keras = import_keras()
        available = layer_names(model)
        self.layers = list(available if layers is None else layers)
        unknown = [name for name in self.layers + list(inputs_of) if name not in available]
        if unknown:
            raise VizkitError(f"no layer named {', '.join(map(repr, unknown))} in the model; "
                              f"its layers are: {', '.join(available)}")
        inputs = defined_tensors(model, "inputs")
        if not inputs:
            raise VizkitError("the model has no defined input; start it with "
                              "keras.Input(shape=...) or call it on data once")
        self.keys = self.layers + [f"{name}:input" for name in inputs_of]
        self._model, self._inputs_of = model, list(inputs_of)
        self._numpy = _numpy_engine(model, available, engine)
        self.engine = "keras" if self._numpy is None else "numpy"
        if self._numpy is None:
            outputs = [_tensor(model, name, "output") for name in self.layers]
            outputs += [_tensor(model, name, "input") for name in inputs_of]
            self._submodel = keras.Model(inputs[0] if len(inputs) == 1 else inputs, outputs)

    def __call__(self, x, batch_size=65536):
        """Every probed tensor for ``x``, as ``{key: (n, units) array}`` (see ``keys``)."""
        x = np.asarray(x, dtype=np.float32)
        if self._numpy is not None:
            weights = self._model.get_weights()
            chunks = [self._numpy.outputs(x[i:i + batch_size], weights, self.layers,
                                          self._inputs_of)
                      for i in range(0, len(x), batch_size)]
            return {key: np.concatenate([chunk[key] for chunk in chunks]) for key in self.keys}
        chunks = [self._submodel(x[i:i + batch_size], training=False)
                  for i in range(0, len(x), batch_size)]
        columns = zip(*[c if isinstance(c, (list, tuple)) else [c] for c in chunks])
        return {name: np.concatenate([np.asarray(part) for part in parts]).reshape(len(x), -1)
                for name, parts in zip(self.keys, columns)}


def _numpy_engine(model, names, engine):
    """The numpy engine of ``model`` if ``engine`` (default: the current choice) allows
    it and it computes exactly this model's layers and weights; else None (Keras).
    ``engine="numpy"`` refuses a model the engine does not know."""
    from .engine import NumpyModel, UnsupportedModel, check_engine, engine_choice

    engine = check_engine(engine_choice() if engine is None else engine)
    if engine == "keras":
        return None
    try:
        numpy_model = NumpyModel(model.to_json())
        if numpy_model.layer_names() != names or numpy_model.n_weights != len(model.weights):
            raise UnsupportedModel("the numpy engine reads other layers or weights than "
                                   "Keras built; let Keras compute the model")
    except UnsupportedModel:
        if engine == "numpy":
            raise
        return None
    except Exception:  # a model Keras cannot save as JSON (custom objects): Keras computes
        if engine == "numpy":
            raise UnsupportedModel("the numpy engine reads a model from its saved config, "
                                   "and this model has none; let Keras compute it") from None
        return None
    return numpy_model
