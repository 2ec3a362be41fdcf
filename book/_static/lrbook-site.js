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

  ready(function () {
    forwardToggles(".primary-toggle");
    forwardToggles(".secondary-toggle");
    fixNames();
  });
})();
