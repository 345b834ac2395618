"""The one way a run becomes files: plan, check, record or replay, render, save.

Every producer goes through :func:`produce`: each scene, ``vizkit animate``,
``record`` and ``replay``, and :func:`vizkit.animate`. A producer supplies a
:class:`Recipe` (how to record its run, which view draws it, which stills it
has) and :class:`RenderSettings`; the pipeline plans every file the run will
write and checks them all before any training, records (or loads) the
trajectories, renders each format and still with a manifest beside it, and
commits everything as one :class:`~vizkit.output.transaction.OutputTransaction`.
"""

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .errors import VizkitError, parameter, spoken
from .output.manifest import manifest_path, manifest_record, write_json
from .views.pacing import FRAME_CHOICES
from .progress import Progress
from .output.transaction import OutputTransaction, os_error
from .output.writers import output_paths, resolve_format

__all__ = ["Recipe", "RenderSettings", "Progress", "produce", "parse_stills", "part_path"]


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
        Names of the trajectories a run records (``("",)``: one).
    render_options : tuple of str
        Options that change the drawing, not the run (kept on replay).
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
    files are saved."""

    out: Path
    formats: tuple = ()
    fps: int = 8
    dpi: int = 100
    stills: str = "last"
    frames: str = "auto"
    overwrite: bool = False
    animate: bool = True
    trajectory: bool = True
    trajectory_to: Path = None
    tensorboard: Path = None
    sinks: tuple = field(default=())

    def __post_init__(self):
        for name, low, high in (("fps", 1, 60), ("dpi", 30, 400)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise VizkitError(f"{name} must be a whole number from {low} to {high}, "
                                  f"got {value!r}")
        if self.frames not in FRAME_CHOICES:
            raise VizkitError(f"frames must be one of {', '.join(FRAME_CHOICES)}, got "
                              f"{self.frames!r}")
        object.__setattr__(self, "out", Path(self.out))

    def format_list(self):
        """The formats to write, checked, in order, without repeats."""
        if not self.animate:
            return []
        found = [resolve_format(self.out, f) for f in self.formats] or \
            [resolve_format(self.out)]
        return list(dict.fromkeys(found))


def parse_stills(spec, n_frames):
    """Frame indices from ``"first,middle,last"``, ``"0,10,-1"`` or a mix.

    Negative numbers count from the end, as in Python.
    """
    named = {"first": 0, "middle": (n_frames - 1) // 2, "last": n_frames - 1}
    frames = []
    for part in (p.strip() for p in str(spec).split(",")):
        if part in named:
            frames.append(named[part])
            continue
        try:
            index = int(part)
        except ValueError:
            raise VizkitError(f"still {part!r} is not a frame number; use numbers or "
                              "first, middle, last (e.g. first,10,last)") from None
        if not -n_frames <= index < n_frames:
            raise VizkitError(f"still {index} is out of range: there are {n_frames} frames "
                              f"(0 to {n_frames - 1})")
        frames.append(index % n_frames)
    return sorted(set(frames))


def part_path(out, part, suffix=None):
    """``out`` for a part of a run: ``x.gif`` → ``x-linear.gif`` (suffix replaced if given)."""
    out = Path(out)
    stem = f"{out.stem}-{part}" if part else out.stem
    return out.with_name(stem + (out.suffix if suffix is None else suffix))


def trajectory_path(settings, part=""):
    """Where a run's trajectory goes: ``x.gif`` → ``x.trajectory.npz``."""
    if settings.trajectory_to is not None:
        return part_path(settings.trajectory_to, part)
    return part_path(settings.out, part, ".trajectory.npz")


def still_path(out, part, name):
    """``x.gif`` and still ``ladder`` → ``x-ladder.png``."""
    return part_path(out, "-".join(p for p in (part, name) if p), ".png")


def produce(recipe, options, settings, *, replay=None, replay_from=None, any_scene=False,
            progress=None):
    """Run ``recipe`` with ``options`` and write everything ``settings`` asks for.

    ``replay`` is a trajectory to draw instead of training, read from
    ``replay_from``; its scene must be ``recipe.name`` unless ``any_scene``.
    Returns the paths written, in order; on any failure or interruption
    nothing is left behind.
    """
    progress = progress or Progress()
    formats = settings.format_list()
    if replay is not None and not any_scene:
        _check_replay(recipe, replay)
    parts = [replay.info.get("part", "")] if replay is not None else list(recipe.parts)
    boards = []
    with OutputTransaction(settings.overwrite) as run:
        run.check(_planned(recipe, options, settings, formats, parts, replay))
        trajectories = {parts[0]: replay} if replay is not None else \
            _record(recipe, options, progress)
        for part, trajectory in trajectories.items():
            boards.append(_render_part(recipe, options, settings, formats, run, part,
                                       trajectory, replay_from if replay is not None else None,
                                       progress))
        if _draws_static_stills(recipe, settings, replay):
            for name, still in recipe.static_stills(options).items():
                _write_still(run, still_path(settings.out, "", name), still, settings,
                             _parameters(recipe, options, settings, {}, None, name))
        written = run.commit()
    for board in filter(None, boards):
        board.write(settings.tensorboard)
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


def _planned(recipe, options, settings, formats, parts, replay):
    """Every file the run will write, as far as it is known before training."""
    max_frames = replay.n_frames if replay is not None else options.get("epochs", 0) + 1
    still_names = recipe.still_names if settings.animate else ()
    paths = []
    for part in parts:
        base = part_path(settings.out, part)
        for fmt in formats:
            frames = parse_stills(settings.stills, max_frames) if fmt == "png" else None
            for path in output_paths(base, fmt, frames):
                paths += [path, manifest_path(path)]
        for name in still_names:
            path = still_path(settings.out, part, name)
            paths += [path, manifest_path(path)]
        if settings.trajectory and replay is None:
            paths.append(trajectory_path(settings, part))
    if _draws_static_stills(recipe, settings, replay):
        for name in recipe.static_still_names:
            path = still_path(settings.out, "", name)
            paths += [path, manifest_path(path)]
    return paths


def _record(recipe, options, progress):
    """Record the run: ``{part: trajectory}``, each stamped with scene and part."""
    recorded = recipe.record(options, progress)
    if not isinstance(recorded, dict):
        recorded = {recipe.parts[0]: recorded}
    return {part: replace(trajectory, info=dict(trajectory.info, scene=recipe.name, part=part))
            for part, trajectory in recorded.items()}


def _render_part(recipe, options, settings, formats, run, part, trajectory, replayed, progress):
    if not settings.animate:
        if settings.trajectory:
            _save(trajectory, run.stage(trajectory_path(settings, part)))
        return
    view = recipe.view(trajectory, options)
    stills = recipe.stills(trajectory, view, options) if recipe.stills else {}
    every = list(view.frames("all"))
    shown = list(view.frames(settings.frames)) if set(formats) - {"png"} else []
    board = _BoardFrames(view, f"{recipe.name}/{part}" if part else recipe.name) \
        if settings.tensorboard else None
    for fmt in formats:
        positions = parse_stills(settings.stills, len(every)) if fmt == "png" else None
        frames = shown if positions is None else [every[i] for i in positions]
        finals = output_paths(part_path(settings.out, part), fmt, positions)
        label = f"rendering {fmt}" + (f" ({part})" if part else "")
        with progress.bar(label, len(frames)) as advance:
            sinks = settings.sinks + ((board.sink(frames),) if board else ())
            result = view.write([run.stage(p) for p in finals], fmt, frames=frames,
                                fps=settings.fps, dpi=settings.dpi, on_frame=advance,
                                sinks=sinks if fmt == formats[0] else ())
        parameters = _parameters(recipe, options, settings, trajectory.info, replayed, None)
        parameters.update(frames=settings.frames, frames_shown=[int(f) for f in frames])
        record = manifest_record(finals[0], scene=recipe.name, parameters=parameters,
                                 seed=trajectory.info.get("seed"), frames=result.frame_count,
                                 metrics=trajectory.final_metrics(), files=finals,
                                 frame_size=result.frame_size)
        write_json(run.stage(manifest_path(finals[0])), record)
    for name, still in stills.items():
        _write_still(run, still_path(settings.out, part, name), still, settings,
                     _parameters(recipe, options, settings, trajectory.info, replayed, name),
                     trajectory)
    if settings.trajectory and not replayed:
        _save(trajectory, run.stage(trajectory_path(settings, part)))
    return board


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


def _save(trajectory, path):
    try:
        trajectory.save(path)
    except OSError as exc:
        raise os_error(exc, path) from None


def _write_still(run, path, still, settings, parameters, trajectory=None):
    from .views.stills import write_still

    size = write_still(still, run.stage(path), settings.dpi)
    record = manifest_record(path, scene=parameters.get("scene"), parameters=parameters,
                             seed=parameters.get("seed"), frames=1,
                             metrics=trajectory.final_metrics() if trajectory else {},
                             frame_size=size)
    write_json(run.stage(manifest_path(path)), record)


def _parameters(recipe, options, settings, info, replayed, still):
    """What a manifest records: the run's info, the drawing options, the rendering."""
    parameters = dict(info)
    parameters.update({name: options.get(name) for name in recipe.render_options})
    parameters.update(fps=settings.fps, dpi=settings.dpi)
    if replayed:
        parameters["replayed_from"] = str(replayed)
    if still:
        parameters["still"] = still
    parameters.setdefault("scene", recipe.name)
    return parameters
