"""Show a layer of any width on a plane: fitted once, fixed for every frame."""

from dataclasses import dataclass

import numpy as np

__all__ = ["PlaneProjection"]


@dataclass(frozen=True)
class PlaneProjection:
    """A fixed linear map from a layer's ``units`` values to two plot axes.

    Two units are drawn as they are; one unit is drawn against the model's
    output (a 1-unit layer is a bottleneck, so the output is a function of it);
    wider layers are projected on the two principal axes of a sample of
    activations, fitted once so that points move only because the network did.
    """

    units: int
    mean: np.ndarray
    components: np.ndarray  # (units, 2)
    explained: float  # share of variance the plane keeps (1.0 for <= 2 units)

    @classmethod
    def fit(cls, activations):
        """Fit on an ``(n, units)`` sample (e.g. the grid at the last frame)."""
        activations = np.asarray(activations, dtype=np.float64)
        units = activations.shape[1]
        if units <= 2:
            return cls(units, np.zeros(units), np.eye(units, 2), 1.0)
        mean = activations.mean(axis=0)
        _, singular, vt = np.linalg.svd(activations - mean, full_matrices=False)
        variance = singular ** 2
        share = float(variance[:2].sum() / variance.sum()) if variance.sum() > 0 else 1.0
        return cls(units, mean, vt[:2].T, share)

    @property
    def is_line(self):
        """True for a 1-unit layer: its plane is (value, model output)."""
        return self.units == 1

    def __call__(self, activations):
        """Plane coordinates ``(n, 2)`` of ``(n, units)`` activations."""
        return (np.asarray(activations, dtype=np.float64) - self.mean) @ self.components

    def describe(self, prefix="unit"):
        """Axis labels and a note for the panel title."""
        if self.units == 1:
            return (f"{prefix} 0", "model output"), ""
        if self.units == 2:
            return (f"{prefix} 0", f"{prefix} 1"), ""
        return ("PC 1", "PC 2"), (f"PCA of {self.units} units, "
                                  f"{self.explained:.0%} of variance")
