"""Axes-level drawing functions: arrays and an ``ax`` in, artists on it, ``ax`` out.

None of them changes axis limits: the caller fixes limits once for a whole
animation (see :class:`vizkit.limits.Bounds`), so that frames stay comparable.
Every panel follows this contract (tested over all of them in one test).
"""

from .confusion import confusion_panel
from .curves import decision_panel, history_panel, lr_finder_panel, regression_panel
from .images import grid_labels, image_grid, mosaic, probability_bars, weight_images
from .neuron import activation_curve, data_points, linear_fit, logistic_fit
from .space import boundary, caption, class_centres, class_points, fix_limits, grid_lines, \
    region_image, warped_mesh

__all__ = ["activation_curve", "boundary", "caption", "class_centres", "class_points",
           "confusion_panel", "data_points", "decision_panel", "fix_limits", "grid_labels",
           "grid_lines", "history_panel", "image_grid", "linear_fit", "logistic_fit",
           "lr_finder_panel", "mosaic", "probability_bars", "region_image", "regression_panel",
           "warped_mesh", "weight_images"]
