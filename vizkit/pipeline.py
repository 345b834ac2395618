"""The one way a run becomes files: plan, check, record or replay, render, save.

Every producer goes through :func:`produce`: each scene, ``vizkit animate``,
``record`` and ``replay``, and :func:`vizkit.animate`. A producer supplies a
:class:`Recipe` (how to record its run, which view draws it, which stills it
has) and :class:`RenderSettings`; the pipeline plans every file the run will
write (:class:`~vizkit.output.files.RunFiles`) and checks them all before any
training, records (or loads) the trajectories, re-plans if the run stopped
early, renders each format and still with a manifest beside it, and commits
everything as one :class:`~vizkit.run.transaction.OutputTransaction`. A
sweep is a recipe too: its recording fans out on Dask and its one view
composes every variant (:mod:`vizkit.sweep.sweep_run`).
"""

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .errors import VizkitError, parameter, spoken
from .inspect.engine import check_engine, use_engine
from .output.files import RunFiles, manifest_of
from .output.manifest import manifest_record, write_json
from .views.pacing import FRAME_CHOICES
from .progress import Progress
from .run.transaction import OutputTransaction
from .output.writers import DEFAULT_FPS, resolve_format

__all__ = ["Recipe", "RenderSettings", "Progress", "produce"]


@dataclass(frozen=True)
class Recipe:
    """What a producer supplies to :func:`produce`.

    Attributes
    ----------
    name : str
        The scene (or command) name, stored in every trajectory it records.
    record : callable
        ``record(options, progress)`` → a :class:`~vizkit.run.trajectory.Trajectory`,
        or ``{part: Trajectory}`` for a run of several (e.g. two neurons);
        ``progress`` is a :class:`Progress`.
    view : callable
        ``view(trajectory, options)`` → the view that animates it.
    stills : callable, optional
        ``stills(trajectory, view, options)`` → ``{name: Still}`` drawn from the run;
        ``still_names`` lists the names, for the checks before training.
    static_stills : callable, optional
        ``static_stills(options)`` → ``{name: Still}`` that need no training
        (not redrawn on replay); ``static_still_names`` lists them.
    parts : tuple of str
        Names of the trajectories a run records (``("",)``: one); each is drawn
        apart (``x-linear.gif``) unless ``compose`` is given.
    render_options : tuple of str
        Options that change the drawing, not the run (kept on replay).
    compose : callable, optional
        ``compose(trajectories, options)`` → one view of every part's trajectory
        (a sweep's cells side by side), drawn as the run's one animation; each
        part's trajectory is still saved (``x-PART.trajectory.npz``). Besides
        ``frames`` and ``write`` such a view has ``manifest_fields(files)``: the
        manifest's ``scene``, ``parameters``, ``seed``, ``metrics`` and any
        fields of its own (``files``: the run's
        :class:`~vizkit.output.files.RunFiles`). Its trajectories need only
        ``save(path)``.
    sweepable : bool
        Whether ``vizkit sweep`` may draw variants of this run side by side (a run
        of one part over a 2-D input plane).
    sweep_hidden : str, optional
        The layer a sweep's cells draw beside the input space by default.
    """

    name: str
    record: Callable
    view: Callable
    stills: Callable = None
    still_names: tuple = ()
    static_stills: Callable = None
    static_still_names: tuple = ()
    parts: tuple = ("",)
    render_options: tuple = ()
    compose: Callable = None
    sweepable: bool = False
    sweep_hidden: str = None


@dataclass(frozen=True)
class RenderSettings:
    """Where and how to write: ``out`` names the main artifact; its suffix picks
    the format unless ``formats`` are given. An animation shows the frames
    ``frames`` picks (``"auto"``: paced, see :mod:`vizkit.views.pacing`; ``"all"``), PNG
    the frames ``stills`` names. ``formats=()`` with ``animate=False``
    writes no animation (``vizkit record``). The trajectory goes beside ``out``
    (``x.gif`` → ``x.trajectory.npz``) unless ``trajectory_to`` names it, or
    nowhere with ``trajectory=False``. With ``tensorboard`` (a log folder) every
    frame of the first format and the metrics also go to TensorBoard, once the
    files are saved. ``engine`` computes the layer outputs the views draw
    (:data:`vizkit.inspect.engine.ENGINES`: ``auto`` is numpy when it knows the model)."""

    out: Path
    formats: tuple = ()
    fps: int = DEFAULT_FPS
    dpi: int = 100
    stills: str = "last"
    frames: str = "auto"
    overwrite: bool = False
    animate: bool = True
    trajectory: bool = True
    trajectory_to: Path = None
    tensorboard: Path = None
    engine: str = "auto"
    sinks: tuple = field(default=())

    @classmethod
    def trajectory_only(cls, path, overwrite=False):
        """Settings that write a run's trajectory to ``path`` (as ``.npz``) and draw
        nothing (``vizkit record``)."""
        if not Path(path).name:
            raise VizkitError(f"{parameter('out')} names no file; give a file name such as "
                              "run.npz")
        path = Path(path).with_suffix(".npz")
        return cls(out=path, animate=False, trajectory_to=path, overwrite=overwrite)

    def __post_init__(self):
        for name, low, high in (("fps", 1, 60), ("dpi", 30, 400)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise VizkitError(f"{name} must be a whole number from {low} to {high}, "
                                  f"got {value!r}")
        if self.frames not in FRAME_CHOICES:
            raise VizkitError(f"frames must be one of {', '.join(FRAME_CHOICES)}, got "
                              f"{self.frames!r}")
        check_engine(self.engine)
        object.__setattr__(self, "out", Path(self.out))

    def format_list(self):
        """The formats to write, checked, in order, without repeats."""
        if not self.animate:
            return []
        found = [resolve_format(self.out, f) for f in self.formats] or [resolve_format(self.out)]
        return list(dict.fromkeys(found))


def produce(recipe, options, settings, *, replay=None, replay_from=None, any_scene=False,
            progress=None):
    """Run ``recipe`` with ``options`` and write everything ``settings`` asks for.

    ``replay`` is a trajectory to draw instead of training, read from
    ``replay_from``; its scene must be ``recipe.name`` unless ``any_scene``.
    Returns the paths written, in order; on any failure or interruption
    nothing is left behind.
    """
    progress = progress or Progress()
    if replay is not None and not any_scene:
        _check_replay(recipe, replay)
    with use_engine(settings.engine):
        return _produce(recipe, options, settings, replay, replay_from, progress)


def _produce(recipe, options, settings, replay, replay_from, progress):
    files = _plan(recipe, options, settings, replay)
    boards = []
    with OutputTransaction(settings.overwrite) as run:
        run.check(files.paths())
        trajectories = ({replay.info.get("part", ""): replay} if replay is not None
                        else _record(recipe, options, progress))
        views = _views(recipe, options, settings, trajectories)
        counts = {part: len(view.frames("all")) if view is not None else files.frame_counts[part]
                  for part, view in views.items()}
        recorded = files.recorded(counts, trajectory_parts=list(trajectories))
        if recorded != files:  # the run stopped early: other PNG stills, fewer trajectories
            files = recorded
            run.check(files.paths())
        replayed = replay_from if replay is not None else None
        for part, view in views.items():
            drawn = trajectories if recipe.compose is not None else {part: trajectories[part]}
            boards.append(_draw(recipe, options, settings, files, run, part, view, drawn,
                                replayed, progress))
        if _draws_static_stills(recipe, settings, replay):
            for name, still in recipe.static_stills(options).items():
                _write_still(run, files.still(name), still, settings,
                             _parameters(recipe, options, settings, {}, None, name))
        written = run.commit()
    for board in filter(None, boards):
        board.write(files.tensorboard)
    return written


def _check_replay(recipe, trajectory):
    scene = trajectory.info.get("scene")
    if scene != recipe.name:
        drawn_by = (spoken(f"vizkit_scenes.{scene.replace('-', '_')}.RECIPE",
                           f"vizkit {scene} {parameter('replay')}")
                    if scene and scene not in ("animate", "record")
                    else spoken("vizkit.animation.model_recipe", "vizkit replay"))
        raise VizkitError(f"this trajectory is a run of {scene or 'unknown origin'!r}, not of "
                          f"{recipe.name!r}; render it with {drawn_by}")


def _draws_static_stills(recipe, settings, replay):
    return recipe.static_stills is not None and replay is None and settings.animate


def _plan(recipe, options, settings, replay):
    """Every file the run will write, as far as it is known before training."""
    parts = [replay.info.get("part", "")] if replay is not None else list(recipe.parts)
    n_frames = replay.n_frames if replay is not None else options.get("epochs", 0) + 1
    drawn = [""] if recipe.compose is not None else parts
    return RunFiles.plan(
        settings, {part: n_frames for part in drawn},
        still_names=recipe.still_names if settings.animate else (),
        static_still_names=(recipe.static_still_names
                            if _draws_static_stills(recipe, settings, replay) else ()),
        trajectory_parts=parts if replay is None else ())


def _record(recipe, options, progress):
    """Record the run: ``{part: trajectory}``; a drawing of one part each is stamped
    with its scene and part (a composed recording stamps its own)."""
    recorded = recipe.record(options, progress)
    if not isinstance(recorded, dict):
        recorded = {recipe.parts[0]: recorded}
    if recipe.compose is not None:
        return recorded
    return {part: replace(trajectory, info=dict(trajectory.info, scene=recipe.name, part=part))
            for part, trajectory in recorded.items()}


def _views(recipe, options, settings, trajectories):
    """``{drawn part: view}``: one view per part, or one composed of every part."""
    if not settings.animate:
        return {part: None for part in trajectories}
    if recipe.compose is not None:
        return {"": recipe.compose(trajectories, options)}
    return {part: recipe.view(trajectory, options) for part, trajectory in trajectories.items()}


def _draw(recipe, options, settings, files, run, part, view, trajectories, replayed,
          progress):
    """Write ``part``'s drawing in every format, its stills, and its trajectories."""
    board = None
    if view is not None:
        board = _write_formats(recipe, options, settings, files, run, part, view, replayed,
                               progress)
    if recipe.compose is None and view is not None and recipe.stills:
        trajectory = trajectories[part]
        for name, still in recipe.stills(trajectory, view, options).items():
            _write_still(run, files.still(name, part), still, settings,
                         _parameters(recipe, options, settings, trajectory.info, replayed,
                                     name, view),
                         trajectory)
    for trajectory_part, trajectory in trajectories.items():
        if trajectory_part in files.trajectory_parts:
            run.write(files.trajectory(trajectory_part), trajectory.write_npz)
    return board


def _write_formats(recipe, options, settings, files, run, part, view, replayed, progress):
    """The render loop: each format of ``view`` into its staged files, and its manifest."""
    every = list(view.frames("all"))
    artifacts = files.artifacts(part)
    animated = any(a.positions is None for a in artifacts)
    shown = list(view.frames(settings.frames)) if animated else []
    board = (_BoardFrames(view, f"{recipe.name}/{part}" if part else recipe.name)
             if files.tensorboard else None)
    for artifact in artifacts:
        frames = shown if artifact.positions is None else [every[i] for i in artifact.positions]
        label = f"rendering {artifact.format}" + (f" ({part})" if part else "")
        with progress.bar(label, len(frames)) as advance:
            sinks = settings.sinks + ((board.sink(frames),) if board else ())
            result = view.write([run.stage(p) for p in artifact.paths], artifact.format,
                                frames=frames, fps=settings.fps, dpi=settings.dpi,
                                on_frame=advance,
                                sinks=sinks if artifact is artifacts[0] else ())
        fields = (view.manifest_fields(files) if recipe.compose is not None else
                  _run_fields(recipe, options, settings, view, replayed, frames))
        record = manifest_record(artifact.paths[0], frames=result.frame_count,
                                 files=artifact.paths, frame_size=result.frame_size,
                                 **{name: fields.pop(name) for name in _RECORD_FIELDS})
        if recipe.compose is None:  # a sweep's cells are drawn on its workers
            record["layer_engine"] = view.layer_engine
        record.update(fields)  # a composed view's own (a sweep's variants and resources)
        write_json(run.stage(artifact.manifest), record)
    return board


_RECORD_FIELDS = ("scene", "parameters", "seed", "metrics")


def _run_fields(recipe, options, settings, view, replayed, frames):
    """What the manifest of one run's animation says of it (see :data:`_RECORD_FIELDS`):
    the ``frames`` of ``view`` shown, and the epoch each shows."""
    trajectory = view.trajectory
    parameters = _parameters(recipe, options, settings, trajectory.info, replayed, None, view)
    parameters.update(frames=settings.frames, frames_shown=[int(f) for f in frames],
                      epochs_shown=[int(view.frame_epoch(f)) for f in frames])
    return dict(scene=recipe.name, parameters=parameters, seed=trajectory.info.get("seed"),
                metrics=trajectory.final_metrics())


class _BoardFrames:
    """A view's rendered frames, kept PNG-encoded until the run's files are saved,
    then written to TensorBoard with the run's metrics (nothing for a failed run)."""

    def __init__(self, view, tag):
        self.view, self.tag, self.frames = view, tag, []

    def sink(self, frames):
        """A render sink: ``(rgba, position)`` of ``frames``."""
        import imageio.v3 as iio

        def keep(rgba, position):
            png = iio.imwrite("<bytes>", rgba[..., :3], extension=".png")
            self.frames.append((png, self.view.frame_step(frames[position])))

        return keep

    def write(self, logdir):
        import imageio.v3 as iio

        from .output.tensorboard import TensorBoardSink

        with TensorBoardSink(logdir, tag=self.tag) as board:
            for png, step in self.frames:
                board.add_frame(iio.imread(png), step)
            board.add_scalars(self.view.trajectory)


def _write_still(run, path, still, settings, parameters, trajectory=None):
    from .views.stills import write_still

    size = write_still(still, run.stage(path), settings.dpi)
    record = manifest_record(path, scene=parameters.get("scene"), parameters=parameters,
                             seed=parameters.get("seed"), frames=1,
                             metrics=trajectory.final_metrics() if trajectory else {},
                             frame_size=size)
    write_json(run.stage(manifest_of(path)), record)


def _parameters(recipe, options, settings, info, replayed, still, view=None):
    """What a manifest records: the run's info (its readout with the ``classes`` the
    ``view`` keys, one per class the model outputs), the drawing options, the rendering."""
    parameters = dict(info)
    if isinstance(info.get("readout"), dict) and view is not None:
        parameters["readout"] = dict(info["readout"], classes=[
            name.replace("\\$", "$") for name in view.names])  # as written, not escaped
    parameters.update({name: options.get(name) for name in recipe.render_options})
    parameters.update(fps=settings.fps, dpi=settings.dpi)
    if replayed:
        parameters["replayed_from"] = str(replayed)
    if still:
        parameters["still"] = still
    parameters.setdefault("scene", recipe.name)
    return parameters
