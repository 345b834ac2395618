"""The HTML player: frames, a slider, play/pause and a label, in one page or notebook cell.

One template serves the standalone page (``.html`` output) and the fragment a
notebook shows (``Animation._repr_html_``). Each player is self-contained, so
any number of them can share a page: its script is an IIFE that finds its
elements from its own root (``document.currentScript``, else the root's id,
unique per player), declares no global name, and its CSS touches only
``.vizkit-player`` and what it holds. The ``<img>`` carries the LAST frame
from the start, so the trained result shows without JavaScript (an untrusted
notebook, a static viewer); the script then enables the slider and the button.

Frames are lossless WebP of a 128-colour median-cut palette (Pillow). Measured
on the 21 frames (1080 x 469 px, dpi 100) of the default 20-epoch layer-spaces
run: base64 bytes of all 21 frames, RMS error against the rendered pixels
(0-255), and how a decoded frame looks at 3x to 7x zoom:

    24-bit PNG, optimized         2.88 MB  0     the reference (the old player: 2.93 MB)
    PNG, 256 colours              1.11 MB  0.58  as the reference
    PNG, 128 colours              0.95 MB  1.00  as the reference
    PNG, 64 colours               0.79 MB  1.71  steps in the shaded regions
    PNG, 256 colours fast-octree  0.81 MB  1.62  bands in the shaded regions
    WebP lossy, quality 80 / 90   0.88 / 1.15 MB  3.2 / 2.8  text blurred, dots smeared
    JPEG 4:4:4, quality 85 / 92   2.02 / 2.61 MB  2.9 / 1.8  noise around text and dots
    WebP lossless, 24-bit         1.82 MB  0     the reference
    WebP lossless, 256 colours    0.85 MB  0.58  as the reference
    WebP lossless, 128 colours    0.74 MB  1.00  as the reference, a faint tint
                                                on anti-aliased text edges  <- used

Encoding a frame costs about what the old 24-bit PNG did (0.15 s).
"""

import base64
import html
import io
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import VizkitError, parameter
from .gif_file import GIF_HOLD

__all__ = ["HtmlPlayerWriter", "Player", "player_html", "encode_frame"]

PALETTE_COLOURS = 128
_WEBP_OPTIONS = dict(lossless=True, method=4, quality=90)  # quality: effort, when lossless


def encode_frame(rgba):
    """An ``(h, w, 3|4)`` uint8 frame as a ``data:`` URI (palette WebP; alpha dropped)."""
    from PIL import Image

    image = Image.fromarray(rgba[..., :3]).quantize(PALETTE_COLOURS,
                                                     method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", **_WEBP_OPTIONS)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def player_html(frames, labels, *, fps, title, standalone):
    """A player for already-encoded ``frames`` (``data:`` URIs), one label each.

    ``standalone=False`` gives the fragment a notebook shows, ``True`` a whole
    page. Every call makes a new player id.
    """
    if not frames or len(frames) != len(labels):
        raise VizkitError(f"a player needs one label per frame and at least one frame, "
                          f"got {len(frames)} frame(s) and {len(labels)} label(s); "
                          "pass as many labels as frames")
    player_id = _new_id()
    return "".join([_PAGE_HEAD.format(title=html.escape(title)) if standalone else "",
                    _head(player_id, fps), ",\n".join(map(_json, frames[:-1])),
                    _tail(player_id, fps, title, frames[-1], labels),
                    _PAGE_TAIL if standalone else ""])


@dataclass(frozen=True)
class Player:
    """Encoded frames and their labels, shown as a player (Jupyter: the fragment)."""

    frames: tuple
    labels: tuple
    fps: float
    title: str = "vizkit"

    def html(self, standalone=False):
        """The player's HTML (see :func:`player_html`)."""
        return player_html(self.frames, self.labels, fps=self.fps, title=self.title,
                           standalone=standalone)

    def _repr_html_(self):
        return self.html()

    def save(self, path):
        """Write the player as a standalone page to ``path``; returns the path."""
        Path(path).write_text(self.html(standalone=True), encoding="utf-8")
        return Path(path)

    @classmethod
    def load(cls, path):
        """The player in a page that :class:`HtmlPlayerWriter` or :meth:`save` wrote."""
        text = Path(path).read_text(encoding="utf-8")
        root = re.search(r'<div class="vizkit-player" id="[\w-]+" data-fps="([\d.]+)">', text)
        frames = re.search(r'<script type="application/json" class="vizkit-frames">'
                           r'(.*?)</script>', text, re.S)
        image = re.search(r'<img class="vizkit-frame" alt="([^"]*)" src="([^"]*)"', text)
        labels = re.search(r'<script type="application/json" class="vizkit-labels">'
                           r'(.*?)</script>', text, re.S)
        if not (root and frames and image and labels):
            raise VizkitError(f"{path} is not a vizkit HTML player; "
                              f"render one with {parameter('fmt', 'html')}")
        return cls(tuple(json.loads(frames.group(1))) + (image.group(2),),
                   tuple(json.loads(labels.group(1))), float(root.group(1)),
                   html.unescape(image.group(1)))


class HtmlPlayerWriter:
    """Streams frames into a standalone player page at ``path``.

    Each frame is encoded as it comes and written out when the next one
    arrives: the newest is held back to become the ``<img>``'s source, so at
    most one encoded frame is in memory. :meth:`finish` completes the page,
    :meth:`abort` only closes it (the caller deletes the file).
    """

    def __init__(self, path, *, fps, title):
        self._fps = fps
        self._title = title
        self._id = _new_id()
        self._labels = []
        self._held = None
        self._file = open(path, "w", encoding="utf-8")
        self._file.write(_PAGE_HEAD.format(title=html.escape(title)) + _head(self._id, fps))

    def append(self, rgba, label):
        """Add the ``(h, w, 4)`` uint8 frame ``rgba`` (only read during the call)."""
        if self._file is None:
            raise ValueError("the HTML player is closed")
        frame = encode_frame(rgba)
        if self._held is not None:
            self._file.write((",\n" if len(self._labels) > 1 else "") + _json(self._held))
        self._held = frame
        self._labels.append(label or f"frame {len(self._labels)}")

    def finish(self):
        """Write the last frame and the controls, then close the file."""
        if self._file is None:
            raise ValueError("the HTML player is closed")
        if self._held is None:
            self.abort()
            raise VizkitError("the HTML player got no frames; render at least one frame")
        self._file.write(_tail(self._id, self._fps, self._title, self._held, self._labels)
                         + _PAGE_TAIL)
        self._file.close()
        self._file = None

    def abort(self):
        """Close the file as it is; closing twice does nothing."""
        if self._file is not None:
            self._file.close()
            self._file = None


def _new_id():
    return "vizkit-player-" + secrets.token_hex(6)


def _json(value):
    """JSON that cannot end the ``<script>`` element it is written in."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026"))


def _head(player_id, fps):
    return _PLAYER_HEAD.format(id=player_id, fps=fps)


def _tail(player_id, fps, title, last_frame, labels):
    return _PLAYER_TAIL.format(
        id=player_id, title=html.escape(title), last_frame=html.escape(last_frame),
        last=len(labels) - 1, last_label=html.escape(labels[-1]), labels=_json(list(labels)),
        delay=round(1000 / fps), hold=round(1000 * GIF_HOLD))


_PAGE_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
"""

_PAGE_TAIL = """</body></html>
"""

_PLAYER_HEAD = """<div class="vizkit-player" id="{id}" data-fps="{fps}">
<style>
.vizkit-player {{ font-family: "DejaVu Sans", sans-serif; width: fit-content; max-width: 100%; }}
.vizkit-player .vizkit-frame {{ display: block; max-width: 100%; height: auto; }}
.vizkit-player .vizkit-controls {{ display: flex; gap: 1em; align-items: center; }}
.vizkit-player .vizkit-slider {{ flex: 1; }}
.vizkit-player [hidden] {{ display: none; }}
</style>
<script type="application/json" class="vizkit-frames">[
"""

_PLAYER_TAIL = """
]</script>
<img class="vizkit-frame" alt="{title}" src="{last_frame}">
<div class="vizkit-controls">
<button class="vizkit-play" type="button" hidden>play</button>
<input class="vizkit-slider" type="range" min="0" max="{last}" value="{last}" step="1" \
aria-label="frame" hidden>
<span class="vizkit-label">{last_label}</span>
</div>
<script type="application/json" class="vizkit-labels">{labels}</script>
<script>(function (id, delay, hold) {{
  var script = document.currentScript, root = script && script.parentElement;
  if (!root || root.id !== id) root = document.getElementById(id);
  function part(name) {{ return root.querySelector(".vizkit-" + name); }}
  var img = part("frame"), slider = part("slider"), play = part("play"), label = part("label");
  var frames = JSON.parse(part("frames").textContent).concat([img.getAttribute("src")]);
  var labels = JSON.parse(part("labels").textContent), timer = null;
  function show(i) {{ img.src = frames[i]; slider.value = i; label.textContent = labels[i]; }}
  function stop() {{ clearTimeout(timer); timer = null; play.textContent = "play"; }}
  function step() {{
    if (!root.isConnected) {{ stop(); return; }}
    var next = (+slider.value + 1) % frames.length;
    show(next);
    timer = setTimeout(step, next === frames.length - 1 ? delay + hold : delay);
  }}
  slider.addEventListener("input", function () {{ show(+slider.value); }});
  play.addEventListener("click", function () {{
    if (timer) {{ stop(); return; }}
    play.textContent = "pause";
    timer = setTimeout(step, delay);
  }});
  play.hidden = slider.hidden = false;
}})("{id}", {delay}, {hold});</script>
</div>
"""
