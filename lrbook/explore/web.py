"""The kernel-free view of an explorer: one self-contained HTML/SVG/JavaScript block.

The block holds the explorer's payload (see :mod:`lrbook.explore.payload`) as JSON, a
small static PNG for readers without JavaScript, and the page-side library
(``static/explore.js`` with ``static/explore.css``), which only draws what the payload
holds: it re-implements no formula.
"""

from __future__ import annotations

import base64
import functools
import html as _html
import io
import json
import re
from pathlib import Path

from .payload import build_payload
from .tex import tex_plain

#: Default size budget of one explorer's ``text/html`` (bytes).
MAX_BYTES = 300_000

_STATIC = Path(__file__).resolve().parent / "static"


class WebView:
    """The web version of :class:`~lrbook.explore.Explorer` (a mixin).

    It is cached for the explorer's current control values and log toggles; building
    it raises a ValueError when it is over the explorer's ``max_bytes``.
    """

    def _init_web_view(self) -> None:
        self._html: tuple | None = None

    def payload(self) -> dict:
        """The JSON specification embedded in the web version (with the data blob)."""
        return self._build_html()[1]

    def payload_size(self) -> int:
        """Size in bytes of the ``text/html`` version (everything it embeds)."""
        return len(self.to_html().encode("utf-8"))

    def to_html(self) -> str:
        """The self-contained HTML/SVG/JavaScript version of the explorer."""
        return self._build_html()[0]

    def _build_html(self) -> tuple:
        """``(text/html, payload)`` for the current state (built once per state)."""
        key = (tuple(self._index), tuple(self._ylog))
        if self._html is None or self._html[0] != key:
            payload = build_payload(self)
            text = _page_html(payload, self._static_png(), self.title)
            size = len(text.encode("utf-8"))
            if size > self.max_bytes:
                raise ValueError(
                    f"the explorer's web version is {size / 1000:.0f} KB, over its "
                    f"budget max_bytes={self.max_bytes / 1000:.0f} KB: give the "
                    f"controls fewer values, shorten the series, or raise max_bytes"
                )
            self._html = (key, text, payload)
        return self._html[1], self._html[2]

    def _static_png(self) -> str:
        """The current frame as a small PNG data URI, for where JavaScript is off."""
        from PIL import Image

        fig = self.figure
        old = fig.get_dpi()
        try:
            fig.set_dpi(72)
            canvas = fig.canvas
            canvas.draw()
            img = Image.frombuffer(
                "RGBA",
                canvas.get_width_height(physical=True),
                canvas.buffer_rgba(),
                "raw",
                "RGBA",
                0,
                1,
            )
            img = img.convert("RGB").quantize(
                colors=32, method=Image.Quantize.MEDIANCUT
            )
            buf = io.BytesIO()
            img.save(buf, format="PNG", optimize=True)
        finally:
            fig.set_dpi(old)
            self._background = None  # the live view's cached bitmap: redraw it
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@functools.lru_cache(maxsize=1)
def page_library() -> str:
    """The page-side library (drawing only) and its CSS, lightly minified.

    Every explorer's ``text/html`` ends with it; it runs once per page.
    """
    js = (_STATIC / "explore.js").read_text(encoding="utf-8")
    css = (_STATIC / "explore.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s*\n\s*", "", css)
    js = js.replace('"__LRBOOK_CSS__"', json.dumps(css))
    lines = []
    for line in js.splitlines():
        s = line.strip()
        if not s or s.startswith("//"):
            continue
        lines.append(s)
    return "\n".join(lines)


def _script_safe(text: str) -> str:
    """``text`` that cannot end the ``<script>`` element it is put in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _page_html(payload: dict, static_png: str, title: str | None) -> str:
    """The ``text/html`` of an explorer: its payload, static picture and library."""
    data = _script_safe(json.dumps(payload, separators=(",", ":"), ensure_ascii=False))
    alt = tex_plain(title) if title else "interactive figure"
    return (
        f'<div class="lrbook-explorer" id="{payload["id"]}" data-lrbook-explorer="'
        f'{payload["id"]}" role="group" aria-label="{_html.escape(alt)}">'
        f'<script type="application/json" class="lrx-spec">{data}</script>'
        f'<img class="lrx-static" src="{static_png}" alt="{_html.escape(alt)} '
        f'(a static picture: the interactive version needs JavaScript)" '
        f'style="max-width:100%;height:auto">'
        f"</div>\n<script>{_script_safe(page_library())}</script>"
    )
