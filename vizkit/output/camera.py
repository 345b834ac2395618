"""celluloid's frame API with bounded memory: each snap goes straight to a writer.

celluloid's ``Camera`` keeps every frame's artists alive until ``animate()``,
and matplotlib's ``ArtistAnimation`` then redraws all of them while saving:
memory and save time grow with the number of frames. :class:`StreamingCamera`
keeps the API (draw the frame's artists, then ``camera.snap()``) but renders
the figure at each snap, hands the pixels to a writer and removes that frame's
artists, so only one frame is ever alive. What stays in every frame is what
the figure held when the camera was made: axes, labels, fixed limits, colour
bars, data that never changes.

Those static parts are rendered once, at the first snap, and kept as a
background bitmap; every later frame restores it and draws only its own
artists and the axes spines, in zorder (matplotlib's blitting). A frame
therefore costs what its own artists cost, not the ticks and labels. Change
nothing static after the first snap: it would not show.

celluloid's own limitations and how vizkit meets them:

- axis limits come from the last frame → set them once, before the first
  frame, from the whole trajectory (``vizkit.inspect.limits``), and draw with
  autoscaling off;
- ``ax.set_title`` does not animate → per-frame text is a ``Text`` artist in
  axes coordinates (``vizkit.panels.caption``); figure-level artists
  (``fig.text``) are not tracked, as in celluloid;
- legends pile up → a legend drawn per frame is removed with the frame.
"""

import numpy as np
from celluloid import Camera

__all__ = ["StreamingCamera"]


class StreamingCamera(Camera):
    """A celluloid ``Camera`` whose ``snap()`` renders and emits the frame.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to record (any backend with ``buffer_rgba``, e.g. Agg).
    sink : callable
        Called as ``sink(rgba, index)`` with an ``(h, w, 4)`` uint8 array that is
        only valid during the call, and the frame's index.
    """

    def __init__(self, figure, sink):
        super().__init__(figure)
        self._sink = sink
        self._background = None
        self.frames_written = 0
        self._mark_static()

    def snap(self):
        """Render the current figure, send it to the sink, then clear the frame."""
        artists = super().snap()
        canvas = self._figure.canvas
        if self._background is None:
            self._background = self._render_static(artists)
        canvas.restore_region(self._background)
        for artist in sorted(artists + self._spines(), key=lambda a: a.get_zorder()):
            artist.axes.draw_artist(artist)
        self._sink(np.asarray(canvas.buffer_rgba()), self.frames_written)
        self.frames_written += 1
        for artist in artists:
            artist.remove()
        self._mark_static()
        self._photos.clear()
        return artists

    def _mark_static(self):
        """Count what is on the axes now as static: the next snap takes only newer artists."""
        for i, axis in enumerate(self._figure.axes):
            for name in self._offsets:
                self._offsets[name][i] = len(getattr(axis, name))

    def _spines(self):
        """Visible spines: drawn with each frame, in zorder, as a full draw would."""
        return [spine for axis in self._figure.axes if axis.axison
                for spine in axis.spines.values() if spine.get_visible()]

    def _render_static(self, artists):
        """Draw the figure without this frame's artists or spines; keep the bitmap."""
        hidden = artists + self._spines()
        for artist in hidden:
            artist.set_visible(False)
        self._figure.canvas.draw()
        for artist in hidden:
            artist.set_visible(True)
        return self._figure.canvas.copy_from_bbox(self._figure.bbox)

    def animate(self, *args, **kwargs):
        """Not available: frames were streamed to the sink as they were snapped."""
        raise TypeError("StreamingCamera streams frames to its writer at each snap(); "
                        "use celluloid.Camera to build an ArtistAnimation")
