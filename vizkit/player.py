"""The self-contained HTML player: every frame inline, a slider and a play button."""

import base64
import html

__all__ = ["HtmlPlayerWriter"]


class HtmlPlayerWriter:
    """Stream frames into one HTML page at ``path``."""

    def __init__(self, path, *, fps, title):
        self.fps = fps
        self._file = open(path, "w", encoding="utf-8")
        self._labels = []
        self._file.write(_HTML_HEAD.format(title=html.escape(title)))

    def append(self, rgba, label):
        import imageio.v3 as iio

        png = iio.imwrite("<bytes>", rgba[..., :3], extension=".png")
        prefix = "," if self._labels else ""
        self._file.write(f'{prefix}"data:image/png;base64,{base64.b64encode(png).decode()}"\n')
        self._labels.append(label)

    def finish(self):
        labels = ",".join(f'"{html.escape(label)}"' for label in self._labels)
        self._file.write(_HTML_TAIL.replace("@LABELS@", labels)
                         .replace("@DELAY@", str(round(1000 / self.fps))))
        self._file.close()

    def abort(self):
        self._file.close()


_HTML_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", sans-serif; margin: 1em; }}
#controls {{ display: flex; gap: 1em; align-items: center; max-width: 100%; }}
#slider {{ flex: 1; }}
img {{ max-width: 100%; }}
</style></head>
<body>
<img id="frame" alt="{title}">
<div id="controls">
<button id="play" type="button">play</button>
<input id="slider" type="range" min="0" value="0" step="1" aria-label="frame">
<span id="label"></span>
</div>
<script>
const frames = [
"""

_HTML_TAIL = """];
const labels = [@LABELS@];
const img = document.getElementById("frame"), slider = document.getElementById("slider");
const label = document.getElementById("label"), play = document.getElementById("play");
let timer = null;
function show(i) { img.src = frames[i]; slider.value = i; label.textContent = labels[i]; }
slider.max = frames.length - 1;
slider.addEventListener("input", () => show(+slider.value));
play.addEventListener("click", () => {
  if (timer) { clearInterval(timer); timer = null; play.textContent = "play"; return; }
  play.textContent = "pause";
  timer = setInterval(() => show((+slider.value + 1) % frames.length), @DELAY@);
});
show(frames.length - 1);
</script>
</body></html>
"""
