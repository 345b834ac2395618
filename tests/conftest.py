"""Shared fixtures: stored trajectories, image comparison against baselines."""

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ["MPLBACKEND"] = "Agg"
sys.path.insert(0, str(Path(__file__).parent))

from fixtures import LAYER_SPACES_TRAJECTORY, UNIT_MAPS_TRAJECTORY  # noqa: E402

BASELINES = Path(__file__).parent / "baseline"
FAILED = Path(__file__).parent / "failed-images"
TOLERANCE = 2.0  # RMS on the 0-255 scale, as pytest-mpl's default
REGENERATE = os.environ.get("VIZKIT_REGENERATE_BASELINES") == "1"


@pytest.fixture(scope="session")
def stored_trajectory():
    """The small layer-spaces run stored in tests/data (see fixtures.py)."""
    from vizkit import Trajectory

    return Trajectory.load(LAYER_SPACES_TRAJECTORY)


@pytest.fixture(scope="session")
def unit_maps_trajectory():
    """The 40-epoch unit-maps run stored in tests/data (see fixtures.py)."""
    from vizkit import Trajectory

    return Trajectory.load(UNIT_MAPS_TRAJECTORY)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def assert_image_matches():
    """Compare a PNG file with ``tests/baseline/NAME``; on failure keep the evidence.

    A failing comparison copies the actual image and matplotlib's diff image
    to ``tests/failed-images/``. With VIZKIT_REGENERATE_BASELINES=1 (``make
    baselines``) the baseline is replaced instead.
    """
    from matplotlib.testing.compare import compare_images

    def check(actual, name):
        baseline = BASELINES / name
        if REGENERATE:
            BASELINES.mkdir(exist_ok=True)
            shutil.copyfile(actual, baseline)
            return
        assert baseline.exists(), f"no baseline {baseline}; run `make baselines` on purpose"
        FAILED.mkdir(exist_ok=True)
        kept = FAILED / name
        shutil.copyfile(actual, kept)
        result = compare_images(str(baseline), str(kept), tol=TOLERANCE, in_decorator=True)
        if result is None:
            kept.unlink()
            return
        pytest.fail(f"{name} differs from its baseline: RMS {result['rms']:.2f} > {TOLERANCE}; "
                    f"see {kept} and {result['diff']}")

    return check
