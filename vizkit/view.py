"""What every animation of a trajectory shares: captions and the render call."""

from .render import render_frames
from .style import style

__all__ = ["TrajectoryView", "frame_epochs"]


def frame_epochs(trajectory):
    """The epoch of every frame: ``info["frame_epochs"]`` when the run kept only
    some epochs (``vizkit.Recorder(every=k)``), else frame k is epoch k."""
    return list(trajectory.info.get("frame_epochs", range(trajectory.n_frames)))


class TrajectoryView:
    """Base for views that draw any frame of a trajectory on a fixed figure.

    A subclass sets ``self.trajectory`` and ``title`` and implements
    ``figure(dpi)`` → ``(fig, header, axes)`` (scales fixed for the whole
    trajectory) and ``draw(header, axes, frame)`` (adds that frame's artists).
    """

    title = "vizkit"

    def frame_title(self, frame):
        """``Epoch k of n`` (k the frame's epoch); epoch 0 is the untrained model."""
        epoch = frame_epochs(self.trajectory)[frame]
        total = self.trajectory.info.get("epochs", self.trajectory.n_frames - 1)
        return "Before training" if epoch == 0 else f"Epoch {epoch} of {total}"

    def frame_subtitle(self, frame):
        """The metrics at ``frame``, e.g. ``accuracy 0.873 · loss 0.412``."""
        parts = []
        for name in ("accuracy", "loss", "val_accuracy", "val_loss", "test_accuracy",
                     "test_loss"):
            if name in self.trajectory.metrics:
                value = self.trajectory.metrics[name][frame]
                parts.append(f"{name.replace('_', ' ')} {value:.3f}")
        return "  ·  ".join(parts)

    def render(self, path, fmt=None, *, frames=None, fps=10, dpi=100, overwrite=False,
               on_frame=None):
        """Render ``frames`` (default: all) to ``path``; returns a ``RenderResult``."""
        frames = range(self.trajectory.n_frames) if frames is None else frames
        with style():
            fig, header, axes = self.figure(dpi=dpi)
            return render_frames(fig, lambda f: self.draw(header, axes, f), frames, path, fmt,
                                 fps=fps, labels=[self.frame_title(f) for f in frames],
                                 overwrite=overwrite, title=self.title, on_frame=on_frame)
