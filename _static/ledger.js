/* The reconciliation ledger's filters: by verdict, by section of the guide, and by any text of a row. The filters
   live in the address (?verdict=&section=&q=), so a filtered ledger can be shared and the back button restores it.
   Written for this report; works offline. Without script the whole table shows. */
(function () {
  "use strict";

  var PARAMS = ["verdict", "section", "q"];

  function options(select, values, all) {
    select.appendChild(new Option(all, ""));
    values.forEach(function (v) { select.appendChild(new Option(v, v)); });
  }

  function setUp(wrap) {
    var rows = [];
    var groups = Array.prototype.slice.call(wrap.querySelectorAll("tbody tr.ledger-group, tbody tr.ledger-table-name"));
    // A figure's section is its group row's and its verdict its badge's (the rows do not repeat them); each
    // group row's figures follow it.
    var members = new Map(), section = "", table = "", group = null, texts = [];
    Array.prototype.forEach.call(wrap.querySelectorAll("tbody tr"), function (row) {
      if (row.classList.contains("ledger-group")) { section = row.getAttribute("data-section"); }
      if (row.classList.contains("ledger-table-name")) { table = row.textContent; }
      if (row.classList.contains("ledger-group") || row.classList.contains("ledger-table-name")) {
        group = row; members.set(row, []); return;
      }
      // found by its own text and by its section's and table's names
      texts.push((section + " " + table + " " + row.textContent).toLowerCase());
      var badge = row.querySelector(".verdict");
      if (!row.hasAttribute("data-section")) { row.setAttribute("data-section", section); }
      if (!row.hasAttribute("data-verdict") && badge) { row.setAttribute("data-verdict", badge.textContent.trim()); }
      rows.push(row);
      if (group) { members.get(group).push(row); }
    });
    members.forEach(function (list, row) {
      if (row.classList.contains("ledger-group")) {
        members.set(row, rows.filter(function (r) { return r.getAttribute("data-section") === row.getAttribute("data-section"); }));
      }
    });
    var verdicts = [], sections = [];
    rows.forEach(function (row) {
      var v = row.getAttribute("data-verdict"), s = row.getAttribute("data-section");
      if (v && verdicts.indexOf(v) < 0) { verdicts.push(v); }
      if (s && sections.indexOf(s) < 0) { sections.push(s); }
    });
    var bar = document.createElement("div");
    bar.className = "ledger-filters";
    bar.setAttribute("role", "search");
    var verdict = document.createElement("select"), section = document.createElement("select");
    var query = document.createElement("input");
    query.type = "search";
    query.placeholder = "figure, table, model, reason";
    query.setAttribute("aria-label", "Show figures whose row contains this text");
    verdict.setAttribute("aria-label", "Show figures with this verdict");
    section.setAttribute("aria-label", "Show figures from this section of the guide");
    verdict.className = "ledger-verdict";
    section.className = "ledger-section";
    query.className = "ledger-query";
    options(verdict, verdicts, "Every verdict");
    options(section, sections, "Every section");
    var count = document.createElement("span");
    count.className = "ledger-count";
    count.setAttribute("aria-live", "polite");
    [["Find ", query], ["Verdict ", verdict], ["Section ", section]].forEach(function (pair) {
      var label = document.createElement("label");
      label.appendChild(document.createTextNode(pair[0]));
      label.appendChild(pair[1]);
      bar.appendChild(label);
    });
    bar.appendChild(count);
    wrap.insertBefore(bar, wrap.querySelector("table"));
    var controls = { verdict: verdict, section: section, q: query };

    function apply() {
      var shown = 0, words = query.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      rows.forEach(function (row, i) {
        var keep = (!verdict.value || row.getAttribute("data-verdict") === verdict.value) &&
                   (!section.value || row.getAttribute("data-section") === section.value) &&
                   words.every(function (w) { return texts[i].indexOf(w) >= 0; });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      // a section's or a table's heading shows while one of its figures does
      groups.forEach(function (group) {
        group.hidden = !members.get(group).some(function (row) { return !row.hidden; });
      });
      count.textContent = shown + " of " + rows.length + " figures";
    }

    // The address holds the filters: read on load and on back/forward, written (replaced) on every change.
    function fromAddress() {
      var params = new URLSearchParams(location.search);
      PARAMS.forEach(function (name) {
        var value = params.get(name) || "";
        var control = controls[name];
        if (control.tagName === "SELECT" && value &&
            !Array.prototype.some.call(control.options, function (o) { return o.value === value; })) { value = ""; }
        control.value = value;
      });
      apply();
    }
    function toAddress() {
      var params = new URLSearchParams(location.search);
      PARAMS.forEach(function (name) {
        if (controls[name].value.trim()) { params.set(name, controls[name].value.trim()); } else { params.delete(name); }
      });
      var search = params.toString();
      history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
    }
    function changed() { apply(); toAddress(); }
    verdict.addEventListener("change", changed);
    section.addEventListener("change", changed);
    query.addEventListener("input", changed);
    window.addEventListener("popstate", fromAddress);
    // A link to one figure shows it, whatever the filters hide.
    function reveal() {
      var target = location.hash && document.getElementById(location.hash.slice(1));
      if (target && target.hidden) {
        verdict.value = ""; section.value = ""; query.value = ""; changed(); target.scrollIntoView();
      }
    }
    window.addEventListener("hashchange", reveal);
    fromAddress();
    reveal();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-ledger]"), setUp);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
