// The calculator page: the form, the answer, the chart and the shareable link, on the model of
// calculator-model.js (inlined before this module) and the dataset record embedded in the page.

const DATA = JSON.parse(document.getElementById("calculator-data").textContent);
const {
  RULES, CASES, CUSTOM, QuoteError, fill, pyRepr, given, byId, nan, checkOptions, model, quoteRecord, reportQuote,
  hybridRecord, lifetimeRecord, likelyJob,
} = globalThis.reportModel.forRecord(DATA);
// The page's own messages, from the record like the model's (analysis/report/calculator.py, PAGE_MESSAGES).
const pageSay = (key, fields = {}) => fill(DATA.page_messages[key], fields);

// The page's one entry point for scripts and tests: quote's options in, quote's JSON out.
window.reportQuote = reportQuote;

// ------------------------------------------------------------------ words (analysis/report/formatting.py)

const { grouped, usd, tokens, months, share, range } = globalThis.reportModel.formats;

// ------------------------------------------------------------------ the page

const form = document.getElementById("calc-form");
// The rows the model reads beyond the main assumptions: quote's --set, folded away under "every other input".
const OTHER_INPUTS = RULES.settable.filter((name) => !(name in RULES.custom_ranges));
const FIELDS = ["tokens_per_month", "output_share", "api", ...RULES.custom_prices, "model", "gpu", "precision",
  "rent", "traffic", "overflow", "hard_share", ...RULES.lifetime.inputs, ...Object.keys(RULES.custom_ranges),
  ...OTHER_INPUTS];
const control = (name) => form.elements.namedItem(name);
let view = null;
let viewMode = null;

function showError(field, message) {
  const slot = document.getElementById(`calc-${field}-error`);
  if (slot) slot.textContent = message;
  const input = document.getElementById(`calc-${field}`);
  if (input) input.setAttribute("aria-invalid", message ? "true" : "false");
  // A refused value of a folded-away input opens its fold, so the reason is seen.
  const fold = input && message ? input.closest("details") : null;
  if (fold) fold.open = true;
}

function clearErrors() {
  for (const field of FIELDS) showError(field, "");
}

function renting() {
  return form.querySelector('input[name="acquisition"]:checked').value === "rent";
}

// The options the form holds, under quote's names (empty fields left out: the dataset's values).
function formOptions() {
  const options = {};
  for (const name of FIELDS) {
    const element = control(name);
    if (element && given(element.value)) options[name] = element.value.trim();
  }
  if (!renting()) { delete options.rent; delete options.usd_per_gpu_hour; } else {
    // a purchase price belongs to buying
    delete options.usd_per_gpu;
  }
  // Where the peaks go and the share kept on the API belong to the hybrid: without a traffic profile, unused.
  if (!given(options.traffic)) { delete options.overflow; delete options.hard_share; }
  return options;
}

// Hints that name the dataset's value behind each empty field.
function refreshPlaceholders() {
  const api = byId(DATA.apis, control("api").value);
  for (const name of ["usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input"]) {
    const price = api ? api[name] : null;
    control(name).placeholder = price === null || price === undefined ? "" : String(price);
  }
  const gpu = byId(DATA.gpus, control("gpu").value);
  control("usd_per_gpu").placeholder = gpu && gpu.purchase
    ? range([gpu.purchase.usd_low, gpu.purchase.usd_high].map((x) => grouped(String(x)))) : pageSay("no_price");
  const rentSelect = control("rent");
  for (const option of rentSelect.options) {
    const offer = byId(DATA.rentals, option.value);
    option.hidden = Boolean(offer) && offer.gpu_id !== control("gpu").value;
  }
  const offer = byId(DATA.rentals, rentSelect.value);
  control("usd_per_gpu_hour").placeholder = offer
    ? range([offer.usd_per_gpu_hour_low, offer.usd_per_gpu_hour_high].map(String)) : "";
  const outputShare = DATA.assumptions.output_token_share;
  control("output_share").placeholder = `${outputShare.low}:${outputShare.high}`;
  for (const name of [...Object.keys(RULES.custom_ranges), ...OTHER_INPUTS]) {
    const row = DATA.assumptions[name];
    control(name).placeholder = row.low === row.high ? String(row.low) : `${row.low}:${row.high}`;
  }
  form.querySelector('[data-field="usd_per_gpu"]').hidden = renting();
  form.querySelector('[data-field="rent"]').hidden = !renting();
  form.querySelector('[data-field="usd_per_gpu_hour"]').hidden = !renting();
}

// A rental offer for the chosen GPU when the one selected rents another (or none is).
// Spot capacity can be taken back at any moment: a service is not priced on it unless nothing else rents the GPU.
function servingOffers(gpu) {
  const offers = DATA.rentals.filter((r) => r.gpu_id === gpu);
  const steady = offers.filter((r) => r.pricing !== "spot");
  return steady.length ? steady : offers;
}

// The rental offer for the form's GPU that serves its volume cheapest (base case; spot left out, servingOffers),
// or null when the form cannot be priced yet.
function cheapestRental() {
  const options = formOptions();
  delete options.rent;
  delete options.usd_per_gpu_hour;
  delete options.lifetime;
  let best = null;
  try {
    const o = checkOptions(options);
    for (const offer of servingOffers(o.gpu)) {
      const rented = { ...o, rent: offer.id, custom: { ...o.custom, usd_per_gpu: null, usd_per_gpu_hour: null } };
      const cost = quoteRecord(rented, model(rented, [o.tokens_per_month])).cases.base.rent_usd_per_month;
      if (cost !== null && (best === null || cost < best.cost)) best = { id: offer.id, cost };
    }
  } catch (error) {
    if (!(error instanceof QuoteError)) throw error;
  }
  return best && best.id;
}

// Renting defaults to the cheapest offer that serves the volume (an 8-GPU server is not the default when a
// 1-GPU offer is cheaper); an offer the reader picked, or their own price, is kept while it rents their GPU.
let rentChosen = false;
function matchRental() {
  const rent = control("rent");
  const offer = byId(DATA.rentals, rent.value);
  if (rent.value === CUSTOM || (rentChosen && offer && offer.gpu_id === control("gpu").value)) return;
  const first = DATA.rentals.find((r) => r.gpu_id === control("gpu").value);
  rent.value = cheapestRental() || (first ? first.id : CUSTOM);
}

function logVolumes(low, high, count) {
  const a = Math.log10(low);
  const b = Math.log10(high);
  return Array.from({ length: count }, (_, i) => 10 ** (a + (b - a) * i / (count - 1)));
}

function chartRows(o, computed, volumes) {
  const acquisition = o.rent === null ? "buy" : "rent";
  const optionName = pageSay(`option_${acquisition}`);
  const curves = [];
  volumes.forEach((volume, j) => {
    for (const [name, key] of [[pageSay("option_api"), "api_usd_per_month"],
      [optionName, `${acquisition}_usd_per_month`]]) {
      const byCase = computed.results.map((r) => r.volumes[j][key]);
      if (!byCase.every((x) => Number.isFinite(x) && x > 0)) continue;
      const low = Math.min(...byCase);
      const high = Math.max(...byCase);
      curves.push({ option: name, tokens_per_month: volume, usd_low: low, usd_base: byCase[1], usd_high: high,
        tokens_per_month_text: tokens(volume), usd_low_text: usd(low), usd_base_text: usd(byCase[1]),
        usd_high_text: usd(high) });
    }
  });
  const base = computed.results[1];
  const be = base[`${acquisition}_breakeven_tokens_per_month`];
  const spend = base[`${acquisition}_breakeven_api_usd_per_month`];
  const points = Number.isFinite(be) && be >= volumes[0] && be <= volumes[volumes.length - 1] && spend > 0
    ? [{ label: pageSay("chart_point"), tokens_per_month: be, usd_per_month: spend, tokens_per_month_text: tokens(be),
      usd_per_month_text: usd(spend) }] : [];
  return { curves, points, volume: [{ tokens_per_month: o.tokens_per_month,
    tokens_per_month_text: tokens(o.tokens_per_month) }] };
}

// The Vega bundle (about 900 KB) is fetched when the chart nears the screen, not before the answer shows
// (window.loadVegaRuntime, _static/charts.js); until then only the latest situation is kept to draw.
let chartWanted = null;
let chartReady = null;

function chartNearScreen() {
  if (!chartReady) {
    chartReady = new Promise((resolve) => {
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) { observer.disconnect(); resolve(); }
      }, { rootMargin: "400px 0px" });
      observer.observe(document.getElementById("calc-chart"));
    }).then(() => window.loadVegaRuntime());
  }
  return chartReady;
}

let chartDrawable = false;
let chartChain = Promise.resolve();

// Draws the latest situation asked for, one drawing at a time.
function drawWanted() {
  chartChain = chartChain.then(async () => {
    if (chartWanted === null) return;
    const [o, computed, volumes] = chartWanted;
    chartWanted = null;
    await drawChartNow(o, computed, volumes);
  });
  return chartChain;
}

// The answer never waits for the chart: before the runtime is there, the chart is drawn once it arrives.
async function drawChart(o, computed, volumes) {
  chartWanted = [o, computed, volumes];
  if (!chartDrawable) {
    chartNearScreen().then(() => { chartDrawable = true; return drawWanted(); });
    return;
  }
  await drawWanted();
}

async function drawChartNow(o, computed, volumes) {
  const rows = chartRows(o, computed, volumes);
  const mode = o.rent === null ? "buy" : "rent";
  if (view === null || viewMode !== mode) {
    const spec = JSON.parse(JSON.stringify(DATA.chart));
    // Every layer, nested ones (a label over its halo) included.
    const layers = (parent) => parent.layer.flatMap((layer) => (layer.layer ? [layer, ...layers(layer)] : [layer]));
    // The legend and the line names cover only the lines drawn: the API and the chosen way of getting the GPUs.
    for (const layer of layers(spec)) {
      const scale = layer.encoding && layer.encoding.color && layer.encoding.color.scale;
      if (scale) {
        const keep = scale.domain.map((d, i) => [d, scale.range[i]]).filter(([d]) => d === pageSay("option_api")
          || d === pageSay(`option_${mode}`));
        scale.domain = keep.map(([d]) => d);
        scale.range = keep.map(([, r]) => r);
      }
    }
    spec.datasets = { curves: rows.curves, points: rows.points, volume: rows.volume };
    for (const layer of layers(spec)) if (layer.data) layer.data = { name: layer.data.name };
    if (view) view.finalize();
    const result = await window.vegaEmbed("#calc-chart", spec, { mode: "vega-lite", actions: false, renderer: "svg" });
    view = result.view;
    viewMode = mode;
    return;
  }
  for (const name of ["curves", "points", "volume"]) view.data(name, rows[name]);
  await view.runAsync();
}

function optionWords(o) {
  const gpu = byId(DATA.gpus, o.gpu).name;
  const model = byId(DATA.models, o.model).name;
  const api = o.api === CUSTOM ? pageSay("your_api") : byId(DATA.apis, o.api).name;
  return { gpu, model, api };
}

function renderAnswer(o, record, computed) {
  const acquisition = record.situation.acquisition;
  const words = optionWords(o);
  const base = record.cases.base;
  const verb = pageSay(`verb_${acquisition}`);
  const gpus = base[`${acquisition === "buy" ? "gpus" : "rent_gpus"}`];
  const selfhost = base[`${acquisition}_usd_per_month`];
  const savings = base[`${acquisition}_savings_usd_per_month`];
  const be = computed.results.map((r) => r[`${acquisition}_breakeven_tokens_per_month`]);
  const spares = acquisition === "buy" ? computed.results[1].volumes[0].spare_gpus : 0;
  const gpuText = gpus === null ? pageSay("gpus_do_not_fit", { gpu: words.gpu })
    : pageSay(spares > 0 ? "gpus_with_spares" : "gpus_count", { count: gpus, serving: gpus - spares, gpu: words.gpu,
      spares });
  const saves = savings !== null && savings >= 0;
  const saving = saves ? pageSay("summary_saves", { usd: usd(savings) })
    : pageSay("summary_costs_more", { usd: usd(Math.abs(nan(savings))) });
  const cost = pageSay("summary_cost", { tokens: tokens(o.tokens_per_month), verb: verb.toLowerCase(), gpus: gpuText,
    model: words.model, selfhost: usd(nan(selfhost)), api_cost: usd(base.api_usd_per_month), api: words.api, saving });
  const breakeven = Number.isFinite(be[1])
    ? pageSay("summary_breakeven", { verb, tokens: tokens(be[1]), range: range(be.map(tokens)),
      spend: usd(base[`${acquisition}_breakeven_api_usd_per_month`]) })
    : pageSay("summary_never", { verb, range: range(be.map(tokens)) });
  // The likely range follows the base case's cost and break-even, filled in once its draws are done.
  document.getElementById("calc-summary").replaceChildren(cost, breakeven, " ", likelySlot("calc-likely"));
  renderSituation(o, words, acquisition);
  renderBreakdown(record, acquisition, verb);
  const glanceSaving = saves ? pageSay("glance_saves", { usd: usd(savings) })
    : pageSay("glance_costs_more", { usd: usd(Math.abs(nan(savings))) });
  document.getElementById("calc-glance").replaceChildren(pageSay("glance", { verb: verb.toLowerCase(),
    saving: glanceSaving, breakeven: Number.isFinite(be[1]) ? pageSay("glance_breakeven", { tokens: tokens(be[1]) })
      : pageSay("glance_never") }), " ", likelySlot("calc-glance-likely"));

  const table = document.getElementById("calc-table");
  table.replaceChildren();
  table.createCaption().textContent = pageSay("table_caption");
  const head = table.createTHead().insertRow();
  for (const text of ["", ...CASES.map((name) => name[0].toUpperCase() + name.slice(1))]) {
    const th = document.createElement("th");
    th.textContent = text;
    th.scope = "col";
    head.appendChild(th);
  }
  const body = table.createTBody();
  const kinds = { usd, tokens, months, gpus: (x) => String(x), flag: (x) => pageSay(x ? "cell_yes" : "cell_no") };
  const rows = [{ label: pageSay("row_output_share"), key: "output_token_share", kind: "share" },
    { label: pageSay("row_cached_share"), key: "cached_input_share", kind: "share" }, ...RULES.figures[acquisition]];
  for (const figure of rows) {
    const tr = body.insertRow();
    if (figure.line_of) tr.className = "calc-line";
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = figure.label;
    tr.appendChild(th);
    CASES.forEach((name) => {
      const value = record.cases[name][figure.key];
      const cell = tr.insertCell();
      cell.dataset.label = name[0].toUpperCase() + name.slice(1);
      if (figure.kind === "share") cell.textContent = share(value);
      else if (value === null) cell.textContent = pageSay(figure.kind === "gpus" ? "cell_does_not_fit" : "cell_never");
      else cell.textContent = (kinds[figure.kind] || String)(value);
    });
  }
  document.getElementById("calc-fragile").textContent = record.fragile
    ? pageSay("fragile", { reasons: record.fragile }) : "";
  // The hybrid (a traffic profile chosen): its base case in one sentence.
  let hybridText = "";
  if (o.traffic !== null) {
    // a link that names a profile opens its fold, so the reader sees what is priced
    const fold = control("traffic").closest("details");
    if (fold) fold.open = true;
    const mix = hybridRecord(o).cases.base;
    const overflow = o.overflow === null ? words.api : byId(DATA.apis, o.overflow).name;
    hybridText = pageSay("hybrid_summary", { profile: o.traffic, peak: mix.peak_to_average.toFixed(2),
      keeps: pageSay(acquisition === "buy" ? "hybrid_keeps_buy" : "hybrid_keeps_rent"), owned: mix.owned_replicas, all: mix.all_selfhost_replicas, overflow, usd: usd(mix.hybrid_usd_per_month),
      in_house: share(mix.in_house_share), api_usd: usd(mix.all_api_usd_per_month),
      self_usd: usd(mix.all_selfhost_usd_per_month) });
  }
  document.getElementById("calc-hybrid").textContent = hybridText;
  // Over the hardware's life: the break-even (and, buying, the payback), base case.
  const life = lifetimeRecord(o).cases.base;
  const spend = (x) => (x === null ? pageSay("lifetime_never") : usd(x));
  const lifetimeText = acquisition === "buy"
    ? pageSay("lifetime_summary", { horizon: months(life.horizon_months),
      decline: share(life.api_price_decline_per_year), breakeven: spend(life.life_breakeven_api_usd_per_month),
      static: spend(life.static_breakeven_api_usd_per_month),
      payback: life.life_payback_months === null ? pageSay("lifetime_payback_never")
        : pageSay("lifetime_payback_in", { months: months(life.life_payback_months) }) })
    : pageSay("lifetime_summary_rent", { horizon: months(life.horizon_months),
      decline: share(life.api_price_decline_per_year), rental: life.rental_price_ratio_per_year.toFixed(2),
      breakeven: spend(life.life_breakeven_api_usd_per_month),
      static: spend(life.static_breakeven_api_usd_per_month) });
  document.getElementById("calc-lifetime").textContent = lifetimeText;
  document.getElementById("calc-chart-title").textContent = pageSay("chart_title", { api: words.api,
    verb: verb.toLowerCase(), model: words.model });
}

// ------------------------------------------------------------------ the likely range

// P10-P90 of the report's draws (RULES.likely: mulberry32 from its seed, as quote) comes after the answer, a slice of
// a few milliseconds at a time so that typing stays responsive. A changed input stops the slices of the old one:
// a range is shown only for the input it was computed from. Each slot says its state in data-state: computing,
// done (data-likely holds quote's likely block) or stopped (an input the page cannot price came first).
const LIKELY_SLICE_MS = 10;
const LIKELY_DRAWS_PER_CHECK = 50;
let likelyRun = null;

function likelySlot(id) {
  const slot = document.createElement("span");
  slot.id = id;
  slot.dataset.state = "computing";
  slot.textContent = pageSay(id === "calc-likely" ? "likely_computing" : "glance_likely_computing",
    { draws: grouped(String(RULES.likely.draws)) });
  return slot;
}

function stopLikely() {
  if (likelyRun !== null) clearTimeout(likelyRun.timer);
  likelyRun = null;
}

// An input the page cannot price: a range still computing is given up (its slots emptied), a finished one stays
// with the greyed answer it belongs to.
function abandonLikely() {
  stopLikely();
  for (const id of ["calc-likely", "calc-glance-likely"]) {
    const slot = document.getElementById(id);
    if (slot && slot.dataset.state === "computing") {
      slot.dataset.state = "stopped";
      slot.textContent = "";
    }
  }
}

function startLikely(o, acquisition, verb) {
  stopLikely();
  const run = { timer: null, job: null, started: performance.now(), workMs: 0 };
  likelyRun = run;
  const slice = () => {
    if (likelyRun !== run) return;
    const sliceStart = performance.now();
    if (run.job === null) run.job = likelyJob(o);
    let done = false;
    while (!done && performance.now() - sliceStart < LIKELY_SLICE_MS) done = run.job.step(LIKELY_DRAWS_PER_CHECK);
    run.workMs += performance.now() - sliceStart;
    if (!done) { run.timer = setTimeout(slice, 0); return; }
    likelyRun = null;
    showLikely(run.job.record(), acquisition, verb, { ms: performance.now() - run.started, workMs: run.workMs });
  };
  run.timer = setTimeout(slice, 0);
}

// quote's likely block in words: the summary's sentence and the floating line's clause.
function showLikely(likely, acquisition, verb, timing) {
  const ends = (key) => likely[`${acquisition}_${key}`];
  const money = (x) => (x === null ? pageSay("cell_does_not_fit") : usd(x));
  const [beLow, beHigh] = ends("breakeven_tokens_per_month");
  const spend = ends("breakeven_api_usd_per_month");
  let breakeven;
  // The share of draws beyond each end, percent: P90 never means more than 100 - 90 of them never break even.
  const [pLow, pHigh] = RULES.likely.percentiles;
  if (beLow === null) breakeven = pageSay("likely_breakeven_never", { share: 100 - pLow });
  else if (beHigh === null) {
    breakeven = pageSay("likely_breakeven_open", { tokens: tokens(beLow), spend: usd(spend[0]), share: 100 - pHigh });
  }
  else {
    breakeven = pageSay("likely_breakeven", { range: range([beLow, beHigh].map(tokens)),
      spend: range(spend.map(usd)) });
  }
  const savings = range(ends("savings_usd_per_month").map(money));
  const fields = { draws: grouped(String(likely.draws)), verb: verb.toLowerCase(),
    selfhost: range(ends("usd_per_month").map(money)), api: range(likely.api_usd_per_month.map(money)), savings,
    breakeven, short: beLow === null ? pageSay("likely_breakeven_never", { share: 100 - pLow })
      : pageSay(beHigh === null ? "glance_likely_open" : "glance_likely_breakeven",
        { tokens: tokens(beLow), range: range([beLow, beHigh].map(tokens)) }) };
  const slots = [["calc-likely", pageSay("likely_summary", fields)],
    ["calc-glance-likely", pageSay("glance_likely", fields)]];
  for (const [id, text] of slots) {
    const slot = document.getElementById(id);
    if (!slot) continue;
    slot.textContent = text;
    slot.dataset.likely = JSON.stringify(likely);
    slot.dataset.ms = timing.ms.toFixed(1);
    slot.dataset.workMs = timing.workMs.toFixed(1);
    slot.dataset.state = "done";
  }
}

// What the answer prices, in the reader's own choices (the page's provenance line gives the build's defaults).
function renderSituation(o, words, acquisition) {
  const how = acquisition === "buy" ? pageSay("situation_buy")
    : pageSay("situation_rent", { offer: o.rent === CUSTOM ? pageSay("your_api") : byId(DATA.rentals, o.rent).name });
  document.getElementById("calc-situation").textContent = pageSay("situation", { tokens: tokens(o.tokens_per_month),
    api: words.api, model: words.model, precision: o.precision.toUpperCase(), gpu: words.gpu, how });
}

// The self-hosting bill of the base case as one bar, a segment per line of the spine's bill, and its legend.
function renderBreakdown(record, acquisition, verb) {
  const base = record.cases.base;
  const total = base[`${acquisition}_usd_per_month`];
  const lines = RULES.figures[acquisition].filter((f) => f.line_of === `${acquisition}_usd_per_month`)
    .map((f, i) => ({ label: f.label, usd: base[f.key], colour: RULES.line_colours[i % RULES.line_colours.length] }))
    .filter((line) => line.usd !== null && line.usd > 0);
  const bar = document.getElementById("calc-breakdown");
  const legend = document.getElementById("calc-breakdown-legend");
  bar.replaceChildren();
  legend.replaceChildren();
  const wrap = bar.parentElement;
  wrap.hidden = !(total > 0) || lines.length === 0;
  if (wrap.hidden) return;
  document.getElementById("calc-breakdown-title").textContent = pageSay("breakdown_title", { total: usd(total),
    verb: verb.toLowerCase() });
  for (const line of lines) {
    const segment = document.createElement("span");
    segment.style.width = `${(100 * line.usd) / total}%`;
    segment.style.background = line.colour;
    segment.title = `${line.label}: ${usd(line.usd)}`;
    bar.appendChild(segment);
    const item = document.createElement("li");
    const swatch = document.createElement("i");
    swatch.style.background = line.colour;
    item.append(swatch, `${line.label} ${usd(line.usd)} (${share(line.usd / total)})`);
    legend.appendChild(item);
  }
  bar.setAttribute("aria-label", pageSay("breakdown_label", { verb, total: usd(total),
    lines: lines.map((line) => `${line.label} ${usd(line.usd)}`).join(", ") }));
}

// The side-by-side: the API, buying, the cheapest rental that serves the volume, the cheapest host of the same
// open model, each at the reader's volume (base case), the cheapest marked. Each is a quote of its own.
function renderOptions(o, record) {
  const words = optionWords(o);
  const base = (r) => r.cases.base;
  const rows = [];
  const buyOptions = { ...o, rent: null, custom: { ...o.custom, usd_per_gpu_hour: null } };
  const buyModel = model(buyOptions, [o.tokens_per_month]);
  const buy = o.rent === null ? record : quoteRecord(buyOptions, buyModel);
  rows.push({ option: pageSay("side_api", { api: words.api }), setup: pageSay("side_setup_none"),
    usd: base(record).api_usd_per_month });
  const gpusText = (count, spares, gpu) => (count === null ? pageSay("gpus_do_not_fit", { gpu })
    : pageSay(spares > 0 ? "gpus_with_spares" : "gpus_count", { count, serving: count - spares, gpu, spares }));
  if (byId(DATA.gpus, o.gpu).purchase !== null || o.custom.usd_per_gpu !== null) {
    const b = base(buy);
    const spares = b.gpus === null ? 0 : buyModel.results[1].volumes[0].spare_gpus;
    rows.push({ option: pageSay("side_buy"), setup: gpusText(b.gpus, spares, words.gpu), usd: b.buy_usd_per_month });
  }
  let bestRent = null;
  for (const offer of servingOffers(o.gpu)) {
    const rentOptions = { ...o, rent: offer.id, custom: { ...o.custom, usd_per_gpu: null, usd_per_gpu_hour: null } };
    const r = base(quoteRecord(rentOptions, model(rentOptions, [o.tokens_per_month])));
    if (r.rent_usd_per_month !== null && (bestRent === null || r.rent_usd_per_month < bestRent.usd)) {
      bestRent = { option: pageSay("side_rent", { offer: offer.name }),
        setup: gpusText(r.rent_gpus, 0, words.gpu), usd: r.rent_usd_per_month };
    }
  }
  if (bestRent) rows.push(bestRent);
  let bestHost = null;
  for (const offer of DATA.apis.filter((a) => a.model_id === o.model && a.retired_on === null)) {
    const hostOptions = { ...o, api: offer.id };
    const usdPerMonth = base(quoteRecord(hostOptions, model(hostOptions, [o.tokens_per_month]))).api_usd_per_month;
    if (bestHost === null || usdPerMonth < bestHost.usd) {
      bestHost = { option: pageSay("side_hosted", { host: offer.name }), setup: pageSay("side_setup_none"),
        usd: usdPerMonth };
    }
  }
  if (bestHost) rows.push(bestHost);
  const cheapest = Math.min(...rows.map((row) => row.usd).filter((x) => x !== null));
  const table = document.getElementById("calc-options");
  table.replaceChildren();
  table.createCaption().textContent = pageSay("options_title", { tokens: tokens(o.tokens_per_month) });
  const head = table.createTHead().insertRow();
  for (const key of ["options_head_option", "options_head_setup", "options_head_cost"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = pageSay(key);
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    if (row.usd === cheapest) tr.dataset.cheapest = "true";
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = row.option;
    tr.appendChild(th);
    const setup = tr.insertCell();
    setup.dataset.label = pageSay("options_head_setup");
    setup.textContent = row.setup;
    const cost = tr.insertCell();
    cost.dataset.label = pageSay("options_head_cost");
    cost.textContent = row.usd === null ? pageSay("cell_does_not_fit") : usd(row.usd)
      + (row.usd === cheapest ? ` (${pageSay("side_cheapest")})` : "");
  }
}

function syncUrl(options) {
  const params = new URLSearchParams();
  for (const name of FIELDS) if (given(options[name])) params.set(name, options[name]);
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  syncParameters(options);
}

// The page's provenance line lists the parameters it was built with; once the reader prices a situation it lists
// theirs: the built defaults, each replaced by what the reader typed or picked, then the reader's other inputs.
let builtParameters = null;
function syncParameters(options) {
  const line = document.querySelector("p.provenance");
  if (!line) return;
  const codes = [...line.querySelectorAll("code")];
  if (builtParameters === null) {
    builtParameters = new Map(codes.map((code) => code.textContent.split(" = ")));
  }
  const shown = new Map(builtParameters);
  for (const name of FIELDS) if (given(options[name])) shown.set(name, String(options[name]));
  const lead = line.firstChild;
  if (lead && lead.nodeType === Node.TEXT_NODE) {
    lead.textContent = lead.textContent.replace(/; parameters[^:]*: $/, `; ${pageSay("parameters_yours")}: `);
  }
  codes.slice(1).forEach((code) => code.previousSibling?.nodeType === Node.TEXT_NODE
    && code.previousSibling.remove());
  codes.slice(1).forEach((code) => code.remove());
  const first = codes[0];
  if (!first) return;
  const entries = [...shown.entries()];
  first.textContent = `${entries[0][0]} = ${entries[0][1]}`;
  let last = first;
  for (const [name, value] of entries.slice(1)) {
    const code = document.createElement("code");
    code.textContent = `${name} = ${value}`;
    last.after(", ", code);
    last = code;
  }
}

// quote's messages name its command-line options; beside a field of the form, the same reason reads in the
// form's own words. reportQuote keeps quote's messages.
function pageMessage(error) {
  const gpu = byId(DATA.gpus, control("gpu").value);
  const offer = byId(DATA.rentals, control("rent").value);
  if (error.key === "rent_other_gpu" && offer && gpu && offer.gpu_id !== gpu.id) {
    return pageSay("rent_other_gpu", { rented: byId(DATA.gpus, offer.gpu_id).name, gpu: gpu.name });
  }
  if (error.key === "no_purchase_price" && gpu) return pageSay("no_purchase_price", { gpu: gpu.name });
  if (error.key in DATA.page_messages) return pageSay(error.key);
  return error.message;
}

// Recompute from the form; on bad input, say why beside the field and keep the last good answer.
async function update() {
  const started = performance.now();
  stopLikely();
  refreshPlaceholders();
  const options = formOptions();
  let o;
  try {
    o = checkOptions(options);
  } catch (error) {
    if (!(error instanceof QuoteError)) throw error;
    clearErrors();
    showError(error.field, pageMessage(error));
    // The answer below stays that of the last input the page could use; say so where the answer is reported.
    const label = form.querySelector(`label[for="calc-${error.field}"]`);
    const status = document.getElementById("calc-status");
    status.dataset.stale = "true";
    status.textContent = pageSay("not_updated", { label: label ? label.textContent : error.field });
    // The answer on screen is no longer the form's: say so above it, grey it, and stop floating its one line.
    const stale = document.getElementById("calc-stale");
    stale.textContent = pageSay("stale_answer", { label: label ? label.textContent : error.field });
    stale.hidden = false;
    document.getElementById("calc-answer").dataset.stale = "true";
    document.getElementById("calc-glance").hidden = true;
    abandonLikely();
    return;
  }
  clearErrors();
  document.getElementById("calc-stale").hidden = true;
  document.getElementById("calc-stale").textContent = "";
  delete document.getElementById("calc-answer").dataset.stale;
  document.getElementById("calc-glance").hidden = false;
  const volumeGuess = model(o, [o.tokens_per_month]);
  const record = quoteRecord(o, volumeGuess);
  const acquisition = record.situation.acquisition;
  const be = volumeGuess.results.map((r) => r[`${acquisition}_breakeven_tokens_per_month`]).filter(Number.isFinite);
  const low = Math.max(1e6, Math.min(o.tokens_per_month, ...be) / 30);
  const high = Math.min(1e15, Math.max(o.tokens_per_month, ...be) * 30);
  const volumes = logVolumes(low, Math.max(high, low * 10), 61);
  const computed = model(o, volumes);
  renderAnswer(o, record, computed);
  startLikely(o, acquisition, pageSay(`verb_${acquisition}`));
  renderOptions(o, record);
  syncUrl(options);
  await drawChart(o, computed, volumes);
  const ms = performance.now() - started;
  const status = document.getElementById("calc-status");
  delete status.dataset.stale;
  status.dataset.ms = ms.toFixed(1);
  status.textContent = pageSay("computed", { label: DATA.dataset.label, date: DATA.dataset.snapshot_date,
    ms: ms.toFixed(0) });
  document.querySelector(".calculator").dataset.updates = String(Number(document.querySelector(".calculator")
    .dataset.updates || 0) + 1);
}

// One update at a time: input that arrives meanwhile is answered once the running update is done.
let running = null;
let queued = false;
function scheduleUpdate() {
  if (running) { queued = true; return running; }
  running = update().finally(() => {
    running = null;
    if (queued) { queued = false; scheduleUpdate(); }
  });
  return running;
}

// Opening a shared link: every option from the query, each checked where it lands. A link always opens on an
// answer: a value the page cannot use goes back to the page's own, with the reason beside its field, and if the
// link's values together still cannot be priced, the page opens on its defaults.
function restoreFromUrl() {
  const params = new URLSearchParams(location.search);
  const problems = [];
  const fromLink = new Map();
  const acquisition = () => form.querySelector('input[name="acquisition"]:checked');
  const startedRenting = renting();
  for (const [name, value] of params) {
    const element = control(name);
    if (!FIELDS.includes(name) || !element) {
      problems.push(pageSay("link_unknown_option", { name }));
      continue;
    }
    if (element.tagName === "SELECT" && ![...element.options].some((option) => option.value === value)) {
      problems.push([name, pageSay("link_not_in_dataset", { name, value: pyRepr(value),
        shown: element.options[element.selectedIndex].text })]);
      continue;
    }
    fromLink.set(name, element.value);
    element.value = value;
    if (name === "rent") form.querySelector('input[name="acquisition"][value="rent"]').checked = true;
  }
  const putBack = (name) => {
    control(name).value = fromLink.get(name);
    fromLink.delete(name);
    if (name === "rent" && !startedRenting) {
      form.querySelector('input[name="acquisition"][value="buy"]').checked = true;
    }
  };
  for (let tries = 0; tries <= FIELDS.length + 1; tries += 1) {
    try {
      checkOptions(formOptions());
      return problems;
    } catch (error) {
      if (!(error instanceof QuoteError)) throw error;
      if (fromLink.has(error.field)) {
        const reason = pageMessage(error);
        putBack(error.field);
        problems.push([error.field, pageSay("link_value_not_used", { reason })]);
      } else if (fromLink.size) {
        // The field at fault is the page's own: the link's values do not go together. All go back.
        const reason = pageMessage(error);
        for (const name of [...fromLink.keys()]) putBack(name);
        if (!startedRenting && acquisition().value === "rent") {
          form.querySelector('input[name="acquisition"][value="buy"]').checked = true;
        }
        problems.push([error.field, pageSay("link_values_not_together", { reason })]);
      } else {
        return problems;
      }
    }
  }
  return problems;
}

// The one-line answer floats at the bottom of the screen while the form is in view and the answer is not.
function watchGlance() {
  const glance = document.getElementById("calc-glance");
  const seen = new Map();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) seen.set(entry.target.id, entry.isIntersecting);
    glance.classList.toggle("floating", Boolean(seen.get("calc-form")) && !seen.get("calc-summary"));
  });
  observer.observe(form);
  observer.observe(document.getElementById("calc-summary"));
}

function start() {
  const defaults = DATA.defaults;
  if (defaults.rent) form.querySelector('input[name="acquisition"][value="rent"]').checked = true;
  const problems = restoreFromUrl();
  // a link that names its rental offer keeps it
  rentChosen = renting() && new URLSearchParams(location.search).has("rent");
  if (!renting()) matchRental();
  const changed = (event) => {
    stopLikely(); // the range under way is the old input's: it is never shown
    if (event.target.name === "rent") rentChosen = true;
    if (event.target.name === "gpu" || (event.target.name === "acquisition" && renting())) matchRental();
    scheduleUpdate();
  };
  // The link in the address bar is the answer's: one button copies it.
  document.getElementById("calc-copy").addEventListener("click", () => {
    const said = document.getElementById("calc-copied");
    const copied = navigator.clipboard ? navigator.clipboard.writeText(location.href) : Promise.reject();
    copied.then(() => { said.textContent = pageSay("copied"); }, () => { said.textContent = pageSay("copy_failed"); });
  });
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => event.preventDefault());
  watchGlance();
  scheduleUpdate().then(() => {
    for (const problem of problems) {
      if (Array.isArray(problem)) showError(problem[0], problem[1]);
      else showError("tokens_per_month", problem);
    }
  });
}

start();
