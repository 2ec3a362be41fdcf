"""lrbook.exercises: every exercise accepts its solution and rejects wrong answers."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrbook
from lrbook import _env, exercises, gd
from lrbook.exercises import check, exercise_ids, get, register, unregister

IN_CI = bool(os.environ.get("CI"))
IDS = exercise_ids()


def wrong_answer(ex):
    """An answer of the right kind that is clearly wrong."""
    if ex.kind == "number":
        return ex.expected * 1.5 + 1.0
    if ex.kind == "numbers":
        return [*ex.expected[:-1], ex.expected[-1] + 1.0]
    if ex.kind == "function":
        return lambda t: 2.0 * ex.expected(t) + 0.01
    return next(c for c in ex.choices if c != ex.expected)


@pytest.fixture
def scratch():
    """Register throw-away exercises; remove them afterwards."""
    made = []

    def make(exercise_id, *args, **kwargs):
        made.append(exercise_id)
        return register(exercise_id, *args, **kwargs)

    yield make
    for i in made:
        if i in exercise_ids():
            unregister(i)


# -------------------------------------------------------------- registered exercises
def test_chapters_1_to_3_have_3_to_8_exercises_each():
    for chapter in ("ch01-", "ch02-", "ch03-"):
        assert 3 <= len(exercise_ids(chapter)) <= 8, chapter
    kinds = {get(i).kind for i in IDS}
    assert kinds == set(exercises.KINDS)


@pytest.mark.parametrize("exercise_id", IDS)
def test_accepts_the_reference_solution(exercise_id, capsys, monkeypatch):
    monkeypatch.setattr(_env, "ipython_shell", lambda: None)  # print, not display
    ex = get(exercise_id)
    result = check(exercise_id, ex.expected)
    assert result.ok and bool(result)
    assert result.message == "correct."
    assert capsys.readouterr().out == f"✓ {exercise_id}: correct.\n"
    assert ex.hint


@pytest.mark.parametrize("exercise_id", IDS)
def test_rejects_a_wrong_answer_without_giving_the_solution(exercise_id):
    ex = get(exercise_id)
    result = check(exercise_id, wrong_answer(ex), show=False)
    assert not result.ok and not result
    assert result.message.startswith("not correct")
    assert ex.hint[1:] in result.message
    if ex.kind == "number":
        for shown in (repr(ex.expected), f"{ex.expected:g}", f"{ex.expected:.3g}"):
            assert shown not in result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_classic_mistake_is_rejected_and_explained(exercise_id):
    ex = get(exercise_id)
    for wrong, why in ex.mistakes:
        result = check(exercise_id, wrong, show=False)
        assert not result.ok, (wrong, why)
        assert why in result.message


def test_expected_answers_agree_with_lrbook():
    p = get("ch01-ex-stability").params
    f = gd.quadratic_1d(2 * p["c"])
    assert f.loss(1.0) == p["c"]  # the exercise's f(x) = c x^2
    limit = get("ch01-ex-stability").expected
    assert not gd.descend(f, 0.99 * limit, steps=2000).diverged
    assert gd.descend(f, 1.01 * limit, steps=2000).diverged

    p = get("ch01-ex-contraction").params
    xs = gd.descend(gd.quadratic_1d(p["a"]), p["lr"], x0=1.0, steps=3).xs[:, 0]
    assert abs(xs[1] / xs[0]) == pytest.approx(get("ch01-ex-contraction").expected)

    p = get("ch01-ex-regime").params
    xs = gd.descend(gd.quadratic_1d(p["a"]), p["lr"], x0=1.0, steps=50).xs[:, 0]
    assert get("ch01-ex-regime").expected == "oscillating"
    assert np.all(xs[1:] * xs[:-1] < 0) and abs(xs[-1]) < 1e-6

    p = get("ch01-ex-noise-floor").params
    expected = p["lr"] * p["sigma"] ** 2 / (p["a"] * (2 - p["lr"] * p["a"]))
    assert get("ch01-ex-noise-floor").expected == pytest.approx(expected, rel=1e-12)

    p = get("ch02-ex-step-rate").params
    steps = lrbook.step_decay(p["lr"], p["step_size"], p["gamma"])
    assert get("ch02-ex-step-rate").expected == pytest.approx(
        p["lr"] * p["gamma"] ** (p["t"] // p["step_size"]), rel=1e-12
    )

    p = get("ch02-ex-milestones").params
    steps = lrbook.step_decay(p["lr"], p["step_size"], p["gamma"])
    multi = lrbook.multistep_decay(
        p["lr"], [int(m) for m in get("ch02-ex-milestones").expected], p["gamma"]
    )
    t = np.arange(p["epochs"])
    np.testing.assert_allclose(multi(t), steps(t), rtol=1e-12)

    p = get("ch03-ex-gamma").params
    gamma = get("ch03-ex-gamma").expected
    s = lrbook.exponential_decay(p["lr"], gamma)
    assert s(p["steps"]) == pytest.approx(p["final_lr"], rel=1e-12)

    gamma = get("ch03-ex-half-life").params["gamma"]
    h = get("ch03-ex-half-life").expected
    s = lrbook.exponential_decay(1.0, gamma)
    assert s(math.floor(h)) > 0.5 > s(math.ceil(h))
    assert gamma**h == pytest.approx(0.5, rel=1e-12)

    p = get("ch03-ex-staircase").params
    stair = get("ch03-ex-staircase").expected
    smooth = lrbook.exponential_decay(p["lr"], p["gamma"])
    t = np.arange(0, 200, p["step_size"])
    np.testing.assert_allclose(stair(t), smooth(t), rtol=1e-12)
    assert stair(5) == stair(0) and stair(15) == stair(10)


def test_handwritten_solutions_are_accepted():
    def step_lr(t):
        return 0.1 * 0.1 ** (t // 30)

    assert check("ch02-ex-step-function", step_lr, show=False).ok
    assert check("ch03-ex-exp-function", lambda t: 0.1 * 0.95**t, show=False).ok
    assert check("ch03-ex-staircase", lambda t: 0.1 * 0.99 ** (10 * (t // 10)), show=False)
    assert check("ch03-ex-gamma", 0.01 ** (1 / 100), show=False).ok
    assert check("ch03-ex-half-life", math.log(2) / -math.log(0.99), show=False).ok
    assert check("ch02-ex-milestones", (25, 50, 75), show=False).ok
    assert check("ch02-ex-milestones", np.array([25, 50, 75]), show=False).ok
    assert check("ch01-ex-stability", 2 / 10, show=False).ok
    assert check("ch01-ex-noise-floor", 0.3 * 4 / (1 * (2 - 0.3)), show=False).ok
    assert check("ch02-ex-call-order", "Optimizer.step()", show=False).ok
    assert check("ch02-ex-call-order", "  optimizer.step ", show=False).ok


# ------------------------------------------------------------------------- tolerance
def test_number_tolerance(scratch):
    scratch("t.rel", "number", 2.0, rtol=1e-3, hint="think")
    assert check("t.rel", 2.0019, show=False).ok
    assert check("t.rel", np.float32(2.0), show=False).ok
    assert check("t.rel", np.array(2.0), show=False).ok
    near = check("t.rel", 2.0021, show=False)
    assert not near.ok and "Close, but not within the tolerance" in near.message
    far = check("t.rel", 3.0, show=False)
    assert not far.ok and "Close" not in far.message
    assert far.message == "not correct. Hint: Think"
    scratch("t.abs", "number", 0.0, rtol=1e-3, atol=1e-6)
    assert check("t.abs", 5e-7, show=False).ok
    assert not check("t.abs", 2e-6, show=False).ok


@settings(max_examples=60, deadline=None, derandomize=IN_CI)
@given(
    expected=st.floats(-1e6, 1e6).filter(lambda v: abs(v) > 1e-6),
    rtol=st.floats(1e-9, 0.1),
)
def test_relative_tolerance_property(expected, rtol):
    register("t.prop", "number", expected, rtol=rtol, replace=True)
    try:
        assert check("t.prop", expected * (1 + 0.5 * rtol), show=False).ok
        assert not check("t.prop", expected * (1 + 2 * rtol), show=False).ok
    finally:
        unregister("t.prop")


def test_numbers_and_function_tolerance(scratch):
    scratch("t.many", "numbers", (1.0, 2.0, 3.0), rtol=1e-2)
    assert check("t.many", [1.005, 2.0, 2.99], show=False).ok
    wrong = check("t.many", [1.0, 2.5, 3.5], show=False)
    assert "2 of the 3 numbers are not right" in wrong.message
    assert "element 1" in wrong.message
    s = lrbook.exponential_decay(0.1, 0.9)
    scratch("t.fn", "function", s, rtol=1e-6, steps=range(0, 50, 5))
    assert check("t.fn", lambda t: 0.1 * 0.9**t * (1 + 1e-7), show=False).ok
    off = check("t.fn", lambda t: 0.1 * 0.9**t * (1 + 1e-5 * (t > 20)), show=False)
    assert not off.ok and "first differs from the reference at t=25" in off.message


# --------------------------------------------------------------- wrong kinds of answer
@pytest.mark.parametrize(
    ("exercise_id", "answer", "message"),
    [
        ("ch01-ex-stability", "0.2", "not correct: expected a number, got str ('0.2')."),
        ("ch01-ex-stability", True, "expected a number, got bool"),
        ("ch01-ex-stability", [0.2], "expected a single number, got list"),
        ("ch01-ex-stability", 0.2j, "expected a number, got complex"),
        ("ch01-ex-stability", math.nan, "Your answer is nan"),
        ("ch02-ex-milestones", "25, 50, 75", "expected a list or tuple of numbers"),
        ("ch02-ex-milestones", 25, "expected a list or tuple of numbers, got int"),
        ("ch02-ex-milestones", [25, "50", 75], "element 1 is str"),
        ("ch02-ex-milestones", [25, 50], "expected 3 numbers, got 2"),
        ("ch02-ex-milestones", np.ones((3, 1)), "expected a 1-d sequence"),
        ("ch02-ex-milestones", [25, math.inf, 75], "not finite"),
        ("ch03-ex-exp-function", 0.1, "expected a function of the step t, got float"),
        ("ch03-ex-exp-function", lambda t: 1 / t, "raised ZeroDivisionError at t=0"),
        ("ch03-ex-exp-function", lambda t: [0.1], "At t=0 your function returned list"),
        ("ch03-ex-exp-function", lambda t: "0.1", "returned str"),
        ("ch03-ex-exp-function", lambda t: math.inf, "not finite at t=0"),
        ("ch03-ex-exp-function", lambda: 0.1, "raised TypeError at t=0"),
        ("ch02-ex-call-order", 1, "expected one of 'optimizer.step', 'scheduler.step'"),
        ("ch02-ex-call-order", "zero_grad", "got 'zero_grad'"),
    ],
)
def test_wrong_kinds_of_answer_are_not_correct_rather_than_errors(
    exercise_id, answer, message
):
    result = check(exercise_id, answer, show=False)
    assert not result.ok
    assert message in result.message


def test_unknown_ids():
    with pytest.raises(ValueError, match="did you mean 'ch01-ex-stability'"):
        check("ch01-ex-stabilty", 0.2)
    with pytest.raises(ValueError, match="did you mean 'ch01-ex-noise-floor'"):
        check("noise_floor", 0.2)
    with pytest.raises(
        ValueError, match="registered ids: 'ch01-ex-best-step', 'ch01-ex-contraction'"
    ):
        check("zz", 0.2)
    with pytest.raises(TypeError, match="exercise_id must be a string"):
        check(3, 0.2)


# --------------------------------------------------------------------------- display
def test_result_display(capsys):
    bad = check("ch01-ex-stability", 0.1, show=False)
    assert capsys.readouterr().out == ""
    assert repr(bad).startswith("<Result ✗ ch01-ex-stability: not correct.")
    html = bad._repr_html_()
    assert "#d64545" in html and "Not correct" in html
    assert "&lt; 1?" in html and "< 1?" not in html  # escaped
    good = check("ch01-ex-stability", 0.2, show=False)
    assert "#1f8a3b" in good._repr_html_() and "✓ Correct" in good._repr_html_()


def test_notebook_shows_one_box_per_cell(monkeypatch):
    pytest.importorskip("IPython")
    import IPython.display

    shown = []

    class Shell:
        execution_count = 7

    shell = Shell()
    monkeypatch.setattr(_env, "ipython_shell", lambda: shell)
    monkeypatch.setattr(
        IPython.display, "display", lambda data, raw: shown.append(data)
    )
    result = check("ch01-ex-stability", 0.2)
    assert len(shown) == 1 and "text/html" in shown[0]
    assert shown[0]["text/plain"] == "✓ ch01-ex-stability: correct."
    result._ipython_display_()  # the cell's value: not shown a second time
    assert len(shown) == 1
    shell.execution_count = 8  # shown again from a later cell
    result._ipython_display_()
    assert len(shown) == 2


# -------------------------------------------------------------------------- register
def test_register_replace_and_unregister(scratch):
    ex = scratch("t.choice", "choice", "b", choices=("a", "b"), hint="h")
    assert ex.choices == ("a", "b") and "t.choice" in exercise_ids("t.")
    with pytest.raises(ValueError, match="already registered"):
        register("t.choice", "choice", "a", choices=("a", "b"))
    register("t.choice", "choice", "a", choices=("a", "b"), replace=True)
    assert check("t.choice", "A", show=False).ok
    unregister("t.choice")
    with pytest.raises(ValueError, match="not registered"):
        get("t.choice")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(exercise_id="", kind="number", expected=1.0), ValueError, "exercise_id"),
        (
            dict(exercise_id="a b", kind="number", expected=1.0),
            ValueError,
            "exercise_id",
        ),
        (dict(exercise_id="t.x", kind="numeric", expected=1.0), ValueError, "kind"),
        (dict(exercise_id="t.x", kind="number", expected="1"), TypeError, "expected"),
        (
            dict(exercise_id="t.x", kind="number", expected=math.nan),
            ValueError,
            "expected",
        ),
        (
            dict(exercise_id="t.x", kind="numbers", expected="12"),
            ValueError,
            "expected",
        ),
        (dict(exercise_id="t.x", kind="function", expected=1.0), TypeError, "expected"),
        (
            dict(exercise_id="t.x", kind="function", expected=lambda t: 1 / t),
            ValueError,
            "expected is not a valid function",
        ),
        (
            dict(exercise_id="t.x", kind="function", expected=abs, steps=[0, -1]),
            ValueError,
            r"steps\[1\]",
        ),
        (dict(exercise_id="t.x", kind="choice", expected=1), TypeError, "expected"),
        (
            dict(exercise_id="t.x", kind="choice", expected="c", choices=("a", "b")),
            ValueError,
            "choices must include",
        ),
        (
            dict(exercise_id="t.x", kind="number", expected=1.0, rtol=-1.0),
            ValueError,
            "rtol",
        ),
        (
            dict(exercise_id="t.x", kind="number", expected=1.0, mistakes=[2.0]),
            TypeError,
            r"mistakes\[0\]",
        ),
        (
            dict(exercise_id="t.x", kind="number", expected=1.0, hint=3),
            TypeError,
            "hint",
        ),
    ],
)
def test_register_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        register(**kwargs)
    assert "t.x" not in exercise_ids()


@pytest.mark.parametrize("placeholder", [None, ...])
def test_placeholder_is_pending_not_wrong(placeholder):
    r = check("ch01-ex-stability", placeholder, show=False)
    assert not r.ok and r.pending
    assert r.message.startswith("no answer yet")
    assert "lrbook-check-pending" in r._repr_html_() and "Your turn" in r._repr_html_()
    assert not check("ch01-ex-stability", 0.3, show=False).pending


# ------------------------------------------------------- answer keys, loaded on use
@pytest.fixture
def fresh_engine(monkeypatch):
    """An engine with nothing registered or loaded yet (restored afterwards)."""
    from lrbook.exercises import engine

    monkeypatch.setattr(engine, "_REGISTRY", {})
    monkeypatch.setattr(engine, "_LOADED", set())
    return engine


def test_the_answer_keys_are_found_by_module_name():
    from lrbook.exercises import engine

    table = engine._chapter_modules()
    assert table == {f"ch{n:02d}-": f"lrbook.exercises.ch{n:02d}" for n in range(1, 8)}
    for chapter, name in table.items():
        module = __import__(name, fromlist=["register"])
        assert callable(module.register)
        assert {i.split("-")[0] + "-" for i in exercise_ids(chapter)} == {chapter}


def test_a_chapter_is_loaded_when_its_ids_are_first_used(fresh_engine):
    assert fresh_engine._LOADED == set()
    assert get("ch02-ex-step-rate").kind == "number"
    assert fresh_engine._LOADED == {"lrbook.exercises.ch02"}
    assert exercise_ids("ch03-") and "lrbook.exercises.ch01" not in fresh_engine._LOADED
    check("ch01-ex-stability", 0.2, show=False)
    assert len(fresh_engine._LOADED) == 3
    assert exercise_ids() == IDS  # each chapter registered once


def test_exercise_ids_without_a_prefix_loads_every_chapter(fresh_engine):
    assert exercise_ids() == IDS
    assert fresh_engine._LOADED == set(fresh_engine._chapter_modules().values())


def test_a_new_chapter_module_is_picked_up(fresh_engine, monkeypatch):
    import sys
    import types

    key = types.ModuleType("lrbook.exercises.ch04")
    key.register = lambda: register("ch04-ex-warmup", "number", 500.0, hint="h")
    monkeypatch.setitem(sys.modules, "lrbook.exercises.ch04", key)
    table = {**fresh_engine._chapter_modules(), "ch04-": "lrbook.exercises.ch04"}
    monkeypatch.setattr(fresh_engine, "_chapter_modules", lambda: table)
    assert check("ch04-ex-warmup", 500.0, show=False).ok
    assert exercise_ids("ch04-") == ("ch04-ex-warmup",)
    assert fresh_engine._LOADED == {"lrbook.exercises.ch04"}


def test_a_failing_answer_key_registers_nothing_and_is_retried(
    fresh_engine, monkeypatch
):
    import sys
    import types

    calls = []

    def broken():
        calls.append(1)
        register("ch05-ex-first", "number", 1.0)
        raise RuntimeError("a bug in the answer key")

    key = types.ModuleType("lrbook.exercises.ch05")
    key.register = broken
    monkeypatch.setitem(sys.modules, "lrbook.exercises.ch05", key)
    monkeypatch.setattr(
        fresh_engine, "_chapter_modules", lambda: {"ch05-": "lrbook.exercises.ch05"}
    )
    for _ in range(2):
        with pytest.raises(RuntimeError, match="a bug in the answer key"):
            exercise_ids("ch05-")
        assert "ch05-ex-first" not in fresh_engine._REGISTRY
    assert len(calls) == 2 and fresh_engine._LOADED == set()


def test_registering_a_book_id_loads_its_chapter_first(fresh_engine):
    with pytest.raises(ValueError, match="already registered"):
        register("ch01-ex-stability", "number", 0.3)
    assert get("ch01-ex-stability").expected == 0.2


def test_exercise_ids_rejects_a_prefix_that_is_not_a_string():
    with pytest.raises(TypeError, match="prefix must be a string"):
        exercise_ids(1)


# ------------------------------------------------- chapters 2 and 3, second edition
@settings(max_examples=40, deadline=None)
@given(
    lr=st.floats(1e-3, 1.0),
    step_size=st.integers(1, 40),
    gamma=st.floats(0.05, 1.0),
    steps=st.integers(0, 400),
)
def test_step_sum_is_the_sum_of_the_staircase(lr, step_size, gamma, steps):
    from lrbook.exercises.ch02 import step_sum

    rates = lrbook.step_decay(lr, step_size, gamma)(np.arange(steps))
    assert step_sum(lr, step_size, gamma, steps) == pytest.approx(
        float(np.sum(rates)), rel=1e-9, abs=1e-12
    )


def test_step_sum_key_and_its_mistakes():
    from lrbook.exercises.ch02 import step_sum

    p = get("ch02-ex-step-sum").params
    assert step_sum(0.1, 30, 0.1, 100) == pytest.approx(3.331, rel=1e-12)
    assert get("ch02-ex-step-sum").expected == pytest.approx(3.331, rel=1e-12)
    assert check("ch02-ex-step-sum", 3.331, show=False).ok
    infinite = check("ch02-ex-step-sum", p["step_size"] * p["lr"] / 0.9, show=False)
    assert not infinite.ok and "infinitely many" in infinite.message
    partial = check("ch02-ex-step-sum", 3.33, show=False)
    assert not partial.ok and "partial last stair" in partial.message


def test_best_drop_search_agrees_with_the_formula():
    from lrbook.exercises.ch02 import best_drop_continuous, best_drop_time

    assert best_drop_time(0.5, 0.1, 40, a=1.0, sigma=1.0, x0=10.0) == 6
    t1_star = best_drop_continuous(0.5, 0.1, a=1.0, sigma=1.0, x0=10.0)
    assert t1_star == pytest.approx(5.99, abs=0.005)
    for steps in (20, 60):  # the optimum does not depend on the budget
        assert best_drop_time(0.5, 0.1, steps, a=1.0, sigma=1.0, x0=10.0) == 6
    for x0 in (3.0, 30.0):
        found = best_drop_time(0.5, 0.1, 60, a=1.0, sigma=1.0, x0=x0)
        formula = best_drop_continuous(0.5, 0.1, a=1.0, sigma=1.0, x0=x0)
        assert abs(found - formula) <= 1.0
    assert get("ch02-ex-best-drop").expected == 6.0
    assert check("ch02-ex-best-drop", 6, show=False).ok
    assert not check("ch02-ex-best-drop", 20, show=False).ok


def test_ch2_texts_follow_the_book_notation():
    # Δ (step_size) is the step period, e an epoch, t an update, t_1 a milestone.
    for exercise in ("ch02-ex-step-rate", "ch02-ex-step-function"):
        hint = get(exercise).hint
        assert "Δ" in hint and "step_size" in hint and "/s⌋" not in hint
    assert "t_i" in get("ch02-ex-milestones").hint


def test_find_bugs_key():
    assert check("ch02-ex-find-bugs", [1, 2, 4], show=False).ok
    assert check("ch02-ex-find-bugs", (1.0, 2.0, 4.0), show=False).ok
    missed = check("ch02-ex-find-bugs", [1, 2, 3, 4], show=False)
    assert not missed.ok and "mistake 3" in missed.message
    assert "mistake 4" in check("ch02-ex-find-bugs", [1, 2], show=False).message
    assert not check("ch02-ex-find-bugs", [4, 2, 1], show=False).ok


def test_exp_sum_key():
    p = get("ch03-ex-exp-sum").params
    rates = lrbook.exponential_decay(p["lr"], p["gamma"])(np.arange(p["steps"]))
    assert get("ch03-ex-exp-sum").expected == pytest.approx(float(rates.sum()), rel=1e-12)
    assert check("ch03-ex-exp-sum", float(rates.sum()), show=False).ok
    limit = check("ch03-ex-exp-sum", p["lr"] / (1 - p["gamma"]), show=False)
    assert not limit.ok and "limit" in limit.message


def test_ch1_best_step_is_the_derived_optimum():
    ex = get("ch01-ex-best-step")
    big, small = ex.params["L"], ex.params["mu"]
    assert ex.kind == "numbers"
    derived = (2 / (big + small), (big - small) / (big + small))
    assert ex.expected == pytest.approx(derived)
    assert ex.expected == pytest.approx((0.2, 0.8))
    grid = np.linspace(1e-4, 2 / big, 100_001)
    rho = np.maximum(
        gd.contraction_factor(small, grid), gd.contraction_factor(big, grid)
    )
    assert grid[np.argmin(rho)] == pytest.approx(ex.expected[0], abs=1e-4)
    assert check("ch01-ex-best-step", [0.2, 0.8], show=False).ok
    assert check("ch01-ex-best-step", np.array([0.2, 0.8]), show=False).ok
    assert not check("ch01-ex-best-step", [0.2], show=False).ok
    assert not check("ch01-ex-best-step", 0.2, show=False).ok


def test_ch1_rosenbrock_outcome_is_a_two_cycle():
    ex = get("ch01-ex-rosenbrock")
    assert ex.kind == "choice" and ex.expected == "two-cycle"
    f = gd.rosenbrock()
    for ratio in (1.01, 1.05):
        p = gd.descend(f, ratio * gd.stability_limit(f), steps=20000)
        assert not p.diverged and p.final_loss > 1e-6
        assert np.allclose(p.xs[-3], p.xs[-1]) and not np.allclose(p.xs[-2], p.xs[-1])
    assert check("ch01-ex-rosenbrock", "two-cycle", show=False).ok
    assert check("ch01-ex-rosenbrock", " Two-Cycle ", show=False).ok
    for wrong in ("diverges", "converges"):
        assert not check("ch01-ex-rosenbrock", wrong, show=False).ok


@pytest.mark.parametrize("exercise_id", ["ch04-ex-max-cuts", "ch06-ex-design"])
def test_function_placeholder_is_pending_not_wrong(exercise_id):
    """The chapters' function placeholders (``return None``) start neutral: a reader
    who has not answered yet sees "Your turn", not a red "Not correct"."""

    def placeholder(t):
        return None

    r = check(exercise_id, placeholder, show=False)
    assert not r.ok and r.pending
    assert "Your turn" in r._repr_html_() and "Not correct" not in r._repr_html_()

    def half_done(t):
        return None if t else 0.1

    assert not check(exercise_id, half_done, show=False).pending
