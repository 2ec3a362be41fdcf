"""The answer boxes on the built website, in headless Chromium with the network cut.

For one exercise per chapter (a different kind of answer where the chapter has one),
with the keyboard only: type the right answer, a classic mistake and garbage, press
Enter (or Tab to "Check"), and read the announced result, which must be the engine's
message (``lrbook.exercises.check``; for a function, the engine's rule at the box's
steps). The answer survives a reload (local storage), "reset" clears it, the worked
solution stays hidden, the box fits a phone, nothing leaves 127.0.0.1 and the console
has no error; axe finds no serious violation in a box showing a result, light and dark,
once per kind of box (number, numbers, choice, function). The pages are also read as
files: every auto-checked exercise of chapters 1-7 has one box,
no other exercise has one, and only pages with boxes load the checker.
Screenshots: ``_build/screenshots/answers-<chapter>-{light,dark,phone}.png``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _load import load

from booktools import answers
from booktools import twins as TWINS
from lrbook.exercises import exercise_ids, get

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = [
    p.relative_to(ROOT).with_suffix(".html").as_posix()
    for p in TWINS.toc_files(ROOT)
    if re.match(r"ch0[1-7]-", p.name)
]
# the kind of answer to try on each chapter's page, when the chapter has one
KIND = {
    1: "number",
    2: "function",
    3: "number",
    4: "choice",
    5: "numbers",
    6: "function",
    7: "numbers",
}


def _agreement():
    return load("tests/exercises/test_answers_js.py", "lrbook_test_answers_js")


# axe on the box with its result showing, once per kind of box (the markup of a kind
# and the stylesheet are the same on every page; axe takes 2-3 s per run)
AXE_CHAPTERS = {min(c for c in KIND if KIND[c] == kind) for kind in set(KIND.values())}


def _chapter(page_path: str) -> int:
    return int(re.search(r"ch(\d\d)-", page_path).group(1))


def _pick(chapter: int) -> str:
    ids = exercise_ids(f"ch{chapter:02d}-")
    assert ids, f"chapter {chapter} has no auto-checked exercise"
    return next((i for i in ids if get(i).kind == KIND[chapter]), ids[0])


def _shown(message: str, ok: bool, pending: bool) -> str:
    """What the box shows for an engine message (the notebook box's wording)."""
    title = "✓ Correct" if ok else ("Your turn" if pending else "✗ Not correct")
    body = message
    for prefix in ("not correct. ", "not correct: ", "correct."):
        if body.startswith(prefix):
            body = body[len(prefix) :]
            break
    return title + (f" — {body}" if body else "")


def _inputs(eid: str) -> list[tuple[str, object]]:
    """(label, what to type) for the right answer, a classic mistake and garbage."""
    key = answers.key(eid)
    num = _agreement()._text
    if key["kind"] == "number":
        return [
            ("right", num(key["expected"])),
            ("mistake", num(key["mistakes"][0][0])),
            ("garbage", "abc"),
        ]
    if key["kind"] == "numbers":
        return [
            ("right", ", ".join(num(v) for v in key["expected"])),
            ("mistake", ", ".join(num(v) for v in key["mistakes"][0][0])),
            ("garbage", "1, two"),
        ]
    if key["kind"] == "function":
        ref = [num(v) for v in key["expected"]]
        return [
            ("right", ref),
            ("mistake", [num(v) for v in key["mistakes"][0][0]]),
            ("garbage", ref[:-1] + ["abc"]),
        ]
    # a choice cannot be garbage: first nothing chosen (radios cannot be unchosen)
    return [
        ("nothing", None),
        ("right", key["expected"]),
        ("mistake", key["mistakes"][0][0]),
    ]


def _type(page, eid: str, kind: str, value) -> None:
    """Enter an answer with the keyboard only, and submit it."""
    form = f"#lrbook-answer-{eid}"
    if kind == "choice":
        radios = page.locator(f"{form} input[type=radio]")
        radios.first.focus()
        if value is None:  # nothing chosen: Tab to Check
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            return
        values = [radios.nth(i).get_attribute("value") for i in range(radios.count())]
        page.keyboard.press("Space")  # select the first
        for _ in range(values.index(value)):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")  # the group's one tab stop, then Check
        page.keyboard.press("Enter")
        return
    texts = value if isinstance(value, list) else [value]
    page.locator(f"{form} input[type=text]").first.focus()
    for i, text in enumerate(texts):
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.type(text)
        if i < len(texts) - 1:
            page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def _expected(eid: str, kind: str, value) -> str:
    if kind == "choice" and value is None:
        return "Your turn — no answer yet: choose an answer, then press Check."
    r = _agreement().engine_result(eid, kind, value)
    return _shown(r["message"], r["ok"], r["pending"])


# ------------------------------------------------------------------ the built pages
def test_every_auto_checked_exercise_has_one_box(built_site):
    known = set(exercise_ids())
    for page_path in CHAPTERS:
        html = (built_site / page_path).read_text(encoding="utf-8")
        labels = re.findall(r'<div class="exercise[^"]*" id="([^"]+)"', html)
        boxes = re.findall(r'data-lrbook-answer="([^"]+)"', html)
        assert len(boxes) == len(set(boxes)), f"{page_path}: a box twice: {boxes}"
        assert set(boxes) == {x for x in labels if x in known}, page_path
        assert boxes, f"{page_path}: no answer box"
        assert set(boxes) == set(exercise_ids(page_path.split("/")[-1][:5])), page_path
        assert html.count("lrbook-answer-honesty") == 1, page_path
        assert "_static/lrbook-answers.js" in html, page_path


def test_only_pages_with_boxes_load_the_checker(built_site):
    for page_path in ("book/intro.html", "book/notation.html"):
        html = (built_site / page_path).read_text(encoding="utf-8")
        assert "lrbook-answers.js" not in html and "lrbook-answer" not in html


def test_a_box_carries_its_key_and_no_more(built_site):
    html = (built_site / CHAPTERS[2]).read_text(encoding="utf-8")
    found = re.findall(r'data-lrbook-key="([^"]+)"', html)
    import html as _html

    keys = [json.loads(_html.unescape(k)) for k in found]
    assert keys == [answers.key(k["id"]) for k in keys]


# ------------------------------------------------------------------ in the browser
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_BOX = """async (selector) => {
  const results = await axe.run({include: [selector]}, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                    'wcag22aa']},
    resultTypes: ['violations'],
  });
  return results.violations
    .filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.failureSummary).join(' | '));
}"""


def _no_serious_violation(page, form: str, scheme: str) -> None:
    """axe-core on the box, its result shown (the page tests run axe at load time,
    before any result): contrast of the verdict in either theme, labels, roles."""
    if not AXE.exists():
        return  # tests/e2e/test_site_render.py says how to install it (CI fails there)
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_BOX, form)
    assert not violations, f"{form} ({scheme}): {violations}"


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_answer_box_in_browser(browser, site_url, page_path):
    chapter = _chapter(page_path)
    eid = _pick(chapter)
    kind = get(eid).kind
    outside, errors = [], []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(r):
        url = r.request.url
        if url.startswith((site_url, "data:", "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    form = f"#lrbook-answer-{eid}"
    result = page.locator(f"{form} .lrbook-answer-result")
    try:
        page.goto(site_url + page_path, wait_until="load")
        page.wait_for_function("() => !!window.lrbookAnswers")
        assert result.get_attribute("aria-live") == "polite"
        assert result.get_attribute("role") == "status"
        for label, value in _inputs(eid):
            _type(page, eid, kind, value)
            want = _expected(eid, kind, value)
            assert result.inner_text().strip() == want, (eid, label)
            # the worked solution stays hidden until the reader opens it
            solution = page.locator(f'div.solution:has(a[href="#{eid}"]) section')
            if solution.count():
                assert not solution.first.is_visible(), f"{eid}: the solution shows"
        state = result.get_attribute("class")
        assert "lrbook-answer-" in state

        # kept across a reload, per chapter; reset clears it
        stored = page.evaluate(
            f"() => localStorage.getItem('lrbook-answers:ch{chapter:02d}')"
        )
        assert eid in json.loads(stored)
        page.reload(wait_until="load")
        page.wait_for_function("() => !!window.lrbookAnswers")
        if kind == "choice":
            assert page.locator(f"{form} input[type=radio]:checked").count() == 1
        else:
            kept = page.locator(f"{form} input[type=text]").last.input_value()
            assert kept == (
                _inputs(eid)[2][1][-1] if kind == "function" else _inputs(eid)[2][1]
            )
        page.locator(f"{form} .lrbook-answer-reset").focus()
        page.keyboard.press("Enter")
        assert "cleared" in result.inner_text()
        assert (
            page.evaluate(
                f"() => localStorage.getItem('lrbook-answers:ch{chapter:02d}')"
            )
            is None
        )
        # cleared on the page too (with storage empty, a reload has nothing to bring
        # back: the reload above showed that what storage holds is what comes back)
        if kind == "choice":
            assert page.locator(f"{form} input[type=radio]:checked").count() == 0
        else:
            assert all(
                page.locator(f"{form} input[type=text]").nth(i).input_value() == ""
                for i in range(page.locator(f"{form} input[type=text]").count())
            )

        # screenshots: a checked mistake, light, dark and at a phone's width
        _type(page, eid, kind, next(v for k, v in _inputs(eid) if k == "mistake"))
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = f"answers-ch{chapter:02d}"
        box = page.locator(form)
        box.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-light.png"))
        audit = chapter in AXE_CHAPTERS
        if audit:
            _no_serious_violation(page, form, "light")
        page.emulate_media(color_scheme="dark")
        page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
        page.wait_for_timeout(200)
        page.screenshot(path=str(SHOTS / f"{name}-dark.png"))
        if audit:
            _no_serious_violation(page, form, "dark")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        box.scroll_into_view_if_needed()
        wide = page.evaluate(
            f"() => document.querySelector('{form}').getBoundingClientRect().right"
        )
        assert wide <= 390, f"{eid}: the box is cut off on a phone ({wide} px)"
        page.screenshot(path=str(SHOTS / f"{name}-phone.png"))
        assert not outside, f"requests to other hosts: {outside}"
        assert not errors, f"console errors: {errors}"
    finally:
        context.close()
