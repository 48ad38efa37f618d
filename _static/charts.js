// Charts arrive as pictures drawn at build time (_ext/static_charts.py). The Vega runtime, about 900 KB, is
// fetched only when a reader first points at, touches or tabs to a chart; the interactive chart (its tooltips)
// then takes the picture's place. The picture stays if the runtime cannot load. window.loadVegaRuntime is also
// how the calculator (_static/calculator.js) fetches it: once per page.
(function () {
  "use strict";
  // One fetch of the bundle per page, from the address in <meta name="vega-bundle"> (_ext/page_assets.py).
  function loadRuntime() {
    if (!window.vegaRuntime) {
      const bundle = document.querySelector('meta[name="vega-bundle"]').content;
      window.vegaRuntime = window.vegaEmbed ? Promise.resolve() : new Promise((resolve, reject) => {
        const tag = document.createElement("script");
        tag.src = bundle;
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return window.vegaRuntime;
  }

  function upgrade(chart) {
    if (chart.dataset.live) return;
    chart.dataset.live = "loading";
    const spec = JSON.parse(document.getElementById(chart.dataset.spec).textContent);
    const label = chart.querySelector("img")?.alt || "";
    loadRuntime().then(() => {
      // Drawn off to the side at the picture's width, then swapped in: the page does not jump.
      const live = document.createElement("div");
      live.className = "vega-live";
      chart.appendChild(live);
      return window.vegaEmbed(live, spec, { mode: "vega-lite", actions: false, renderer: "svg" }).then(() => {
        chart.querySelector("picture")?.remove();
        live.setAttribute("role", "img");
        live.setAttribute("aria-label", label);
        chart.dataset.live = "true";
      });
    }).catch((err) => {
      chart.dataset.live = "failed";
      console.error(err);
    });
  }

  window.loadVegaRuntime = loadRuntime;
  for (const chart of document.querySelectorAll(".vega-static")) {
    chart.tabIndex = 0;
    for (const event of ["pointerenter", "touchstart", "focus"]) {
      chart.addEventListener(event, () => upgrade(chart), { once: true, passive: true });
    }
  }
})();
