"""Axes-level drawing functions: arrays and an ``ax`` in, artists on it, ``ax`` out.

None of them changes axis limits: the caller fixes limits once for a whole
animation (see :class:`vizkit.inspect.limits.Bounds`), so that frames stay comparable.
Every panel follows this contract (tested over all of them in one test).
They draw in vizkit's visual language (docs/design.md, :mod:`vizkit.style`).
"""

from .confusion import confusion_panel
from .curves import (decision_panel, history_panel, lr_finder_panel, rate_panel,
                     regression_panel)
from .health import health_panel, layer_styles
from .images import (grid_labels, image_grid, logit_bars, mosaic, probability_bars,
                     weight_images)
from .legend import (class_keys, class_legend, colour_bar, keys_legend, legend_columns,
                     line_key, marker_key, series_legend)
from .neuron import activation_curve, data_points, linear_fit, logistic_fit
from .space import (boundary, caption, class_centres, class_points, fix_limits, grid_lines,
                    region_image, stacked_counts, value_points, warped_mesh)

__all__ = ["value_points", "activation_curve", "boundary", "caption", "class_centres", "class_keys",
           "class_legend", "class_points", "colour_bar", "confusion_panel", "data_points",
           "decision_panel", "fix_limits", "grid_labels", "grid_lines", "health_panel",
           "history_panel", "layer_styles",
           "image_grid", "keys_legend", "legend_columns", "line_key", "linear_fit",
           "logistic_fit", "logit_bars", "lr_finder_panel", "marker_key", "mosaic",
           "probability_bars", "rate_panel", "region_image", "regression_panel",
           "series_legend", "stacked_counts", "warped_mesh", "weight_images"]
