// lrbook explorers, the kernel-free view (see lrbook/explore/web.py, payload.py).
// Every number drawn here was computed by lrbook in Python and embedded in the page;
// this script decodes the data, builds the controls and draws SVG. It implements no
// formula of the book: only axes, ticks and pixels.
(function () {
  "use strict";
  if (!window.lrbookExplore) {
    window.lrbookExplore = makeLibrary();
  }
  window.lrbookExplore.mountAll();

  function makeLibrary() {
    var CSS = "__LRBOOK_CSS__";
    var SVGNS = "http://www.w3.org/2000/svg";
    var PX_PER_PT = 100 / 72;
    var uid = 0;

    function injectCss() {
      if (document.getElementById("lrbook-explore-css")) {
        return;
      }
      var style = document.createElement("style");
      style.id = "lrbook-explore-css";
      style.textContent = CSS;
      (document.head || document.documentElement).appendChild(style);
    }

    function el(tag, attrs, parent) {
      var node = document.createElement(tag);
      setAttrs(node, attrs);
      if (parent) {
        parent.appendChild(node);
      }
      return node;
    }

    function sv(tag, attrs, parent) {
      var node = document.createElementNS(SVGNS, tag);
      setAttrs(node, attrs);
      if (parent) {
        parent.appendChild(node);
      }
      return node;
    }

    function setAttrs(node, attrs) {
      for (var k in attrs || {}) {
        if (attrs[k] !== null && attrs[k] !== undefined) {
          node.setAttribute(k, attrs[k]);
        }
      }
    }

    // Rich text from Python's [text, flags] runs: i = italic, b = subscript, p = superscript.
    function htmlRuns(parent, runs) {
      (runs || []).forEach(function (r) {
        var node = document.createTextNode(r[0]);
        if (r[1].indexOf("i") >= 0) {
          var it = document.createElement("i");
          it.appendChild(node);
          node = it;
        }
        if (r[1].indexOf("b") >= 0 || r[1].indexOf("p") >= 0) {
          var s = document.createElement(r[1].indexOf("b") >= 0 ? "sub" : "sup");
          s.appendChild(node);
          node = s;
        }
        parent.appendChild(node);
      });
    }

    function svgRuns(text, runs, size) {
      var shift = 0;
      (runs || []).forEach(function (r) {
        var t = sv("tspan", {}, text);
        t.textContent = r[0];
        var target = 0;
        if (r[1].indexOf("i") >= 0) {
          t.setAttribute("font-style", "italic");
        }
        if (r[1].indexOf("b") >= 0) {
          target = 0.3 * size;
        } else if (r[1].indexOf("p") >= 0) {
          target = -0.42 * size;
        }
        if (target !== 0) {
          t.setAttribute("font-size", (0.72 * size).toFixed(1));
        }
        if (target !== shift) {
          t.setAttribute("dy", (target - shift).toFixed(2));
          shift = target;
        }
      });
    }

    function plainRuns(runs) {
      return (runs || []).map(function (r) { return r[0]; }).join("");
    }

    function inflate(b64) {
      var bin = atob(b64);
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) {
        bytes[i] = bin.charCodeAt(i);
      }
      if (typeof DecompressionStream === "undefined") {
        return Promise.reject(new Error("this browser cannot decompress (no DecompressionStream)"));
      }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
      return new Response(stream).arrayBuffer();
    }

    // Layout written by lrbook.explore.payload._Pool.blob.
    function decode(spec, buf) {
      var n = spec.nArrays;
      var lengths = new Uint32Array(buf, 0, n);
      var off = 4 * n;
      var table = new Int32Array(buf, off, spec.nFrames * spec.nSlots * 2);
      off += table.byteLength;
      var noteIndex = null;
      if (spec.notes !== null) {
        noteIndex = new Int32Array(buf, off, spec.nFrames);
        off += noteIndex.byteLength;
      }
      // the "auto" axis limits of every frame, computed by Python (float64; copied,
      // as the offset need not be a multiple of 8)
      var nLim = spec.nLimits || 0;
      var limits = new Float64Array(buf.slice(off, off + 8 * spec.nFrames * nLim));
      off += 8 * spec.nFrames * nLim;
      var total = 0;
      for (var i = 0; i < n; i++) {
        total += lengths[i];
      }
      var shuffled = new Uint8Array(buf, off, 4 * total);
      var bytes = new Uint8Array(4 * total);
      for (var j = 0; j < total; j++) {
        bytes[4 * j] = shuffled[j];
        bytes[4 * j + 1] = shuffled[total + j];
        bytes[4 * j + 2] = shuffled[2 * total + j];
        bytes[4 * j + 3] = shuffled[3 * total + j];
      }
      off += 4 * total;
      var data = new Float32Array(bytes.buffer);
      var arrays = [];
      var start = 0;
      for (var k = 0; k < n; k++) {
        arrays.push(data.subarray(start, start + lengths[k]));
        start += lengths[k];
      }
      var notes = null;
      if (noteIndex) {
        notes = JSON.parse(new TextDecoder("utf-8").decode(new Uint8Array(buf, off)));
      }
      return {arrays: arrays, table: table, noteIndex: noteIndex, notes: notes,
        limits: limits, nLimits: nLim};
    }

    // ---- axes ------------------------------------------------------------------------
    function scaler(lim, log, a, b) {
      var lo = log ? Math.log10(lim[0]) : lim[0];
      var hi = log ? Math.log10(lim[1]) : lim[1];
      var k = (b - a) / (hi - lo);
      return function (v) {
        return a + ((log ? Math.log10(v) : v) - lo) * k;
      };
    }

    function minus(s) {
      return s.replace(/-/g, "\u2212");
    }

    function linearTicks(lim, target) {
      var raw = (lim[1] - lim[0]) / target;
      var mag = Math.pow(10, Math.floor(Math.log10(raw)));
      var r = raw / mag;
      var step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
      // very small or very large values: one power of ten for the whole axis, each
      // label a mantissa times it ("8×10⁻⁴"), as matplotlib's scientific labels
      var big = Math.max(Math.abs(lim[0]), Math.abs(lim[1]));
      var sci = big > 0 && (big >= 1e5 || step < 1e-3);
      var e = sci ? Math.floor(Math.log10(big)) : 0;
      var ticks = [];
      var first = Math.ceil(lim[0] / step - 1e-9);
      for (var i = first; i * step <= lim[1] + step * 1e-9; i++) {
        var v = i * step;
        if (Math.abs(v) < step * 1e-9) {
          v = 0;
        }
        var runs;
        if (!sci) {
          runs = [[formatTick(v, step), ""]];
        } else if (v === 0) {
          runs = [["0", ""]];
        } else {
          var dec = Math.max(0, e - Math.floor(Math.log10(step) + 1e-9));
          runs = [[minus((v / Math.pow(10, e)).toFixed(dec)) + "×10", ""],
                  [minus(String(e)), "p"]];
        }
        ticks.push({v: v, major: true, runs: runs});
      }
      return ticks;
    }

    function formatTick(v, step) {
      var dec = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
      return minus(v.toFixed(dec));
    }

    function logTicks(lim) {
      var a = Math.log10(lim[0]), b = Math.log10(lim[1]);
      var ticks = [];
      var k0 = Math.floor(a), k1 = Math.ceil(b);
      var decades = b - a;
      var withMinorLabels = decades < 1.6;
      for (var k = k0; k <= k1; k++) {
        var base = Math.pow(10, k);
        [1, 2, 3, 4, 5, 6, 7, 8, 9].forEach(function (m) {
          var v = m * base;
          var lv = Math.log10(v);
          if (lv < a - 1e-9 || lv > b + 1e-9) {
            return;
          }
          if (m === 1) {
            ticks.push({v: v, major: true, runs: [["10", ""], [minus(String(k)), "p"]]});
          } else if (withMinorLabels && (m === 2 || m === 5)) {
            var txt = k >= 0 && k < 4 ? String(v) : m + "\u00d710";
            var runs = k >= 0 && k < 4 ? [[txt, ""]] : [[txt, ""], [minus(String(k)), "p"]];
            ticks.push({v: v, major: true, runs: runs});
          } else if (decades <= 4) {
            ticks.push({v: v, major: false, runs: null});
          }
        });
      }
      return ticks;
    }

    // ---- the explorer -----------------------------------------------------------------
    function Explorer(root) {
      var spec = JSON.parse(root.querySelector("script.lrx-spec").textContent);
      this.root = root;
      this.spec = spec;
      this.id = spec.id;
      this.index = spec.controls.map(function (c) { return c.index; });
      this.log = spec.panels.map(function (p) { return !!p.log; });
      this.ready = false;
      var self = this;
      this.whenReady = inflate(spec.blob).then(function (buf) {
        self.data = decode(spec, buf);
        self.build();
        self.ready = true;
        self.draw();
        var img = root.querySelector("img.lrx-static");
        if (img) {
          img.remove();
        }
        root.setAttribute("data-ready", "1");
        return self;
      }).catch(function (err) {
        root.setAttribute("data-error", String(err));
        console.warn("lrbook explorer " + spec.id + " stays a static picture: " + err);
      });
    }

    Explorer.prototype.build = function () {
      var self = this, spec = this.spec;
      var box = el("div", {"class": "lrx-box"}, this.root);
      if (spec.title) {
        htmlRuns(el("div", {"class": "lrx-title"}, box), spec.title);
      }
      var form = el("div", {"class": "lrx-controls"}, box);
      this.inputs = [];
      this.outputs = [];
      this.idle = [];
      spec.controls.forEach(function (c, k) {
        var id = spec.id + "-c" + (++uid);
        var row = el("div", {"class": "lrx-control lrx-" + c.kind}, form);
        var label = el("label", {"for": id, "class": "lrx-label"}, row);
        htmlRuns(label, c.label);
        var input, output = null;
        if (c.kind === "slider") {
          input = el("input", {type: "range", id: id, min: 0, max: c.labels.length - 1,
            step: 1, value: self.index[k], "data-control": c.name,
            "aria-valuetext": c.labels[self.index[k]]}, row);
          output = el("output", {"for": id, "class": "lrx-value", "aria-hidden": "true"}, row);
          output.textContent = c.labels[self.index[k]];
          input.addEventListener("input", function () { self.setIndex(k, +input.value); });
        } else if (c.kind === "dropdown") {
          input = el("select", {id: id, "data-control": c.name}, row);
          c.labels.forEach(function (lab, i) {
            var opt = el("option", {value: i}, input);
            opt.textContent = lab;
          });
          input.value = String(self.index[k]);
          input.addEventListener("change", function () { self.setIndex(k, +input.value); });
        } else {
          input = el("input", {type: "checkbox", id: id, "data-control": c.name}, row);
          row.insertBefore(input, label);
          input.checked = self.index[k] === 1;
          input.addEventListener("change", function () {
            self.setIndex(k, input.checked ? 1 : 0);
          });
        }
        self.inputs.push(input);
        self.outputs.push(output);
        // Idle: in the frames where moving this control changes nothing (computed by
        // lrbook from the data), it is disabled and says why.
        var idle = null;
        if (c.idle) {
          var bits = atob(c.idle.frames), mask = new Uint8Array(bits.length);
          for (var b = 0; b < bits.length; b++) { mask[b] = bits.charCodeAt(b); }
          var why = el("div", {"class": "lrx-idle-reason", id: id + "-idle"}, row);
          why.textContent = plainRuns(c.label) + ": " + c.idle.reason;
          why.hidden = true;
          idle = {mask: mask, why: why};
        }
        self.idle.push(idle);
      });
      this.logInputs = [];
      spec.panels.forEach(function (p, pi) {
        if (!p.logToggle) {
          self.logInputs.push(null);
          return;
        }
        var id = spec.id + "-log" + (++uid);
        var row = el("div", {"class": "lrx-control lrx-toggle"}, form);
        var input = el("input", {type: "checkbox", id: id, "data-control": "log:" + pi}, row);
        input.checked = self.log[pi];
        var label = el("label", {"for": id, "class": "lrx-label"}, row);
        label.textContent = "log scale" + (spec.panels.length > 1 && p.title ?
          " (" + plainRuns(p.title) + ")" : "");
        input.addEventListener("change", function () { self.setLog(pi, input.checked); });
        self.logInputs.push(input);
      });
      var figs = el("div", {"class": "lrx-panels lrx-n" + spec.panels.length}, box);
      var single = spec.panels.length === 1;
      // The drawing's width in SVG units: the width it is shown at, where known
      // (so that its text keeps its size on a phone instead of being scaled down),
      // between 300 and 640 units (one panel) or 440 (each of several, in a grid of
      // 300 px columns, as explore.css lays them out).
      var widest = single ? 640 : 440, shown = figs.clientWidth;
      if (shown > 0) {
        var gap = 16, cols = Math.max(1, Math.min(spec.panels.length,
          Math.floor((shown + gap) / (300 + gap))));
        shown = (shown - gap * (cols - 1)) / cols;
      }
      this.W = shown > 0 ? Math.round(Math.max(300, Math.min(widest, shown))) : widest;
      this.H = single ? 340 : 360;
      this.panels = spec.panels.map(function (p, pi) {
        var wrap = el("div", {"class": "lrx-panel"}, figs);
        var legend = el("div", {"class": "lrx-legend"}, wrap);
        var svg = sv("svg", {viewBox: "0 0 " + self.W + " " + self.H, role: "img",
          "class": "lrx-svg", "data-panel": pi}, wrap);
        var clipId = spec.id + "-clip" + (++uid);
        var clip = sv("clipPath", {id: clipId}, sv("defs", {}, svg));
        var panel = {
          svg: svg, legend: legend, clipRect: sv("rect", {}, clip),
          grid: sv("g", {"class": "lrx-grid"}, svg),
          background: sv("g", {"clip-path": "url(#" + clipId + ")"}, svg),
          series: sv("g", {"clip-path": "url(#" + clipId + ")", "class": "lrx-series"}, svg),
          axes: sv("g", {"class": "lrx-axes"}, svg),
          paths: {}
        };
        p.lines.forEach(function (line) {
          var g = sv("g", {"data-series": line.name}, panel.series);
          panel.paths[line.name] = {
            g: g,
            path: sv("path", {fill: "none", stroke: line.color, "stroke-width": line.width * PX_PER_PT,
              "stroke-dasharray": line.dash, "stroke-linejoin": "round",
              "stroke-linecap": line.dash ? "butt" : "round", "data-series": line.name}, g),
            dots: line.marker ? sv("g", {fill: line.color}, g) : null
          };
        });
        return panel;
      });
      this.noteEl = el("div", {"class": "lrx-note", "aria-live": "polite"}, box);
      if (spec.caption) {
        htmlRuns(el("div", {"class": "lrx-caption"}, box), spec.caption);
      }
    };

    Explorer.prototype.frame = function () {
      var f = 0, cs = this.spec.controls;
      for (var k = 0; k < cs.length; k++) {
        f = f * cs[k].labels.length + this.index[k];
      }
      return f;
    };

    Explorer.prototype.setIndex = function (k, i) {
      if (typeof k === "string") {
        k = this.spec.controls.map(function (c) { return c.name; }).indexOf(k);
      }
      var c = this.spec.controls[k];
      if (!c || !(i >= 0 && i < c.labels.length)) {
        throw new Error("no such control value: " + k + " = " + i);
      }
      this.index[k] = i;
      var input = this.inputs[k];
      if (c.kind === "slider") {
        input.value = i;
        input.setAttribute("aria-valuetext", c.labels[i]);
        this.outputs[k].textContent = c.labels[i];
      } else if (c.kind === "dropdown") {
        input.value = String(i);
      } else {
        input.checked = i === 1;
      }
      this.draw();
    };

    // Disable each control that changes nothing in the current frame (and say why).
    Explorer.prototype.updateIdle = function () {
      var f = this.frame();
      for (var k = 0; k < this.idle.length; k++) {
        var idle = this.idle[k];
        if (!idle) { continue; }
        var off = ((idle.mask[f >> 3] >> (7 - (f & 7))) & 1) === 1;
        var input = this.inputs[k];
        input.disabled = off;
        idle.why.hidden = !off;
        if (off) {
          input.setAttribute("aria-describedby", idle.why.id);
        } else {
          input.removeAttribute("aria-describedby");
        }
      }
    };

    Explorer.prototype.setLog = function (pi, on) {
      this.log[pi] = !!on;
      if (this.logInputs[pi]) {
        this.logInputs[pi].checked = !!on;
      }
      this.draw();
    };

    // The data of the current frame: per panel, {name: {x: [...], y: [...]}}.
    Explorer.prototype.currentSeries = function () {
      var self = this, f = this.frame(), k = 0, out = [];
      this.spec.panels.forEach(function (p) {
        var panel = {};
        p.lines.forEach(function (line) {
          var base = (f * self.spec.nSlots + k) * 2;
          var ix = self.data.table[base], iy = self.data.table[base + 1];
          if (ix >= 0) {
            panel[line.name] = {x: Array.from(self.data.arrays[ix]),
              y: Array.from(self.data.arrays[iy])};
          }
          k++;
        });
        out.push(panel);
      });
      return out;
    };

    // Limits of an "auto" axis in the current frame: read, never computed, here.
    Explorer.prototype.autoLimit = function (at) {
      if (at === null || at === undefined) {
        throw new Error("an axis has neither fixed nor embedded limits");
      }
      var row = this.frame() * this.data.nLimits;
      return [this.data.limits[row + at], this.data.limits[row + at + 1]];
    };

    Explorer.prototype.note = function () {
      if (!this.data.noteIndex) {
        return null;
      }
      return this.data.notes[this.data.noteIndex[this.frame()]] || null;
    };

    Explorer.prototype.draw = function () {
      var self = this;
      this.updateIdle();
      var series = this.currentSeries();
      this.drawn = [];
      this.spec.panels.forEach(function (p, pi) {
        self.drawPanel(p, pi, series[pi]);
      });
      var note = this.note();
      this.noteEl.textContent = "";
      (note || "").split("\n").forEach(function (line) {
        if (line) {
          el("div", {}, self.noteEl).textContent = line;
        }
      });
      this.root.setAttribute("data-frame", this.frame());
    };

    Explorer.prototype.drawPanel = function (p, pi, series) {
      var self = this, panel = this.panels[pi], font = this.spec.font;
      var fs = font.small * PX_PER_PT, fb = font.base * PX_PER_PT, ft = font.title * PX_PER_PT;
      var ylog = p.yscale === "log" || (p.logToggle && this.log[pi]);
      var xlog = p.xscale === "log";
      var m = {l: 70, r: 18, t: p.title ? 34 : 14, b: 50};
      var W = this.W, H = this.H;
      var x0 = m.l, x1 = W - m.r, y0 = H - m.b, y1 = m.t;
      var contourXs = p.contours.map(function (c) { return self.data.arrays[c[0]]; });
      var contourYs = p.contours.map(function (c) { return self.data.arrays[c[1]]; });
      var ylabel = p.ylabelBy ? p.ylabelBy.labels[this.index[p.ylabelBy.control]] : p.ylabel;
      var logToggled = ylog && p.logToggle;
      var xlim = p.xlim || this.autoLimit(p.autoLim.x);
      var ylim = (logToggled ? p.ylimLog : p.ylim) ||
        this.autoLimit(logToggled ? p.autoLim.ylog : p.autoLim.y);
      // about one x tick per 55 units of plot width (6 on a desktop, 4 on a phone),
      // so that their labels do not run together
      var xt = xlog ? logTicks(xlim) :
        linearTicks(xlim, Math.max(3, Math.min(6, Math.round((W - m.r - m.l) / 55))));
      var yt = ylog ? logTicks(ylim) : linearTicks(ylim, 5);
      // The y label sits left of the widest tick label (estimated from its length), and
      // the plot moves right when the tick labels need more than the usual margin.
      var tickWidth = 0;
      yt.forEach(function (t) {
        if (t.runs) { tickWidth = Math.max(tickWidth, plainRuns(t.runs).length * fs * 0.6); }
      });
      var labelX = 8 + tickWidth + 0.25 * fb + 3;  // the y label's baseline, left of x0
      m.l = Math.max(m.l, Math.ceil(labelX + 0.85 * fb + 2));
      x0 = m.l;
      if (p.equal && !xlog && !ylog) {
        // same scale on both axes: shrink the plot box (as matplotlib's adjustable="box")
        var ux = (xlim[1] - xlim[0]) / (x1 - x0), uy = (ylim[1] - ylim[0]) / (y0 - y1);
        if (ux > uy) {
          var h = (ylim[1] - ylim[0]) / ux, mid = (y0 + y1) / 2;
          y0 = mid + h / 2;
          y1 = mid - h / 2;
        } else {
          var w = (xlim[1] - xlim[0]) / uy, cx = (x0 + x1) / 2;
          x0 = cx - w / 2;
          x1 = cx + w / 2;
        }
      }
      var X = scaler(xlim, xlog, x0, x1), Y = scaler(ylim, ylog, y0, y1);
      setAttrs(panel.clipRect, {x: x0, y: y1, width: x1 - x0, height: y0 - y1});
      panel.svg.setAttribute("data-xscale", xlog ? "log" : "linear");
      panel.svg.setAttribute("data-yscale", ylog ? "log" : "linear");
      panel.svg.setAttribute("data-xlim", xlim.join(","));
      panel.svg.setAttribute("data-ylim", ylim.join(","));
      panel.svg.setAttribute("data-ylabel", plainRuns(ylabel));
      panel.svg.setAttribute("aria-label", (p.title ? plainRuns(p.title) + ": " : "") +
        plainRuns(ylabel) + " against " + plainRuns(p.xlabel));

      // grid, axes, ticks and labels
      panel.grid.textContent = "";
      panel.axes.textContent = "";
      xt.forEach(function (t) {
        var x = X(t.v);
        if (x < x0 - 0.5 || x > x1 + 0.5) { return; }
        if (t.major) {
          sv("line", {x1: x, x2: x, y1: y0, y2: y1}, panel.grid);
        }
        sv("line", {x1: x, x2: x, y1: y0, y2: y0 + (t.major ? 5 : 3), "class": "lrx-tick"}, panel.axes);
        if (t.runs) {
          var tx = sv("text", {x: x, y: y0 + 8 + fs, "text-anchor": "middle", "font-size": fs.toFixed(1)}, panel.axes);
          svgRuns(tx, t.runs, fs);
        }
      });
      yt.forEach(function (t) {
        var y = Y(t.v);
        if (y > y0 + 0.5 || y < y1 - 0.5) { return; }
        if (t.major) {
          sv("line", {x1: x0, x2: x1, y1: y, y2: y}, panel.grid);
        }
        sv("line", {x1: x0 - (t.major ? 5 : 3), x2: x0, y1: y, y2: y, "class": "lrx-tick"}, panel.axes);
        if (t.runs) {
          var ty = sv("text", {x: x0 - 8, y: y + fs * 0.35, "text-anchor": "end", "font-size": fs.toFixed(1)}, panel.axes);
          svgRuns(ty, t.runs, fs);
        }
      });
      sv("line", {x1: x0, x2: x1, y1: y0, y2: y0, "class": "lrx-spine"}, panel.axes);
      sv("line", {x1: x0, x2: x0, y1: y0, y2: y1, "class": "lrx-spine"}, panel.axes);
      var xl = sv("text", {x: (x0 + x1) / 2, y: H - 10, "text-anchor": "middle", "font-size": fb.toFixed(1)}, panel.axes);
      svgRuns(xl, p.xlabel, fb);
      var yl = sv("text", {transform: "translate(" + Math.min(x0 - 54, x0 - labelX) + "," +
        ((y0 + y1) / 2) + ") rotate(-90)",
        "text-anchor": "middle", "font-size": fb.toFixed(1)}, panel.axes);
      svgRuns(yl, ylabel, fb);
      if (p.title) {
        var tt = sv("text", {x: x0, y: m.t - 12, "font-size": ft.toFixed(1), "class": "lrx-ptitle"}, panel.axes);
        svgRuns(tt, p.title, ft);
      }

      // static background, drawn once
      if (!panel.backgroundDrawn || panel.backgroundKey !== xlim.join() + ylim.join()) {
        panel.background.textContent = "";
        if (p.image && p.imageExtent) {
          var ex = p.imageExtent;
          var ix0 = X(ex[0]), ix1 = X(ex[1]), iy0 = Y(ex[2]), iy1 = Y(ex[3]);
          sv("image", {href: p.image, x: Math.min(ix0, ix1), y: Math.min(iy0, iy1),
            width: Math.abs(ix1 - ix0), height: Math.abs(iy1 - iy0),
            preserveAspectRatio: "none", "class": "lrx-image"}, panel.background);
        }
        p.contours.forEach(function (c, ci) {
          sv("path", {d: pathData(contourXs[ci], contourYs[ci], X, Y, xlog, ylog),
            "class": "lrx-contour", fill: "none"}, panel.background);
        });
        panel.backgroundDrawn = true;
        panel.backgroundKey = xlim.join() + ylim.join();
      }

      // the data; the legend lists only the series drawn in this frame
      panel.legend.textContent = "";
      var drawn = {};
      p.lines.forEach(function (line) {
        var s = series[line.name], target = panel.paths[line.name];
        if (!s) {
          target.g.setAttribute("display", "none");
          target.path.setAttribute("d", "");
          return;
        }
        target.g.removeAttribute("display");
        target.path.setAttribute("d", pathData(s.x, s.y, X, Y, xlog, ylog));
        target.path.setAttribute("data-points", s.x.length);
        if (target.dots) {
          target.dots.textContent = "";
          for (var i = 0; i < s.x.length && i < 2000; i++) {
            if ((xlog && !(s.x[i] > 0)) || (ylog && !(s.y[i] > 0))) { continue; }
            sv("circle", {cx: X(s.x[i]).toFixed(1), cy: Y(s.y[i]).toFixed(1), r: 2.6}, target.dots);
          }
        }
        drawn[line.name] = s;
        if (line.label) {
          var item = el("span", {"class": "lrx-key", "data-series": line.name}, panel.legend);
          var sw = sv("svg", {width: 26, height: 10, "aria-hidden": "true"}, item);
          sv("line", {x1: 1, x2: 25, y1: 5, y2: 5, stroke: line.color, "stroke-width": 2.5,
            "stroke-dasharray": line.dash}, sw);
          htmlRuns(el("span", {}, item), line.label);
        }
      });
      this.drawn.push(drawn);
    };

    function pathData(xs, ys, X, Y, xlog, ylog) {
      var d = [], pen = false;
      for (var i = 0; i < xs.length; i++) {
        if ((xlog && !(xs[i] > 0)) || (ylog && !(ys[i] > 0))) {
          pen = false;
          continue;
        }
        d.push((pen ? "L" : "M") + X(xs[i]).toFixed(1) + " " + Y(ys[i]).toFixed(1));
        pen = true;
      }
      return d.join("");
    }

    // ---- public API (used by the browser test and by curious readers) -----------------
    function Handle(ex) {
      this._ex = ex;
      this.id = ex.id;
      this.whenReady = ex.whenReady.then(function () { return true; });
    }
    Handle.prototype.isReady = function () { return this._ex.ready; };
    Handle.prototype.controls = function () {
      var ex = this._ex;
      return ex.spec.controls.map(function (c, k) {
        var idle = ex.idle[k];
        return {name: c.name, kind: c.kind, labels: c.labels.slice(), index: ex.index[k],
          label: c.text, disabled: ex.inputs[k].disabled,
          idleReason: idle && !idle.why.hidden ? idle.why.textContent : null};
      });
    };
    Handle.prototype.indices = function () {
      var ex = this._ex, out = {};
      ex.spec.controls.forEach(function (c, k) { out[c.name] = ex.index[k]; });
      return out;
    };
    Handle.prototype.setIndex = function (name, i) { this._ex.setIndex(name, i); };
    Handle.prototype.setLog = function (pi, on) { this._ex.setLog(pi, on); };
    Handle.prototype.currentSeries = function () { return this._ex.currentSeries(); };
    Handle.prototype.note = function () { return this._ex.note(); };
    // Per panel, the names of the series in the legend (only those drawn now).
    Handle.prototype.legend = function () {
      return this._ex.panels.map(function (panel) {
        return Array.prototype.map.call(panel.legend.querySelectorAll(".lrx-key"),
          function (k) { return k.getAttribute("data-series"); });
      });
    };
    // Per panel, the axis limits drawn now ({x: [lo, hi], y: [lo, hi]}).
    Handle.prototype.limits = function () {
      return this._ex.panels.map(function (panel) {
        var parse = function (a) { return panel.svg.getAttribute(a).split(",").map(Number); };
        return {x: parse("data-xlim"), y: parse("data-ylim")};
      });
    };
    // Per panel, the y label drawn now, as plain text.
    Handle.prototype.ylabels = function () {
      return this._ex.panels.map(function (panel) {
        return panel.svg.getAttribute("data-ylabel");
      });
    };
    Handle.prototype.frame = function () { return this._ex.frame(); };
    Handle.prototype.recipe = function () { return this._ex.spec.recipe; };
    Handle.prototype.check = function () { return this._ex.spec.check || null; };
    Handle.prototype.scales = function () {
      var ex = this._ex;
      return ex.spec.panels.map(function (p, pi) {
        return {x: p.xscale, y: p.yscale === "log" || (p.logToggle && ex.log[pi]) ? "log" : "linear"};
      });
    };

    function mountAll() {
      injectCss();
      var roots = document.querySelectorAll("[data-lrbook-explorer]");
      for (var i = 0; i < roots.length; i++) {
        var root = roots[i];
        if (root.lrbookExplorer) {
          continue;
        }
        try {
          root.lrbookExplorer = new Handle(new Explorer(root));
        } catch (err) {
          root.setAttribute("data-error", String(err));
          console.warn("lrbook explorer stays a static picture: " + err);
        }
      }
    }

    return {mountAll: mountAll, version: 1};
  }
})();
