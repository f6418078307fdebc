// Filters for the matrix and the details. Every filterable element carries data-verdict,
// data-section, data-target, data-device and data-tier. A record is shown when each of
// its values is checked in the filter form.
(function () {
  "use strict";

  var FACETS = ["verdict", "section", "target", "device", "tier"];
  var UNEXPECTED = ["divergent", "error", "insensitive", "unexpected-pass"];
  var form = document.getElementById("filters");

  function checkedValues() {
    var selected = {};
    FACETS.forEach(function (facet) {
      selected[facet] = new Set();
      form.querySelectorAll('input[name="' + facet + '"]:checked').forEach(function (box) {
        selected[facet].add(box.value);
      });
    });
    return selected;
  }

  function matches(element, selected, facets) {
    return facets.every(function (facet) {
      return selected[facet].has(element.dataset[facet]);
    });
  }

  function setAll(predicate) {
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = predicate(box);
    });
  }

  function applyFilters() {
    var selected = checkedValues();

    // Columns follow the run, device and tier filters only.
    document.querySelectorAll("#matrix .col").forEach(function (cell) {
      cell.hidden = !matches(cell, selected, ["target", "device", "tier"]);
    });
    document.querySelectorAll("#matrix .run-head").forEach(function (head) {
      head.hidden = !selected.target.has(head.dataset.target);
    });

    // A matrix row stays while at least one of its verdict links is selected.
    var shownRows = 0;
    document.querySelectorAll("#matrix tr.mrow").forEach(function (row) {
      var any = false;
      row.querySelectorAll("a.v").forEach(function (link) {
        var keep = matches(link, selected, FACETS);
        link.classList.toggle("dimmed", !keep);
        any = any || keep;
      });
      row.hidden = !any;
      if (any) { shownRows += 1; }
    });
    document.querySelectorAll("#matrix tbody.section").forEach(function (body) {
      body.hidden = body.querySelector("tr.mrow:not([hidden])") === null;
    });

    var shownRecords = 0;
    document.querySelectorAll("article.record, #unexpected li").forEach(function (element) {
      element.hidden = !matches(element, selected, FACETS);
      if (!element.hidden && element.tagName === "ARTICLE") { shownRecords += 1; }
    });

    var total = document.querySelectorAll("#matrix tr.mrow").length;
    document.getElementById("shown-count").textContent =
      shownRows + " of " + total + " rows, " + shownRecords + " records shown";
  }

  // An anchor may point into content that the filters hide, so reset the filters and jump.
  function revealTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var element = document.getElementById(id);
    if (element && element.closest("[hidden]")) {
      setAll(function () { return true; });
      applyFilters();
      element.scrollIntoView();
    }
  }

  form.addEventListener("change", applyFilters);
  document.getElementById("show-all").addEventListener("click", function () {
    setAll(function () { return true; });
    applyFilters();
  });
  document.getElementById("show-unexpected").addEventListener("click", function () {
    setAll(function (box) { return box.name !== "verdict" || UNEXPECTED.indexOf(box.value) >= 0; });
    applyFilters();
  });
  window.addEventListener("hashchange", revealTarget);

  applyFilters();
  revealTarget();
})();
