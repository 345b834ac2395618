"""RunFiles: every file of a run, named once, before training, and re-planned for the
frames a run did record."""

from pathlib import Path

import pytest

from vizkit.errors import VizkitError
from vizkit.output.files import RunFiles
from vizkit.pipeline import RenderSettings


def names(paths):
    return [Path(p).name for p in paths]


def test_a_plan_names_every_artifact_still_manifest_and_trajectory(tmp_path):
    settings = RenderSettings(tmp_path / "x.gif", formats=("gif", "png"),
                              stills="first,middle,last")
    files = RunFiles.plan(settings, {"linear": 11, "relu": 11}, still_names=("ladder",),
                          static_still_names=("diagram",), trajectory_parts=("linear", "relu"))
    assert names(files.paths()) == [
        "x-linear.gif", "x-linear.gif.json",
        "x-linear-frame000.png", "x-linear-frame005.png", "x-linear-frame010.png",
        "x-linear-frame000.png.json",
        "x-linear-ladder.png", "x-linear-ladder.png.json",
        "x-relu.gif", "x-relu.gif.json",
        "x-relu-frame000.png", "x-relu-frame005.png", "x-relu-frame010.png",
        "x-relu-frame000.png.json",
        "x-relu-ladder.png", "x-relu-ladder.png.json",
        "x-linear.trajectory.npz", "x-relu.trajectory.npz",
        "x-diagram.png", "x-diagram.png.json"]
    assert {p.parent for p in files.paths()} == {tmp_path}
    gif, png = files.artifacts("relu")
    assert (gif.format, gif.positions, names(gif.paths)) == ("gif", None, ["x-relu.gif"])
    assert png.positions == (0, 5, 10)
    assert png.manifest == tmp_path / "x-relu-frame000.png.json"


def test_one_still_is_the_output_name_and_trajectories_follow_trajectory_to(tmp_path):
    settings = RenderSettings(tmp_path / "x.png", stills="last",
                              trajectory_to=tmp_path / "runs" / "t.npz")
    files = RunFiles.plan(settings, {"": 5}, trajectory_parts=("",))
    assert files.paths() == [tmp_path / "x.png", tmp_path / "x.png.json",
                             tmp_path / "runs" / "t.npz"]
    assert files.trajectory("a") == tmp_path / "runs" / "t-a.npz"


def test_no_trajectory_and_no_animation_plan_only_what_is_asked(tmp_path):
    quiet = RenderSettings(tmp_path / "x.gif", trajectory=False)
    assert names(RunFiles.plan(quiet, {"": 3}, trajectory_parts=("",)).paths()) == [
        "x.gif", "x.gif.json"]
    record_only = RenderSettings(tmp_path / "x.gif", animate=False)
    assert names(RunFiles.plan(record_only, {"": 3}, trajectory_parts=("",)).paths()) == [
        "x.trajectory.npz"]


def test_a_run_that_stopped_early_is_re_planned_by_the_same_rules(tmp_path):
    settings = RenderSettings(tmp_path / "s.gif", formats=("gif", "png"), stills="first,last")
    planned = RunFiles.plan(settings, {"": 21}, trajectory_parts=("a", "b"))
    assert planned.recorded({"": 21}, ["a", "b"]) == planned
    stopped = planned.recorded({"": 6}, ["b", "not-planned"])
    assert names(stopped.paths()) == ["s.gif", "s.gif.json", "s-frame000.png",
                                      "s-frame005.png", "s-frame000.png.json",
                                      "s-b.trajectory.npz"]
    assert "s-frame020.png" in names(planned.paths())
    assert planned.trajectory_parts == ("a", "b")  # a re-plan adds no file to the plan


def test_stills_out_of_range_fail_before_any_path_is_checked(tmp_path):
    settings = RenderSettings(tmp_path / "x.png", stills="0,30")
    with pytest.raises(VizkitError, match="still 30 is out of range: there are 21 frames"):
        RunFiles.plan(settings, {"": 21}).paths()
