"""Pixels: frames of the stored trajectory against reviewed PNG baselines.

Rendered from tests/data (no training), with vizkit's fixed style, Agg and a
fixed dpi. `make baselines` rewrites the baselines on purpose.
"""

import pytest

from vizkit import LayerSpaces

pytestmark = pytest.mark.snapshot


@pytest.fixture(scope="module")
def stills(stored_trajectory, tmp_path_factory):
    out = tmp_path_factory.mktemp("snapshots") / "layer-spaces.png"
    view = LayerSpaces(stored_trajectory, grid_resolution=120)
    last = stored_trajectory.n_frames - 1
    frames = [0, last // 2, last]
    result = view.render(out, "png", frames=frames, dpi=60)
    return dict(zip(frames, result.paths))


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_layer_spaces_frame(stills, position, assert_image_matches):
    frames = sorted(stills)
    frame = {"first": frames[0], "middle": frames[1], "last": frames[2]}[position]
    assert_image_matches(stills[frame], f"layer_spaces_{position}.png")
