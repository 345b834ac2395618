"""A view sets a frame's weights once however many panels ask for them, and finds
its last frame without pacing the run."""

import numpy as np
import pytest

from vizkit import LayerSpaces, Trajectory
from vizkit.views.stills import draw_still


@pytest.fixture
def view(stored_trajectory):
    return LayerSpaces(stored_trajectory, grid_resolution=20, plane_resolution=15)


@pytest.fixture
def weight_sets(monkeypatch):
    """The frames put into a model through ``Trajectory.set_frame``, in order."""
    frames = []
    original = Trajectory.set_frame

    def counting(trajectory, model, frame):
        frames.append(frame)
        return original(trajectory, model, frame)

    monkeypatch.setattr(Trajectory, "set_frame", counting)
    return frames


def held_weights(view):
    return [np.asarray(w) for w in view.model.get_weights()]


def test_each_frame_sets_the_weights_once_and_the_model_holds_them(view, weight_sets,
                                                                   stored_trajectory, tmp_path):
    shown = [3, 1, 1, stored_trajectory.n_frames - 1]
    view.render(tmp_path / "f.png", frames=shown, dpi=20)
    # every panel reads its frame (layer-spaces: three times a frame); frame 1 is shown twice
    assert weight_sets == [3, 1, stored_trajectory.n_frames - 1]
    for frame in (0, 2, -1):
        view.set_frame(frame)
        for held, stored in zip(held_weights(view), stored_trajectory.weights_at(frame)):
            np.testing.assert_array_equal(held, stored)


def test_a_view_of_another_trajectory_sets_its_weights(view, stored_trajectory):
    view.set_frame(0)
    shifted = Trajectory(stored_trajectory.model_config,
                         tuple(w + 1 for w in stored_trajectory.weights),
                         stored_trajectory.metrics, stored_trajectory.x, stored_trajectory.y,
                         info=stored_trajectory.info)
    view.trajectory = shifted
    view.set_frame(0)
    for held, stored in zip(held_weights(view), shifted.weights_at(0)):
        np.testing.assert_array_equal(held, stored)


def test_the_last_frame_s_still_does_not_pace_the_run(view, stored_trajectory, monkeypatch):
    paced = list(view.frames())
    assert paced[0] == 0 and paced[-1] == stored_trajectory.n_frames - 1
    drawn = []
    draw = view.draw
    monkeypatch.setattr(view, "draw", lambda header, axes, frame: (drawn.append(frame),
                                                                   draw(header, axes, frame)))
    monkeypatch.setattr(view, "frame_changes", lambda: pytest.fail("paced the whole run"))
    draw_still(view.frame_still(-1), dpi=20)
    draw_still(view.frame_still(0), dpi=20)
    assert drawn == [paced[-1], paced[0]]
