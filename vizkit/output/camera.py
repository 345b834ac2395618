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

The camera is vizkit's own rather than a subclass of celluloid's: celluloid's
public API (``Camera(fig)``, ``snap()`` returning the new artists,
``animate()``) cannot stream, as its bookkeeping only grows and it keeps every
frame for ``animate()``.
"""

import numpy as np

__all__ = ["StreamingCamera"]

# The axes' lists a frame's new artists are taken from, in celluloid's order.
_ARTIST_LISTS = ("collections", "patches", "lines", "texts", "artists", "images")


class StreamingCamera:
    """celluloid's ``Camera`` API, but ``snap()`` renders and emits the frame.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to record (any backend with ``buffer_rgba``, e.g. Agg).
    sink : callable
        Called as ``sink(rgba, index)`` with an ``(h, w, 4)`` uint8 array that is
        only valid during the call, and the frame's index.
    """

    def __init__(self, figure, sink):
        self._figure = figure
        self._sink = sink
        self._background = None
        self.frames_written = 0
        self._static_counts = self._count_artists()

    def snap(self):
        """Render the current figure, send it to the sink, then clear the frame;
        returns the frame's artists (by then removed from the figure)."""
        artists = self._new_artists()
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
        self._static_counts = self._count_artists()
        return artists

    def _count_artists(self):
        """How many artists each axes holds now, per list: all of them are static."""
        return [{name: len(getattr(axis, name)) for name in _ARTIST_LISTS}
                for axis in self._figure.axes]

    def _new_artists(self):
        """The artists added since the static ones were counted. A legend the axes
        holds is one of them, as in celluloid: drawn and removed with the frame."""
        artists = []
        for i, axis in enumerate(self._figure.axes):
            if axis.legend_ is not None:
                axis.add_artist(axis.legend_)
            static = self._static_counts[i] if i < len(self._static_counts) else {}
            for name in _ARTIST_LISTS:
                artists += getattr(axis, name)[static.get(name, 0):]
        return artists

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
        raise TypeError("StreamingCamera streams frames to its writer at each snap() and "
                        "keeps none for an ArtistAnimation")
