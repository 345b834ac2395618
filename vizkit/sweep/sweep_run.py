"""Sweeps: variants of one scene's run, side by side in one animation (small multiples).

:func:`plan_sweep` turns the options to vary into :class:`Variant` s laid out
in rows and columns; :func:`run_sweep` records every variant and draws its
cells on Dask workers (:mod:`vizkit.sweep.cells`), and composes the frames
here (:mod:`vizkit.sweep.canvas`), streaming them into every format at once.
Each variant's trajectory is a normal one (``vizkit SCENE --replay`` draws it
alone); the animation, its manifests and every trajectory are committed as
one :class:`~vizkit.output.transaction.OutputTransaction`.

Layout: one varied option → one row, wrapped after at most four cells; two
or more → rows follow the first, columns the product of the others.
"""

import itertools
import math
import secrets
from collections import deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import VizkitError
from ..output.manifest import manifest_path, manifest_record, write_json
from ..pipeline import Progress, parse_stills, part_path
from ..output.transaction import OutputTransaction, os_error
from ..output.writers import open_writer, output_paths

__all__ = ["Variant", "SweepPlan", "plan_sweep", "run_sweep", "SWEEP_SCENES", "MAX_VARIANTS"]

#: Scenes a sweep can draw, with the hidden layer shown beside the input space.
SWEEP_SCENES = {"layer-spaces": "activation_1", "unit-maps": "L1", "classification": None,
                "animate": None}
MAX_VARIANTS = 64  # beyond this the cells are too small to read
_CHUNK = 4  # frames a worker draws per task


def format_value(value):
    """A value as a label shows it: ``0.1``, ``relu``, ``data.csv``."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Path):
        return value.name
    return str(value)


@dataclass(frozen=True)
class Variant:
    """One run of a sweep: its options, what varies, and its place in the grid."""

    index: int
    varied: tuple  # ((flag, value), ...) in the order the options were varied
    options: dict
    row: int
    column: int

    @property
    def label(self):
        """``activation=tanh · hidden-units=2``."""
        return " · ".join(f"{flag}={format_value(value)}" for flag, value in self.varied)

    @property
    def slug(self):
        """A file-name part: ``activation-tanh_hidden-units-2``."""
        text = "_".join(f"{flag}-{format_value(value)}" for flag, value in self.varied)
        return "".join(c if c.isalnum() or c in "._-" else "-" for c in text)


@dataclass(frozen=True)
class SweepPlan:
    """The variants of a sweep and their layout; ``hidden`` is the layer drawn beside
    the input space in every cell (``None``: the input space only)."""

    scene: str
    fixed: dict
    vary: tuple  # ((flag, (values...)), ...)
    variants: tuple
    rows: int
    columns: int
    hidden: str = None

    def describe(self):
        """What the grid shows: the layout and what every run shares."""
        flags = [flag for flag, _ in self.vary]
        layout = (f"rows: {flags[0]}, columns: {' × '.join(flags[1:])}" if len(flags) > 1
                  else f"{flags[0]} varies")
        shared = ", ".join(f"{name.replace('_', '-')} {format_value(value)}"
                           for name, value in self.fixed.items() if value is not None)
        return (f"{len(self.variants)} runs of {self.scene}  ·  {layout}"
                + (f"  ·  every run: {shared}" if shared else ""))


def plan_sweep(recipe, fixed, vary, hidden=None):
    """The variants of ``recipe``'s run: ``fixed`` options, each of ``vary`` taking its values.

    ``vary`` is ``[(flag, name, values), ...]``: the option as the command line
    spells it (``hidden-units``), its name in the options (``hidden_units``),
    and values already checked and converted (by the scene's own option types).
    """
    if recipe.parts != ("",):
        raise VizkitError(f"{recipe.name} records {len(recipe.parts)} runs at once; a sweep "
                          f"takes scenes of one run: {', '.join(SWEEP_SCENES)}")
    if not vary:
        raise VizkitError("nothing varies; give --vary NAME=V1,V2 (e.g. --vary seed=0,1)")
    names = [name for _, name, _ in vary]
    for flag, name, values in vary:
        if name in recipe.render_options:
            raise VizkitError(f"--{flag} changes the drawing, not the run, so it is the same in "
                              f"every cell; give it once (--{flag} VALUE) instead of varying it")
        if names.count(name) > 1:
            raise VizkitError(f"{flag} is varied twice; give all its values in one --vary "
                              f"{flag}=V1,V2")
        if len(set(map(repr, values))) != len(values):
            raise VizkitError(f"--vary {flag} repeats a value; give each value once")
    count = math.prod(len(values) for _, _, values in vary)
    if count < 2:
        raise VizkitError("a sweep needs at least two variants; give an option two values "
                          "(e.g. --vary seed=0,1)")
    if count > MAX_VARIANTS:
        raise VizkitError(f"{count} variants are more than {MAX_VARIANTS}, too small to read in "
                          "one animation; vary fewer options or values")
    if len(vary) == 1:
        columns = count if count <= 4 else math.ceil(count / math.ceil(count / 4))
    else:
        columns = count // len(vary[0][2])
    rows = math.ceil(count / columns)
    fixed = {k: v for k, v in fixed.items() if k not in names}
    variants = []
    for index, values in enumerate(itertools.product(*(values for _, _, values in vary))):
        options = dict(fixed, **{name: value for (_, name, _), value in zip(vary, values)})
        variants.append(Variant(index, tuple((flag, value) for (flag, _, _), value in
                                             zip(vary, values)),
                                options, index // columns, index % columns))
    shown = {k: v for k, v in fixed.items() if k not in recipe.render_options}
    return SweepPlan(recipe.name, shown, tuple((flag, tuple(values)) for flag, _, values in vary),
                     tuple(variants), rows, columns, hidden)


def trajectory_path(out, variant):
    """Where a variant's trajectory goes: ``s.gif`` → ``s-activation-tanh.trajectory.npz``."""
    return part_path(out, variant.slug, ".trajectory.npz")


def _planned(plan, settings, formats):
    n_frames = max(v.options.get("epochs", 0) for v in plan.variants) + 1
    paths = []
    for fmt in formats:
        frames = parse_stills(settings.stills, n_frames) if fmt == "png" else None
        for path in output_paths(settings.out, fmt, frames):
            paths += [path, manifest_path(path)]
    return paths + [trajectory_path(settings.out, v) for v in plan.variants]


def run_sweep(recipe, plan, settings, *, workers=None, scheduler=None, keep_going=False,
              progress=None):
    """Record and draw every variant of ``plan`` on Dask; write what ``settings`` asks.

    ``workers``: worker processes of a cluster on this machine (default: one
    per core); ``scheduler``: the address of a running Dask cluster instead.
    A variant that fails stops the sweep with one line naming it, or, with
    ``keep_going``, leaves its cell marked empty. Returns the paths written;
    on any failure or interruption nothing is left behind.
    """
    from .cluster import dask_client

    progress = progress or Progress()
    formats = settings.format_list()
    with OutputTransaction(settings.overwrite) as run:
        run.check(_planned(plan, settings, formats))
        with dask_client(workers=workers, scheduler=scheduler,
                         n_tasks=len(plan.variants)) as client:
            sweep = _Sweep(client, recipe, plan, settings, run, keep_going, progress,
                           remote=scheduler is not None)
            with sweep.stopping_remote_work():
                engine = sweep.engine()
                progress.say(f"sweep: {len(plan.variants)} variants on {engine}")
                sweep.record()
                sweep.fit()
                results = sweep.render(formats)
                resources = sweep.resources()
        for finals, result in results:
            record = manifest_record(finals[0], scene="sweep",
                                     parameters=sweep.parameters(engine),
                                     seed=None, frames=result[0], files=finals,
                                     metrics={v.label: sweep.done[v.index]["final_metrics"]
                                              for v in sweep.live},
                                     frame_size=result[1])
            record.update(variants=sweep.variant_records(), resources=resources)
            write_json(run.stage(manifest_path(finals[0])), record)
        return run.commit()


class _Sweep:
    """The steps of one sweep on a Dask client; holds one frame's worth, not the runs."""

    def __init__(self, client, recipe, plan, settings, run, keep_going, progress,
                 remote=False):
        self.client, self.recipe, self.plan, self.settings = client, recipe, plan, settings
        self.run, self.keep_going, self.progress = run, keep_going, progress
        self.token = secrets.token_hex(4)
        # on a running cluster, recordings end at this event (its workers outlive us)
        self.stop_event = f"vizkit-stop-{self.token}" if remote else None
        self.trajectories = {}  # index -> future of the Trajectory (it stays on a worker)
        self.done = {}  # index -> what came back: bounds, frames, metrics, environment
        self.failed = {}  # index -> one-line reason

    @property
    def live(self):
        return [v for v in self.plan.variants if v.index in self.done and v.index not in
                self.failed]

    def _key(self, step, index, *more):
        return "-".join(map(str, ("vizkit", step, self.token, index, *more)))

    def _submit(self, key, function, *args):
        """``function(*args)`` on a worker."""
        return self.client.submit(function, *args, key=self._key(*key))

    @contextmanager
    def stopping_remote_work(self):
        """If the block fails or is interrupted, the recordings still running on a
        cluster that outlives the sweep end at their next epoch (a cluster of the
        sweep's own is stopped with it)."""
        try:
            yield
        except BaseException:
            if self.stop_event is not None:
                from distributed import Event

                try:
                    Event(self.stop_event, client=self.client).set()
                except Exception:  # the scheduler is gone: so is the work
                    pass
            raise

    def engine(self):
        workers = self.client.nthreads()
        where = "this machine" if all("127.0.0.1" in a for a in workers) else "a Dask cluster"
        return f"{len(workers)} Dask worker(s) on {where}"

    # -- step 1: record every variant, keep each trajectory as a file ------------------
    def record(self):
        from distributed import as_completed

        from .cells import record_variant, trajectory_bytes

        saved = {}
        for variant in self.plan.variants:
            future = self._submit(("record", variant.index), record_variant, self.recipe,
                                  variant.options, self.stop_event)
            self.trajectories[variant.index] = future
            saved[self._submit(("save", variant.index), trajectory_bytes, future)] = variant
        total = len(self.plan.variants)
        with self.progress.bar(f"recording {total} variants", total) as advance:
            for future in as_completed(list(saved), loop=self.client.loop):
                variant = saved.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # the worker's exception, re-raised here
                    self._fail(variant, exc)
                else:
                    self._save(variant, result)
                advance()
        if not self.live:
            raise VizkitError(f"every variant failed; the first: "
                              f"{self.failed[min(self.failed)]}")

    def _save(self, variant, result):
        hidden, layers = self.plan.hidden, result.pop("layers")
        if hidden and hidden not in layers:
            raise VizkitError(f"--hidden {hidden}: the model has no layer of that name; give "
                              f"one of: {', '.join(layers)} (or --hidden none)")
        path = self.run.stage(trajectory_path(self.settings.out, variant))
        try:
            path.write_bytes(result.pop("npz"))
        except OSError as exc:
            raise os_error(exc, path) from None
        self.done[variant.index] = result

    def _fail(self, variant, exc):
        reason = _one_line(exc)
        if not self.keep_going:
            raise VizkitError(f"variant {variant.label} failed: {reason} (or pass --keep-going "
                              "to draw the other variants with its cell marked)")
        self.failed[variant.index] = reason
        self.trajectories.pop(variant.index, None)
        self.progress.say(f"variant {variant.label} failed: {reason}")

    # -- step 2: the scales every cell shares ------------------------------------------
    def fit(self):
        from .cells import CellScales, fit_variant

        done = [self.done[v.index] for v in self.live]
        self.grid = shared_grid(done, self.plan.variants[0].options.get("grid_resolution", 150))
        self.n_classes = max(d["n_classes"] for d in done)
        hidden = {}
        if self.plan.hidden:
            futures = {v.index: self._submit(("fit", v.index), fit_variant,
                                             self._key("cell", v.index),
                                             self.trajectories[v.index], self.grid,
                                             self.n_classes, self.plan.hidden)
                       for v in self.live}
            for variant in self.live:
                try:
                    hidden[variant.index] = futures.pop(variant.index).result()
                except Exception as exc:
                    self._fail(variant, exc)
            hidden = _shared_limits(hidden)
        self.scales = {v.index: CellScales(self.grid, self.n_classes, v.label,
                                           hidden.get(v.index)) for v in self.live}

    # -- step 3: cells drawn on the workers, frames composed and encoded here -----------
    def render(self, formats):
        from .cells import render_cells

        live = self.live
        frames = {v.index: self.done[v.index]["n_frames"] for v in live}
        n_frames = max(frames.values())
        epochs = max(self.done[v.index]["epochs"] for v in live)
        stills = parse_stills(self.settings.stills, n_frames)
        chunks = [range(s, min(s + _CHUNK, n_frames)) for s in range(0, n_frames, _CHUNK)]
        ahead = max(2, math.ceil(2 * len(self.client.nthreads()) / len(live)))

        def submit(chunk):
            return {v.index: self._submit(
                        ("cells", v.index, chunk.start), render_cells,
                        self._key("cell", v.index), self.trajectories[v.index],
                        self.scales[v.index], [f for f in chunk if f < frames[v.index]],
                        self.settings.dpi)
                    for v in live if chunk.start < frames[v.index]}

        pending = deque(submit(chunk) for chunk in chunks[:ahead])
        canvas = None
        writers = []  # (format, final paths, writer)
        with ExitStack() as stack, \
                self.progress.bar(f"rendering {n_frames} frames", n_frames) as advance:
            for fmt in formats:
                finals = output_paths(self.settings.out, fmt, stills if fmt == "png" else None)
                writers.append((fmt, finals, stack.enter_context(open_writer(
                    [self.run.stage(p) for p in finals], fmt, fps=self.settings.fps,
                    title=f"vizkit sweep: {self.plan.scene}"))))
            for index, chunk in enumerate(chunks):
                cells = {i: f.result() for i, f in pending.popleft().items()}
                if index + ahead < len(chunks):
                    pending.append(submit(chunks[index + ahead]))
                if canvas is None:
                    canvas = self._canvas(next(iter(cells.values()))[0].shape)
                for position, frame in enumerate(chunk):
                    for i, pixels in cells.items():
                        if position < len(pixels):
                            variant = self.plan.variants[i]
                            canvas.place(variant.row, variant.column, pixels[position])
                    title = "Before training" if frame == 0 else f"Epoch {frame} of {epochs}"
                    pixels = canvas.frame(title)
                    for fmt, _, writer in writers:
                        if fmt != "png" or frame in stills:
                            writer.append(pixels, title)
                    advance()
                del cells
        return [(finals, (writer.frame_count, writer.frame_size)) for _, finals, writer in writers]

    def _canvas(self, cell_shape):
        """The frame's canvas, with the cells of failed variants marked once."""
        from .canvas import SweepCanvas, failed_cell

        canvas = SweepCanvas(self.plan.rows, self.plan.columns, cell_shape[:2],
                             self.plan.describe(), self.settings.dpi, n_classes=self.n_classes)
        for index, reason in self.failed.items():
            variant = self.plan.variants[index]
            canvas.place(variant.row, variant.column,
                         failed_cell(variant.label, reason, 2 if self.plan.hidden else 1,
                                     self.settings.dpi))
        return canvas

    # -- what the manifest says ------------------------------------------------------
    def resources(self):
        """Peak memory (MiB) of this process and of each worker."""
        from .cluster import peak_rss_mib

        return {"main_peak_rss_mib": round(peak_rss_mib(), 1),
                "worker_peak_rss_mib": {address: round(mib, 1) for address, mib in
                                        sorted(self.client.run(peak_rss_mib).items())}}

    def parameters(self, engine):
        return {"scene": self.plan.scene, "vary": {flag: list(values)
                                                   for flag, values in self.plan.vary},
                "fixed": self.plan.fixed, "rows": self.plan.rows, "columns": self.plan.columns,
                "hidden": self.plan.hidden, "engine": engine, "fps": self.settings.fps,
                "dpi": self.settings.dpi}

    def variant_records(self):
        records = []
        for variant in self.plan.variants:
            done = self.done.get(variant.index, {})
            records.append({
                "label": variant.label, "varied": dict(variant.varied),
                "options": variant.options,
                "trajectory": trajectory_path(self.settings.out, variant).name
                if variant.index in self.done else None,
                "status": "failed" if variant.index in self.failed else "ok",
                "error": self.failed.get(variant.index),
                "frames": done.get("n_frames"), "final_metrics": done.get("final_metrics"),
                "environment": done.get("environment")})
        return records


def shared_grid(done, resolution):
    """The input grid of every cell: around every variant's data (``low``, ``high``)."""
    from ..inspect.grid import InputGrid

    corners = np.array([np.min([d["low"] for d in done], axis=0),
                        np.max([d["high"] for d in done], axis=0)])
    return InputGrid.around(corners, resolution)


def _shared_limits(fits):
    """Hidden spaces in the same coordinates (same layer, 2 units, same activation)
    share the smallest limits that hold every one of them."""
    groups = {}
    for fit in fits.values():
        if fit is not None and fit.comparable is not None:
            groups.setdefault(fit.comparable, []).append(fit.limits)
    shared = {key: ((min(l[0][0] for l in limits), max(l[0][1] for l in limits)),
                    (min(l[1][0] for l in limits), max(l[1][1] for l in limits)))
              for key, limits in groups.items()}
    return {index: fit if fit is None or fit.comparable is None
            else replace(fit, limits=shared[fit.comparable]) for index, fit in fits.items()}


def _one_line(exc):
    """An exception as one line: a VizkitError's text, else its type and first line."""
    text = str(exc).strip().splitlines()
    if isinstance(exc, VizkitError):
        return text[0] if text else "failed"
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
