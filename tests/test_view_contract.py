"""The view contract, over every view and every kind of output it draws.

As seaborn tests its plots, by the artists they leave: a frame of each view
(and a sweep's frame: a cell and the canvas header around it), for each kind
of output the view accepts, drawn at vizkit's default 100 dpi, must keep the
promises of docs/design.md ("Text", "Keys", "Layout"):

* no text is smaller than 9 pt (:data:`vizkit.style.MIN_TEXT`);
* no text, legend or colour bar leaves the figure;
* every colour that carries meaning is explained: whatever is coloured
  through a colour map has a colour bar of that map and scale, or, for class
  regions, a class key; points in class colours have a key entry per colour;
* every data axes names its x and y (or is exempted below, with the reason);
* and the layout facts of tests/test_layout.py: no panel runs into another, no key
  covers a panel.
"""

import functools

import numpy as np
import pytest
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba_array
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.text import Text

from fixtures import DIGITS_TRAJECTORY, NEURON_TRAJECTORIES
from stills_data import classification_run, rings_test_set
from test_layout import check_layout
from vizkit import Trajectory
from vizkit.style import MIN_TEXT, class_colors, style

CLASS_RGB = {tuple(np.round(c, 3)) for c in class_colors(10)}


# -- runs of each output kind --------------------------------------------------------
def _record(kind, epochs=2):
    """A small run of a 2-feature model with ``kind`` outputs: three classes through a
    softmax, or a regression of one value."""
    import keras

    from vizkit import datasets, record

    x, y = datasets.blobs(0, n_samples=60, centers=((-4, 2), (0, -2), (4, 2)))
    keras.utils.set_random_seed(0)
    if kind == "softmax":
        last = keras.layers.Dense(3, activation="softmax", name="out")
        loss = "sparse_categorical_crossentropy"
    else:
        last, loss = keras.layers.Dense(1, name="out"), "mean_squared_error"
        y = (x[:, 0] - 0.5 * x[:, 1]).astype(np.float32)
    model = keras.Sequential([keras.Input((2,)),
                              keras.layers.Dense(2, activation="tanh", name="hidden"), last])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss,
                  metrics=["accuracy"] if kind == "softmax" else None)
    return record(model, x, y, epochs=epochs, seed=0)


@functools.cache
def run(kind):
    """The stored run of ``kind`` (sigmoid, logits over 4 classes), or one recorded once."""
    from fixtures import LAYER_SPACES_TRAJECTORY, UNIT_MAPS_TRAJECTORY

    stored = {"sigmoid": LAYER_SPACES_TRAJECTORY, "logits": UNIT_MAPS_TRAJECTORY}
    return Trajectory.load(stored[kind]) if kind in stored else _record(kind)


# -- frames ---------------------------------------------------------------------------
def frame_figures(view, frame=-1):
    """The view's figure with ``frame`` drawn, as the only figure of the frame."""
    fig, header, axes = view.figure(dpi=100)
    view.draw(header, axes, frame % view.trajectory.n_frames)
    return [fig]


def layer_spaces(kind):
    from vizkit import LayerSpaces

    return frame_figures(LayerSpaces(run(kind), grid_resolution=20, mesh_resolution=20))


def unit_maps(kind):
    from vizkit.views.units import UnitMaps

    return frame_figures(UnitMaps(run(kind), grid_resolution=20))


def neuron(kind):
    from vizkit.views.neuron_fit import NeuronView

    logistic = kind == "sigmoid"
    view = NeuronView(Trajectory.load(NEURON_TRAJECTORIES["logistic" if logistic else "linear"]),
                      "binary_crossentropy" if logistic else "mean_squared_error",
                      "sigmoid" if logistic else None, target=(2.0, -4.5), resolution=30)
    return frame_figures(view)


def network(kind):
    from vizkit.views.network import NetworkDiagram

    return frame_figures(NetworkDiagram(run(kind), grid_resolution=20))


def tween(kind):
    from vizkit.views.tween import Tween

    view = Tween(run(kind), grid_resolution=40, mesh_resolution=20, steps=4, camera_steps=1,
                 hold=1)
    fig, header, axes = view.figure(dpi=100)
    view.draw(header, axes, view.frame_count - 1)
    return [fig]


def landscape(kind):
    from vizkit.views.landscape import LossLandscape

    loss = "sparse_categorical_crossentropy" if kind == "softmax" else None
    return frame_figures(LossLandscape(run(kind), loss, resolution=7))


def image_classifier(kind):
    from vizkit.data.image_sets import load_image_set
    from vizkit.views.image_classifier import ImageClassifierView

    return frame_figures(ImageClassifierView(Trajectory.load(DIGITS_TRAJECTORY),
                                             load_image_set("digits", seed=1234)))


def classification(kind):
    from vizkit.views.decision_regions import ClassificationView

    return frame_figures(ClassificationView(classification_run(), *rings_test_set(),
                                            grid_resolution=30))


def sweep_frame(kind):
    """A sweep's frame is a cell's figure pasted under the canvas's header figure."""
    from vizkit.inspect.grid import InputGrid
    from vizkit.sweep.canvas import SweepCanvas
    from vizkit.sweep.cells import CellScales, VariantCell, trajectory_bytes
    from vizkit.sweep.sweep_run import _shared_outputs

    trajectory = run(kind)
    n_classes, values = _shared_outputs([trajectory_bytes(trajectory)])
    grid = InputGrid.around(trajectory.x, 20)
    cell = VariantCell(trajectory, grid, n_classes, "activation_1" if kind == "sigmoid" else
                       "hidden")
    cell.scales = CellScales(grid, n_classes, "seed=1", cell.fit_hidden(), values)
    fig, band, axes = cell.figure(dpi=100)
    cell.draw(band, axes, trajectory.n_frames - 1)
    canvas = SweepCanvas(1, 2, (int(fig.bbox.height), int(fig.bbox.width)),
                         "2 runs  ·  seed varies", 100, n_classes=n_classes, values=values)
    canvas.frame("Epoch 1 of 1")
    return [fig, canvas.figure]


CASES = [(layer_spaces, "sigmoid"), (layer_spaces, "softmax"), (layer_spaces, "logits"),
         (layer_spaces, "regression"),
         (unit_maps, "sigmoid"), (unit_maps, "logits"), (unit_maps, "regression"),
         (neuron, "sigmoid"), (neuron, "regression"),
         (network, "sigmoid"), (network, "softmax"), (network, "regression"),
         (tween, "sigmoid"), (tween, "softmax"), (tween, "regression"),
         (landscape, "sigmoid"), (landscape, "softmax"),
         (image_classifier, "images"),
         (classification, "sigmoid"),
         (sweep_frame, "sigmoid"), (sweep_frame, "softmax"), (sweep_frame, "regression")]

#: Colour maps that draw the input's own pixels: a picture shows what it is.
PICTURES = {"gray", "gray_r"}

#: Axes that name no x and y, and why: a picture, not a plot.
UNLABELLED = {
    "network": "the diagram's nodes are laid out, not plotted (its output panel is labelled)",
    "image_classifier": "image tiles and weight maps are pictures of pixels",
}


# -- the contract ---------------------------------------------------------------------
def _drawn_texts(fig):
    """Visible, non-empty texts, without the tick labels matplotlib keeps but skips."""
    skipped = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * abs(high - low)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - slack <= tick.get_loc() <= high + slack:
                    skipped.update((id(tick.label1), id(tick.label2)))
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and t.figure is fig and id(t) not in skipped and _shown(t)]


def _shown(artist):
    ax = artist.axes
    return ax is None or ax.get_visible()


def _colour_bars(fig):
    """Every colour bar of ``fig``, inset ones too."""
    return [ax._colorbar for ax in fig.findobj(lambda a: getattr(a, "_colorbar", None)
                                               is not None)]


def _colour_mapped(fig):
    """Artists whose colours come from a colour map (not the colour bars' own)."""
    bars = {id(bar.ax) for bar in _colour_bars(fig)}
    found = []
    for artist in fig.findobj(lambda a: isinstance(a, ScalarMappable)):
        if artist.axes is None or id(artist.axes) in bars or not artist.get_visible():
            continue
        values = artist.get_array()
        if values is None or (isinstance(artist, AxesImage) and np.ndim(values) == 3):
            continue
        if getattr(artist, "colors", None) is not None:  # contour lines in one colour
            continue
        if artist.get_cmap().name in PICTURES:
            continue
        found.append(artist)
    return found


def _key_colours(figs):
    """RGB of every legend entry's marker or patch in ``figs``."""
    colours = set()
    for fig in figs:
        for legend in fig.findobj(Legend):
            for handle in legend.legend_handles:
                for getter in ("get_markerfacecolor", "get_facecolor"):
                    if hasattr(handle, getter):
                        faces = to_rgba_array(getattr(handle, getter)())
                        colours.update(tuple(np.round(c[:3], 3)) for c in faces)
    return colours


def _labelled(ax):
    """Whether ``ax`` names its x and its y: as axis labels, as texts tagged ``xlabel``
    and ``ylabel`` (a panel whose scale moves draws its own), or by a panel of its
    row (for y) or column (for x) that shares that axis: the same limits, and this
    panel shows no tick labels of its own there."""
    names = {t.get_gid() for t in ax.texts}
    return all(label() or gid in names or _shares(ax, which)
               for which, label, gid in (("x", lambda: ax.get_xlabel().strip(), "xlabel"),
                                         ("y", lambda: ax.get_ylabel().strip(), "ylabel")))


def _shares(ax, which):
    ticks = ax.get_xticklabels() if which == "x" else ax.get_yticklabels()
    if any(label.get_visible() and label.get_text() for label in ticks):
        return False
    lims, label, line = (("get_xlim", "get_xlabel", "x0") if which == "x" else
                         ("get_ylim", "get_ylabel", "y0"))
    place = getattr(ax.get_position(), line)
    return any(getattr(other, label)().strip()
               and getattr(other, lims)() == getattr(ax, lims)()
               and np.isclose(getattr(other.get_position(), line), place)
               for other in ax.figure.axes if other is not ax)


def check_contract(figs, view_name):
    page_boxes = []
    key_colours = _key_colours(figs)
    bars = [bar for fig in figs for bar in _colour_bars(fig)]
    for fig in figs:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        page = fig.bbox
        boxes = [(repr(t.get_text()), t.get_window_extent(renderer)) for t in _drawn_texts(fig)]
        boxes += [("a legend", legend.get_window_extent(renderer))
                  for legend in fig.findobj(Legend) if legend.get_visible()]
        boxes += [(f"the colour bar {bar.ax.get_ylabel() or bar.ax.get_xlabel()!r}",
                   bar.ax.get_tightbbox(renderer)) for bar in _colour_bars(fig)]
        for where, box in boxes:
            assert (box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1
                    and box.y1 <= page.y1 + 1), f"{where} leaves the figure"
        page_boxes.append(page)
        for text in _drawn_texts(fig):
            size = text.get_fontsize()
            assert size >= MIN_TEXT, f"{text.get_text()!r} is {size} pt"
        for artist in _colour_mapped(fig):
            name = artist.get_cmap().name
            explained = any(bar.cmap.name == name and
                            np.allclose((bar.norm.vmin, bar.norm.vmax),
                                        (artist.norm.vmin, artist.norm.vmax))
                            for bar in bars)
            if name == "vizkit-regions":  # class regions: a class key will do
                explained = explained or {tuple(np.round(c, 3)) for c in class_colors(
                    artist.get_cmap().N)} <= key_colours
            assert explained, (f"a {type(artist).__name__} coloured by {name!r} has no colour "
                               "bar (or class key)")
        for points in fig.findobj(PathCollection):
            if points.get_array() is not None or not _shown(points):
                continue
            faces = {tuple(np.round(c[:3], 3)) for c in points.get_facecolors()}
            missing = (faces & CLASS_RGB) - key_colours
            assert not missing, f"points in class colours {sorted(missing)} have no key entry"
        if view_name in UNLABELLED:
            continue
        bar_axes = {id(bar.ax) for bar in _colour_bars(fig)}
        for ax in fig.axes:
            if ax.axison and ax.get_visible() and id(ax) not in bar_axes and ax.has_data():
                assert _labelled(ax), f"the axes {ax.get_title()!r} names no x or no y"


@pytest.mark.parametrize("draw, kind", CASES, ids=[f"{d.__name__}-{k}" for d, k in CASES])
def test_view_contract(draw, kind):
    with style():
        figs = draw(kind)
        check_contract(figs, draw.__name__)
        for fig in figs:  # and the layout facts: no panel runs into another or under a key
            check_layout(fig)


def test_the_contract_fails_a_small_text_an_unexplained_colour_and_an_unnamed_axis():
    """The checks themselves: a figure breaking each promise fails on it."""
    from matplotlib.colors import Normalize

    from vizkit import panels
    from vizkit.output.render import new_figure

    def figure():
        fig = new_figure(3, 3, dpi=100)
        ax = fig.add_axes((0.25, 0.25, 0.6, 0.6))
        ax.set_xlabel("x0")
        ax.set_ylabel("x1")
        return fig, ax

    with style():
        fig, ax = figure()
        ax.text(0.5, 0.5, "tiny", fontsize=8)
        with pytest.raises(AssertionError, match="8.0 pt"):
            check_contract([fig], "test")
        fig, ax = figure()
        panels.region_image(ax, (0, 1, 0, 1), np.eye(3), cmap="viridis", norm=Normalize(0, 1))
        with pytest.raises(AssertionError, match="no colour bar"):
            check_contract([fig], "test")
        fig, ax = figure()
        panels.class_points(ax, np.eye(2), [0, 1])
        with pytest.raises(AssertionError, match="no key entry"):
            check_contract([fig], "test")
        panels.class_legend(ax, ["a", "b"])
        ax.set_ylabel("")
        with pytest.raises(AssertionError, match="names no x or no y"):
            check_contract([fig], "test")
        fig, ax = figure()
        ax.text(2.5, 0.5, "outside", transform=ax.transAxes)
        with pytest.raises(AssertionError, match="leaves the figure"):
            check_contract([fig], "test")
