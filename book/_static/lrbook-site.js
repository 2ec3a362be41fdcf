/* The book's own fixes to the theme's behaviour (sphinx-book-theme 1.3 on
   pydata-sphinx-theme 0.17).

   Navigation: both themes bind the ☰ (site navigation) and page-contents toggles with
   document.querySelector(".primary-toggle") / (".secondary-toggle"), i.e. to the FIRST
   such button in the page: pydata's button in its own header bar, which this layout
   hides. The visible buttons (in the article header) get no handler, so on a phone the
   book could not be navigated and on a desktop ☰ did not collapse the sidebar. Every
   other toggle forwards its click to that first button, which carries both themes'
   handlers: below 992 px the navigation opens as a dialog, above it the sidebar
   collapses and expands. */
(function () {
  "use strict";

  function forwardToggles(selector) {
    const toggles = Array.from(document.querySelectorAll(selector));
    const bound = toggles[0];
    if (!bound) return;
    toggles.slice(1).forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  /* Accessibility (axe-core, WCAG 2.5.3 "label in name"): a control's accessible name
     must contain the text it shows. The theme names the search field "Search" while it
     shows "Search Ctrl+K", and MyST-NB names the "Show code cell source" toggles
     "Toggle hidden content": without the aria-label their name is the text they show.
     The bibliography (sphinxcontrib-bibtex) is a role=list whose entries have the
     deprecated role doc-biblioentry, which a list may not contain (aria-required-
     children): they are list items. */
  function fixNames() {
    document.querySelectorAll("button.search-button-field[aria-label]").forEach(
      function (b) { b.removeAttribute("aria-label"); });
    document.querySelectorAll('summary[aria-label="Toggle hidden content"]').forEach(
      function (s) { s.removeAttribute("aria-label"); });
    document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]').forEach(
      function (e) { e.setAttribute("role", "listitem"); });
  }

  /* A formula or table wider than the column scrolls inside its box; without a cue a
     reader cannot tell that it goes on (its end and punctuation are just hidden). A box
     that scrolls fades out at the side where more is hidden (lrbook.css), and the fade
     follows the reader's scrolling. */
  const SCROLLERS = "div.math, span.math, mjx-container[display=\"true\"], " +
    ".pst-scrollable-table-container, .cell_output .output.text_html";

  // How far the content reaches past the box's left and right edges, in px. For a
  // formula, from its glyphs (MathJax's boxes overhang by a few px, so scrollWidth
  // says most inline formulas are wider than their box when nothing is hidden); for a
  // table or an output, from the scroll position.
  function hidden(box) {
    const glyphs = box.querySelectorAll("mjx-c, mjx-utext");
    if (!glyphs.length) {
      const more = box.scrollWidth - box.clientWidth;
      return {left: box.scrollLeft, right: more - box.scrollLeft};
    }
    const edge = box.getBoundingClientRect();
    let near = Infinity, far = -Infinity;
    glyphs.forEach(function (g) {
      const r = g.getBoundingClientRect();
      if (r.width > 0) { near = Math.min(near, r.left); far = Math.max(far, r.right); }
    });
    if (far === -Infinity) return {left: 0, right: 0};
    return {left: edge.left - near, right: far - edge.right};
  }

  const SLACK = 2;  // px: less than this hidden is not worth a cue

  function markScroll(box) {
    const h = hidden(box);
    box.classList.toggle("lrbook-scroll-more", h.right > SLACK);
    box.classList.toggle("lrbook-scroll-back", h.left > SLACK);
  }

  function scrollCues() {
    document.querySelectorAll(".bd-article " + SCROLLERS.split(", ").join(", .bd-article "))
      .forEach(function (box) {
        // a display formula's box holds MathJax's, which is the one that scrolls
        if (box.querySelector(SCROLLERS)) return;
        if (!box.dataset.lrbookScroll) {
          box.dataset.lrbookScroll = "1";
          box.addEventListener("scroll", function () { markScroll(box); }, {passive: true});
        }
        markScroll(box);
      });
  }

  ready(function () {
    forwardToggles(".primary-toggle");
    forwardToggles(".secondary-toggle");
    fixNames();
    scrollCues();
    window.addEventListener("resize", scrollCues);
    // formulas take their width once MathJax has typeset them
    const mj = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
    if (mj) mj.then(scrollCues);
    window.addEventListener("load", function () {
      const later = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
      if (later) later.then(scrollCues); else scrollCues();
    });
  });
})();
