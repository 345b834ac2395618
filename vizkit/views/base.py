"""What every animation of a trajectory shares: the model at a frame, the header
with its caption, and the render calls. Views only lay out and draw."""

from functools import cached_property

import numpy as np

from .pacing import SHARE, changes_between, choose_frames
from ..panels import caption
from ..output.render import new_figure, render_frames, stream_frames
from ..output.writers import DEFAULT_FPS
from ..style import plain_text, style

__all__ = ["TrajectoryView"]

_METRICS = ("accuracy", "r2", "mae", "loss", "val_accuracy", "val_r2", "val_loss",
            "test_accuracy", "test_loss")


class TrajectoryView:
    """Base for views that draw any frame of a trajectory on a fixed figure.

    A subclass sets ``self.trajectory`` (and calls :meth:`bind_probe` if it
    probes layers), sets ``title``, and implements ``figure(dpi)`` →
    ``(fig, header, axes)`` (scales fixed for the whole trajectory; make the
    figure with :meth:`new_figure`) and ``draw_frame(axes, frame)`` (adds that
    frame's artists). The header's caption is drawn here.
    """

    title = "vizkit"
    #: Each step of an ``"auto"`` animation shows at least this share of the run's
    #: change (:func:`vizkit.views.pacing.choose_frames`).
    pacing_share = SHARE
    #: Whether the view draws a classifier's classes: its caption then says when the
    #: data hold fewer classes than the model outputs (:attr:`classes_note`).
    draws_classes = False

    # -- the model at a frame ----------------------------------------------------
    #: ``(trajectory, frame)`` whose weights :attr:`model` holds.
    _held = (None, None)

    @cached_property
    def model(self):
        """The trajectory's model, built once (its weights follow :meth:`set_frame`)."""
        model = self.trajectory.build_model(0)
        self._held = (self.trajectory, 0)
        return model

    @cached_property
    def readout(self):
        """How the model's outputs become classes and scores (:mod:`vizkit.inspect.readout`)."""
        from ..inspect.readout import Readout

        return Readout.of_trajectory(self.trajectory)

    @cached_property
    def names(self):
        """The name of each class the model can output (its key's entries, the
        manifest's ``classes``): the run's ``class_names`` where stored, else
        ``class k``; ``[]`` for a regression. Drawn as plain text (a ``$`` is escaped)."""
        return [plain_text(name) for name in
                self.readout.class_names(self.trajectory.info.get("class_names"))]

    @cached_property
    def classes_note(self):
        """``model: 10 classes, data: 3`` when the training labels hold fewer classes
        than the model outputs, else None (see :meth:`Readout.data_note`)."""
        return self.readout.data_note(self.trajectory.y)

    def value_norm(self):
        """A regression's colour scale, fixed over the run: the targets and every
        frame's predictions on the training points."""
        from matplotlib.colors import Normalize

        x, y = self.trajectory.x, np.asarray(self.trajectory.y, dtype=np.float64)
        low, high = float(y.min()), float(y.max())
        for frame in range(self.trajectory.n_frames):
            self.set_frame(frame)
            predicted = np.asarray(self.model(x, training=False), dtype=np.float64)
            low, high = min(low, float(predicted.min())), max(high, float(predicted.max()))
        return Normalize(low, high if high > low else low + 1)

    @property
    def output_name(self):
        """The name of the model's last layer, whose output colours the pictures."""
        return self.model.layers[-1].name

    def bind_probe(self, layers=(), inputs_of=()):
        """One probe over ``layers`` and the output layer (and ``inputs_of``' inputs)."""
        from ..inspect.probe import LayerProbe

        names = list(dict.fromkeys([*layers, self.output_name]))
        self.probe = LayerProbe(self.model, names, inputs_of=inputs_of)
        return self.probe

    @property
    def layer_engine(self):
        """Which engine computes the layer outputs this view draws, ``numpy`` or ``keras``
        (its probe's; a view without one draws from the Keras model)."""
        probe = getattr(self, "probe", None)
        return probe.engine if probe is not None else "keras"

    def set_frame(self, frame):
        """Give the bound model the weights of ``frame`` (and the state derived from
        them), unless it holds them already: a frame's panels all ask for its weights."""
        model, frame = self.model, range(self.trajectory.n_frames)[frame]
        held_trajectory, held_frame = self._held
        if held_trajectory is not self.trajectory or held_frame != frame:
            self.trajectory.set_frame(model, frame)
            self._held = (self.trajectory, frame)

    def activations(self, frame, inputs):
        """Every probed layer's output for ``inputs`` at ``frame``."""
        self.set_frame(frame)
        return self.probe(inputs)

    # -- frames and captions -----------------------------------------------------
    def frames(self, choice="auto"):
        """The frames an animation shows, in order: ``"all"``, or ``"auto"`` (every
        frame while the picture changes fast, fewer as it settles; see
        :mod:`vizkit.views.pacing`)."""
        if choice == "all":
            return range(self.trajectory.n_frames)
        return choose_frames(self.frame_changes(), self.pacing_share)

    def frame_changes(self):
        """How much the picture changes from each frame to the next (see
        :func:`vizkit.views.pacing.changes_between`), from :meth:`pacing_signal`."""
        return changes_between([self.pacing_signal(f) for f in range(self.trajectory.n_frames)])

    def pacing_signal(self, frame):
        """The numbers the picture of ``frame`` is drawn from, ``{name: array}``: by
        default every probed layer's output on (up to 512 of) the training points."""
        x = self.trajectory.x
        return self.activations(frame, x[::max(1, len(x) // 512)])

    def frame_title(self, frame):
        """``Epoch k of n`` (k the frame's epoch); epoch 0 is the untrained model. When
        the model kept an earlier epoch's weights (``restore_best_weights``), the last
        frame says which (``restored: epoch 14``) and that epoch's frame says so."""
        trajectory = self.trajectory
        epoch = trajectory.frame_epochs[frame]
        total = trajectory.info.get("epochs", trajectory.n_frames - 1)
        title = "Before training" if epoch == 0 else f"Epoch {epoch} of {total}"
        restored = trajectory.restored_epoch
        if restored is None:
            return title
        if frame % trajectory.n_frames == trajectory.n_frames - 1:
            return f"{title}  ·  restored: epoch {restored}"
        return f"{title}  ·  restored at the end" if epoch == restored else title

    def frame_epoch(self, frame):
        """The epoch ``frame`` shows (the manifest's ``epochs_shown``)."""
        return self.trajectory.frame_epochs[frame]

    def frame_step(self, frame):
        """The epoch ``frame`` shows: its step in TensorBoard."""
        return self.frame_epoch(frame)

    def frame_label(self, frame):
        """What the HTML player shows under ``frame`` (default: its title)."""
        return self.frame_title(frame)

    def frame_subtitle(self, frame):
        """The metrics at ``frame``, e.g. ``accuracy 0.873 · loss 0.412``."""
        parts = []
        for name in _METRICS:
            if name in self.trajectory.metrics:
                value = self.trajectory.metrics[name][frame]
                parts.append(f"{name.replace('_', ' ')} {value:.3f}")
        if self.draws_classes and self.classes_note:
            parts.append(self.classes_note)
        return "  ·  ".join(parts)

    # -- layout ------------------------------------------------------------------
    @staticmethod
    def new_figure(width, height, dpi, *, header=0.14):
        """A figure with a header axes (``header``: its share of the height) on top."""
        fig = new_figure(width, height, dpi=dpi)
        top = 1 - header
        heading = fig.add_axes((0, top, 1, header))
        heading.set_axis_off()
        return fig, heading

    def draw(self, header, axes, frame):
        """Add the artists of ``frame``: the view's panels and the caption."""
        self.draw_frame(axes, frame)
        caption(header, self.frame_title(frame), self.frame_subtitle(frame))

    def frame_still(self, position=-1):
        """A :class:`~vizkit.views.stills.Still` of one frame (``position`` in :meth:`frames`,
        default the last): the animation's picture, on its own."""
        from .stills import Still

        # Pacing keeps the first and the last frame: only other positions need it.
        frame = (self.frames("all") if position in (0, -1) else list(self.frames()))[position]

        def figure(dpi):
            fig, header, axes = self.figure(dpi=dpi)
            self.draw(header, axes, frame)
            return fig

        return Still(figure=figure)

    # -- rendering ---------------------------------------------------------------
    def write(self, paths, fmt, *, frames=None, fps=DEFAULT_FPS, dpi=100, on_frame=None, sinks=()):
        """Render ``frames`` into ``paths`` as given (the pipeline stages them)."""
        frames = list(self.frames() if frames is None else frames)
        with style():
            fig, header, axes = self.figure(dpi=dpi)
            return stream_frames(fig, lambda f: self.draw(header, axes, f), frames, paths,
                                 fmt, fps=fps, labels=[self.frame_label(f) for f in frames],
                                 title=self.title, on_frame=on_frame, sinks=sinks)

    def render(self, path, fmt=None, *, frames=None, fps=DEFAULT_FPS, dpi=100, overwrite=False,
               on_frame=None):
        """Render ``frames`` (default: all) to ``path``, atomically; a ``RenderResult``."""
        frames = list(self.frames() if frames is None else frames)
        with style():
            fig, header, axes = self.figure(dpi=dpi)
            return render_frames(fig, lambda f: self.draw(header, axes, f), frames, path, fmt,
                                 fps=fps, labels=[self.frame_label(f) for f in frames],
                                 overwrite=overwrite, title=self.title, on_frame=on_frame)
