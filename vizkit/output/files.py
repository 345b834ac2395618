"""Every file a run writes, named in one place: :class:`RunFiles`.

A run's files are planned once, before training, from its
:class:`~vizkit.pipeline.RenderSettings`, the parts it draws, the names of its
stills and the frame count known before training (``epochs + 1``, or a
replayed trajectory's). The pipeline checks that plan, then stages, writes
and commits exactly the paths it names: each format's artifact per drawn part,
its manifest, the named stills, the trajectories, and the TensorBoard folder.

PNG stills are named by the frame they show (``x-frame010.png``), so their
names follow the frame count: a run that stops early (early stopping, a
loss target) has fewer frames than planned, and its ``last`` is another
frame. :meth:`RunFiles.recorded` re-plans, with the same rules, from the
frame counts the run recorded; when that differs from the plan the pipeline
checks the new plan before writing anything, so the names checked last are
exactly the names written. (Naming stills by their spec, ``x-last.png``,
would be stable without a re-plan, but would rename every existing output.)

A GIF encoder's scratch folder is not planned here: the writer makes it
beside the file it stages and removes it itself (:mod:`vizkit.output.writers`).
"""

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import VizkitError

__all__ = ["RunFiles", "Artifact", "parse_stills", "artifact_paths", "manifest_of"]


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


def artifact_paths(path, fmt, frames=None):
    """Every file an artifact is made of: one, or one PNG per frame of ``frames``."""
    path = Path(path).with_suffix("." + fmt)
    if fmt == "png" and frames is not None and len(frames) > 1:
        return [path.with_name(f"{path.stem}-frame{i:03d}.png") for i in frames]
    return [path]


def manifest_of(artifact):
    """The manifest beside an artifact: ``output/x.gif`` → ``output/x.gif.json``."""
    artifact = Path(artifact)
    return artifact.with_name(artifact.name + ".json")


def _with_part(out, part, suffix=None):
    """``out`` for a part of a run: ``x.gif`` → ``x-linear.gif`` (suffix replaced if given)."""
    out = Path(out)
    stem = f"{out.stem}-{part}" if part else out.stem
    return out.with_name(stem + (out.suffix if suffix is None else suffix))


@dataclass(frozen=True)
class Artifact:
    """One format of one drawn part: its files and, for PNG, the frames they show
    (positions in the view's frames; ``None``: the animation's frames)."""

    format: str
    paths: tuple
    positions: tuple = None

    @property
    def manifest(self):
        return manifest_of(self.paths[0])


@dataclass(frozen=True)
class RunFiles:
    """The names of every file one run writes (see the module docstring).

    ``frame_counts`` maps each drawn part (``""``: the run's one drawing) to its
    number of frames; ``trajectory_parts`` are the parts whose trajectories are
    saved (a sweep draws one part and saves one trajectory per variant).
    """

    out: Path
    formats: tuple
    stills: str
    frame_counts: dict = field(default_factory=dict)
    still_names: tuple = ()
    static_still_names: tuple = ()
    trajectory_parts: tuple = ()
    trajectory_to: Path = None
    tensorboard: Path = None

    @classmethod
    def plan(cls, settings, frame_counts, *, still_names=(), static_still_names=(),
             trajectory_parts=()):
        """The files of a run drawn as ``settings`` asks, before it is recorded."""
        return cls(Path(settings.out), tuple(settings.format_list()), settings.stills,
                   dict(frame_counts), tuple(still_names), tuple(static_still_names),
                   tuple(trajectory_parts) if settings.trajectory else (),
                   settings.trajectory_to, settings.tensorboard)

    def recorded(self, frame_counts, trajectory_parts=None):
        """The same plan for the frames (and trajectories) a run did record."""
        return replace(self, frame_counts=dict(frame_counts),
                       trajectory_parts=self.trajectory_parts if trajectory_parts is None
                       else tuple(p for p in trajectory_parts if p in self.trajectory_parts))

    def artifacts(self, part=""):
        """Each format's :class:`Artifact` for ``part``, in the order of the formats."""
        base = _with_part(self.out, part)
        found = []
        for fmt in self.formats:
            positions = (tuple(parse_stills(self.stills, self.frame_counts[part]))
                         if fmt == "png" else None)
            found.append(Artifact(fmt, tuple(artifact_paths(base, fmt, positions)), positions))
        return found

    def still(self, name, part=""):
        """A named still: ``x.gif`` and still ``ladder`` → ``x-ladder.png``."""
        return _with_part(self.out, "-".join(p for p in (part, name) if p), ".png")

    def trajectory(self, part=""):
        """Where a part's trajectory goes: ``x.gif`` → ``x.trajectory.npz`` (or beside
        ``trajectory_to``)."""
        if self.trajectory_to is not None:
            return _with_part(self.trajectory_to, part)
        return _with_part(self.out, part, ".trajectory.npz")

    def paths(self):
        """Every file of the run, each artifact and still followed by its manifest."""
        paths = []
        for part in self.frame_counts:
            for artifact in self.artifacts(part):
                paths += [*artifact.paths, artifact.manifest]
            for name in self.still_names:
                paths += [self.still(name, part), manifest_of(self.still(name, part))]
        for part in self.trajectory_parts:
            paths.append(self.trajectory(part))
        for name in self.static_still_names:
            paths += [self.still(name), manifest_of(self.still(name))]
        return paths
