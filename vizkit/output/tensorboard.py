"""Frames and metrics into TensorBoard, through TensorBoard's own summary writer.

:class:`TensorBoardSink` takes rendered frames as they are made (one image
per epoch, TensorBoard's step) and a trajectory's metrics (scalars at the
same steps).
"""

import importlib.util
from pathlib import Path

from ..errors import VizkitError

__all__ = ["TensorBoardSink"]


class TensorBoardSink:
    """Writes frames as image summaries and metrics as scalar summaries to ``logdir``.

    Use as a context manager (or call :meth:`close`): ``add_frame`` each frame
    as it is rendered, ``add_scalars`` the trajectory it was drawn from.

    Parameters
    ----------
    logdir : path
        The run's folder (made if missing), as ``tensorboard --logdir`` reads it.
    tag : str
        Name of the image series; scalars are ``TAG/loss``, ``TAG/val_accuracy``...
    """

    def __init__(self, logdir, *, tag="vizkit"):
        logdir = Path(logdir)
        if importlib.util.find_spec("tensorboard") is None:
            raise VizkitError("writing to TensorBoard needs the tensorboard package; "
                              "fix: pip install tensorboard")
        if logdir.exists() and not logdir.is_dir():
            raise VizkitError(f"TensorBoard log folder {logdir} is a file; fix: give a folder")
        from .._keras import import_keras

        import_keras()  # TensorFlow with vizkit's quiet, reproducible settings
        import tensorflow as tf

        self._summary = tf.summary
        self._writer = tf.summary.create_file_writer(str(logdir))
        self.logdir = logdir
        self.tag = tag

    def add_frame(self, rgba, epoch):
        """One rendered frame, an ``(h, w, 4)`` uint8 array, as the image at step ``epoch``."""
        with self._writer.as_default():
            self._summary.image(self.tag, rgba[None, :, :, :3], step=int(epoch))

    def add_scalars(self, trajectory):
        """Every metric of ``trajectory`` at each frame's epoch."""
        epochs = trajectory.frame_epochs
        with self._writer.as_default():
            for name, values in trajectory.metrics.items():
                for epoch, value in zip(epochs, values):
                    self._summary.scalar(f"{self.tag}/{name}", float(value), step=epoch)

    def close(self):
        """Flush everything to the event file and close it."""
        self._writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

