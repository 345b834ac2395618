"""From a drawable view to finished files: formats, PNG stills, manifests."""

from pathlib import Path

from .errors import VizkitError
from .manifest import write_manifest
from .writers import check_outputs, output_paths, resolve_format

__all__ = ["parse_stills", "planned_paths", "check_plan", "render_artifacts",
           "write_still_manifests"]


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


def planned_paths(out, formats):
    """The main file of each format, checkable before any training starts."""
    formats = [resolve_format(out, f) for f in formats] or [resolve_format(out)]
    return {fmt: output_paths(out, fmt)[0] for fmt in dict.fromkeys(formats)}


def check_plan(out, formats, *, stills="last", max_frames, overwrite=False, also=()):
    """Every check that can be made before training: formats, stills, output files.

    ``max_frames`` bounds the stills (the frame count may end lower, e.g. when
    training stops early); ``also`` are more files the command will write.
    Returns the planned main path of each format.
    """
    plan = planned_paths(out, formats)
    if "png" in plan:
        parse_stills(stills, max_frames)
    check_outputs(list(plan.values()) + list(also), overwrite)
    return plan


def render_artifacts(view, out, formats, *, scene, parameters, seed, stills="last",
                     fps=10, dpi=100, overwrite=False, on_frame=None):
    """Render ``view`` once per format and write a manifest beside each artifact.

    ``view`` has ``render(path, fmt, frames=..., fps=..., dpi=..., overwrite=...,
    on_frame=...)`` and a ``trajectory``. Returns the paths written.
    """
    n_frames = view.trajectory.n_frames
    written = []
    for fmt, path in planned_paths(out, formats).items():
        frames = parse_stills(stills, n_frames) if fmt == "png" else range(n_frames)
        check_outputs(output_paths(path, fmt, frames if fmt == "png" else None), overwrite)
        result = view.render(path, fmt, frames=frames, fps=fps, dpi=dpi,
                             overwrite=overwrite, on_frame=on_frame)
        write_manifest(Path(result.paths[0]), scene=scene, parameters=parameters, seed=seed,
                       frames=result.frame_count, metrics=view.trajectory.final_metrics(),
                       files=result.paths,
                       frame_size=result.frame_size)
        written += result.paths
    return written


def write_still_manifests(stills, *, scene, parameters, seed, metrics=None):
    """A manifest beside each written still of ``stills`` (``{name: path}``)."""
    from PIL import Image

    for name, path in stills.items():
        with Image.open(path) as image:  # reads the header only
            size = image.size
        write_manifest(path, scene=scene, parameters=dict(parameters, still=name), seed=seed,
                       frames=1, metrics=metrics or {}, frame_size=size)
