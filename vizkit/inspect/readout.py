"""How vizkit reads a model's outputs: probabilities, classes, region scores, metrics.

The rule is decided once per model, from its last layer's activation (a
Dense layer's ``activation``, or a trailing ``Activation``/``Softmax`` layer)
and its compiled loss (which kind, and ``from_logits``). Every figure, caption
and recorded metric reads outputs through :class:`Readout`, so they agree.

=============  =======  ===============================  ===========================
kind           units    output                           class
=============  =======  ===============================  ===========================
sigmoid        1        P(class 1)                       1 where P > 0.5
binary-logit   1        logit, P(class 1) = sigmoid      1 where logit > 0
softmax        k >= 2   P per class                      the most probable
multi-logit    k >= 2   logits, P = softmax              the largest logit
regression     1        the predicted value              (none)
=============  =======  ===============================  ===========================
"""

import json
import re
from dataclasses import dataclass

import numpy as np

from .._keras import defined_tensors
from ..errors import VizkitError

__all__ = ["Readout", "KINDS", "sigmoid", "softmax"]

KINDS = ("sigmoid", "binary-logit", "softmax", "multi-logit", "regression")

# Keras loss (function name, or class name in snake case) -> what its targets are.
_LOSS_TARGETS = {
    "binary_crossentropy": "two classes",
    "binary_focal_crossentropy": "two classes",
    "sparse_categorical_crossentropy": "classes",
    "categorical_crossentropy": "one-hot",
    "categorical_focal_crossentropy": "one-hot",
    "mean_squared_error": "values",
    "mean_absolute_error": "values",
    "mean_squared_logarithmic_error": "values",
    "mean_absolute_percentage_error": "values",
    "huber": "values",
    "log_cosh": "values",
}

_DESCRIPTIONS = {
    "sigmoid": "one sigmoid unit: P(class 1); class 1 where P > 0.5",
    "binary-logit": "one logit unit: P(class 1) = sigmoid(logit); class 1 where logit > 0",
    "softmax": "softmax over {k} units: P per class; the class is the most probable",
    "multi-logit": "{k} logits: P = softmax(logits); the class is the largest logit",
    "regression": "one output: the predicted value (regression)",
}

# Distinct integer labels beyond which they look like a quantity rather than classes.
_MANY_VALUES = 10


def sigmoid(z):
    """Logistic function, numerically stable for any magnitude (float64)."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax(z):
    """Softmax along the last axis, numerically stable (float64); rows sum to 1."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Readout:
    """How a model's outputs become probabilities, classes and metrics.

    Build it with :meth:`of` (a compiled model), :meth:`of_trajectory` (a
    recorded run) or :meth:`from_info`; the constructor takes the fields.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    n_outputs : int
        Units of the model's output.
    loss : str, optional
        The loss's Keras name, for messages.
    """

    kind: str
    n_outputs: int
    loss: str = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise VizkitError(f"unknown readout kind {self.kind!r}; use one of {', '.join(KINDS)}")
        single = self.kind in ("sigmoid", "binary-logit", "regression")
        if (self.n_outputs == 1) != single or self.n_outputs < 1:
            raise VizkitError(f"a {self.kind} readout cannot have {self.n_outputs} output units")

    # -- construction ----------------------------------------------------------------

    @classmethod
    def of(cls, model, loss=None):
        """The readout of ``model``, compiled with ``loss`` (default: its own), or a
        one-line error for a combination vizkit does not draw."""
        loss = getattr(model, "loss", None) if loss is None else loss
        if loss is None:
            raise VizkitError("the model is not compiled; call model.compile(optimizer=..., "
                              "loss=...) first")
        name, from_logits = _loss_spec(loss)
        targets = _LOSS_TARGETS.get(name)
        if targets is None:
            raise VizkitError(
                f"vizkit cannot tell how to read the outputs of a model trained with loss "
                f"{name!r}: it draws classifiers (binary_crossentropy, "
                "sparse_categorical_crossentropy) and regressions (mse, mae, huber, log_cosh); "
                "compile with one of those")
        if targets == "one-hot":
            raise VizkitError(
                f"loss {name} takes one-hot label rows, but vizkit draws classes given as "
                "numbers 0..k-1; compile with loss='sparse_categorical_crossentropy'")
        layer = _output_layer(model)
        units = _output_units(model)
        activation = _activation(layer)
        kind = _kind(targets, units, activation, from_logits, name, layer.name)
        return cls(kind, units, name)

    @classmethod
    def from_info(cls, info):
        """From :meth:`to_info`'s dict (as stored in a trajectory's info)."""
        try:
            return cls(str(info["kind"]), int(info["outputs"]), info.get("loss"))
        except (KeyError, TypeError, ValueError):
            raise VizkitError(f"readout {info!r} is not readable; record the run again") from None

    @classmethod
    def of_trajectory(cls, trajectory):
        """The readout a run was recorded with: its info's ``readout``, or, for runs
        recorded before vizkit stored it, the loss compiled into its model config."""
        stored = trajectory.info.get("readout")
        if stored is not None:
            return cls.from_info(stored)
        loss = (json.loads(trajectory.model_config).get("compile_config") or {}).get("loss")
        if loss is None:
            raise VizkitError("the trajectory does not say how to read its model's outputs "
                              "(no readout in its info, no loss in its model); record it again")
        return cls.of(trajectory.build_model(), loss=loss)

    def to_info(self):
        """A JSON-ready dict for a trajectory's info; :meth:`from_info` reads it."""
        return {"kind": self.kind, "outputs": self.n_outputs, "loss": self.loss,
                "rule": self.describe()}

    # -- reading outputs -------------------------------------------------------------

    @property
    def is_regression(self):
        return self.kind == "regression"

    @property
    def n_classes(self):
        """Classes the output tells apart (2 for one unit); None for a regression."""
        if self.is_regression:
            return None
        return 2 if self.n_outputs == 1 else self.n_outputs

    def class_names(self, names=None, fill="class {k}"):
        """One name per class the model can output: ``names[k]`` (e.g. a run's stored
        ``class_names``) where given, else ``fill`` with ``k``; ``[]`` for a regression."""
        if self.is_regression:
            return []
        names = [] if names is None else list(names)
        return [str(names[k]) if k < len(names) else fill.format(k=k)
                for k in range(self.n_classes)]

    def data_note(self, y):
        """``model: 10 classes, data: 3`` when the labels ``y`` hold fewer classes than
        the model can output (it may still predict the others), else None."""
        if self.is_regression:
            return None
        present = len(np.unique(np.asarray(y).astype(np.int64)))
        if present >= self.n_classes:
            return None
        return f"model: {self.n_classes} classes, data: {present}"

    def describe(self):
        """One phrase for captions and manifests, e.g. ``one logit unit: ...``."""
        return _DESCRIPTIONS[self.kind].format(k=self.n_outputs)

    def probabilities(self, output):
        """P(class) per row, shape (n, n_classes), float64."""
        output = self._columns(output)
        self._classifier_only("class probabilities")
        if self.kind == "sigmoid":
            p = output[:, 0]
        elif self.kind == "binary-logit":
            p = sigmoid(output[:, 0])
        else:
            return output if self.kind == "softmax" else softmax(output)
        return np.column_stack([1 - p, p])

    def classes(self, output):
        """The predicted class per row, int64."""
        output = self._columns(output)
        self._classifier_only("classes")
        if self.kind == "sigmoid":
            return (output[:, 0] > 0.5).astype(np.int64)
        if self.kind == "binary-logit":
            return (output[:, 0] > 0).astype(np.int64)
        return output.argmax(axis=1).astype(np.int64)

    def scores(self, output):
        """What colours regions: P(class 1) for two classes, the predicted class for
        more, the prediction itself for a regression; float64 (n,)."""
        if self.is_regression:
            return self._columns(output)[:, 0]
        if self.n_classes == 2:
            return self.probabilities(output)[:, 1]
        return self.classes(output).astype(np.float64)

    def metrics(self, y, output):
        """``{"accuracy": ...}`` for a classifier (``y``: class numbers, as
        :meth:`targets` gives them); ``{"mae": ..., "r2": ...}`` for a regression
        (R² is NaN when every target is the same)."""
        output = self._columns(output)
        n = len(output)
        if self.is_regression:
            truth = np.asarray(y, dtype=np.float64).reshape(n)
            error = truth - output[:, 0]
            spread = np.sum((truth - truth.mean()) ** 2)
            r2 = 1 - np.sum(error ** 2) / spread if spread > 0 else np.nan
            return {"mae": float(np.mean(np.abs(error))), "r2": float(r2)}
        labels = np.asarray(y).reshape(n)
        return {"accuracy": float(np.mean(self.classes(output) == labels))}

    # -- checking targets ------------------------------------------------------------

    def targets(self, y, source="y"):
        """``(targets, note)``: ``y`` as this model is trained on it, or a one-line error.

        A classifier takes class numbers 0..n_classes-1 (int64, shape (n,)); a
        two-class one also -1/+1, read as 0/1 with ``note`` saying so. A
        regression takes finite numbers (float32, shape (n,) or (n, 1)).
        """
        y = np.asarray(y)
        if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
            raise VizkitError(f"{source}: targets must be numbers, got {y.dtype} values")
        flat = y.reshape(len(y)) if y.ndim == 2 and y.shape[1] == 1 else y
        if flat.ndim != 1:
            what = "one number per row" if self.is_regression else "one class number per row"
            raise VizkitError(f"{source}: targets have shape {y.shape}; give {what}")
        bad = ~np.isfinite(flat.astype(np.float64))
        if bad.any():
            raise VizkitError(f"{source}: targets hold NaN or infinity (row "
                              f"{int(np.argmax(bad)) + 1}); remove or fill those rows")
        if self.is_regression:
            return y.astype(np.float32), None
        return self._class_numbers(flat.astype(np.float64), source)

    def _class_numbers(self, values, source):
        k = self.n_classes
        loss = f" (this model's loss is {self.loss})" if self.loss else ""
        fractional = values != np.round(values)
        if fractional.any():
            row = int(np.argmax(fractional))
            raise VizkitError(
                f"{source}: labels must be class numbers 0..{k - 1} for a classifier{loss}, "
                f"got {values[row]:g} (row {row + 1}); to predict a quantity, compile with "
                "loss='mse' and one output unit (regression)")
        distinct = np.unique(values)
        if k == 2 and set(distinct) == {-1.0, 1.0}:
            return (values > 0).astype(np.int64), "labels -1/+1 read as classes 0/1"
        if distinct[0] < 0:
            also = " (or -1/+1)" if k == 2 else ""
            raise VizkitError(f"{source}: labels must be class numbers 0..{k - 1}{also} for a "
                              f"classifier{loss}, got {distinct[0]:g}; renumber the classes")
        top = int(distinct[-1])
        if top >= k:
            raise VizkitError(self._too_many_classes(source, top, len(distinct)))
        return values.astype(np.int64), None

    def _too_many_classes(self, source, top, n_distinct):
        units = ("one output unit (two classes, 0 and 1)" if self.n_outputs == 1
                 else f"{self.n_outputs} output units (classes 0..{self.n_outputs - 1})")
        classes = (f"for {top + 1} classes give the last layer {top + 1} units "
                   "(softmax, loss='sparse_categorical_crossentropy')")
        if n_distinct > _MANY_VALUES:
            return (f"{source}: labels go up to {top} but the model has {units}; "
                    f"{n_distinct} distinct values look like a quantity to predict: for "
                    f"regression compile with loss='mse' and one linear output unit; {classes}")
        return f"{source}: labels go up to {top} but the model has {units}; {classes}"

    # -- helpers ---------------------------------------------------------------------

    def _columns(self, output):
        output = np.asarray(output, dtype=np.float64)
        if output.ndim == 1 and self.n_outputs == 1:
            output = output[:, None]
        if output.ndim != 2 or output.shape[1] != self.n_outputs:
            raise ValueError(f"expected outputs of shape (n, {self.n_outputs}), "
                             f"got {output.shape}")
        return output

    def _classifier_only(self, what):
        if self.is_regression:
            raise VizkitError(f"a regression model predicts values, not {what}; draw its "
                              "prediction (Readout.scores) instead")


def _loss_spec(loss):
    """``(name, from_logits)`` of a Keras loss: a name, a function, a Loss object, or
    the config dict that ``model.to_json()`` stores."""
    if isinstance(loss, dict) and "class_name" in loss:
        config = loss.get("config")
        if loss["class_name"] == "function":
            return str(config), False
        config = config if isinstance(config, dict) else {}
        return _snake(loss["class_name"]), bool(config.get("from_logits", False))
    if isinstance(loss, (dict, list, tuple)):
        raise VizkitError("the model is compiled with one loss per output; vizkit draws "
                          "models with one output and one loss")
    if isinstance(loss, str):
        from .._keras import import_keras

        try:
            resolved = import_keras().losses.get(loss)
        except (ValueError, TypeError):
            raise VizkitError(f"unknown loss {loss!r}; use a Keras loss name such as "
                              "binary_crossentropy") from None
        return _loss_spec(resolved)
    config = loss.get_config() if hasattr(loss, "get_config") else {}
    from_logits = bool(config.get("from_logits", False))
    if hasattr(loss, "fn"):  # Keras's LossFunctionWrapper and its subclasses
        return loss.fn.__name__, from_logits
    if hasattr(loss, "call"):  # a Loss subclass of the user's
        return _snake(type(loss).__name__), from_logits
    return getattr(loss, "__name__", type(loss).__name__), False


def _snake(name):
    """``BinaryCrossentropy`` -> ``binary_crossentropy``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _output_layer(model):
    """The layer that produces the model's output (inside nested models too)."""
    outputs = defined_tensors(model, "outputs")
    if not outputs:
        raise VizkitError("the model has no defined output; vizkit reads Sequential and "
                          "functional models: start yours with keras.Input(shape=...)")
    if len(outputs) != 1:
        raise VizkitError(f"the model has {len(outputs)} outputs; vizkit draws models with one")
    history = getattr(outputs[0], "_keras_history", None)
    layer = history.operation if history is not None else model.layers[-1]
    return _output_layer(layer) if hasattr(layer, "layers") else layer


def _output_units(model):
    units = model.outputs[0].shape[-1]
    if units is None or len(model.outputs[0].shape) != 2:
        raise VizkitError(f"the model's output has shape {tuple(model.outputs[0].shape)}; "
                          "vizkit reads outputs of shape (n, units)")
    return int(units)


def _activation(layer):
    """Name of the function the output layer applies last (``linear`` if none)."""
    if type(layer).__name__ == "Softmax":
        return "softmax"
    function = getattr(layer, "activation", None)
    if function is None:
        return "linear"
    return getattr(function, "__name__", type(function).__name__)


def _kind(targets, units, activation, from_logits, loss, layer):
    """The readout kind for this loss and output layer, or why vizkit cannot draw it."""
    if targets == "values":
        if units != 1:
            raise VizkitError(f"the model has {units} output units with the regression loss "
                              f"{loss}; vizkit draws regressions of one output: give the last "
                              "layer 1 unit")
        return "regression"
    probability = "sigmoid" if targets == "two classes" else "softmax"
    if targets == "two classes" and units != 1:
        raise VizkitError(f"the model ends in {units} {activation} units with {loss}: a "
                          "multi-label output (a yes/no per unit), which vizkit does not draw; "
                          f"for one class per point use Dense({units}, activation='softmax') "
                          "with loss='sparse_categorical_crossentropy', or Dense(1, "
                          "activation='sigmoid') for two classes")
    if targets == "classes" and units == 1:
        raise VizkitError(f"the model has one output unit but {loss} needs one unit per "
                          "class; give the last layer k >= 2 units (softmax), or use "
                          "loss='binary_crossentropy' with one sigmoid unit")
    loss_class = "".join(part.title() for part in loss.split("_"))
    if activation == probability:
        if from_logits:
            raise VizkitError(f"the last layer {layer} applies {activation} and the loss has "
                              f"from_logits=True, so {activation} would be applied twice; "
                              f"compile with keras.losses.{loss_class}(from_logits=False), or "
                              "make the last layer linear")
        return probability
    if activation == "linear":
        if not from_logits:
            raise VizkitError(f"the last layer {layer} is linear (logits) but {loss} expects "
                              f"probabilities; compile with keras.losses.{loss_class}"
                              f"(from_logits=True), or give the last layer "
                              f"activation='{probability}'")
        return "binary-logit" if units == 1 else "multi-logit"
    raise VizkitError(f"the last layer {layer} applies {activation}; with {loss} vizkit reads "
                      f"its output as probabilities ({probability}) or logits (linear, "
                      f"from_logits=True): use one of those")
