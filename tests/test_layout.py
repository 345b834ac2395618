"""Layout facts of every view's frame and every still: nothing clipped, nothing
overlapping, no text under the minimum size, rows that fit.

Each figure is drawn at vizkit's default 100 dpi; text is measured with
matplotlib's renderer, so a label that would spill out of the figure, into a
neighbouring panel or onto a legend fails here.
"""

import numpy as np
import pytest
from matplotlib.legend import Legend
from matplotlib.text import Text

from fixtures import DIGITS_TRAJECTORY, NEURON_TRAJECTORIES
from stills_data import classification_run, rings_test_set
from vizkit import LayerSpaces, Trajectory
from vizkit.views.layout import Cell, Layout, wrap
from vizkit.views.stills import Still
from vizkit.style import MIN_TEXT, style


def _boxes_overlap(a, b, slack=1.0):
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > slack and
            min(a.y1, b.y1) - max(a.y0, b.y0) > slack)


def _undrawn_tick_labels(fig):
    """Tick labels of ticks outside their axis's view: matplotlib keeps but skips them."""
    skipped = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 * abs(high - low) <= tick.get_loc() <= high + 1e-9 * abs(high - low):
                    skipped.update((id(tick.label1), id(tick.label2)))
    return skipped


def check_layout(fig):
    """Every fact this module promises, for a drawn figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    skipped = _undrawn_tick_labels(fig)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and t.figure is fig and id(t) not in skipped]
    assert texts
    for text in texts:
        box = text.get_window_extent(renderer)
        where = f"{text.get_text()!r}"
        assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, f"{where} leaves the figure"
        assert box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1, f"{where} leaves the figure"
        assert text.get_fontsize() >= MIN_TEXT, f"{where} is {text.get_fontsize()} pt"
    panels = [ax for ax in fig.axes if ax.axison]
    for a in panels:
        for b in panels:
            if a is not b:
                assert not _boxes_overlap(a.get_tightbbox(renderer), b.bbox), \
                    f"{a.get_title()!r} runs into {b.get_title()!r}"
    for legend in fig.findobj(Legend):
        box = legend.get_window_extent(renderer)
        for ax in panels:
            if ax is not legend.axes:
                assert not _boxes_overlap(box, ax.get_tightbbox(renderer)), \
                    f"a legend covers {ax.get_title()!r}"


def frame_figure(view, frame=-1):
    """The view's figure with ``frame`` (and its caption) drawn."""
    fig, header, axes = view.figure(dpi=100)
    view.draw(header, axes, frame % view.trajectory.n_frames)
    return fig


def still_figure(still):
    from vizkit.output.render import new_figure

    fig = new_figure(*still.size, dpi=100)
    still.draw(fig)
    return fig


@pytest.fixture(scope="module")
def unit_maps_view(unit_maps_trajectory):
    from vizkit.views.units import UnitMaps

    return UnitMaps(unit_maps_trajectory, centres=((-5, 2), (-2, -2), (1, 2), (5, -2)),
                    grid_resolution=30)


@pytest.fixture(scope="module")
def digits_view():
    from vizkit.data.image_sets import load_image_set
    from vizkit.views.image_classifier import ImageClassifierView

    return ImageClassifierView(Trajectory.load(DIGITS_TRAJECTORY), load_image_set("digits", seed=1234))


@pytest.fixture(scope="module")
def classification_view():
    from vizkit.views.decision_regions import ClassificationView

    return ClassificationView(classification_run(), *rings_test_set(), grid_resolution=30)


def test_layer_spaces_frame(stored_trajectory):
    with style():
        check_layout(frame_figure(LayerSpaces(stored_trajectory, grid_resolution=30)))


def test_layer_spaces_of_a_deep_model_wrap_into_rows():
    import keras

    from vizkit import datasets, record

    x, y = datasets.diagonal_clusters(0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,))] + [
        keras.layers.Dense(2, activation="tanh", name=f"h{k}") for k in range(6)] + [
        keras.layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    view = LayerSpaces(record(model, x[:60], y[:60], epochs=1), grid_resolution=20)
    with style():
        fig = frame_figure(view)
        check_layout(fig)
    rows = {round(ax.get_position().y0, 3) for ax in fig.axes if ax.get_title()}
    assert len(rows) == 3  # seven panels: 3 + 2 + 2, not one 2500-px row
    assert fig.get_figwidth() < 13


def test_unit_maps_frame_and_stills(unit_maps_view):
    from vizkit.views.units import unit_map_stills

    with style():
        check_layout(frame_figure(unit_maps_view))
        for still in unit_map_stills(unit_maps_view).values():
            check_layout(still_figure(still))


def test_data_still_has_no_epoch_header(unit_maps_view, stored_trajectory):
    from vizkit.views.units import unit_map_stills

    stills = [unit_map_stills(unit_maps_view)["data"],
              LayerSpaces(stored_trajectory, grid_resolution=20).data_still()]
    with style():
        for still in stills:
            words = " ".join(t.get_text() for t in still_figure(still).findobj(Text))
            assert "Epoch" not in words and "accuracy" not in words


def test_classification_frame_and_stills(classification_view):
    from vizkit.views.decision_regions import classification_stills

    with style():
        check_layout(frame_figure(classification_view))
        stills = classification_stills(classification_view.trajectory, classification_view)
        for still in stills.values():
            check_layout(still_figure(still))


def test_digits_frame_and_stills(digits_view):
    from vizkit.views.image_classifier import digits_stills

    with style():
        check_layout(frame_figure(digits_view))
        for still in digits_stills(digits_view, seed=1234).values():
            check_layout(still_figure(still))


def test_long_class_names_fit_too():
    from dataclasses import replace

    from vizkit.data.image_sets import FASHION_CLASSES, load_image_set
    from vizkit.views.image_classifier import ImageClassifierView, digits_stills

    images = replace(load_image_set("digits", seed=1234), class_names=FASHION_CLASSES)
    view = ImageClassifierView(Trajectory.load(DIGITS_TRAJECTORY), images)
    with style():
        check_layout(frame_figure(view))
        stills = digits_stills(view, seed=1234)
        for name in ("samples", "logits", "confusion"):
            check_layout(still_figure(stills[name]))


@pytest.mark.parametrize("kind", ["linear", "logistic"])
def test_neuron_frames_and_stills(kind):
    from vizkit.views.neuron_fit import NeuronView, activations_still, neuron_fit_still

    labels = ("size (1000 sqft)", "price ($1000s)") if kind == "linear" else ("x", "y")
    view = NeuronView(Trajectory.load(NEURON_TRAJECTORIES[kind]),
                      "mean_squared_error" if kind == "linear" else "binary_crossentropy",
                      None if kind == "linear" else "sigmoid", target=(2.0, -4.5),
                      labels=labels, resolution=40)
    z = np.linspace(-5, 5, 50)
    xs = np.linspace(0, 5, 20)
    fit = neuron_fit_still(np.arange(5.0), np.arange(5.0) > 2, xs, xs / 5, xs / 5, (2.0, -4.5),
                           activation=None if kind == "linear" else "sigmoid", labels=labels,
                           title=f"{kind} neuron, weights set by hand")
    with style():
        check_layout(frame_figure(view))
        check_layout(still_figure(fit))
        check_layout(still_figure(activations_still(z, {"tanh": (np.tanh(z), 1 - np.tanh(z) ** 2),
                                                        "linear": (z, np.ones_like(z))})))


def test_layout_reserves_room_and_centres_short_rows():
    layout = Layout([[Cell(2, 2), Cell(2, 2)], [Cell(2, 2)]], header=0.5)
    width, height = layout.size
    assert width == pytest.approx(2 * Cell(2, 2).outer_width + 2 * 0.12)
    assert height == pytest.approx(2 * Cell(2, 2).outer_height + 0.5 + 2 * 0.12)
    with style():
        fig = still_figure(Still(layout.size, lambda fig: layout.place(fig)))
    boxes = [ax.get_position() for ax in fig.axes if ax.axison]
    lone = boxes[2]
    cell = Cell(2, 2)  # the short row's cell (box and label room) is centred
    assert (lone.x0 + lone.x1) / 2 == pytest.approx(0.5 + (cell.left - cell.right) / 2 / width)
    assert wrap(range(7), 4) == [[0, 1, 2, 3], [4, 5, 6]]
    assert [len(r) for r in wrap(range(14), 4)] == [4, 4, 3, 3]
