"""Pacing: which frames an animation shows, and how long the GIF rests on the last."""

import json

import numpy as np
import pytest
from PIL import Image

from vizkit import LayerSpaces
from vizkit.views.pacing import changes_between, choose_frames
from vizkit.pipeline import Recipe, RenderSettings, produce
from vizkit.output.gif_file import GIF_HOLD
from vizkit.output.writers import open_writer


def test_steady_change_keeps_evenly_spaced_frames():
    chosen = choose_frames(np.ones(201), share=1 / 40)
    assert chosen[0] == 0 and chosen[-1] == 200
    assert np.all(np.diff(chosen) == 5)


def test_fast_then_settling_run_keeps_every_early_frame_and_spaces_the_rest():
    changes = np.concatenate([[0], np.full(10, 10.0), np.full(190, 0.1)])
    chosen = choose_frames(changes, share=1 / 40)
    assert chosen[:11] == list(range(11))  # each early epoch moves more than a step
    late = np.diff(chosen[11:])
    assert late.min() >= 10 and len(chosen) < 40
    assert chosen[-1] == 200


def test_a_run_that_does_not_change_shows_its_ends_and_short_runs_stay_whole():
    assert choose_frames(np.zeros(50)) == [0, 49]
    assert choose_frames([0.0, 5.0]) == [0, 1]


def test_changes_are_measured_on_each_quantity_s_own_scale():
    signals = [{"big": np.array([0.0, 100.0 * k]), "small": np.array([0.01 * k])}
               for k in range(5)]
    changes = changes_between(signals)
    assert changes[0] == 0
    np.testing.assert_allclose(changes[1:], 0.25 * (0.5 + 1) / 2)


@pytest.mark.parametrize("choice", ["auto", "all"])
def test_the_manifest_records_the_frames_shown(tmp_path, stored_trajectory, choice):
    recipe = Recipe("layer-spaces", record=None,
                    view=lambda t, o: LayerSpaces(t, grid_resolution=20))
    produce(recipe, {}, RenderSettings(tmp_path / "run.gif", dpi=30, frames=choice),
            replay=stored_trajectory, replay_from="stored.npz")
    manifest = json.loads((tmp_path / "run.gif.json").read_text())
    view = LayerSpaces(stored_trajectory, grid_resolution=20)
    expected = list(view.frames(choice))
    assert manifest["parameters"]["frames"] == choice
    assert manifest["parameters"]["frames_shown"] == expected
    assert manifest["frames"] == len(expected)
    if choice == "all":
        assert expected == list(range(stored_trajectory.n_frames))


def test_a_gif_rests_on_its_last_frame(tmp_path):
    path = tmp_path / "hold.gif"
    rgba = np.zeros((4, 16, 16, 4), np.uint8)
    rgba[..., 3] = 255
    for k in range(4):
        rgba[k, :, : 4 * (k + 1), 1] = 200
    with open_writer([path], "gif", fps=5) as writer:
        for frame in rgba:
            writer.append(frame)
    with Image.open(path) as gif:
        delays = []
        for k in range(gif.n_frames):
            gif.seek(k)
            delays.append(gif.info["duration"])
    assert delays[:-1] == [200] * 3
    assert delays[-1] == pytest.approx(GIF_HOLD * 1000, abs=10)
