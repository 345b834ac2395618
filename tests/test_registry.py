"""Formats and views are registered once; the command line, view_for, open_writer and
resolve_format read the registries, so adding a writer or a view touches one place."""

import subprocess
import sys

import numpy as np
import pytest

from vizkit import Trajectory, VizkitError
from vizkit.animation import view_for
from vizkit.cli import main
from vizkit.output.writers import FORMATS, open_writer, resolve_format
from vizkit.views.base import TrajectoryView
from vizkit.views.registry import TWO_FEATURES, VIEWS


def option(command, name):
    return next(p for p in main.commands[command].params if p.name == name)


@pytest.mark.parametrize("command", ["animate", "replay"])
def test_command_line_choices_are_the_registries(command):
    assert tuple(option(command, "formats").type.choices) == FORMATS.list() == (
        "gif", "mp4", "html", "png")
    view = option(command, "view")
    assert tuple(view.type.choices) == VIEWS.choices() == (
        "layers", "units", "tween", "network", "landscape")
    for name in VIEWS.choices():
        assert f"{name}: {VIEWS[name].help}" in view.help


def test_every_registered_view_loads_its_class():
    for name in VIEWS.list():
        cls = VIEWS[name].load()
        assert issubclass(cls, TrajectoryView), name
        assert VIEWS[name].target.endswith(f":{cls.__name__}")
    assert VIEWS.of_images().load().__name__ == "ImageClassifierView"


def test_help_imports_no_view_and_no_tensorflow():
    code = ("import sys\nfrom vizkit.cli import main\n"
            "try:\n    main(['animate', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('vizkit.views.')"
            " or m == 'tensorflow'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == str(["vizkit.views.pacing",
                                                         "vizkit.views.registry"])


class _TextWriter:
    """A writer of one text file: a line per frame, its label and size."""

    def __init__(self, paths, fmt, *, fps, title):
        self.paths, self.lines = paths, [f"{fmt} {fps} {title}"]

    def append(self, rgba, label=""):
        self.lines.append(f"{label} {rgba.shape[1]}x{rgba.shape[0]}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.paths[0].write_text("\n".join(self.lines))


@pytest.fixture
def text_format():
    FORMATS.register("txt", aliases=("text",))(_TextWriter)
    yield
    FORMATS.unregister("txt")


def test_a_registered_writer_is_a_format(text_format, tmp_path):
    assert FORMATS.is_available("txt") and FORMATS.is_available("text")
    assert "txt" in FORMATS.list()
    assert resolve_format(tmp_path / "a.TEXT") == resolve_format("a.gif", "txt") == "txt"
    with open_writer([tmp_path / "a.txt"], "text", fps=5, title="t") as writer:
        assert isinstance(writer, _TextWriter)
        writer.append(np.zeros((3, 4, 4), np.uint8), "one")
    assert (tmp_path / "a.txt").read_text() == "txt 5 t\none 4x3"


def test_an_unregistered_writer_is_gone(text_format):
    FORMATS.unregister("txt")
    assert not FORMATS.is_available("text")
    with pytest.raises(VizkitError, match="use one of: gif, mp4, html, png$"):
        resolve_format("a.text")
    with pytest.raises(VizkitError, match="unknown output format 'txt'"):
        open_writer(["a.txt"], "txt")
    FORMATS.register("txt")(_TextWriter)  # for the fixture to remove


class _Dummy(TrajectoryView):
    """Records what it was made with."""

    def __init__(self, trajectory, grid_resolution):
        self.trajectory, self.grid_resolution = trajectory, grid_resolution


@pytest.fixture
def dummy_view():
    VIEWS.register("dummy", f"{__name__}:_Dummy", help="a view for tests", called="the dummy",
                   inputs={TWO_FEATURES}, outputs={"classification"},
                   build=lambda cls, trajectory, *, grid_resolution, **_: cls(
                       trajectory, grid_resolution))
    yield
    VIEWS.unregister("dummy")


def run_of(n_features):
    return Trajectory(model_config="{}", weights=(np.zeros((2, 1)),),
                      metrics={"loss": np.ones(2)}, x=np.zeros((4, n_features)),
                      y=np.zeros(4))


def test_a_registered_view_is_drawn_by_name(dummy_view):
    trajectory = run_of(2)
    view = view_for(trajectory, view="dummy", grid_resolution=7)
    assert type(view) is _Dummy
    assert view.trajectory is trajectory and view.grid_resolution == 7
    assert "dummy" in VIEWS.choices()
    assert "dummy: a view for tests (2 features, classification only)" in VIEWS.help()


def test_a_view_refuses_inputs_it_cannot_draw(dummy_view):
    VIEWS.check_inputs("dummy", run_of(2).x)
    with pytest.raises(VizkitError, match="this model takes 3 input features, but the dummy "
                                          "draws 2 features; draw it with view='layers' or "
                                          "view='landscape'$"):
        VIEWS.check_inputs("dummy", run_of(3).x)


def test_a_view_refuses_outputs_it_cannot_draw(dummy_view):
    """The dummy draws classification only: a regression's readout is refused in one line
    naming the views that draw it."""
    from types import SimpleNamespace

    VIEWS.check_outputs("dummy", SimpleNamespace(is_regression=False))
    with pytest.raises(VizkitError, match="this model is a regression, but the dummy draws "
                                          "classification only; draw it with view='layers' "
                                          "or view='units'"):
        VIEWS.check_outputs("dummy", SimpleNamespace(is_regression=True))


def test_an_unknown_view_names_the_choices():
    with pytest.raises(VizkitError, match="unknown view 'dummy'; use one of: layers, units, "
                                          "tween, network, landscape$"):
        view_for(run_of(2), view="dummy")
