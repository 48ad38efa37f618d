/* The reconciliation ledger's filters: by verdict and by section of the guide.
   Written for this report; works offline. Without script the whole table shows. */
(function () {
  "use strict";

  function options(select, values, all) {
    select.appendChild(new Option(all, ""));
    values.forEach(function (v) { select.appendChild(new Option(v, v)); });
  }

  function setUp(wrap) {
    var rows = Array.prototype.slice.call(wrap.querySelectorAll("tbody tr"));
    var verdicts = [], sections = [];
    rows.forEach(function (row) {
      var v = row.getAttribute("data-verdict"), s = row.getAttribute("data-section");
      if (v && verdicts.indexOf(v) < 0) { verdicts.push(v); }
      if (s && sections.indexOf(s) < 0) { sections.push(s); }
    });
    var bar = document.createElement("div");
    bar.className = "ledger-filters";
    var verdict = document.createElement("select"), section = document.createElement("select");
    verdict.setAttribute("aria-label", "Show figures with this verdict");
    section.setAttribute("aria-label", "Show figures from this section of the guide");
    verdict.className = "ledger-verdict";
    section.className = "ledger-section";
    options(verdict, verdicts, "Every verdict");
    options(section, sections, "Every section");
    var count = document.createElement("span");
    count.className = "ledger-count";
    count.setAttribute("aria-live", "polite");
    [["Verdict ", verdict], ["Section ", section]].forEach(function (pair) {
      var label = document.createElement("label");
      label.appendChild(document.createTextNode(pair[0]));
      label.appendChild(pair[1]);
      bar.appendChild(label);
    });
    bar.appendChild(count);
    wrap.insertBefore(bar, wrap.querySelector("table"));

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = (!verdict.value || row.getAttribute("data-verdict") === verdict.value) &&
                   (!section.value || row.getAttribute("data-section") === section.value);
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      count.textContent = shown + " of " + rows.length + " figures";
    }
    verdict.addEventListener("change", apply);
    section.addEventListener("change", apply);
    // A link to one figure shows it, whatever the filters hide.
    window.addEventListener("hashchange", function () {
      var target = document.getElementById(location.hash.slice(1));
      if (target && target.hidden) { verdict.value = ""; section.value = ""; apply(); target.scrollIntoView(); }
    });
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-ledger]"), setUp);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
