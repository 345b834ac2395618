"""The panels contract, over every panel: arrays and ``ax`` in, ``ax`` out, limits untouched.

As seaborn tests its axes-level functions: one test, every function, so a new
panel that breaks the contract fails here.
"""

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from vizkit import panels
from vizkit.inspect.grid import InputGrid
from vizkit.recording.lr_finder import LearningRateSearch
from vizkit.output.render import new_figure

GRID = InputGrid(np.linspace(-1, 1, 12, dtype=np.float32), np.linspace(-1, 1, 10,
                                                                      dtype=np.float32))
MESH = GRID.to_grid(GRID.points)
VALUES = GRID.to_grid(GRID.points[:, 0] * 0.5 + 0.5)
POINTS = np.array([[0.1, 0.2], [-0.5, 0.3], [0.4, -0.6]])
LABELS = np.array([0, 1, 1])
RATES = np.geomspace(1e-4, 1, 20)
IMAGES = np.random.default_rng(0).random((6, 5, 4))

CALLS = {
    "class_points": lambda ax: panels.class_points(ax, POINTS, LABELS),
    "value_points": lambda ax: panels.value_points(ax, POINTS, [0.1, 2.0, 5.0],
                                                   cmap="viridis", norm=Normalize(0, 5)),
    "class_centres": lambda ax: panels.class_centres(ax, POINTS[:2]),
    "region_image": lambda ax: panels.region_image(ax, GRID.extent, VALUES, cmap="viridis",
                                                   norm=Normalize(0, 1)),
    "warped_mesh": lambda ax: panels.warped_mesh(ax, MESH, VALUES[:-1, :-1], cmap="viridis",
                                                 norm=Normalize(0, 1)),
    "grid_lines": lambda ax: panels.grid_lines(ax, MESH, [0, 5], [0, 6]),
    "boundary": lambda ax: panels.boundary(ax, MESH, VALUES, 0.5),
    "caption": lambda ax: panels.caption(ax, "title", "subtitle"),
    "decision_panel": lambda ax: panels.decision_panel(ax, GRID, VALUES.ravel(), POINTS,
                                                       LABELS),
    "history_panel": lambda ax: panels.history_panel(ax, {"loss": np.array([1.0, 0.5])},
                                                     ["loss"]),
    "regression_panel": lambda ax: panels.regression_panel(ax, *np.ones((5, 3))),
    "lr_finder_panel": lambda ax: panels.lr_finder_panel(
        ax, LearningRateSearch(RATES, np.linspace(1, 0.2, 20), 1e-3)),
    "confusion_panel": lambda ax: panels.confusion_panel(ax, np.array([[3, 1], [0, 4]])),
    "image_grid": lambda ax: panels.image_grid(ax, IMAGES, [str(k) for k in range(6)],
                                               columns=3),
    "grid_labels": lambda ax: panels.grid_labels(ax, POINTS, 0.2, ["a", "b", "c"]),
    "probability_bars": lambda ax: panels.probability_bars(ax, [0.2, 0.8], ["no", "yes"]),
    "data_points": lambda ax: panels.data_points(ax, np.arange(3.0), np.array([0, 1, 1.0]),
                                                 classes=True),
    "linear_fit": lambda ax: panels.linear_fit(ax, np.arange(3.0), np.arange(3.0),
                                               np.arange(3.0), np.arange(3.0), np.arange(3.0),
                                               "y = x"),
    "logistic_fit": lambda ax: panels.logistic_fit(ax, np.arange(3.0), np.array([0, 1, 1.0]),
                                                   np.linspace(0, 2, 5), np.linspace(0, 1, 5),
                                                   np.linspace(0, 1, 5), "sigmoid(x)"),
    "activation_curve": lambda ax: panels.activation_curve(ax, np.arange(3.0), np.arange(3.0),
                                                           np.ones(3), "linear"),
    "stacked_counts": lambda ax: panels.stacked_counts(ax, np.zeros((5, 2))),
    "logit_bars": lambda ax: panels.logit_bars(ax, [-1.0, 2.5, 0.3], true_class=1),
    "rate_panel": lambda ax: panels.rate_panel(ax, np.arange(1, 21), RATES),
    "class_legend": lambda ax: panels.class_legend(ax, ["a", "b"]),
    "keys_legend": lambda ax: panels.keys_legend(ax, panels.class_keys(["a", "b"])),
    "series_legend": lambda ax: panels.series_legend(ax, ["train", "test"]),
    "health_panel": lambda ax: panels.health_panel(ax, [0, 1, 2], {"h": [0.1, 0.3, 0.2]},
                                                   panels.layer_styles(["h"]), upto=1),
}
# Panels that return what the caller needs besides the axes (the image, for a colour bar).
RETURNS_ARTIST = {"weight_images"}
CALLS["weight_images"] = lambda ax: panels.weight_images(ax, np.ones((20, 3)), (5, 4))
# A limit setter, an array helper, legend handles, a size helper, line styles, and the colour
# bar, which draws into an axes of its own (its limits are the colour scale's).
NOT_PANELS = {"fix_limits", "mosaic", "class_keys", "line_key", "marker_key",
              "legend_columns", "colour_bar", "layer_styles"}




def _points(ax):
    """Offsets of every scatter on ``ax``, sorted by row."""
    offsets = np.concatenate([c.get_offsets() for c in ax.collections
                              if isinstance(c, PathCollection)] or [np.empty((0, 2))])
    return offsets[np.lexsort(offsets.T[::-1])]


def _sorted(points):
    points = np.asarray(points, dtype=float)
    return points[np.lexsort(points.T[::-1])]


def _same(values, expected):
    return np.shape(values) == np.shape(expected) and np.allclose(values, expected)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _segments(ax):
    return [s for c in ax.collections if isinstance(c, LineCollection) for s in c.get_segments()]


def _bars(ax):
    return [p.get_height() for p in ax.patches if isinstance(p, Rectangle)]


def _line_data(ax):
    return [np.asarray(line.get_ydata(), dtype=float) for line in ax.lines]


# What each panel must have drawn, checked against its inputs.
DRAWN = {
    "class_points": lambda ax: np.allclose(_points(ax), _sorted(POINTS)),
    "value_points": lambda ax: (np.allclose(_points(ax), _sorted(POINTS))
                                and sorted(ax.collections[0].get_array()) == [0.1, 2.0, 5.0]),
    "class_centres": lambda ax: np.allclose([line.get_xydata()[0] for line in ax.lines],
                                            POINTS[:2]),
    "region_image": lambda ax: (len(ax.images) == 1
                                and np.allclose(ax.images[0].get_array(), VALUES)),
    "warped_mesh": lambda ax: np.allclose(ax.collections[0].get_array().ravel(),
                                          VALUES[:-1, :-1].ravel()),
    # rows 0 and 5, columns 0 and 6: four grid lines
    "grid_lines": lambda ax: sum(len(c.get_segments()) for c in ax.collections
                                 if isinstance(c, LineCollection)) >= 4,
    # P = x/2 + 1/2 crosses 0.5 on the line x = 0
    "boundary": lambda ax: all(np.allclose(s[:, 0], 0, atol=1e-6) for s in _segments(ax)
                               if len(s)) and any(len(s) for s in _segments(ax)),
    "caption": lambda ax: _texts(ax) == ["title", "subtitle"],
    "decision_panel": lambda ax: (np.allclose(_points(ax), _sorted(POINTS))
                                  and np.allclose(ax.images[0].get_array(), VALUES)),
    "history_panel": lambda ax: np.allclose(_line_data(ax)[0], [1.0, 0.5]),
    "regression_panel": lambda ax: (len(ax.lines) == 3
                                    and all(np.allclose(y, 1) for y in _line_data(ax))),
    "lr_finder_panel": lambda ax: any(np.allclose(line.get_xdata(), RATES) for line in ax.lines),
    "confusion_panel": lambda ax: (np.allclose(ax.images[0].get_array(), [[0.75, 0.25], [0, 1]])
                                   and [t.split()[0] for t in _texts(ax)] == ["3", "1", "0", "4"]),
    "image_grid": lambda ax: len(ax.images) == 1 and _texts(ax) == [str(k) for k in range(6)],
    "grid_labels": lambda ax: _texts(ax) == ["a", "b", "c"],
    "probability_bars": lambda ax: (np.allclose(_bars(ax), [0.2, 0.8])
                                    and _texts(ax) == ["predicted yes (80%)"]),
    "data_points": lambda ax: sorted(np.concatenate(_line_data(ax)).tolist()) == [0, 1, 1],
    "linear_fit": lambda ax: _legend(ax) == ["data", "TensorFlow: y = x", "numpy: y = x"],
    "logistic_fit": lambda ax: _legend(ax)[2:4] == ["TensorFlow: sigmoid(x)",
                                                    "numpy: sigmoid(x)"],
    "activation_curve": lambda ax: (any(_same(y, np.arange(3.0)) for y in _line_data(ax))
                                    and any(_same(y, np.ones(3)) for y in _line_data(ax))),
    "stacked_counts": lambda ax: _texts(ax) == ["5 points"],
    # the three logits, then the true class's outline over its bar
    "logit_bars": lambda ax: np.allclose(_bars(ax), [-1.0, 2.5, 0.3, 2.5]),
    "rate_panel": lambda ax: np.allclose(_line_data(ax)[0], RATES),
    "class_legend": lambda ax: _legend(ax) == ["a", "b"],
    "keys_legend": lambda ax: _legend(ax) == ["a", "b"],
    "series_legend": lambda ax: _legend(ax) == ["train", "test"],
    "health_panel": lambda ax: np.allclose(_line_data(ax)[0], [0.1, 0.3]),  # up to epoch 1
    "weight_images": lambda ax: (np.shape(ax.images[0].get_array())[0] == 7
                                 and _texts(ax) == ["unit 0", "unit 1", "unit 2"]),
}


def test_every_panel_is_covered():
    assert set(CALLS) == set(panels.__all__) - NOT_PANELS
    assert set(DRAWN) == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_panel_contract(name):
    fig = new_figure(3, 3, dpi=30)
    ax = fig.add_subplot()
    limits = ((-2.0, 3.0), (-1.5, 2.5))
    panels.fix_limits(ax, limits)
    returned = CALLS[name](ax)
    if name in RETURNS_ARTIST:
        assert returned.axes is ax
    else:
        assert returned is ax
    assert (ax.get_xlim(), ax.get_ylim()) == limits
    assert DRAWN[name](ax), f"{name} did not draw what it was given"


def test_colour_bar_names_what_the_colour_encodes():
    fig = new_figure(3, 3, dpi=30)
    cax = fig.add_axes((0.8, 0.1, 0.05, 0.8))
    returned = panels.colour_bar(cax, "viridis", Normalize(0, 2), "loss", ticks=[0, 1, 2])
    assert returned is cax
    assert cax.get_ylabel() == "loss"
    assert [t.get_text() for t in cax.get_yticklabels()] == ["0", "1", "2"]


def test_points_that_share_a_spot_are_counted():
    fig = new_figure(3, 3, dpi=30)
    ax = fig.add_subplot()
    panels.fix_limits(ax, ((-1.0, 10.0), (-1.0, 10.0)))
    points = np.vstack([np.zeros((25, 2)), np.linspace([1, 1], [9, 9], 30)])
    panels.stacked_counts(ax, points)
    assert [t.get_text() for t in ax.texts] == ["25 points"]


def test_centres_that_coincide_are_said_to():
    fig = new_figure(3, 3, dpi=30)
    ax = fig.add_subplot()
    panels.fix_limits(ax, ((-1.0, 1.0), (-1.0, 1.0)))
    panels.class_centres(ax, [[0.0, 0.0], [0.001, 0.0], [0.5, 0.5]],
                         names=["outer", "inner", "third"])
    assert [t.get_text() for t in ax.texts] == ["centre of outer and inner"]
    assert len(ax.lines) == 2  # one shared cross, one of its own
