"""The HTML player: frame quality and size, self-containment, and a real browser.

The browser tests drive Debian's headless Chromium (/usr/bin/chromium) through
Playwright; they skip, saying why, where either is missing (`make test`
installs chromium when it can).
"""

import base64
import io
import re
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from vizkit import LayerSpaces
from vizkit.output.player import HtmlPlayerWriter, Player, encode_frame, player_html
from vizkit.output.gif_file import GIF_HOLD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Solid colours, one per frame, so a pixel read in the browser says which frame shows.
COLOURS = {"a": [(200, 40, 40), (40, 160, 60), (40, 60, 200), (230, 200, 30)],
           "b": [(120, 40, 160), (20, 20, 20), (250, 130, 0)]}


def solid_frames(colours, width=80, height=50):
    out = np.full((len(colours), height, width, 4), 255, dtype=np.uint8)
    out[..., :3] = np.array(colours, dtype=np.uint8)[:, None, None, :]
    return out


def player_of(name):
    """A player named ``name``: its frames, labels ``name 0``..., and its fragment."""
    frames = [encode_frame(rgba) for rgba in solid_frames(COLOURS[name])]
    labels = [f"{name} {k}" for k in range(len(frames))]
    return frames, labels, player_html(frames, labels, fps=20, title=name, standalone=False)


def decode(uri):
    header, payload = uri.split(",", 1)
    assert header == "data:image/webp;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGB"))


def executable_scripts(text):
    return re.findall(r"<script>(.*?)</script>", text, re.S)


def top_level(js):
    """The code of ``js`` outside every {...} block, string literals removed."""
    js = re.sub(r'"(?:\\.|[^"\\])*"', '""', js)
    depth, kept = 0, []
    for char in js:
        depth += char == "{"
        if depth == 0:
            kept.append(char)
        depth -= char == "}"
    return "".join(kept)


# --- frames and markup, no browser ---------------------------------------------------------


def test_real_frames_stay_true_and_small(stored_trajectory, tmp_path):
    view = LayerSpaces(stored_trajectory)
    frames = [0, stored_trajectory.n_frames - 1]
    page = view.render(tmp_path / "p.html", "html", frames=frames, dpi=100)
    stills = view.render(tmp_path / "p.png", "png", frames=frames, dpi=100)
    player = Player.load(page.paths[0])
    assert len(player.frames) == 2 and player.labels == tuple(view.frame_title(f) for f in frames)
    for uri, still in zip(player.frames, stills.paths):
        truth = iio.imread(still)[..., :3].astype(float)
        shown = decode(uri).astype(float)
        assert shown.shape == truth.shape and truth.shape[1] > 1000  # a full frame at dpi 100
        # 128 colours: within 3.5 of 255 on average (measured 2.5-3.0 on these frames)
        assert np.sqrt(np.mean((shown - truth) ** 2)) <= 3.5
        assert len(uri) < 70_000  # 24-bit PNG: about 190 KB in base64


def test_size_is_the_frames_plus_a_fixed_overhead():
    frames = [encode_frame(rgba) for rgba in solid_frames(COLOURS["a"])]

    def overhead(n):
        text = player_html(frames[:n], [f"epoch {k}" for k in range(n)], fps=8, title="t",
                           standalone=False)
        return len(text.encode()) - sum(map(len, frames[:n]))

    assert overhead(1) < 2500
    assert 0 < overhead(4) - overhead(1) <= 3 * len(',\n"", "epoch 9"')


def test_writer_streams_the_page_player_html_makes(tmp_path):
    rgba = np.random.default_rng(0).integers(0, 256, (4, 120, 160, 4), dtype=np.uint8)
    uris = [encode_frame(frame) for frame in rgba]
    labels = ["before", "epoch 1", "epoch 2 <&>", ""]
    path = tmp_path / "p.html"
    writer = HtmlPlayerWriter(path, fps=4, title="a <title>")
    for k, (frame, label) in enumerate(zip(rgba, labels)):
        writer.append(frame, label)
        if k == 3:  # streamed: the frames before the newest are already in the file
            assert path.stat().st_size >= sum(map(len, uris[:3]))
    writer.finish()
    expected = player_html(uris, labels[:3] + ["frame 3"], fps=4, title="a <title>",
                           standalone=True)
    same_ids = re.compile(r"vizkit-player-[0-9a-f]+")
    assert same_ids.sub("ID", path.read_text()) == same_ids.sub("ID", expected)
    loaded = Player.load(path)
    assert loaded.frames == tuple(uris) and loaded.labels[2:] == ("epoch 2 <&>", "frame 3")
    assert (loaded.fps, loaded.title) == (4, "a <title>")


def test_aborted_writer_closes_its_file(tmp_path):
    writer = HtmlPlayerWriter(tmp_path / "p.html", fps=4, title="t")
    writer.append(solid_frames(COLOURS["a"])[0], "one")
    writer.abort()
    writer.abort()
    with pytest.raises(ValueError, match="closed"):
        writer.finish()


def test_fragments_are_self_contained():
    frames, _, first = player_of("a")
    second = Player(tuple(frames), tuple("abcd"), 8).html()
    for fragment in (first, second):
        assert not re.search(r"<(!doctype|html|head|body)\b", fragment, re.I)
        scripts = executable_scripts(fragment)
        assert len(scripts) == 1 and scripts[0].startswith("(function (")
        assert not re.search(r"\b(const|let|var|class)\b|function\s+\w|=", top_level(scripts[0]))
        css = re.search(r"<style>(.*?)</style>", fragment, re.S).group(1)
        selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
        assert selectors and all(s.startswith(".vizkit-player") for s in selectors)
        assert not re.search(r"(^|[\s,}])(body|img|html|button|input)\b", css)
        # The last frame shows before any script runs.
        assert re.search(r'<img class="vizkit-frame" alt="[^"]*" src="' + re.escape(frames[-1]),
                         fragment)
    ids = re.findall(r'\bid="([^"]+)"', first + second)
    assert len(ids) == 2 and len(set(ids)) == 2


def test_bad_frames_and_labels_say_how_to_fix():
    from vizkit import VizkitError

    with pytest.raises(VizkitError, match="one label per frame"):
        player_html(["data:,"], [], fps=8, title="t", standalone=False)
    with pytest.raises(VizkitError, match="at least one frame"):
        player_html([], [], fps=8, title="t", standalone=True)


# --- a real browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright missing: pip install playwright")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    """A page holding two player fragments between other content, as a notebook would."""
    page = tmp_path_factory.mktemp("notebook") / "notebook.html"
    players = {name: player_of(name) for name in COLOURS}
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>\n"
        f"<div class='cell'>{players['a'][2]}</div>\n"
        "<p class='prose'>Some notebook text.</p>\n"
        f"<div class='cell'>{players['b'][2]}</div>\n</body></html>", encoding="utf-8")
    return page, players


def open_page(browser, url, javascript=True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, errors


class Shown:
    """What player ``index`` on ``page`` shows: image source, centre pixel, label."""

    def __init__(self, page, index):
        self.page = page
        self.root = page.locator(".vizkit-player").nth(index)
        self.img = self.root.locator(".vizkit-frame")

    def pixel(self):
        self.img.evaluate("img => img.decode()")
        return tuple(self.img.evaluate(
            """img => { const c = document.createElement("canvas");
                        c.width = img.naturalWidth; c.height = img.naturalHeight;
                        const g = c.getContext("2d"); g.drawImage(img, 0, 0);
                        return Array.from(g.getImageData(c.width / 2, c.height / 2, 1, 1)
                                          .data.slice(0, 3)); }"""))

    def frame(self, frames, colours, labels):
        """The position of the frame shown, checked against image, pixel and label."""
        position = frames.index(self.img.get_attribute("src"))
        assert np.abs(np.subtract(self.pixel(), colours[position])).max() <= 2
        assert self.root.locator(".vizkit-label").text_content() == labels[position]
        return position


def test_two_players_on_one_page_work_apart(browser, notebook):
    path, players = notebook
    context, page, errors = open_page(browser, path.as_uri())
    (frames_a, labels_a, _), (frames_b, labels_b, _) = players["a"], players["b"]
    a, b = Shown(page, 0), Shown(page, 1)

    def shown():
        return (a.frame(frames_a, COLOURS["a"], labels_a),
                b.frame(frames_b, COLOURS["b"], labels_b))

    assert shown() == (3, 2)  # both start on their last frame
    a.root.locator(".vizkit-slider").fill("1")
    assert shown() == (1, 2)
    b.root.locator(".vizkit-slider").focus()
    page.keyboard.press("Home")
    assert shown() == (1, 0)
    play = a.root.locator(".vizkit-play")
    play.click()
    assert play.text_content() == "pause"
    page.wait_for_function("label => label.textContent === 'a 3'",
                           arg=a.root.locator(".vizkit-label").element_handle())
    play.click()
    assert play.text_content() == "play"
    assert shown()[1] == 0  # b did not move
    style = "(e, name) => getComputedStyle(e)[name]"
    assert "DejaVu" in a.root.evaluate(style, "fontFamily")  # the player's own font...
    for other in ("body", ".prose"):  # ...stays in the player
        assert "DejaVu" not in page.locator(other).evaluate(style, "fontFamily")
    assert page.locator("body").evaluate(style, "margin") == "8px"
    assert errors == []
    context.close()


def test_without_javascript_the_last_frame_shows(browser, notebook):
    path, players = notebook
    context, page, errors = open_page(browser, path.as_uri(), javascript=False)
    for index, name in enumerate(COLOURS):
        frames, labels, _ = players[name]
        shown = Shown(page, index)
        assert shown.img.get_attribute("src") == frames[-1]
        assert shown.img.evaluate("img => img.decode().then(() => img.naturalWidth)") == 80
        assert shown.root.locator(".vizkit-label").text_content() == labels[-1]
        assert shown.root.locator(".vizkit-slider").is_hidden()
    assert errors == []
    context.close()


def test_scripts_run_away_from_the_player(browser, tmp_path):
    """Classic Notebook (jQuery) runs an output's scripts in <head>: the id finds the player."""
    frames, labels, fragment = player_of("a")
    page_file = tmp_path / "classic.html"
    page_file.write_text("<!doctype html><html><head><meta charset='utf-8'></head>"
                         "<body><div id='out'></div></body></html>", encoding="utf-8")
    context, page, errors = open_page(browser, page_file.as_uri())
    page.evaluate("""html => {
        const out = document.getElementById("out");
        out.innerHTML = html;
        for (const old of out.querySelectorAll("script:not([type])")) {
            const run = document.createElement("script");
            run.text = old.text;
            document.head.appendChild(run);
        }
    }""", fragment)
    shown = Shown(page, 0)
    assert shown.frame(frames, COLOURS["a"], labels) == 3
    shown.root.locator(".vizkit-slider").fill("0")
    assert shown.frame(frames, COLOURS["a"], labels) == 0
    assert errors == []
    context.close()


def test_standalone_page_from_the_writer_plays(browser, tmp_path):
    path = tmp_path / "page.html"
    writer = HtmlPlayerWriter(path, fps=20, title="page")
    for k, rgba in enumerate(solid_frames(COLOURS["b"])):
        writer.append(rgba, f"b {k}")
    writer.finish()
    frames = Player.load(path).frames
    context, page, errors = open_page(browser, path.as_uri())
    shown = Shown(page, 0)
    assert page.title() == "page"
    assert shown.frame(frames, COLOURS["b"], [f"b {k}" for k in range(3)]) == 2
    shown.root.locator(".vizkit-play").click()
    page.wait_for_function("label => label.textContent === 'b 1'",
                           arg=shown.root.locator(".vizkit-label").element_handle())
    assert errors == []
    context.close()


def test_playing_rests_on_the_last_frame_as_the_gif_does(browser, tmp_path):
    path = tmp_path / "page.html"
    writer = HtmlPlayerWriter(path, fps=20, title="page")  # 50 ms a frame
    for k, rgba in enumerate(solid_frames(COLOURS["b"])):
        writer.append(rgba, f"b {k}")
    writer.finish()
    context, page, errors = open_page(browser, path.as_uri())
    label = page.locator(".vizkit-label")
    label.evaluate("""label => { window.shown = [];
        new MutationObserver(() => shown.push([label.textContent, performance.now()]))
            .observe(label, {childList: true, characterData: true, subtree: true}); }""")
    page.locator(".vizkit-play").click()
    page.wait_for_function("() => shown.filter(s => s[0] === 'b 2').length >= 2",
                           timeout=10_000)  # the last frame came round twice
    shown = page.evaluate("shown")
    rests = {}
    for (name, start), (_, end) in zip(shown, shown[1:]):
        rests.setdefault(name, []).append(end - start)
    assert min(rests["b 2"]) >= 1000 * GIF_HOLD  # 50 ms + the hold
    assert max(rests["b 0"] + rests["b 1"]) < 1000 * GIF_HOLD / 2
    assert errors == []
    context.close()
