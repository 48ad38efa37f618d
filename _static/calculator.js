// The calculator page: `python -m analysis quote` in the browser, on the dataset embedded in the page.
//
// The model below mirrors the Python code function by function, in the same order of operations, so
// that IEEE arithmetic gives the same doubles (the parity test checks 500+ situations to 1e-9):
//   resolve, oriented, caseValues       <- analysis/situation.py (resolve, _oriented) and spine.ordered_cases
//   memory, rate, boundOutputTokensPerS <- analysis/model/spine.py (_memory, _rate), sizing.py, throughput.py
//   evaluate                            <- analysis/model/spine.py (evaluate, _cheapest, _add_breakeven)
//   breakevenWithSpares                 <- analysis/model/breakeven.py
//   fragility, quoteRecord              <- analysis/scenarios.py (fragility), analysis/quote.py (render_json)
// What depends only on the dataset (purchase prices, engine efficiencies, words) arrives resolved in the
// embedded record (analysis/calculator.py). window.reportQuote(options) takes quote's option names and
// returns what `quote --format json` prints.

const DATA = JSON.parse(document.getElementById("calculator-data").textContent);
const RULES = DATA.rules;
const CASES = RULES.cases;
const CUSTOM = RULES.custom;
const nan = (value) => (value === null || value === undefined ? NaN : value);

// ------------------------------------------------------------------ numpy's rounding

// np.rint: halves go to the even neighbour (Math.round sends them up).
function rint(x) {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

// np.round(x, 9): multiply, round half to even, divide.
const round9 = (x) => rint(x * 1e9) / 1e9;

// Python's format(x, ".Nf") for N = 0 or 1: correctly rounded, exact halves to the even digit (toFixed
// sends them away from zero). An exact half at N digits is a double with 2x (N = 0) or 4x (N = 1) odd.
function pyFixed(x, digits) {
  const text = Math.abs(x).toFixed(digits);
  const scaled = Math.abs(x) * (digits === 0 ? 2 : 4);
  let out = text;
  if (Number.isInteger(scaled) && scaled % 2 === 1) {
    const lower = Math.floor(Math.abs(x) * 10 ** digits);
    out = ((lower % 2 === 0 ? lower : lower + 1) / 10 ** digits).toFixed(digits);
  }
  return (x < 0 || Object.is(x, -0) ? "-" : "") + out;
}

// ------------------------------------------------------------------ the model (analysis/model)

// spine._memory: KV bytes per token, weights (GB), usable GB per GPU, smallest deployable replica.
function memory(c, v) {
  const kvValues = Number.isNaN(c.kv_values_per_token) ? 2 * c.n_layers * c.n_kv_heads * c.head_dim
    : c.kv_values_per_token;
  const kvBytes = kvValues * v.kv_bytes_per_value;
  const weights = c.params_total_b * v.bits_per_param / 8;
  const usable = c.memory_gb * v.gpu_memory_utilization - v.runtime_overhead_gb_per_gpu;
  const need = weights + kvBytes * v.context_tokens * v.concurrent_sequences / 1e9;
  const count = Math.max(usable > 0 ? Math.ceil(need / usable) : Infinity, 1.0);
  return { kvBytes, weights, usable, smallest: deployableGpus(count) };
}

// sizing.deployable_gpus: 1, 2, 4 or 8 inside a node, then whole 8-GPU nodes.
function deployableGpus(n) {
  if (!Number.isFinite(n)) return Infinity;
  if (n <= RULES.gpus_per_node) {
    const x = Math.min(n, RULES.gpus_per_node);
    return RULES.node_shapes.find((shape) => shape >= x);
  }
  return RULES.gpus_per_node * Math.ceil(n / RULES.gpus_per_node);
}

// throughput.bound_output_tokens_per_s: the roofline's output tokens per second for one request shape.
function boundOutputTokensPerS(kvBudgetGb, totalB, activeB, bits, kv, inp, out, bandwidthTb, tflops, maxBatch) {
  const budget = Math.max(kvBudgetGb, 0.0) * 1e9;
  const total = totalB * 1e9;
  const active = activeB * 1e9;
  const bytesPerParam = bits / 8;
  const bandwidth = bandwidthTb * 1e12;
  const flops = tflops * 1e12;
  const context = inp + out / 2;
  const batch = Math.min(Math.floor(budget / (kv * context)), maxBatch);
  const weightBytesPerToken = Math.min(total, active * batch) * bytesPerParam / batch;
  const seconds = Math.max(2 * active * (inp + out) / out / flops, (weightBytesPerToken + context * kv) / bandwidth);
  return batch >= 1 ? 1.0 / seconds : 0.0;
}

// spine._rate: total tokens per second of a replica of g GPUs (0 where g is not a candidate).
function rate(c, v, g, m, inTokens, outTokens) {
  const valid = Number.isFinite(g);
  const gpus = valid ? g : 1.0;
  const outRate = boundOutputTokensPerS(gpus * m.usable - m.weights, c.params_total_b, c.params_active_b,
    v.bits_per_param, m.kvBytes, inTokens, outTokens, c.memory_bandwidth_tb_per_s * gpus, c.tflops * gpus,
    v.max_batch_sequences);
  return valid ? outRate * (inTokens + outTokens) / outTokens * v.engine_efficiency : 0.0;
}

const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));

// breakeven.breakeven_with_spares for one candidate: [volume, margin ratio].
function breakevenWithSpares(a, fixed, u, cap, p, s) {
  const candidate = Number.isFinite(cap);
  const safeCap = candidate && cap > 0 ? cap : 1.0;
  const alpha = a * safeCap - u;
  const slope = alpha - p * s;
  const margin = candidate && cap > 0 ? slope / (u + p * s) : -Infinity;
  const solvable = candidate && cap > 0 && a > 0 && slope > 0;
  const m = solvable ? slope : 1.0;
  const nLo = Math.max(1.0, Math.ceil(fixed / m));
  const nHi = Math.max(1.0, Math.ceil((fixed + p) / m));
  let units = solvable ? nHi : Infinity;
  if (solvable && nHi - nLo <= RULES.max_search_units) {
    for (let n = nLo; n <= nHi; n += 1) {
      if (alpha * n - fixed - p * Math.ceil(round9(n * s)) >= 0) { units = n; break; }
    }
  }
  const cost = fixed + u * units + p * Math.ceil(round9(units * s));
  const volume = solvable ? Math.max(cost / (a > 0 ? a : 1.0), (units - 1) * safeCap) : Infinity;
  return [candidate ? volume : NaN, candidate ? margin : NaN];
}

// spine._cheapest: the index of the lowest cost, NaN counted as infinite, ties to the first.
function cheapest(costs) {
  let best = 0;
  let bestCost = Infinity;
  costs.forEach((cost, i) => {
    const safe = Number.isNaN(cost) ? Infinity : cost;
    if (i === 0 || safe < bestCost) { best = i; bestCost = safe; }
  });
  return [best, bestCost];
}

// spine._add_breakeven: the lowest break-even over the candidates, with its replica and margin.
function addBreakeven(out, option, results, replicaGpus, capacity, apiPerToken) {
  const [index, best] = cheapest(results.map((r) => r[0]));
  const margin = Number.isNaN(results[index][1]) ? -Infinity : results[index][1];
  const finite = Number.isFinite(best);
  out[`${option}_breakeven_tokens_per_month`] = best;
  out[`${option}_breakeven_api_usd_per_month`] = finite ? best * apiPerToken : Infinity;
  out[`${option}_breakeven_gpus_per_replica`] = finite ? replicaGpus[index] : NaN;
  out[`${option}_margin_ratio`] = finite ? margin : NaN;
  out[`${option}_breakeven_replica_tokens_per_month`] = finite ? capacity[index] : NaN;
}

// spine.evaluate for one value set at several volumes: per-set figures, and per-volume figures as arrays.
function evaluateOne(sit, v, volumes) {
  const c = sit.constants;
  const m = memory(c, v);
  const candidates = [...RULES.node_shapes.map((shape) => (shape >= m.smallest ? shape : NaN)),
    Number.isFinite(m.smallest) && m.smallest > RULES.gpus_per_node ? m.smallest : NaN];
  const outTokens = v.tokens_per_request * v.output_token_share;
  const inTokens = v.tokens_per_request - outTokens;
  const capacity = candidates.map((g) => rate(c, v, g, m, inTokens, outTokens) * 3600 * v.hours_per_month
    * v.target_utilization / v.peak_to_average);

  const pCached = Number.isNaN(c.usd_per_m_cached_input) ? c.usd_per_m_input : c.usd_per_m_cached_input;
  const s = v.output_token_share;
  const cached = v.cached_input_share;
  const perM = (1 - s) * ((1 - cached) * c.usd_per_m_input + cached * pCached) + s * c.usd_per_m_output;
  const apiPerToken = 1.0 / 1e6 * perM;
  const otherFixed = v.networking_storage_usd_per_month + v.monitoring_usd_per_month
    + v.revenue_at_risk_usd_per_month * Math.max(v.api_uptime - v.selfhost_uptime, 0.0);
  const engineerMonth = v.ml_engineer_usd_per_year / 12 * 1.0;
  const engineerPerGpu = engineerMonth / v.gpus_per_engineer;
  const fixed = otherFixed + engineerMonth * v.engineer_allocation;
  const powerPerGpu = 1.0 * c.tdp_watts * v.server_power_factor * v.pue * v.hours_per_month / 1000
    * v.electricity_usd_per_kwh;
  const capex1 = v.usd_per_gpu;
  const owningPerGpu = capex1 * (1 - v.residual_value_share) / v.amortization_months
    + capex1 * (1 + v.residual_value_share) / 2 * v.cost_of_capital_per_year / 12;
  const perGpu = powerPerGpu + owningPerGpu;

  const out = { api_usd_per_token: apiPerToken, volumes: [] };
  for (const volume of volumes) {
    const api = apiPerToken * volume;
    const options = candidates.map((g, i) => {
      const cap = capacity[i];
      const replicas = cap > 0 ? Math.max(1.0, Math.ceil(volume / cap)) : Infinity;
      const serving = replicas * g;
      const spares = Number.isFinite(serving) ? Math.ceil(round9(serving * v.spare_gpu_share)) : Infinity;
      const gpus = serving + spares;
      return { cost: fixed + engineerPerGpu * serving + perGpu * gpus, gpus, spares, replicas, g, cap, serving };
    });
    const [index, cost] = cheapest(options.map((o) => o.cost));
    const pick = options[index];
    const engineers = v.engineer_allocation + pick.serving / v.gpus_per_engineer;
    const capex = pick.gpus * v.usd_per_gpu;
    const cashSaved = api - otherFixed - engineerMonth * engineers - powerPerGpu * pick.gpus;
    const savings = Number.isFinite(cashSaved) ? cashSaved : -1.0;
    const payback = savings > 0 ? (Number.isFinite(capex) ? capex : 0.0) / savings : Infinity;
    const row = {
      tokens_per_month: volume, api_usd_per_month: api, gpus: pick.gpus, spare_gpus: pick.spares,
      replicas: pick.replicas, gpus_per_replica: pick.g, replica_tokens_per_month: pick.cap, engineers,
      buy_usd_per_month: cost, buy_capex_usd: capex, buy_savings_usd_per_month: api - cost,
      buy_payback_months: payback <= v.amortization_months ? payback : Infinity,
    };
    out.volumes.push(row);
  }
  const unitCost = candidates.map((g) => (perGpu + engineerPerGpu) * g);
  addBreakeven(out, "buy", candidates.map((g, i) => breakevenWithSpares(apiPerToken, fixed, unitCost[i],
    capacity[i] > 0 ? capacity[i] : NaN, perGpu, g * v.spare_gpu_share)), candidates, capacity, apiPerToken);

  if (sit.rental_offer_id !== null) {
    const block = candidates.map((g) => (Number.isFinite(g)
      ? g * c.gpus_per_instance_min / gcd(g, c.gpus_per_instance_min) : NaN));
    const unitCapacity = candidates.map((g, i) => (Number.isFinite(block[i])
      ? capacity[i] * block[i] / (Number.isFinite(g) ? g : 1.0) : 0.0));
    const hourlyMonth = 1.0 * v.usd_per_gpu_hour * v.hours_per_month;
    out.volumes.forEach((row) => {
      const rents = block.map((b, i) => {
        const ucap = unitCapacity[i];
        const blocks = ucap > 0 ? Math.max(1.0, Math.ceil(row.tokens_per_month / ucap)) : Infinity;
        const rented = blocks * b;
        return { cost: fixed + (engineerPerGpu + hourlyMonth) * rented, rented, b };
      });
      const [index, cost] = cheapest(rents.map((r) => r.cost));
      Object.assign(row, { rent_gpus: rents[index].rented, rent_gpus_per_replica: rents[index].b,
        rent_usd_per_month: cost, rent_savings_usd_per_month: row.api_usd_per_month - cost });
    });
    addBreakeven(out, "rent", block.map((b, i) => breakevenWithSpares(apiPerToken, fixed,
      (hourlyMonth + engineerPerGpu) * b, unitCapacity[i] > 0 ? unitCapacity[i] : NaN, 0.0, 0.0)),
    block, unitCapacity, apiPerToken);
  }
  return out;
}

// spine.evaluate: one result per value set.
function evaluate(sit, valueSets, volumes) {
  return valueSets.map((v) => evaluateOne(sit, v, volumes));
}

// ------------------------------------------------------------------ the situation (analysis/situation.py)

// spine.ordered_cases: [favourable, base, unfavourable].
function orderedCases(low, base, high, direction) {
  if (direction > 0) return [high, base, low];
  if (direction < 0) return [low, base, high];
  return [base, base, base];
}

function makeInput(name, low, high, unit, direction, base) {
  const mid = (low + high) / 2;
  const baseValue = base !== undefined ? base : (RULES.whole_units.includes(unit) ? Math.ceil(mid) : mid);
  const dir = direction !== undefined ? direction : (RULES.direction[name] ?? 0);
  return { name, low, high, base: baseValue, unit, direction: dir };
}

const byId = (rows, id) => rows.find((row) => row.id === id);

// situation.resolve, for names already checked (checkOptions).
function resolve(o) {
  const model = byId(DATA.models, o.model);
  const gpu = byId(DATA.gpus, o.gpu);
  const precision = byId(DATA.precisions, o.precision);
  const custom = o.custom;
  const prices = { usd_per_m_input: NaN, usd_per_m_output: NaN, usd_per_m_cached_input: NaN };
  if (o.api !== CUSTOM) {
    const offer = byId(DATA.apis, o.api);
    for (const name of Object.keys(prices)) prices[name] = nan(offer[name]);
  }
  for (const name of Object.keys(prices)) if (custom[name] !== null) prices[name] = custom[name];
  let priceLow;
  let priceHigh;
  if (custom.usd_per_gpu !== null) {
    priceLow = custom.usd_per_gpu; priceHigh = custom.usd_per_gpu;
  } else if (gpu.purchase === null) {
    // quote._with_stand_in_price: a GPU that can only be rented (no rent_* figure depends on it).
    priceLow = RULES.stand_in_usd_per_gpu; priceHigh = RULES.stand_in_usd_per_gpu;
  } else {
    priceLow = gpu.purchase.usd_low; priceHigh = gpu.purchase.usd_high;
  }
  const inputs = [];
  for (const name of RULES.model_assumptions) {
    const row = DATA.assumptions[name];
    let low = row.low;
    let high = row.high;
    if (name === "output_token_share" && o.output_share !== null) {
      low = o.output_share; high = o.output_share;
    } else if (custom[name] !== undefined && custom[name] !== null) {
      [low, high] = custom[name];
    }
    inputs.push(makeInput(name, low, high, row.unit));
  }
  inputs.push(makeInput("usd_per_gpu", priceLow, priceHigh, "USD/GPU", -1));
  inputs.push(makeInput("bits_per_param", precision.bits_per_param_low, precision.bits_per_param_high, "bits", -1));
  const efficiencyClass = `${model.architecture}/${RULES.engine_class}`;
  const eff = DATA.efficiency[efficiencyClass];
  inputs.push(makeInput("engine_efficiency", eff.low, eff.high, "measured / bound", 1, eff.base));
  let block = NaN;
  if (o.rent === CUSTOM) {
    inputs.push(makeInput("usd_per_gpu_hour", custom.usd_per_gpu_hour, custom.usd_per_gpu_hour, "USD/GPU-hour", -1));
    block = RULES.custom_gpus_per_instance;
  } else if (o.rent !== null) {
    const offer = byId(DATA.rentals, o.rent);
    const hourly = custom.usd_per_gpu_hour === null ? [offer.usd_per_gpu_hour_low, offer.usd_per_gpu_hour_high]
      : [custom.usd_per_gpu_hour, custom.usd_per_gpu_hour];
    inputs.push(makeInput("usd_per_gpu_hour", hourly[0], hourly[1], "USD/GPU-hour", -1));
    block = offer.gpus_per_instance_min;
  }
  // situation.tensor_tflops: FP8 units where the GPU has them (8-bit and 4-bit), else BF16.
  const tflops = o.precision !== "fp16" && gpu.fp8_dense_tflops !== null ? gpu.fp8_dense_tflops
    : gpu.bf16_dense_tflops;
  const constants = {
    params_total_b: model.params_total_b, params_active_b: model.params_active_b, n_layers: model.n_layers,
    n_kv_heads: model.n_kv_heads, head_dim: model.head_dim, kv_values_per_token: nan(model.kv_values_per_token),
    memory_gb: gpu.memory_gb, memory_bandwidth_tb_per_s: gpu.memory_bandwidth_tb_per_s, tflops,
    tdp_watts: gpu.tdp_watts, ...prices, gpus_per_instance_min: block,
  };
  const sit = { rental_offer_id: o.rent, constants, inputs, efficiency_class: efficiencyClass };
  return Number.isNaN(prices.usd_per_m_input) ? sit : oriented(sit);
}

const baseValues = (sit) => Object.fromEntries(sit.inputs.map((i) => [i.name, i.base]));

// situation._oriented: the output share's favourable end is where buying breaks even sooner.
function oriented(sit) {
  const share = sit.inputs.find((i) => i.name === "output_token_share");
  if (share.low === share.high) return sit;
  const base = baseValues(sit);
  const [atLow, atHigh] = evaluate(sit, [{ ...base, output_token_share: share.low },
    { ...base, output_token_share: share.high }], [1.0]).map((r) => r.buy_breakeven_tokens_per_month);
  const direction = atLow < atHigh ? -1 : (atHigh < atLow ? 1 : share.direction);
  if (direction === share.direction) return sit;
  return { ...sit, inputs: sit.inputs.map((i) => (i === share ? { ...i, direction } : i)) };
}

// spine.case_values: three value sets.
function caseValueSets(sit) {
  const sets = CASES.map(() => ({}));
  for (const input of sit.inputs) {
    orderedCases(input.low, input.base, input.high, input.direction).forEach((value, k) => {
      sets[k][input.name] = value;
    });
  }
  return sets;
}

// scenarios.fragility: why the case break-evens are fragile ("" when they are not).
function fragility(volumes, margins, minMargin, maxSpread) {
  const reasons = [];
  const base = margins[1];
  if (Number.isFinite(base) && base < minMargin) {
    reasons.push(`one more replica saves only ${pyFixed(base * 100, 0)}% of its own cost beyond paying for itself`);
  }
  const finite = volumes.filter(Number.isFinite);
  if (finite.length === 0) return "";
  if (finite.length < volumes.length) {
    reasons.push("a case never breaks even");
  } else if (Math.max(...finite) > maxSpread * Math.min(...finite)) {
    reasons.push(`the cases span ${pyFixed(Math.max(...finite) / Math.min(...finite), 1)}x`);
  }
  return reasons.join("; ");
}

// ------------------------------------------------------------------ options, as quote reads them

class QuoteError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const trimBlanks = (text) => text.replace(/^[ \t]+|[ \t]+$/g, "");

// quote_cli.read_number: the number a text spells in a form (tokens with K/M/B/T, a share with %, USD with $),
// by the same pattern (RULES.number_pattern), or NaN.
function readNumber(text, form) {
  const [prefix, suffixes] = RULES.number_forms[form];
  const lead = prefix ? `${escapeRe(prefix)}?` : "";
  const tail = suffixes ? `[${escapeRe(suffixes)}]?` : "";
  const match = new RegExp(`^[ \\t]*${lead}(${RULES.number_pattern})${tail}[ \\t]*$`).exec(text);
  if (!match) return NaN;
  let value = Number(match[1].replaceAll(",", ""));
  const last = trimBlanks(text).slice(-1);
  if (form === "tokens" && RULES.token_suffixes[last.toUpperCase()] !== undefined) {
    value *= RULES.token_suffixes[last.toUpperCase()];
  } else if (form === "share" && last === "%") {
    value /= 100.0;
  }
  return value;
}

// limits.Limit.contains and .message, from the rule the page carries (RULES.limits, one per input).
function inRange(name, value, text, field = name) {
  const rule = RULES.limits[name];
  const above = rule.minimum_included ? value >= rule.minimum : value > rule.minimum;
  if (!(Number.isFinite(value) && (!rule.whole || value === Math.trunc(value)) && above && value <= rule.maximum)) {
    throw new QuoteError(field, `${pyRepr(text)} is out of range: ${rule.what} must be ${rule.range_text}`);
  }
  return value;
}

// quote_cli.parse_tokens
function parseTokens(value) {
  if (!given(value)) {
    throw new QuoteError("tokens_per_month", "give a volume of tokens a month, such as 2e9, 500M, 2B or 1.5T");
  }
  const text = String(value);
  const tokens = readNumber(text, "tokens");
  if (Number.isNaN(tokens)) {
    throw new QuoteError("tokens_per_month", "expected a number of tokens such as 2e9, 2000000000, 500M, 2B or 1.5T, "
      + `got ${pyRepr(text)}`);
  }
  return inRange("tokens_per_month", tokens, text);
}

// repr() of a Python string, as the messages quote them.
function pyRepr(text) {
  const s = String(text);
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\t", "\\t").replaceAll("\r", "\\r");
  return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote;
}

// quote_cli.parse_share
function parseShare(value) {
  const text = String(value);
  const share = readNumber(text, "share");
  if (Number.isNaN(share)) throw new QuoteError("output_share", `expected a share such as 0.3 or 30%, got ${pyRepr(text)}`);
  return inRange("output_share", share, text);
}

// quote_cli.parse_price
function parsePrice(name, value) {
  const text = String(value);
  const price = readNumber(text, "usd");
  if (Number.isNaN(price)) throw new QuoteError(name, `expected a price in USD such as 2.5, got ${pyRepr(text)}`);
  return inRange(name, price, text);
}

const pyG = (x) => String(Number(x.toPrecision(6)));

// quote_cli.parse_range; also takes a number or a [low, high] pair.
function parseRange(name, value) {
  const form = RULES.custom_ranges[name];
  const text = Array.isArray(value) ? value.join(":") : String(value);
  const parts = text.split(":");
  const ends = parts.length <= 2 ? parts.map((part) => readNumber(part, form)) : [NaN];
  if (ends.some(Number.isNaN)) {
    const example = form === "share" ? "0.6, 60% or 0.5:0.7" : "one amount in USD or LOW:HIGH";
    throw new QuoteError(name, `expected ${example}, got ${pyRepr(text)}`);
  }
  for (const end of ends) inRange(name, end, text);
  const low = ends[0];
  const high = ends[ends.length - 1];
  if (low > high) {
    throw new QuoteError(name, `the low end ${pyG(low)} is above the high end ${pyG(high)} in ${pyRepr(text)}`);
  }
  return [low, high];
}

const given = (value) => value !== undefined && value !== null && String(value).trim() !== "";
const names = (rows) => rows.map((row) => row.id).sort();

function requireName(field, option, value, rows, noun) {
  if (!rows.some((row) => row.id === value)) {
    throw new QuoteError(field, `unknown ${option} ${pyRepr(value)}: valid ${noun} are ${names(rows).join(", ")}`);
  }
}

// quote.check_situation, with every option parsed as quote parses it.
function checkOptions(options) {
  const o = {};
  o.tokens_per_month = parseTokens(options.tokens_per_month);
  o.output_share = given(options.output_share) ? parseShare(options.output_share) : null;
  o.api = String(options.api ?? "");
  o.model = String(options.model ?? "");
  o.gpu = String(options.gpu ?? "");
  o.precision = String(options.precision ?? "");
  o.rent = given(options.rent) ? String(options.rent) : null;
  const custom = {};
  for (const name of RULES.custom_prices) {
    custom[name] = given(options[name]) ? parsePrice(name, options[name]) : null;
  }
  for (const name of Object.keys(RULES.custom_ranges)) {
    custom[name] = given(options[name]) ? parseRange(name, options[name]) : null;
  }
  o.custom = custom;
  if (o.api === CUSTOM) {
    if (custom.usd_per_m_input === null || custom.usd_per_m_output === null) {
      throw new QuoteError("api", "--api custom needs --usd-per-m-input and --usd-per-m-output");
    }
  } else {
    requireName("api", "--api", o.api, DATA.apis, "API offers");
  }
  if (o.rent === null && custom.usd_per_gpu_hour !== null) {
    throw new QuoteError("usd_per_gpu_hour", "--usd-per-gpu-hour prices a rental: add --rent OFFER_ID, or --rent custom");
  }
  if (o.rent !== null && custom.usd_per_gpu !== null) {
    throw new QuoteError("usd_per_gpu", "--usd-per-gpu prices a purchase: leave out --rent to buy the GPUs");
  }
  requireName("model", "--model", o.model, DATA.models, "models");
  requireName("gpu", "--gpu", o.gpu, DATA.gpus, "GPUs");
  requireName("precision", "--precision", o.precision, DATA.precisions, "precisions");
  const offers = DATA.rentals.filter((r) => r.gpu_id === o.gpu).map((r) => r.id).sort();
  const offersText = offers.length ? `valid rental offers for ${o.gpu} are ${offers.join(", ")}`
    : `gpu_rentals.csv has no offer for ${o.gpu}`;
  if (o.rent === CUSTOM) {
    if (custom.usd_per_gpu_hour === null) throw new QuoteError("rent", "--rent custom needs --usd-per-gpu-hour");
  } else if (o.rent !== null) {
    const offer = byId(DATA.rentals, o.rent);
    if (!offer) throw new QuoteError("rent", `unknown --rent ${pyRepr(o.rent)}: ${offersText}`);
    if (offer.gpu_id !== o.gpu) {
      throw new QuoteError("rent", `--rent ${pyRepr(o.rent)} rents ${offer.gpu_id}, not --gpu ${pyRepr(o.gpu)}: `
        + offersText);
    }
  } else if (custom.usd_per_gpu === null && byId(DATA.gpus, o.gpu).purchase === null) {
    const priced = DATA.gpus.filter((g) => g.purchase !== null).map((g) => g.id).sort().join(", ");
    throw new QuoteError("gpu", `gpu_prices.csv has no purchase price for --gpu ${pyRepr(o.gpu)} (GPUs with a `
      + `price: ${priced}); give one with --usd-per-gpu, or rent it with --rent instead: ${offersText}`);
  }
  return o;
}

// ------------------------------------------------------------------ the quote (analysis/quote.py)

const finiteOrNull = (x) => (Number.isFinite(x) ? x : null);

// Every case at the given volumes: the situation, its three value sets and the model's results.
function model(o, volumes) {
  const sit = resolve(o);
  const values = caseValueSets(sit);
  return { sit, values, results: evaluate(sit, values, volumes) };
}

// quote.make_quote + render_json: what `quote --format json` prints, as an object.
function quoteRecord(o, computed) {
  const { values, results } = computed;
  const acquisition = o.rent === null ? "buy" : "rent";
  const cases = {};
  CASES.forEach((name, k) => {
    const row = { output_token_share: values[k].output_token_share, cached_input_share: values[k].cached_input_share };
    const atVolume = results[k].volumes[0];
    for (const figure of RULES.figures[acquisition]) {
      const value = figure.key in atVolume ? atVolume[figure.key] : results[k][figure.key];
      row[figure.key] = finiteOrNull(value);
    }
    cases[name] = row;
  });
  const limits = [DATA.assumptions.fragile_margin_ratio.low, DATA.assumptions.fragile_case_spread.low];
  const fragile = fragility(results.map((r) => r[`${acquisition}_breakeven_tokens_per_month`]),
    results.map((r) => r[`${acquisition}_margin_ratio`]), ...limits);
  return {
    situation: {
      tokens_per_month: o.tokens_per_month, api_offer_id: o.api, model_id: o.model, gpu_id: o.gpu,
      precision: o.precision, acquisition, rental_offer_id: o.rent, output_share_override: o.output_share,
      data_dir: DATA.dataset.label, custom: o.custom,
    },
    cases,
    fragile: fragile || null,
  };
}

// The page's one entry point for scripts and tests: quote's options in, quote's JSON out.
function reportQuote(options) {
  const o = checkOptions(options || {});
  return quoteRecord(o, model(o, [o.tokens_per_month]));
}

window.reportQuote = reportQuote;

// ------------------------------------------------------------------ words (analysis/formatting.py)

function grouped(text) {
  const [whole, fraction] = text.split(".");
  const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? withCommas : `${withCommas}.${fraction}`;
}

function usd(value) {
  if (!Number.isFinite(value)) return "never";
  const a = Math.abs(value);
  let text;
  if (a < 999.5) text = `$${grouped(a.toFixed(0))}`;
  else if (a < 999950) text = `$${grouped((a / 1000).toFixed(1))}K`;
  else if (a < 999995000) text = `$${grouped((a / 1e6).toFixed(2))}M`;
  else text = `$${grouped((a / 1e9).toFixed(2))}B`;
  return value < 0 && /[1-9]/.test(text) ? `-${text}` : text;
}

function tokens(value) {
  if (!Number.isFinite(value)) return "never";
  for (const [scale, suffix] of [[1e12, "T"], [1e9, "B"], [1e6, "M"]]) {
    if (value >= scale * 0.9995) return `${grouped(String(Number((value / scale).toPrecision(3))))}${suffix}`;
  }
  return `${Number((value / 1e3).toPrecision(3))}K`;
}

function months(value) {
  if (!Number.isFinite(value)) return "never";
  return value < 10 ? `${value.toFixed(1)} months` : `${grouped(value.toFixed(0))} months`;
}

const share = (value) => `${Math.round(value * 100)}%`;

function range(texts) {
  const low = texts[0];
  const high = texts[texts.length - 1];
  if (low === high) return low;
  return `${low}${low.startsWith("-") || high.startsWith("-") ? " to " : "–"}${high}`;
}

// ------------------------------------------------------------------ the page

const form = document.getElementById("calc-form");
const FIELDS = ["tokens_per_month", "output_share", "api", ...RULES.custom_prices, "model", "gpu", "precision",
  "rent", ...Object.keys(RULES.custom_ranges)];
const control = (name) => form.elements.namedItem(name);
let view = null;
let viewMode = null;

function showError(field, message) {
  const slot = document.getElementById(`calc-${field}-error`);
  if (slot) slot.textContent = message;
  const input = document.getElementById(`calc-${field}`);
  if (input) input.setAttribute("aria-invalid", message ? "true" : "false");
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
  if (!renting()) { delete options.rent; delete options.usd_per_gpu_hour; } else { delete options.usd_per_gpu; }
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
    ? range([gpu.purchase.usd_low, gpu.purchase.usd_high].map((x) => grouped(String(x)))) : "no price in the dataset";
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
  for (const name of Object.keys(RULES.custom_ranges)) {
    const row = DATA.assumptions[name];
    control(name).placeholder = row.low === row.high ? String(row.low) : `${row.low}:${row.high}`;
  }
  form.querySelector('[data-field="usd_per_gpu"]').hidden = renting();
  form.querySelector('[data-field="rent"]').hidden = !renting();
  form.querySelector('[data-field="usd_per_gpu_hour"]').hidden = !renting();
}

// A rental offer for the chosen GPU when the one selected rents another (or none is).
function matchRental() {
  const rent = control("rent");
  const offer = byId(DATA.rentals, rent.value);
  if (rent.value === CUSTOM || (offer && offer.gpu_id === control("gpu").value)) return;
  const first = DATA.rentals.find((r) => r.gpu_id === control("gpu").value);
  rent.value = first ? first.id : CUSTOM;
}

function logVolumes(low, high, count) {
  const a = Math.log10(low);
  const b = Math.log10(high);
  return Array.from({ length: count }, (_, i) => 10 ** (a + (b - a) * i / (count - 1)));
}

function chartRows(o, computed, volumes) {
  const acquisition = o.rent === null ? "buy" : "rent";
  const optionName = acquisition === "buy" ? "Buying the GPUs" : "Renting the GPUs";
  const curves = [];
  volumes.forEach((volume, j) => {
    for (const [name, key] of [["The API", "api_usd_per_month"], [optionName, `${acquisition}_usd_per_month`]]) {
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
    ? [{ label: "base case", tokens_per_month: be, usd_per_month: spend, tokens_per_month_text: tokens(be),
      usd_per_month_text: usd(spend) }] : [];
  return { curves, points, volume: [{ tokens_per_month: o.tokens_per_month,
    tokens_per_month_text: tokens(o.tokens_per_month) }] };
}

async function drawChart(o, computed, volumes) {
  const rows = chartRows(o, computed, volumes);
  const mode = o.rent === null ? "buy" : "rent";
  if (view === null || viewMode !== mode) {
    const spec = JSON.parse(JSON.stringify(DATA.chart));
    // The legend names only the lines drawn: the API and the chosen way of getting the GPUs.
    for (const layer of spec.layer) {
      const scale = layer.encoding.color && layer.encoding.color.scale;
      if (scale) {
        const keep = scale.domain.map((d, i) => [d, scale.range[i]]).filter(([d]) => d === "The API"
          || d === (mode === "buy" ? "Buying the GPUs" : "Renting the GPUs"));
        scale.domain = keep.map(([d]) => d);
        scale.range = keep.map(([, r]) => r);
      }
    }
    spec.datasets = { curves: rows.curves, points: rows.points, volume: rows.volume };
    for (const layer of spec.layer) layer.data = { name: layer.data.name };
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
  const api = o.api === CUSTOM ? "your API" : byId(DATA.apis, o.api).name;
  return { gpu, model, api };
}

function renderAnswer(o, record, computed) {
  const acquisition = record.situation.acquisition;
  const words = optionWords(o);
  const base = record.cases.base;
  const verb = acquisition === "buy" ? "Buying" : "Renting";
  const gpus = base[`${acquisition === "buy" ? "gpus" : "rent_gpus"}`];
  const selfhost = base[`${acquisition}_usd_per_month`];
  const savings = base[`${acquisition}_savings_usd_per_month`];
  const be = computed.results.map((r) => r[`${acquisition}_breakeven_tokens_per_month`]);
  const spares = acquisition === "buy" ? computed.results[1].volumes[0].spare_gpus : 0;
  const gpuText = gpus === null ? `${words.gpu} GPUs (the model does not fit)`
    : `${gpus}× ${words.gpu}${spares > 0 ? ` (${spares} of them spare)` : ""}`;
  let sentence = `At ${tokens(o.tokens_per_month)} tokens a month, ${verb.toLowerCase()} ${gpuText} for `
    + `${words.model} costs ${usd(nan(selfhost))} a month against ${usd(base.api_usd_per_month)} for ${words.api} `
    + `(base case): ${savings !== null && savings >= 0 ? `it saves ${usd(savings)}` : `${usd(Math.abs(nan(savings)))} more`} a month. `;
  sentence += Number.isFinite(be[1])
    ? `${verb} breaks even at ${tokens(be[1])} tokens a month (${usd(base[`${acquisition}_breakeven_api_usd_per_month`])} `
      + `of API spend) in the base case; ${range(be.map(tokens))} over the cases.`
    : `${verb} never breaks even in the base case (${range(be.map(tokens))} over the cases).`;
  document.getElementById("calc-summary").textContent = sentence;
  const glanceSaving = savings !== null && savings >= 0 ? `saves ${usd(savings)} a month`
    : `costs ${usd(Math.abs(nan(savings)))} a month more`;
  document.getElementById("calc-glance").textContent = `Base case: ${verb.toLowerCase()} ${glanceSaving}; `
    + (Number.isFinite(be[1]) ? `breaks even at ${tokens(be[1])} tokens a month.` : "never breaks even.");

  const table = document.getElementById("calc-table");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const text of ["", "Favourable", "Base", "Unfavourable"]) {
    const th = document.createElement("th");
    th.textContent = text;
    th.scope = "col";
    head.appendChild(th);
  }
  const body = table.createTBody();
  const kinds = { usd, tokens, months, gpus: (x) => String(x) };
  const rows = [{ label: "Share of tokens that are output", key: "output_token_share", kind: "share" },
    { label: "Cached input share", key: "cached_input_share", kind: "share" }, ...RULES.figures[acquisition]];
  for (const figure of rows) {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = figure.label;
    tr.appendChild(th);
    CASES.forEach((name) => {
      const value = record.cases[name][figure.key];
      const cell = tr.insertCell();
      cell.dataset.label = name[0].toUpperCase() + name.slice(1);
      if (figure.kind === "share") cell.textContent = share(value);
      else if (value === null) cell.textContent = figure.kind === "gpus" ? "does not fit" : "never";
      else cell.textContent = (kinds[figure.kind] || String)(value);
    });
  }
  document.getElementById("calc-fragile").textContent = record.fragile
    ? `Fragile break-even, read it as a range: ${record.fragile}.` : "";
  document.getElementById("calc-chart-title").textContent =
    `Monthly cost by volume: ${words.api} against ${verb.toLowerCase()} GPUs for ${words.model}`;
}

function syncUrl(options) {
  const params = new URLSearchParams();
  for (const name of FIELDS) if (given(options[name])) params.set(name, options[name]);
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}

// quote's messages name its command-line options; beside a field of the form, the same reason reads in the
// form's own words. reportQuote keeps quote's messages.
function pageMessage(error) {
  const gpu = byId(DATA.gpus, control("gpu").value);
  if (error.message.startsWith("--api custom needs")) {
    return "Your own API prices need an input price and an output price (USD per million tokens).";
  }
  if (error.message.startsWith("--rent custom needs")) {
    return "Your own rental needs a rental price per GPU-hour.";
  }
  if (error.message.startsWith("gpu_prices.csv has no purchase price") && gpu) {
    return `The dataset has no purchase price for the ${gpu.name}: type one under "Purchase price per GPU", `
      + "or choose Rent them.";
  }
  const offer = byId(DATA.rentals, control("rent").value);
  if (error.field === "rent" && offer && gpu && offer.gpu_id !== gpu.id) {
    return `That rental offer rents the ${byId(DATA.gpus, offer.gpu_id).name}, not the ${gpu.name}: choose an `
      + `offer for the ${gpu.name}, or your own rental price.`;
  }
  return error.message;
}

// Recompute from the form; on bad input, say why beside the field and keep the last good answer.
async function update() {
  const started = performance.now();
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
    status.textContent = `Not updated: "${label ? label.textContent : error.field}" is not used (the reason is `
      + "beside it), so the answer below is still the one for your last usable input.";
    return;
  }
  clearErrors();
  const volumeGuess = model(o, [o.tokens_per_month]);
  const record = quoteRecord(o, volumeGuess);
  const acquisition = record.situation.acquisition;
  const be = volumeGuess.results.map((r) => r[`${acquisition}_breakeven_tokens_per_month`]).filter(Number.isFinite);
  const low = Math.max(1e6, Math.min(o.tokens_per_month, ...be) / 30);
  const high = Math.min(1e15, Math.max(o.tokens_per_month, ...be) * 30);
  const volumes = logVolumes(low, Math.max(high, low * 10), 61);
  const computed = model(o, volumes);
  renderAnswer(o, record, computed);
  syncUrl(options);
  await drawChart(o, computed, volumes);
  const ms = performance.now() - started;
  const status = document.getElementById("calc-status");
  delete status.dataset.stale;
  status.dataset.ms = ms.toFixed(1);
  status.textContent = `Computed in your browser from the dataset in ${DATA.dataset.label} (newest row `
    + `${DATA.dataset.snapshot_date}) in ${ms.toFixed(0)} ms.`;
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
      problems.push(`the link's ${name} is not an option of this calculator`);
      continue;
    }
    if (element.tagName === "SELECT" && ![...element.options].some((option) => option.value === value)) {
      problems.push([name, `the link's ${name} ${pyRepr(value)} is not in the dataset; showing `
        + `${element.options[element.selectedIndex].text} instead`]);
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
        problems.push([error.field, `the link's value was not used: ${reason}`]);
      } else if (fromLink.size) {
        // The field at fault is the page's own: the link's values do not go together. All go back.
        const reason = pageMessage(error);
        for (const name of [...fromLink.keys()]) putBack(name);
        if (!startedRenting && acquisition().value === "rent") {
          form.querySelector('input[name="acquisition"][value="buy"]').checked = true;
        }
        problems.push([error.field, `the link's values were not used together: ${reason}`]);
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
  if (!renting()) matchRental();
  const changed = (event) => {
    if (event.target.name === "gpu") matchRental();
    scheduleUpdate();
  };
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
