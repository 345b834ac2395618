"""Sweeps: variants of one scene's run, side by side in one animation (small multiples).

:func:`plan_sweep` turns the options to vary into :class:`Variant` s laid out
in rows and columns; :func:`run_sweep` runs the sweep through the pipeline
(:func:`vizkit.pipeline.produce`) as a recipe whose recording fans out on Dask
and whose one view draws every variant's cells on the workers
(:mod:`vizkit.sweep.cells`) and composes the frames here
(:mod:`vizkit.sweep.canvas`), streaming them into each format. Each variant's
trajectory is a normal one (``vizkit SCENE --replay`` draws it alone); the
pipeline names, checks and commits the animation, its manifests and every
trajectory as one run.

Layout: one varied option → one row, wrapped after at most four cells; two
or more → rows follow the first, columns the product of the others.
"""

import itertools
import math
import secrets
from collections import deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import VizkitError, parameter, spoken
from ..output.writers import DEFAULT_FPS
from ..pipeline import Recipe, produce

__all__ = ["Variant", "SweepPlan", "plan_sweep", "run_sweep", "MAX_VARIANTS"]

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
                          "takes recipes of one run")
    if not recipe.sweepable:
        raise VizkitError(f"{recipe.name} cannot be swept: a sweep draws variants of one run "
                          "over a 2-D input plane side by side (Recipe.sweepable)")
    if not vary:
        raise VizkitError("nothing varies; give " + spoken(
            "vary=[(flag, name, values), ...], e.g. vary=[('seed', 'seed', [0, 1])]",
            f"{parameter('vary', 'NAME=V1,V2')} (e.g. {parameter('vary', 'seed=0,1')})"))
    names = [name for _, name, _ in vary]
    for flag, name, values in vary:
        if name in recipe.render_options:
            raise VizkitError(f"{parameter(name)} changes the drawing, not the run, so it is "
                              "the same in every cell; give it once instead of varying it")
        if names.count(name) > 1:
            raise VizkitError(f"{flag} is varied twice; give all its values in one "
                              + spoken("entry of vary", parameter("vary", f"{flag}=V1,V2")))
        if len(set(map(repr, values))) != len(values):
            raise VizkitError(f"{flag} repeats a value in {parameter('vary')}; give each "
                              "value once")
    count = math.prod(len(values) for _, _, values in vary)
    if count < 2:
        raise VizkitError("a sweep needs at least two variants; give an option two values "
                          + spoken("(e.g. vary=[('seed', 'seed', [0, 1])])",
                                   f"(e.g. {parameter('vary', 'seed=0,1')})"))
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


def run_sweep(recipe, plan, settings, *, workers=None, scheduler=None, keep_going=False,
              progress=None):
    """Record and draw every variant of ``plan`` on Dask; write what ``settings`` asks.

    ``workers``: worker processes of a cluster on this machine (default: one
    per core); ``scheduler``: the address of a running Dask cluster instead.
    A variant that fails stops the sweep with one line naming it, or, with
    ``keep_going``, leaves its cell marked empty. Returns the paths written;
    on any failure or interruption nothing is left behind.

    The sweep is a :class:`~vizkit.pipeline.Recipe` of the pipeline: its
    recording fans out on Dask (one part per variant, saved as
    ``OUT-SLUG.trajectory.npz``) and its one view composes the cells; its
    options are the most epochs a variant runs, the frame count before training.
    """
    with _DaskSweep(recipe, plan, settings, workers, scheduler, keep_going) as dask_sweep:
        sweep_recipe = Recipe("sweep", record=dask_sweep.record, view=None,
                              parts=tuple(v.slug for v in plan.variants),
                              compose=dask_sweep.compose)
        epochs = max(v.options.get("epochs", 0) for v in plan.variants)
        return produce(sweep_recipe, {"epochs": epochs}, settings, progress=progress)


class _DaskSweep:
    """The Dask side of a sweep's recipe: starts the client when the pipeline records
    (after its files are checked) and holds it until the pipeline is done; if the
    run fails or is interrupted, the work still running on a cluster stops."""

    def __init__(self, recipe, plan, settings, workers, scheduler, keep_going):
        self.recipe, self.plan, self.settings = recipe, plan, settings
        self.workers, self.scheduler, self.keep_going = workers, scheduler, keep_going
        self.sweep = None
        self._held = ExitStack()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._held.__exit__(*exc)

    def record(self, options, progress):
        """Every variant's trajectory, ``{slug: _SavedTrajectory}``."""
        from .cluster import dask_client, local_workers

        n_variants = len(self.plan.variants)
        started = local_workers(self.workers, n_variants)
        if self.scheduler is None and self.workers and started < self.workers:
            progress.say(f"sweep: {started} workers, not the {self.workers} asked for: one "
                         "per variant, as a worker without a variant would only hold memory")
        client = self._held.enter_context(dask_client(
            workers=self.workers, scheduler=self.scheduler, n_tasks=n_variants))
        self.sweep = _Sweep(client, self.recipe, self.plan, self.settings, self.keep_going,
                            progress, remote=self.scheduler is not None)
        self._held.enter_context(self.sweep.stopping_remote_work())
        progress.say(f"sweep: {len(self.plan.variants)} variants on {self.sweep.engine}")
        self.sweep.record()
        self.sweep.fit()
        return self.sweep.saved

    def compose(self, trajectories, options):
        """The view of every variant's cells: the sweep itself."""
        return self.sweep


@dataclass(frozen=True)
class _SavedTrajectory:
    """A variant's trajectory as its worker saved it (``.npz`` bytes; the run stays
    on the worker): what the pipeline writes to the variant's trajectory file."""

    npz: bytes

    def write_npz(self, file):
        """As :meth:`vizkit.Trajectory.write_npz`: the bytes the worker saved."""
        file.write(self.npz)


class _Sweep:
    """The steps of one sweep on a Dask client, and the view that composes its cells;
    holds one frame's worth, not the runs."""

    title = "vizkit sweep"

    def __init__(self, client, recipe, plan, settings, keep_going, progress, remote=False):
        self.client, self.recipe, self.plan, self.settings = client, recipe, plan, settings
        self.keep_going, self.progress = keep_going, progress
        self.token = secrets.token_hex(4)
        # on a running cluster, recordings end at this event (its workers outlive us)
        self.stop_event = f"vizkit-stop-{self.token}" if remote else None
        self.trajectories = {}  # index -> future of the Trajectory (it stays on a worker)
        self.done = {}  # index -> what came back: bounds, frames, metrics, environment
        self.saved = {}  # slug -> _SavedTrajectory, in the order of the variants
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

    @cached_property
    def engine(self):
        workers = self.client.nthreads()
        where = "this machine" if all("127.0.0.1" in a for a in workers) else "a Dask cluster"
        return f"{len(workers)} Dask worker(s) on {where}"

    # -- step 1: record every variant, keep each trajectory's file ---------------------
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
                    self._keep(variant, result)
                advance()
        if not self.live:
            raise VizkitError(f"every variant failed; the first: "
                              f"{self.failed[min(self.failed)]}")
        self.saved = {v.slug: self.saved[v.slug] for v in self.plan.variants  # in plan order
                      if v.slug in self.saved}

    def _keep(self, variant, result):
        hidden, layers = self.plan.hidden, result.pop("layers")
        if hidden and hidden not in layers:
            raise VizkitError(f"{parameter('hidden', hidden)}: the model has no layer of that "
                              f"name; give one of: {', '.join(layers)} (or "
                              f"{spoken('hidden=None', parameter('hidden', 'none'))})")
        self.saved[variant.slug] = _SavedTrajectory(result.pop("npz"))
        self.done[variant.index] = result

    def _fail(self, variant, exc):
        reason = _one_line(exc)
        if not self.keep_going:
            raise VizkitError(f"variant {variant.label} failed: {_one_line(exc, quoted=True)} "
                              f"(or pass {parameter('keep_going', True)} to draw the other "
                              "variants with its cell marked)")
        self.failed[variant.index] = reason
        self.trajectories.pop(variant.index, None)
        self.progress.say(f"variant {variant.label} failed: {reason}")

    # -- step 2: the scales every cell shares ------------------------------------------
    def fit(self):
        from .cells import CellScales, fit_variant

        done = [self.done[v.index] for v in self.live]
        self.grid = shared_grid(done, self.plan.variants[0].options.get("grid_resolution", 150))
        self.n_classes, self.values = _shared_outputs(done)
        self.classes = max((d["classes"] for d in done), key=len)
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
                                           hidden.get(v.index), self.values)
                       for v in self.live}

    # -- step 3, the view: cells drawn on the workers, frames composed here -------------
    def frames(self, choice="auto"):
        """Every frame up to the longest run's last (a sweep is not paced: ``choice``
        does not apply)."""
        return range(max(self.done[v.index]["n_frames"] for v in self.live))

    def write(self, paths, fmt, *, frames, fps=DEFAULT_FPS, dpi=100, on_frame=None, sinks=()):
        """Compose ``frames`` into ``paths`` as given (the pipeline stages them), the
        cells drawn on the workers a few chunks ahead; a cell whose run stopped
        early shows its last frame."""
        from ..output.render import RenderResult
        from ..output.writers import open_writer
        from .cells import render_cells

        live = self.live
        counts = {v.index: self.done[v.index]["n_frames"] for v in live}
        epochs = max(self.done[v.index]["epochs"] for v in live)
        frames = list(frames)
        chunks = [frames[s:s + _CHUNK] for s in range(0, len(frames), _CHUNK)]
        ahead = max(2, math.ceil(2 * len(self.client.nthreads()) / len(live)))
        drawn = {}  # index -> the last frame asked of its cell

        def submit(chunk):
            tasks = {}
            for v in live:
                wanted = []
                for frame in chunk:
                    shown = min(frame, counts[v.index] - 1)
                    if drawn.get(v.index) != shown:
                        wanted.append(shown)
                        drawn[v.index] = shown
                if wanted:
                    tasks[v.index] = (wanted, self._submit(
                        ("cells", v.index, fmt, chunk[0]), render_cells,
                        self._key("cell", v.index), self.trajectories[v.index],
                        self.scales[v.index], wanted, dpi))
            return tasks

        pending = deque(submit(chunk) for chunk in chunks[:ahead])
        canvas = None
        with open_writer(paths, fmt, fps=fps,
                         title=f"{self.title}: {self.plan.scene}") as writer:
            for index, chunk in enumerate(chunks):
                cells = {i: dict(zip(wanted, future.result()))
                         for i, (wanted, future) in pending.popleft().items()}
                if index + ahead < len(chunks):
                    pending.append(submit(chunks[index + ahead]))
                for frame in chunk:
                    for i, pixels in cells.items():
                        shown = min(frame, counts[i] - 1)
                        if shown in pixels:
                            if canvas is None:
                                canvas = self._canvas(pixels[shown].shape, dpi)
                            variant = self.plan.variants[i]
                            canvas.place(variant.row, variant.column, pixels[shown])
                    title = "Before training" if frame == 0 else f"Epoch {frame} of {epochs}"
                    composed = canvas.frame(title)
                    writer.append(composed, title)
                    position = writer.frame_count - 1
                    for sink in sinks:
                        sink(composed, position)
                    if on_frame is not None:
                        on_frame(position)
                del cells
        return RenderResult(list(paths), fmt, writer.frame_count, writer.frame_size)

    def _canvas(self, cell_shape, dpi):
        """The frame's canvas, with the cells of failed variants marked once."""
        from .canvas import SweepCanvas, failed_cell

        canvas = SweepCanvas(self.plan.rows, self.plan.columns, cell_shape[:2],
                             self.plan.describe(), dpi, n_classes=self.n_classes,
                             values=self.values, names=self.classes)
        for index, reason in self.failed.items():
            variant = self.plan.variants[index]
            canvas.place(variant.row, variant.column,
                         failed_cell(variant.label, reason, 2 if self.plan.hidden else 1, dpi))
        return canvas

    # -- what the manifest says ------------------------------------------------------
    def manifest_fields(self, files):
        """The manifest of the composed animation (the pipeline adds frames and files)."""
        return dict(scene="sweep", parameters=self.parameters(), seed=None,
                    metrics={v.label: self.done[v.index]["final_metrics"] for v in self.live},
                    variants=self.variant_records(files), resources=self.resources())

    def resources(self):
        """Peak memory (MiB) of this process and of each worker."""
        from .cluster import peak_rss_mib

        return {"main_peak_rss_mib": round(peak_rss_mib(), 1),
                "worker_peak_rss_mib": {address: round(mib, 1) for address, mib in
                                        sorted(self.client.run(peak_rss_mib).items())}}

    def parameters(self):
        return {"scene": self.plan.scene, "vary": {flag: list(values)
                                                   for flag, values in self.plan.vary},
                "fixed": self.plan.fixed, "rows": self.plan.rows, "columns": self.plan.columns,
                "hidden": self.plan.hidden, "engine": self.engine, "fps": self.settings.fps,
                "dpi": self.settings.dpi, "readout": {"classes": self.classes}}

    def variant_records(self, files):
        records = []
        for variant in self.plan.variants:
            done = self.done.get(variant.index, {})
            records.append({
                "label": variant.label, "varied": dict(variant.varied),
                "options": variant.options,
                "trajectory": files.trajectory(variant.slug).name
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


def _one_line(exc, quoted=False):
    """An exception as one line: a VizkitError's text (``quoted``: its parameters still
    marked, see :attr:`VizkitError.quoted`), else its type and first line."""
    quote = quoted and isinstance(exc, VizkitError)
    text = (exc.quoted if quote else str(exc)).strip().splitlines()
    if isinstance(exc, VizkitError):
        return text[0] if text else "failed"
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _shared_outputs(done):
    """``(n_classes, values)`` every cell shares: the most classes any variant's model
    outputs, or (regressions) None and the value range over every variant."""
    if any(d["n_classes"] is None for d in done):
        ranges = [d["values"] for d in done if d["values"] is not None]
        return None, (min(r[0] for r in ranges), max(r[1] for r in ranges))
    return max(d["n_classes"] for d in done), None
