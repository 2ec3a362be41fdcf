/* lrbook-answers.js: the answer boxes of the website (booktools.answers adds them).

   The checker is the marking engine of lrbook.exercises (lrbook/exercises/engine.py),
   rule for rule: the same tolerance test |y - y*| <= atol + rtol |y*|, the same classic
   mistakes, hints and messages. What the reader types is read as a Python value would
   be: a decimal number becomes a float, anything else a string ("abc" in a number box
   gets the engine's "expected a number, got str ('abc')."). A "function" answer is its
   values at the box's steps. tests/exercises/test_answers_js.py runs this file in Node
   against the engine on cases generated from every exercise.

   A plain script, no dependencies: in a page it sets up every form.lrbook-answer; in
   Node, require() returns the checker (parse, mark, check). */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.lrbookAnswers = api;
    if (typeof document !== "undefined") {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", api.setup);
      } else {
        api.setup();
      }
    }
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // ------------------------------------------------------ Python's text conventions
  // Python's str.strip() and re's \s (str.isspace): not quite JavaScript's \s.
  var SPACE = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a" +
    "\\u2028\\u2029\\u202f\\u205f\\u3000";
  var STRIP = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");
  var SPACES = new RegExp("[" + SPACE + "]+", "g");
  var NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  var UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

  function strip(text) {
    return text.replace(STRIP, "");
  }

  function hex(code, width) {
    var s = code.toString(16);
    while (s.length < width) s = "0" + s;
    return s;
  }

  /* repr() of a Python str. */
  function reprStr(text) {
    var quote = text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' : "'";
    var out = quote;
    Array.from(text).forEach(function (ch) {
      var c = ch.codePointAt(0);
      if (ch === quote || ch === "\\") out += "\\" + ch;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (ch !== " " && UNPRINTABLE.test(ch)) {
        if (c <= 0xff) out += "\\x" + hex(c, 2);
        else if (c <= 0xffff) out += "\\u" + hex(c, 4);
        else out += "\\U" + hex(c, 8);
      } else out += ch;
    });
    return out + quote;
  }

  /* repr() of a Python float: the shortest digits, fixed from 1e-4 to 1e16. */
  function reprFloat(x) {
    if (isNaN(x)) return "nan";
    if (!isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return 1 / x < 0 ? "-0.0" : "0.0";
    var m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential());
    var sign = m[1], digits = m[2] + (m[3] || ""), exp = parseInt(m[4], 10);
    if (exp >= -4 && exp < 16) {
      var s;
      if (exp < 0) s = "0." + "0".repeat(-exp - 1) + digits;
      else if (digits.length <= exp + 1) s = digits + "0".repeat(exp + 1 - digits.length) + ".0";
      else s = digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
      return sign + s;
    }
    var mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    return sign + mant + "e" + expText(exp);
  }

  function expText(exp) {
    var a = Math.abs(exp);
    return (exp < 0 ? "-" : "+") + (a < 10 ? "0" + a : String(a));
  }

  /* Python's format(x, ".{p}g") (and ":g", p = 6). */
  function formatG(x, p) {
    if (p === undefined) p = 6;
    if (isNaN(x)) return "nan";
    if (!isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return 1 / x < 0 ? "-0" : "0";
    var e = x.toExponential(p - 1);
    var m = /^(-?[\d.]+)e([+-]\d+)$/.exec(e);
    var exp = parseInt(m[2], 10);
    if (exp >= -4 && exp < p) {
      var s = x.toFixed(p - 1 - exp);
      if (s.indexOf(".") >= 0) s = s.replace(/0+$/, "").replace(/\.$/, "");
      return s;
    }
    var mant = m[1];
    if (mant.indexOf(".") >= 0) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    return mant + "e" + expText(exp);
  }

  function repr(value) {
    if (typeof value === "string") return reprStr(value);
    if (typeof value === "number") return reprFloat(value);
    if (Array.isArray(value)) return "[" + value.map(repr).join(", ") + "]";
    return String(value);
  }

  /* engine._describe */
  function describe(value) {
    var type = typeof value === "string" ? "str" : typeof value === "number" ? "float"
      : Array.isArray(value) ? "list" : typeof value;
    var text = Array.from(repr(value));
    var shown = text.length > 40 ? text.slice(0, 37).join("") + "..." : text.join("");
    return type + " (" + shown + ")";
  }

  /* engine._capital */
  function capital(text) {
    var first = text.split(" ")[0].replace(/[,.:;]+$/, "");
    return /^[A-Za-z]+$/.test(first) ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  }

  /* engine._norm (casefold: lower case, and the few letters it writes otherwise) */
  function norm(text) {
    var folded = strip(text).toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
    return folded.replace(new RegExp("[" + SPACE + "]+|\\(\\)$", "g"), "");
  }

  function num(v) {
    // the key's numbers: JSON has no inf, the build writes it as a string
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    if (v === "nan") return NaN;
    return v;
  }

  // ------------------------------------------------------------------- reading input
  /* One typed value: a decimal number is a float, anything else a string. */
  function scalar(text) {
    var t = strip(text);
    var n = t.replace(/\u2212/g, "-");
    return NUMBER.test(n) ? Number(n) : t;
  }

  /* A list typed as "1, 2, 3", "[1, 2, 3]", "(1, 2)" or "1 2 3". */
  function list(text) {
    var t = strip(text);
    if (t.length >= 2 && ((t[0] === "[" && t[t.length - 1] === "]") ||
                          (t[0] === "(" && t[t.length - 1] === ")"))) {
      t = strip(t.slice(1, -1));
    }
    if (t === "") return [];
    var parts;
    if (t.indexOf(",") >= 0) {
      parts = t.split(",");
      if (parts.length > 1 && strip(parts[parts.length - 1]) === "") parts.pop();
    } else {
      parts = t.split(SPACES);
    }
    return parts.map(scalar);
  }

  /* The answer a box holds: null while nothing is typed (or chosen).
     input: a string (number, numbers, choice) or an array of strings (function). */
  function parse(key, input) {
    if (key.kind === "function") {
      var values = [];
      for (var i = 0; i < key.steps.length; i++) {
        var text = input && typeof input[i] === "string" ? input[i] : "";
        if (strip(text) === "") return null;
        values.push(scalar(text));
      }
      return values;
    }
    if (input === null || input === undefined || strip(String(input)) === "") return null;
    if (key.kind === "choice") return String(input);
    if (key.kind === "numbers") return list(String(input));
    return scalar(String(input));
  }

  // ---------------------------------------------------------------------- the marking
  function close(a, b, key, scale) {
    if (scale === undefined) scale = 1;
    if (!Array.isArray(a)) a = [a];
    if (!Array.isArray(b)) b = [b];
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) {
      var x = a[i], y = num(b[i]);
      if (!(Math.abs(x - y) <= scale * (key.atol + key.rtol * Math.abs(y)))) return false;
    }
    return true;
  }

  function mistake(key, values) {
    for (var i = 0; i < key.mistakes.length; i++) {
      if (close(values, key.mistakes[i][0], key)) return key.mistakes[i][1];
    }
    return "";
  }

  function tolerance(key) {
    var parts = [];
    if (key.rtol) parts.push("relative " + formatG(key.rtol));
    if (key.atol) parts.push("absolute " + formatG(key.atol));
    return parts.join(" and ") || "exact";
  }

  function markNumber(key, x) {
    if (typeof x !== "number") {
      if (Array.isArray(x)) return [false, "expected a single number, got " + describe(x) + "."];
      return [false, "expected a number, got " + describe(x) + "."];
    }
    if (!isFinite(x)) return [false, "your answer is " + reprFloat(x) + ", expected a finite number."];
    if (close(x, key.expected, key)) return [true, ""];
    var why = mistake(key, [x]);
    if (why) return [false, why];
    if (close(x, key.expected, key, 10)) {
      return [false, "close, but not within the tolerance (" + tolerance(key) + "): keep more digits."];
    }
    return [false, ""];
  }

  function markNumbers(key, answer) {
    if (!Array.isArray(answer)) {
      return [false, "expected a list or tuple of numbers, got " + describe(answer) + "."];
    }
    for (var i = 0; i < answer.length; i++) {
      if (typeof answer[i] !== "number") {
        return [false, "expected a sequence of numbers, but element " + i + " is " +
          describe(answer[i]) + "."];
      }
    }
    var n = key.expected.length, why;
    if (answer.length !== n) {
      why = mistake(key, answer);
      if (why) return [false, why];
      return [false, "expected " + n + " number" + (n !== 1 ? "s" : "") + ", got " + answer.length + "."];
    }
    if (!answer.every(isFinite)) return [false, "your answer contains a value that is not finite."];
    if (close(answer, key.expected, key)) return [true, ""];
    why = mistake(key, answer);
    if (why) return [false, why];
    var wrong = [];
    answer.forEach(function (x, j) {
      if (!close(x, key.expected[j], key)) wrong.push(j);
    });
    var k = wrong.length;
    return [false, k + " of the " + n + " numbers " + (k === 1 ? "is" : "are") +
      " not right (the first wrong one is element " + wrong[0] + ")."];
  }

  function markFunction(key, values) {
    if (!Array.isArray(values) || values.length !== key.steps.length) {
      return [false, "expected a function of the step t, got " + describe(values) + "."];
    }
    for (var i = 0; i < values.length; i++) {
      if (typeof values[i] !== "number") {
        return [false, "at t=" + key.steps[i] + " your function returned " +
          describe(values[i]) + ", expected a number."];
      }
    }
    for (i = 0; i < values.length; i++) {
      if (!isFinite(values[i])) return [false, "your function is not finite at t=" + key.steps[i] + "."];
    }
    if (close(values, key.expected, key)) return [true, ""];
    var why = mistake(key, values);
    if (why) return [false, why];
    for (i = 0; i < values.length; i++) {
      if (!close(values[i], key.expected[i], key)) {
        return [false, "your function first differs from the reference at t=" + key.steps[i] +
          " (it returns " + formatG(values[i], 6) + " there)."];
      }
    }
    return [false, ""];
  }

  function markChoice(key, answer) {
    var options = key.choices.map(reprStr).join(", ");
    if (typeof answer !== "string") {
      return [false, "expected one of " + options + ", got " + describe(answer) + "."];
    }
    var given = norm(answer);
    if (given === norm(key.expected)) return [true, ""];
    if (key.choices.map(norm).indexOf(given) < 0) {
      return [false, "expected one of " + options + ", got " + reprStr(answer) + "."];
    }
    for (var i = 0; i < key.mistakes.length; i++) {
      if (given === norm(key.mistakes[i][0])) return [false, key.mistakes[i][1]];
    }
    return [false, ""];
  }

  var MARKERS = { number: markNumber, numbers: markNumbers, "function": markFunction, choice: markChoice };
  var PENDING = "no answer yet: type your answer, then press Check.";
  var PENDING_STEPS = "no answer yet: type a value at every step, then press Check.";
  var PENDING_CHOICE = "no answer yet: choose an answer, then press Check.";

  /* engine.check(id, answer): {ok, pending, message}. answer as parse() gives it. */
  function mark(key, answer) {
    if (answer === null || answer === undefined) {
      var text = key.kind === "function" ? PENDING_STEPS : key.kind === "choice" ? PENDING_CHOICE : PENDING;
      return { ok: false, pending: true, message: text };
    }
    var result = MARKERS[key.kind](key, answer), ok = result[0], reason = result[1], message;
    if (ok) message = "correct.";
    else if (reason.indexOf("expected") === 0) message = "not correct: " + reason;
    else {
      var hint = key.hint ? "Hint: " + capital(key.hint) : "";
      message = ["not correct.", capital(reason), hint].filter(Boolean).join(" ");
    }
    return { ok: ok, pending: false, message: message };
  }

  function check(key, input) {
    return mark(key, parse(key, input));
  }

  // ------------------------------------------------------------------------ the page
  var STORE = "lrbook-answers:";

  function load(chapter) {
    try {
      return JSON.parse(window.localStorage.getItem(STORE + chapter) || "{}") || {};
    } catch (e) {
      return {};  // no storage (private mode, a file:// page): the boxes still work
    }
  }

  function save(chapter, answers) {
    try {
      if (Object.keys(answers).length) {
        window.localStorage.setItem(STORE + chapter, JSON.stringify(answers));
      } else {
        window.localStorage.removeItem(STORE + chapter);
      }
    } catch (e) { /* not kept: nothing else to do */ }
  }

  function chapterOf(id) {
    return id.split("-")[0];
  }

  function read(form, key) {
    if (key.kind === "function") {
      return key.steps.map(function (_, i) { return form.elements["t" + i].value; });
    }
    if (key.kind === "choice") {
      var picked = form.querySelector("input[type=radio]:checked");
      return picked ? picked.value : null;
    }
    return form.elements.answer.value;
  }

  function write(form, key, value) {
    if (key.kind === "function") {
      key.steps.forEach(function (_, i) {
        form.elements["t" + i].value = value && typeof value[i] === "string" ? value[i] : "";
      });
    } else if (key.kind === "choice") {
      form.querySelectorAll("input[type=radio]").forEach(function (r) {
        r.checked = value !== null && value !== undefined && r.value === value;
      });
    } else {
      form.elements.answer.value = typeof value === "string" ? value : "";
    }
  }

  function show(form, result) {
    var out = form.querySelector(".lrbook-answer-result");
    var state = result.ok ? "ok" : result.pending ? "pending" : "wrong";
    var title = result.ok ? "✓ Correct" : result.pending ? "Your turn" : "✗ Not correct";
    var body = result.message;
    ["not correct. ", "not correct: ", "correct."].some(function (prefix) {
      if (body.indexOf(prefix) === 0) { body = body.slice(prefix.length); return true; }
      return false;
    });
    out.className = "lrbook-answer-result lrbook-answer-" + state;
    out.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = title;
    out.appendChild(strong);
    if (body) out.appendChild(document.createTextNode(" — " + body));
  }

  function setup() {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form.lrbook-answer"));
    forms.forEach(function (form) {
      var key = JSON.parse(form.getAttribute("data-lrbook-key"));
      var chapter = chapterOf(key.id);
      form.lrbookKey = key;
      var kept = load(chapter)[key.id];
      if (kept !== undefined) write(form, key, kept);
      var keep = function () {
        var answers = load(chapter);
        answers[key.id] = read(form, key);
        save(chapter, answers);
      };
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        show(form, check(key, read(form, key)));
      });
      form.querySelector(".lrbook-answer-reset").addEventListener("click", function () {
        save(chapter, {});
        forms.forEach(function (other) {
          if (chapterOf(other.lrbookKey.id) !== chapter) return;
          write(other, other.lrbookKey, null);
          var out = other.querySelector(".lrbook-answer-result");
          out.className = "lrbook-answer-result";
          out.textContent = "";
        });
        form.querySelector(".lrbook-answer-result").textContent =
          "Your answers to this chapter’s exercises were cleared.";
      });
    });
  }

  return {
    parse: parse, mark: mark, check: check, setup: setup,
    formatG: formatG, reprFloat: reprFloat, reprStr: reprStr
  };
});
