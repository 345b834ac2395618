"""The plane a drawing shows of an input space of any number of features.

Two features are drawn as they are. With more, the data are shown in a fixed
2-D projection (their two principal axes, or two features the user names),
and anything computed over the plane (decision regions, the carried grid) is
computed on the *slice*: the points of input space on that plane through the
data's mean. Fitted once on the training inputs, so points move only because
the network did.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import VizkitError, parameter
from ..style import plain_text

__all__ = ["InputPlane", "parse_features", "require_two_features",
           "require_continuous_inputs", "image_view_fix"]


def parse_features(text):
    """``"3,7"`` → ``(3, 7)``; a one-line error for anything else."""
    try:
        features = tuple(int(part) for part in str(text).split(","))
    except ValueError:
        features = ()
    if len(features) != 2 or min(features) < 0:
        raise VizkitError(f"{parameter('input_features', text)}: give two feature numbers "
                          f"from 0, e.g. {parameter('input_features', (3, 7))}")
    return features


@dataclass(frozen=True)
class InputPlane:
    """A fixed affine map between plot coordinates ``(u, v)`` and input space.

    ``lift(uv) = origin + scale * (uv @ axes.T)`` gives the inputs on the plane;
    ``project(x) = ((x - origin) / scale) @ axes`` gives plot coordinates of
    inputs. The PCA plane is that of the *standardised* features (origin the
    mean, scale the standard deviation, orthonormal axes): features in other
    units (metres and millimetres, say) weigh the same, instead of the widest
    one taking both axes. For two named features the origin is the mean with
    those two features at 0 and the scale 1, so the coordinates are the
    features' own values. ``kind`` is ``"identity"`` (2 features), ``"pca"``,
    ``"features"``, or ``"line"`` (1 feature: its axis only).
    """

    kind: str
    origin: np.ndarray  # (D,)
    axes: np.ndarray  # (D, 2)
    labels: tuple  # axis labels
    note: str  # what the plane is, for a panel's title ("" when the input is 2-D)
    explained: float = 1.0  # share of the (standardised) variance the plane shows
    scale: np.ndarray = None  # (D,); None: 1 for every feature

    @classmethod
    def fit(cls, x, features=None, names=None):
        """The plane for inputs ``x`` (n, D): the features themselves when D == 2 and
        ``features`` is None; else the two named ``features`` (others at their
        mean) or the data's two principal axes. ``names``: the features' names (labels
        draw them as plain text, see :func:`~vizkit.style.plain_text`)."""
        x = np.asarray(x, dtype=np.float64)
        n_features = x.shape[1]
        given = names is not None and len(names) == n_features
        names = [plain_text(n) for n in names] if given else [f"x{i}" for i in range(n_features)]
        mean = x.mean(axis=0)
        if features is not None:
            features = tuple(int(f) for f in features)
            bad = [f for f in features if not 0 <= f < n_features]
            if bad or len(set(features)) != 2:
                raise VizkitError(
                    f"{parameter('input_features', features)}: the model takes "
                    f"{n_features} features, numbered 0 to {n_features - 1}; name two "
                    "different ones")
            axes = np.zeros((n_features, 2))
            axes[features[0], 0] = axes[features[1], 1] = 1.0
            labels = (names[features[0]], names[features[1]])
            origin = mean.copy()
            origin[list(features)] = 0.0
            if n_features == 2:
                return cls("features", origin, axes, labels, "")
            return cls("features", origin, axes, labels,
                       f"{labels[0]} and {labels[1]} of {n_features} features; "
                       "regions: the others at their mean")
        if n_features == 2:
            return cls("identity", np.zeros(2), np.eye(2), tuple(names), "")
        if n_features == 1:  # drawn as a line: the feature against the model's output
            return cls("line", np.zeros(1), np.array([[1.0, 0.0]]), (names[0], ""), "")
        scale = x.std(axis=0)
        scale = np.where(scale > 1e-12, scale, 1.0)
        _, singular, vt = np.linalg.svd((x - mean) / scale, full_matrices=False)
        variance = singular ** 2
        explained = float(variance[:2].sum() / variance.sum()) if variance.sum() > 0 else 1.0
        axes = vt[:2].T
        return cls("pca", mean, axes, ("PC 1 (standardised)", "PC 2 (standardised)"),
                   f"PCA of {n_features} standardised features ({explained:.0%} of "
                   "variance); regions: the slice through the mean", explained, scale)

    @property
    def n_features(self):
        return len(self.origin)

    def project(self, x):
        """Plot coordinates ``(n, 2)`` of inputs ``(n, D)``."""
        scale = 1.0 if self.scale is None else self.scale
        return ((np.asarray(x, dtype=np.float64) - self.origin) / scale) @ self.axes

    def lift(self, uv):
        """The inputs ``(n, D)`` on the plane at plot coordinates ``uv`` ``(n, 2)``."""
        scale = 1.0 if self.scale is None else self.scale
        steps = np.asarray(uv, dtype=np.float64) @ self.axes.T
        return (self.origin + scale * steps).astype(np.float32)


def require_two_features(x, view):
    """One line for a view that maps units over the 2-D input plane, when the inputs
    ``x`` are not 2 features (``view``: what to call it, e.g. ``"the network diagram"``)."""
    shape = np.shape(x)[1:]
    if len(shape) != 1:
        raise VizkitError(f"this model takes inputs of shape {shape}, but {view} maps every "
                          f"unit over the plane of 2 inputs (x0, x1); {image_view_fix()}")
    if shape != (2,):
        raise VizkitError(f"this model takes {shape[0]} input features, but {view} maps "
                          "every unit over the plane of 2 inputs (x0, x1); draw it with "
                          f"{parameter('view', 'layers')} (the inputs in a fixed 2-D "
                          f"projection) or {parameter('view', 'landscape')}")


def image_view_fix():
    """The fix for a view of feature vectors asked to draw an image model's run."""
    return (f"an image classifier's run is drawn by the image view: leave out "
            f"{parameter('view')} and vizkit picks it (in Python: "
            "vizkit.views.image_classifier.ImageClassifierView)")


def require_continuous_inputs(model, view):
    """One line when ``model`` reads its inputs as integer codes (an ``Embedding``
    layer): between two codes there is no input, so ``view``, which maps the model
    over a plane of inputs, has nothing to draw there."""
    codes = next((layer for layer in model.layers if type(layer).__name__ == "Embedding"),
                 None)
    if codes is not None:
        raise VizkitError(f"layer {codes.name!r} (Embedding) reads the model's inputs as "
                          f"integer codes (0 to {codes.input_dim - 1}): between two codes "
                          f"there is no input, so {view} cannot map the plane of inputs; "
                          f"draw it with {parameter('view', 'landscape')}, which maps the "
                          "weights, not the inputs")
