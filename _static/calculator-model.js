// The calculator's model: `python -m analysis quote` in JavaScript, on a dataset record, with no page in sight.
//
// It mirrors the Python code function by function, in the same order of operations, so that IEEE arithmetic
// gives the same doubles (the golden vectors of tests/site/golden/ hold 500+ situations to 1e-9):
//   resolve, oriented, caseValues       <- analysis/evaluation/resolve.py (situation, _oriented), spine.ordered_cases
//   memory, rate, boundOutputTokensPerS <- analysis/model/spine.py (_memory, _rate), sizing.py, throughput.py
//   evaluate                            <- analysis/model/spine.py (evaluate, _cheapest, _add_breakeven)
//   breakevenWithSpares                 <- analysis/model/breakeven.py
//   fragility                           <- analysis/evaluation/resolve.py (fragility)
//   checkOptions, readNumber            <- analysis/evaluation/quoting.py (check_request), analysis/data/inputs.py
//   quoteRecord                         <- analysis/commands/quote.py (render_json)
//   uniforms, sampleInputs, percentiles <- analysis/evaluation/uncertainty.py (mulberry32, the likely range)
//   likelyJob, likelyRecord             <- analysis/evaluation/quoting.py (make_quote's likely), quote.py (its JSON)
// What depends only on the dataset (purchase prices, engine efficiencies, words) arrives resolved in the record
// (analysis/report/calculator.py), and so do the rules and every message (analysis/data/messages.py): this file
// holds no message text.
//
// In Node: `require("calculator-model.js").quote(options, record)` returns what `quote --format json` prints.
// In the page (inlined before calculator.js): `globalThis.reportModel.forRecord(record)` gives every function.

(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.reportModel = factory();
})(typeof globalThis !== "undefined" ? globalThis : this, () => {
  "use strict";

  // Python's format(x, ".Nf"): correctly rounded, exact halves to the even digit (toFixed sends them away from
  // zero). A double halfway at N digits is an odd multiple of 2^-(N + 1): 0.5, 0.25 and 0.75, 0.125 ...
  function pyFixed(x, digits) {
    const a = Math.abs(x);
    let out = a.toFixed(digits);
    const scaled = a * 2 ** (digits + 1);  // exact: a power of two
    if (Number.isInteger(scaled) && scaled % 2 === 1) {
      const lower = Math.floor(a * 10 ** digits);
      out = ((lower % 2 === 0 ? lower : lower + 1) / 10 ** digits).toFixed(digits);
    }
    return (x < 0 || Object.is(x, -0) ? "-" : "") + out;
  }

  // ------------------------------------------------------------------ words (analysis/report/formatting.py)

  function grouped(text) {
    const [whole, fraction] = text.split(".");
    const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return fraction === undefined ? withCommas : `${withCommas}.${fraction}`;
  }

  // Python's float(f"{x:.3g}"): three significant digits, halves to even.
  function threeDigits(x) {
    if (x === 0) return 0;
    const after = 2 - Math.floor(Math.log10(Math.abs(x)));
    if (after >= 0) return Number(pyFixed(x, after));
    const step = 10 ** -after;
    return Number(pyFixed(x / step, 0)) * step;
  }

  const threeDigitsText = (x) => {
    const v = threeDigits(x);
    return v >= 1000 ? grouped(pyFixed(v, 0)) : String(v);
  };

  // formatting.usd: $950, $12.5K, $1.25M, -$5.3K; never for infinity; a value that rounds to zero is $0.
  function usd(value) {
    if (!Number.isFinite(value)) return "never";
    const a = Math.abs(value);
    let text;
    if (a < 999.5) text = `$${grouped(pyFixed(a, 0))}`;
    else if (a < 999950) text = `$${grouped(pyFixed(a / 1000, 1))}K`;
    else if (a < 999995000) text = `$${grouped(pyFixed(a / 1e6, 2))}M`;
    else text = `$${grouped(pyFixed(a / 1e9, 2))}B`;
    return value < 0 && /[1-9]/.test(text) ? `-${text}` : text;
  }

  // formatting.tokens: 850K, 100M, 1.5B, 2.4T (three significant digits), 500 below a thousand.
  function tokens(value) {
    if (!Number.isFinite(value)) return "never";
    for (const [scale, suffix] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]]) {
      if (value >= scale * 0.9995) return `${threeDigitsText(value / scale)}${suffix}`;
    }
    return threeDigitsText(value);
  }

  // formatting.months: 8.4 months, 29 months; never for infinity.
  function months(value) {
    if (!Number.isFinite(value)) return "never";
    return value < 10 ? `${grouped(pyFixed(value, 1))} months` : `${grouped(pyFixed(value, 0))} months`;
  }

  // formatting.share: 42%; a share that rounds to zero is 0%.
  const share = (value) => {
    const text = `${pyFixed(value * 100, 0)}%`;
    return text === "-0%" ? "0%" : text;
  };

  // formatting._range: a–b, or "a to b" when an end is negative.
  function range(texts) {
    const low = texts[0];
    const high = texts[texts.length - 1];
    if (low === high) return low;
    return `${low}${low.startsWith("-") || high.startsWith("-") ? " to " : "–"}${high}`;
  }

  const formats = { grouped, usd, tokens, months, share, range };

  // ------------------------------------------------------------------ draws (analysis/evaluation/uncertainty.py)

  // uncertainty.uniforms: outputs offset + 1 ... offset + count of mulberry32 from seed, each in [0, 1). The n-th
  // output depends on n alone: state s = (seed + n x 0x6D2B79F5) mod 2^32, then the reference's three lines.
  function uniforms(seed, count, offset = 0) {
    if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xFFFFFFFF)) throw new RangeError(`seed ${seed}`);
    const out = new Float64Array(count);
    for (let k = 0; k < count; k += 1) {
      let t = (seed + Math.imul(offset + k + 1, 0x6D2B79F5)) >>> 0;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[k] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    return out;
  }

  // uncertainty.percentiles, numpy's method="inverted_cdf": of n draws sorted, level p takes index
  // x = n x (p / 100) - 1 when x is whole, else floor(x) + 1 (never below 0); a NaN draw makes it NaN.
  function percentiles(values, levels) {
    const n = values.length;
    const sorted = Float64Array.from(values).sort(); // numerically, -Infinity first, NaN last
    if (Number.isNaN(sorted[n - 1])) return levels.map(() => NaN);
    return levels.map((p) => {
      const x = n * (p / 100) - 1;
      const below = Math.floor(x);
      return sorted[Math.max(x - below === 0 ? below : below + 1, 0)];
    });
  }

  // A message of the record's catalogue with its {fields} filled in (analysis.data.messages.say).
  const fill = (template, fields) => template.replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? fields[name] : whole));

  function bind(DATA) {
    const RULES = DATA.rules;
    const CASES = RULES.cases;
    const CUSTOM = RULES.custom;
    const nan = (value) => (value === null || value === undefined ? NaN : value);
    const say = (key, fields = {}) => fill(RULES.messages[key], fields);

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

    // throughput._terms: a request shape on a system in base units (parameters, bytes, bytes/s, FLOP/s, tokens).
    function terms(totalB, activeB, bits, kv, inp, out, bandwidthTb, tflops, cachedShare) {
      const active = activeB * 1e9;
      const computed = inp * (1 - cachedShare);
      return { total: totalB * 1e9, active, bytesPerParam: bits / 8, kv, bandwidth: bandwidthTb * 1e12,
        flops: tflops * 1e12, context: inp + out / 2, flopsPerToken: 2 * active * (computed + out) / out };
    }

    // throughput.bound_output_tokens_per_s: the roofline's output tokens per second for one request shape.
    function boundOutputTokensPerS(kvBudgetGb, totalB, activeB, bits, kv, inp, out, bandwidthTb, tflops, maxBatch,
      cachedShare) {
      const budget = Math.max(kvBudgetGb, 0.0) * 1e9;
      const t = terms(totalB, activeB, bits, kv, inp, out, bandwidthTb, tflops, cachedShare);
      const batch = Math.min(Math.floor(budget / (t.kv * t.context)), maxBatch);
      const weightBytesPerToken = Math.min(t.total, t.active * batch) * t.bytesPerParam / batch;
      const seconds = Math.max(t.flopsPerToken / t.flops, (weightBytesPerToken + t.context * t.kv) / t.bandwidth);
      return batch >= 1 ? 1.0 / seconds : 0.0;
    }

    // throughput.speed_batch_limit: the largest batch whose every sequence still gets the promised speed.
    function speedBatchLimit(target, eff, totalB, activeB, bits, kv, inp, out, bandwidthTb, tflops, cachedShare) {
      if (!(target > 0)) return Infinity;
      const t = terms(totalB, activeB, bits, kv, inp, out, bandwidthTb, tflops, cachedShare);
      const stepS = eff / target;
      const byCompute = stepS * t.flops / t.flopsPerToken;
      const partial = stepS * t.bandwidth / (t.active * t.bytesPerParam + t.context * t.kv);
      const byMemory = partial <= t.total / t.active ? partial
        : (stepS * t.bandwidth - t.total * t.bytesPerParam) / (t.context * t.kv);
      return Math.floor(Math.max(Math.min(byCompute, byMemory), 0.0));
    }

    // spine._rate: total tokens per second of a replica of g GPUs (0 where g is not a candidate).
    function rate(c, v, g, m, inTokens, outTokens) {
      const valid = Number.isFinite(g);
      const gpus = valid ? g : 1.0;
      const fastEnough = speedBatchLimit(v.min_tokens_per_s_per_user, v.engine_efficiency, c.params_total_b,
        c.params_active_b, v.bits_per_param, m.kvBytes, inTokens, outTokens, c.memory_bandwidth_tb_per_s * gpus,
        c.tflops * gpus, v.cached_input_share);
      const outRate = boundOutputTokensPerS(gpus * m.usable - m.weights, c.params_total_b, c.params_active_b,
        v.bits_per_param, m.kvBytes, inTokens, outTokens, c.memory_bandwidth_tb_per_s * gpus, c.tflops * gpus,
        Math.min(v.max_batch_sequences, fastEnough), v.cached_input_share);
      return valid ? outRate * (inTokens + outTokens) / outTokens * v.engine_efficiency : 0.0;
    }

    const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));

    // breakeven.breakeven_with_spares for one candidate: [volume, margin ratio].
    function breakevenWithSpares(a, fixed, u, cap, p, s, q, w, k) {
      const candidate = Number.isFinite(cap);
      const safeCap = candidate && cap > 0 ? cap : 1.0;
      const alpha = a * safeCap - u;
      const slope = alpha - p * s;
      const margin = candidate && cap > 0 ? slope / (u + p * s) : -Infinity;
      const solvable = candidate && cap > 0 && a > 0 && slope > 0;
      const m = solvable ? slope : 1.0;
      const nLo = Math.max(1.0, Math.ceil(fixed / (solvable ? alpha : 1.0)));
      const spares = (n) => (n >= k ? Math.ceil(round9(n * s)) : 0.0); // none before the k-th unit
      const nHi = Math.max(1.0, Math.ceil((fixed + p + Math.max(q, 0.0)) / m));
      let units = solvable ? nHi : Infinity;
      if (solvable && nHi - nLo <= RULES.max_search_units) {
        for (let n = nLo; n <= nHi; n += 1) {
          if (alpha * n - fixed - p * spares(n) - Math.max(q - w * n, 0.0) >= 0) { units = n; break; }
        }
      }
      // np.maximum(NaN, 0) is NaN: w x inf is NaN when w is 0 (the volume is then inf all the same).
      const floorExtra = q - w * units;
      const cost = fixed + u * units + p * spares(units)
        + (Number.isNaN(floorExtra) ? NaN : Math.max(floorExtra, 0.0));
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

    // spine.evaluate for one value set at several volumes: per-set figures, and per-volume figures as arrays
    // (withLines false leaves out the bills by line: the likely range reads none, and they are most of the time).
    function evaluateOne(sit, v, volumes, withLines = true) {
      const c = sit.constants;
      const m = memory(c, v);
      // spine._candidates: in-node shapes and whole-node counts that hold the model, then a larger whole-node count.
      const listed = [...RULES.node_shapes, ...RULES.across_node_shapes];
      const candidates = [...listed.map((shape) => (shape >= m.smallest ? shape : NaN)),
        Number.isFinite(m.smallest) && m.smallest > listed[listed.length - 1] ? m.smallest : NaN];
      const outTokens = v.tokens_per_request * v.output_token_share;
      const inTokens = v.tokens_per_request - outTokens;
      const capacity = candidates.map((g) => rate(c, v, g, m, inTokens, outTokens) * 3600 * v.hours_per_month
        * v.target_utilization / v.peak_to_average);

      const pCached = Number.isNaN(c.usd_per_m_cached_input) ? c.usd_per_m_input : c.usd_per_m_cached_input;
      const s = v.output_token_share;
      const cached = v.cached_input_share;
      const perM = (1 - s) * ((1 - cached) * c.usd_per_m_input + cached * pCached) + s * c.usd_per_m_output;
      // spine.API_PRICE_FACTOR: an optional multiplier of the API's prices (1 when absent).
      const priceFactor = v.api_price_factor ?? 1.0;
      const apiPerToken = 1.0 / 1e6 * perM * priceFactor;
      const downtime = v.revenue_at_risk_usd_per_month * Math.max(v.api_uptime - v.selfhost_uptime, 0.0);
      const otherFixed = v.networking_storage_usd_per_month + v.monitoring_usd_per_month + downtime;
      // spine._operating_lines: what a fleet of either kind pays besides its GPUs.
      const operating = (engineers) => ({ engineers: engineerMonth * engineers, downtime,
        networking_storage: v.networking_storage_usd_per_month, monitoring: v.monitoring_usd_per_month });
      const lines = (option, parts) => (withLines ? Object.fromEntries(Object.entries(parts)
        .map(([line, usdPerMonth]) => [`${option}_${line}_usd_per_month`, usdPerMonth])) : {});
      const engineerMonth = v.ml_engineer_usd_per_year / 12 * 1.0;
      const engineerPerGpu = engineerMonth / v.gpus_per_engineer;
      const fixed = otherFixed + engineerMonth * v.engineer_allocation;
      // spine.engineers_needed: a share of an engineer and one per gpus_per_engineer, never below the on-call floor.
      const engineersFor = (gpus) => Math.max(v.oncall_engineers_min, v.engineer_allocation + gpus / v.gpus_per_engineer);
      const floor = engineerMonth * (v.oncall_engineers_min - v.engineer_allocation);
      const powerPerGpu = 1.0 * c.tdp_watts * v.server_power_factor * v.pue * v.hours_per_month / 1000
        * v.electricity_usd_per_kwh;
      const facilityPerGpu = 1.0 * c.tdp_watts * v.server_power_factor / 1000 * v.colocation_usd_per_kw_month;
      // costs.amortized_usd_per_month of one GPU and of its server share.
      const owned = (capex1) => capex1 * (1 - v.residual_value_share) / v.amortization_months
        + capex1 * (1 + v.residual_value_share) / 2 * v.cost_of_capital_per_year / 12;
      const owningPerGpu = owned(v.usd_per_gpu);
      const serverPerGpu = owned(v.server_usd_per_gpu);
      const runningPerGpu = powerPerGpu + facilityPerGpu;
      const perGpu = owningPerGpu + serverPerGpu + runningPerGpu;

      const out = { api_usd_per_token: apiPerToken, volumes: [] };
      for (const volume of volumes) {
        const api = volume / 1e6 * perM * priceFactor;
        const options = candidates.map((g, i) => {
          const cap = capacity[i];
          const replicas = cap > 0 ? Math.max(1.0, Math.ceil(volume / cap)) : Infinity;
          const serving = replicas * g;
          // spine.spares_needed: none until the fleet serves on spare_min_serving_gpus
          const spares = Number.isFinite(serving)
            ? (serving >= v.spare_min_serving_gpus ? Math.ceil(round9(serving * v.spare_gpu_share)) : 0.0) : Infinity;
          const gpus = serving + spares;
          return { cost: otherFixed + engineerMonth * engineersFor(serving) + perGpu * gpus, gpus, spares, replicas, g,
            cap, serving };
        });
        const [index, cost] = cheapest(options.map((o) => o.cost));
        const pick = options[index];
        const engineers = engineersFor(pick.serving);
        const capex = pick.gpus * (v.usd_per_gpu + v.server_usd_per_gpu);
        const cashSaved = api - otherFixed - engineerMonth * engineers - runningPerGpu * pick.gpus;
        const savings = Number.isFinite(cashSaved) ? cashSaved : -1.0;
        const payback = savings > 0 ? (Number.isFinite(capex) ? capex : 0.0) / savings : Infinity;
        const tokensM = volume / 1e6;
        const row = {
          tokens_per_month: volume, api_usd_per_month: api, gpus: pick.gpus, spare_gpus: pick.spares,
          replicas: pick.replicas, gpus_per_replica: pick.g, replica_tokens_per_month: pick.cap, engineers,
          buy_usd_per_month: cost, buy_capex_usd: capex, buy_savings_usd_per_month: api - cost,
          buy_payback_months: payback,
          buy_payback_after_writeoff: Number.isFinite(payback) && payback > v.amortization_months ? 1.0 : 0.0,
          // costs.api_lines_usd_per_month and spine._bought_lines: the bills by line.
          ...lines("api", { input: tokensM * ((1 - s) * (1 - cached) * c.usd_per_m_input) * priceFactor,
            cached_input: tokensM * ((1 - s) * cached * pCached) * priceFactor,
            output: tokensM * (s * c.usd_per_m_output) * priceFactor }),
          ...lines("buy", { gpus: owningPerGpu * pick.serving, servers: serverPerGpu * pick.serving,
            power: powerPerGpu * pick.serving, facility: facilityPerGpu * pick.serving, spares: perGpu * pick.spares,
            ...operating(engineers) }),
        };
        out.volumes.push(row);
      }
      const unitCost = candidates.map((g) => (perGpu + engineerPerGpu) * g);
      addBreakeven(out, "buy", candidates.map((g, i) => breakevenWithSpares(apiPerToken, fixed, unitCost[i],
        capacity[i] > 0 ? capacity[i] : NaN, perGpu, g * v.spare_gpu_share, floor, engineerPerGpu * g,
        Math.ceil(round9(v.spare_min_serving_gpus / g)))), candidates,
      capacity, apiPerToken);

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
            return { cost: otherFixed + engineerMonth * engineersFor(rented) + hourlyMonth * rented, rented, b };
          });
          const [index, cost] = cheapest(rents.map((r) => r.cost));
          const rented = rents[index].rented;
          Object.assign(row, { rent_gpus: rented, rent_gpus_per_replica: rents[index].b,
            rent_replica_tokens_per_month: unitCapacity[index], rent_usd_per_month: cost, rent_savings_usd_per_month: row.api_usd_per_month - cost,
            ...lines("rent", { gpus: hourlyMonth * rented,
              ...operating(engineersFor(rented)) }) });
        });
        addBreakeven(out, "rent", block.map((b, i) => breakevenWithSpares(apiPerToken, fixed,
          (hourlyMonth + engineerPerGpu) * b, unitCapacity[i] > 0 ? unitCapacity[i] : NaN, 0.0, 0.0, floor,
          engineerPerGpu * b, 1.0)),
        block, unitCapacity, apiPerToken);
      }
      return out;
    }

    // spine.evaluate: one result per value set.
    function evaluate(sit, valueSets, volumes) {
      return valueSets.map((v) => evaluateOne(sit, v, volumes));
    }

    // ------------------------------------------------------------------ the situation (analysis/evaluation/resolve.py)

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

    // resolve.situation, for names already checked (checkOptions).
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
        // resolve.situation with stand_in_usd_per_gpu: a GPU that can only be rented (no rent_* figure depends on it).
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
      inputs.push(makeInput("engine_efficiency", eff.low, eff.high, "measured / modelled", 1, eff.base));
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
      // resolve.tensor_tflops: FP8 units where the GPU has them (8-bit and 4-bit), else BF16.
      const tflops = o.precision !== "fp16" && gpu.fp8_dense_tflops !== null ? gpu.fp8_dense_tflops
        : gpu.bf16_dense_tflops;
      const constants = {
        params_total_b: model.params_total_b, params_active_b: model.params_active_b, n_layers: model.n_layers,
        n_kv_heads: model.n_kv_heads, head_dim: model.head_dim, kv_values_per_token: nan(model.kv_values_per_token),
        memory_gb: gpu.memory_gb, memory_bandwidth_tb_per_s: gpu.memory_bandwidth_tb_per_s, tflops,
        tdp_watts: gpu.tdp_watts, ...prices, gpus_per_instance_min: block,
      };
      const sit = { rental_offer_id: o.rent, constants, inputs, efficiency_class: efficiencyClass };
      return Number.isNaN(prices.usd_per_m_input) ? sit : oriented(sit, o.rent === null ? "buy" : "rent");
    }

    const baseValues = (sit) => Object.fromEntries(sit.inputs.map((i) => [i.name, i.base]));

    // resolve._oriented: the output share's favourable end is where the quoted option (buying or renting) breaks
    // even sooner.
    function oriented(sit, option) {
      const share = sit.inputs.find((i) => i.name === "output_token_share");
      if (share.low === share.high) return sit;
      const base = baseValues(sit);
      const [atLow, atHigh] = evaluate(sit, [{ ...base, output_token_share: share.low },
        { ...base, output_token_share: share.high }], [1.0]).map((r) => r[`${option}_breakeven_tokens_per_month`]);
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

    // resolve.fragility: why the case break-evens are fragile ("" when they are not).
    function fragility(volumes, margins, minMargin, maxSpread) {
      const reasons = [];
      const base = margins[1];
      if (Number.isFinite(base) && base < minMargin) {
        reasons.push(say("fragile_margin", { percent: pyFixed(base * 100, 0) }));
      }
      const finite = volumes.filter(Number.isFinite);
      if (finite.length === 0) return "";
      if (finite.length < volumes.length) {
        reasons.push(say("fragile_never"));
      } else if (Math.max(...finite) > maxSpread * Math.min(...finite)) {
        reasons.push(say("fragile_spread", { ratio: pyFixed(Math.max(...finite) / Math.min(...finite), 1) }));
      }
      return reasons.join("; ");
    }

    // ------------------------------------------------------------------ options, as quote reads them

    // A refusal: the field it concerns, its message's key in the record's catalogue, and the filled message.
    class QuoteError extends Error {
      constructor(field, key, fields = {}) {
        super(say(key, fields));
        this.field = field;
        this.key = key;
        this.fields = fields;
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
        throw new QuoteError(field, "out_of_range", { text: pyRepr(text), what: rule.what, range: rule.range_text });
      }
      return value;
    }

    // inputs.token_text: "300 million" -> "300M", "3B/month" -> "3B"
    function tokenText(text) {
      let value = trimBlanks(text);
      let changed = true;
      while (changed) {
        changed = false;
        for (const tail of RULES.token_tails) {
          if (value.toLowerCase().endsWith(tail) && value.length > tail.length) {
            value = value.slice(0, -tail.length).replace(/[ \t]+$/, "");
            changed = true;
          }
        }
      }
      const words = Object.keys(RULES.token_words).join("|");
      const match = new RegExp(`^(.*?[0-9.])[ \\t]*(${words})$`, "i").exec(value);
      return match ? match[1] + RULES.token_words[match[2].toLowerCase()] : value;
    }

    // quote_cli.parse_tokens
    function parseTokens(value) {
      if (!given(value)) {
        throw new QuoteError("tokens_per_month", "tokens_missing");
      }
      const text = String(value);
      const tokens = readNumber(tokenText(text), "tokens");
      if (Number.isNaN(tokens)) {
        throw new QuoteError("tokens_per_month", "tokens_not_number", { text: pyRepr(text) });
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
      if (Number.isNaN(share)) throw new QuoteError("output_share", "share_not_number", { text: pyRepr(text) });
      return inRange("output_share", share, text);
    }

    // quote_cli.parse_price
    function parsePrice(name, value) {
      const text = String(value);
      const price = readNumber(text, "usd");
      if (Number.isNaN(price)) throw new QuoteError(name, "price_not_number", { text: pyRepr(text) });
      return inRange(name, price, text);
    }

    const pyG = (x) => String(Number(x.toPrecision(6)));

    // quote_cli.parse_range; also takes a number or a [low, high] pair.
    function parseRange(name, value) {
      const form = RULES.custom_ranges[name] ?? "plain"; // inputs.range_form
      const text = Array.isArray(value) ? value.join(":") : String(value);
      const parts = text.split(":");
      const ends = parts.length <= 2 ? parts.map((part) => readNumber(part, form)) : [NaN];
      if (ends.some(Number.isNaN)) {
        throw new QuoteError(name, RULES.range_not_number[form], { text: pyRepr(text) });
      }
      for (const end of ends) inRange(name, end, text);
      const low = ends[0];
      const high = ends[ends.length - 1];
      if (low > high) {
        throw new QuoteError(name, "range_reversed", { low: pyG(low), high: pyG(high), text: pyRepr(text) });
      }
      return [low, high];
    }

    const given = (value) => value !== undefined && value !== null && String(value).trim() !== "";
    const names = (rows) => rows.map((row) => row.id).sort();

    function requireName(field, option, value, rows, noun) {
      if (!rows.some((row) => row.id === value)) {
        throw new QuoteError(field, "unknown_name", { option, value: pyRepr(value), noun, names: names(rows).join(", ") });
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
      o.traffic = given(options.traffic) ? String(options.traffic) : null;
      o.overflow = given(options.overflow) ? String(options.overflow) : null;
      o.hard_share = given(options.hard_share) ? parseShare(options.hard_share) : 0.0;
      if (o.traffic !== null && !(o.traffic in DATA.traffic_profiles)) {
        throw new QuoteError("traffic", "unknown_traffic", { value: pyRepr(o.traffic),
          names: Object.keys(DATA.traffic_profiles).sort().join(", ") });
      }
      if (o.traffic === null && (o.overflow !== null || given(options.hard_share))) {
        throw new QuoteError("traffic", "hybrid_needs_traffic");
      }
      if (o.hard_share >= 1) throw new QuoteError("hard_share", "hard_share_too_high");
      if (o.overflow !== null) requireName("overflow", "--overflow", o.overflow, DATA.apis, RULES.nouns.api);
      o.lifetime_ranges = {};
      for (const name of RULES.lifetime.inputs) {
        if (given(options[name])) o.lifetime_ranges[name] = parseRange(name, options[name]);
      }
      o.lifetime = given(options.lifetime) || Object.keys(o.lifetime_ranges).length > 0;
      const custom = {};
      for (const name of RULES.custom_prices) {
        custom[name] = given(options[name]) ? parsePrice(name, options[name]) : null;
      }
      for (const name of Object.keys(RULES.custom_ranges)) {
        custom[name] = given(options[name]) ? parseRange(name, options[name]) : null;
      }
      // quote's --set: every other row the model reads, by name, only when given.
      for (const name of RULES.settable) {
        if (name in RULES.custom_ranges || !given(options[name])) continue;
        if (name === "output_token_share" && o.output_share !== null) {
          throw new QuoteError(name, "setting_output_share_twice");
        }
        custom[name] = parseRange(name, options[name]);
      }
      o.custom = custom;
      if (o.api === CUSTOM) {
        if (custom.usd_per_m_input === null || custom.usd_per_m_output === null) {
          throw new QuoteError("api", "custom_api_needs_prices");
        }
      } else {
        requireName("api", "--api", o.api, DATA.apis, RULES.nouns.api);
      }
      if (o.rent === null && custom.usd_per_gpu_hour !== null) {
        throw new QuoteError("usd_per_gpu_hour", "gpu_hour_needs_rent");
      }
      if (o.rent !== null && custom.usd_per_gpu !== null) {
        throw new QuoteError("usd_per_gpu", "gpu_price_needs_buy");
      }
      requireName("model", "--model", o.model, DATA.models, RULES.nouns.model);
      requireName("gpu", "--gpu", o.gpu, DATA.gpus, RULES.nouns.gpu);
      requireName("precision", "--precision", o.precision, DATA.precisions, RULES.nouns.precision);
      const offers = DATA.rentals.filter((r) => r.gpu_id === o.gpu).map((r) => r.id).sort();
      const offersText = offers.length ? say("offers_for_gpu", { gpu: o.gpu, offers: offers.join(", ") })
        : say("no_offers_for_gpu", { gpu: o.gpu });
      if (o.rent === CUSTOM) {
        if (custom.usd_per_gpu_hour === null) throw new QuoteError("rent", "custom_rent_needs_price");
      } else if (o.rent !== null) {
        const offer = byId(DATA.rentals, o.rent);
        if (!offer) throw new QuoteError("rent", "unknown_rent", { offer: pyRepr(o.rent), offers: offersText });
        if (offer.gpu_id !== o.gpu) {
          throw new QuoteError("rent", "rent_other_gpu", { offer: pyRepr(o.rent), rented: offer.gpu_id,
            gpu: pyRepr(o.gpu), offers: offersText });
        }
      } else if (custom.usd_per_gpu === null && byId(DATA.gpus, o.gpu).purchase === null) {
        const priced = DATA.gpus.filter((g) => g.purchase !== null).map((g) => g.id).sort().join(", ");
        throw new QuoteError("gpu", "no_purchase_price", { gpu: pyRepr(o.gpu), priced, offers: offersText });
      }
      return o;
    }

    // ------------------------------------------------------------------ the hybrid (analysis/model/hybrid.py)

    // hybrid._daily_shape: a weekday's 24 loads over the day's mean, T + (P - T) x wave ** q, q bisected.
    function dailyShape(p, t) {
      if (!(p > t)) return Array(RULES.hybrid.hours_per_day).fill(1.0);
      const hours = [...Array(RULES.hybrid.hours_per_day).keys()];
      const wave = hours.map((h) => (1 + Math.cos(2 * Math.PI * (h - RULES.hybrid.peak_hour)
        / RULES.hybrid.hours_per_day)) / 2);
      const target = (1 - t) / (p - t);
      let low = 1e-3;
      let high = 1e3;
      for (let i = 0; i < 80; i += 1) {
        const q = Math.sqrt(low * high);
        const mean = wave.reduce((sum, x) => sum + x ** q, 0) / wave.length;
        if (mean > target) low = q; else high = q;
      }
      const q = Math.sqrt(low * high);
      return wave.map((x) => t + (p - t) * x ** q);
    }

    // hybrid.weekly_profile: 168 hourly loads from Monday 00:00, mean 1.
    function weeklyProfile(p, t, w) {
      const weekdayMean = 7 / (5 + 2 * w);
      const day = dailyShape(p / weekdayMean, t / weekdayMean).map((x) => x * weekdayMean);
      const week = [];
      for (let d = 0; d < 7; d += 1) {
        const factor = RULES.hybrid.weekend_days.includes(d) ? w : 1.0;
        for (const x of day) week.push(x * factor);
      }
      const mean = week.reduce((sum, x) => sum + x, 0) / week.length;
      return week.map((x) => x / mean);
    }

    // evaluation.hybrid.named_profile: per case [favourable, base, unfavourable], each figure at its end.
    function namedProfile(name) {
      const rows = DATA.traffic_profiles[name];
      const cases = {};
      for (const parameter of RULES.hybrid.parameters) {
        const row = rows[parameter];
        cases[parameter] = orderedCases(row.low, (row.low + row.high) / 2, row.high, RULES.hybrid.favours[parameter]);
      }
      const load = CASES.map((_, k) => weeklyProfile(cases.peak_over_mean[k], cases.trough_over_mean[k],
        cases.weekend_factor[k]));
      return { name, load, burst: cases.burst_headroom, source: `traffic_profiles.csv, profile ${name}` };
    }

    // spine.fleet_usd_per_month summed in spine.LINES["buy"] order, for serving GPUs and their spares.
    function ownedUsdPerMonth(c, v, serving) {
      const spares = serving >= v.spare_min_serving_gpus ? Math.ceil(round9(serving * v.spare_gpu_share)) : 0.0;
      const owned = (capex1) => capex1 * (1 - v.residual_value_share) / v.amortization_months
        + capex1 * (1 + v.residual_value_share) / 2 * v.cost_of_capital_per_year / 12;
      const power = 1.0 * c.tdp_watts * v.server_power_factor * v.pue * v.hours_per_month / 1000
        * v.electricity_usd_per_kwh;
      const facility = 1.0 * c.tdp_watts * v.server_power_factor / 1000 * v.colocation_usd_per_kw_month;
      const perGpu = owned(v.usd_per_gpu) + owned(v.server_usd_per_gpu) + (power + facility);
      const engineerMonth = v.ml_engineer_usd_per_year / 12 * 1.0;
      const engineers = Math.max(v.oncall_engineers_min, v.engineer_allocation + serving / v.gpus_per_engineer);
      const downtime = v.revenue_at_risk_usd_per_month * Math.max(v.api_uptime - v.selfhost_uptime, 0.0);
      const lines = [owned(v.usd_per_gpu) * serving, owned(v.server_usd_per_gpu) * serving, power * serving,
        facility * serving, perGpu * spares, engineerMonth * engineers, downtime, v.networking_storage_usd_per_month,
        v.monitoring_usd_per_month];
      return lines.reduce((sum, x) => sum + x, 0);
    }

    // spine.rented_fleet_usd_per_month summed in spine.LINES["rent"] order: GPUs rented around the clock.
    function rentedUsdPerMonth(v, rented) {
      const engineers = Math.max(v.oncall_engineers_min, v.engineer_allocation + rented / v.gpus_per_engineer);
      const downtime = v.revenue_at_risk_usd_per_month * Math.max(v.api_uptime - v.selfhost_uptime, 0.0);
      const lines = [1.0 * v.usd_per_gpu_hour * v.hours_per_month * rented,
        v.ml_engineer_usd_per_year / 12 * 1.0 * engineers, downtime, v.networking_storage_usd_per_month,
        v.monitoring_usd_per_month];
      return lines.reduce((sum, x) => sum + x, 0);
    }

    // evaluation.hybrid.evaluate: all API, all self-host at the profile's peak, and the cheapest owned count.
    function hybridEvaluate(o, profile) {
      const sit = resolve(o);
      const over = o.overflow === null || o.overflow === o.api ? sit : resolve({ ...o, api: o.overflow });
      const hard = o.hard_share;
      const peak = profile.load.map((load, k) => Math.max(...load) * profile.burst[k]);
      const values = caseValueSets(sit).map((v, k) => ({ ...v, peak_to_average: peak[k] }));
      const volume = o.tokens_per_month;
      const soft = volume * (1 - hard);
      const out = {};
      CASES.forEach((name, k) => {
        const v = values[k];
        const whole = evaluateOne(sit, v, [volume]);
        const fleet = hard ? evaluateOne(sit, v, [soft]) : whole;
        const overPrice = evaluateOne(over, v, [soft]).api_usd_per_token;
        const row = fleet.volumes[0];
        const load = profile.load[k];
        // a rented fleet (sit.rental_offer_id): the spine's rented replica, no spares
        const rent = sit.rental_offer_id !== null;
        const perReplica = rent ? row.rent_gpus_per_replica : row.gpus_per_replica;
        const replicas = rent ? row.rent_gpus / row.rent_gpus_per_replica : row.replicas;
        const capacityMonth = rent ? row.rent_replica_tokens_per_month : row.replica_tokens_per_month;
        const k1 = capacityMonth * Math.max(...load) / v.hours_per_month;
        const most = Math.min(Number.isFinite(replicas) ? replicas : 0, RULES.hybrid.max_owned_replicas);
        let best = 0;
        let bestCost = Infinity;
        let bestOverflow = soft;
        for (let count = 0; count <= most; count += 1) {
          let overflow = soft;
          if (count > 0) {
            overflow = load.reduce((sum, x) => sum + Math.max(0.0, soft / v.hours_per_month * x - count * k1), 0)
              * v.hours_per_month / load.length;
          }
          const owned = count === 0 ? 0.0 : rent ? rentedUsdPerMonth(v, count * perReplica)
            : ownedUsdPerMonth(sit.constants, v, count * perReplica);
          const cost = owned + overflow * overPrice;
          if (cost < bestCost) { best = count; bestCost = cost; bestOverflow = overflow; }
        }
        const wholeRow = whole.volumes[0];
        const allApi = wholeRow.api_usd_per_month;
        const allSelf = rent ? wholeRow.rent_usd_per_month : wholeRow.buy_usd_per_month;
        const allReplicas = rent ? wholeRow.rent_gpus / wholeRow.rent_gpus_per_replica : wholeRow.replicas;
        let total = volume * hard * whole.api_usd_per_token + bestCost;
        const served = soft - bestOverflow;
        let owned = best;
        let inHouse = soft > 0 ? served / soft : 0.0;
        let utilization = best > 0 ? served / (best * k1 * v.hours_per_month) : NaN;
        if (!hard) {
          // an end the search could not reach, or reached a last bit dearer: that end, with its own figures
          if (allSelf < total) {
            total = allSelf; owned = allReplicas; inHouse = 1.0;
            utilization = volume / (allReplicas * k1 * v.hours_per_month);
          } else if (allApi < total) {
            total = allApi; owned = 0.0; inHouse = 0.0; utilization = NaN;
          }
        }
        out[name] = {
          all_api_usd_per_month: allApi, all_selfhost_usd_per_month: allSelf, hybrid_usd_per_month: total,
          owned_replicas: owned, all_selfhost_replicas: allReplicas, gpus_per_replica: perReplica,
          in_house_share: inHouse * (1 - hard), utilization, peak_to_average: peak[k],
          saving_vs_api: 1 - total / allApi, saving_vs_selfhost: 1 - total / allSelf,
        };
      });
      for (const name of CASES) {
        for (const key of Object.keys(out[name])) out[name][key] = finiteOrNull(out[name][key]);
      }
      return { traffic: profile.name, source: profile.source, overflow_offer_id: o.overflow ?? o.api,
        hard_share: hard, fleet: o.rent === null ? "bought" : "rented", rental_offer_id: o.rent, cases: out };
    }

    // ------------------------------------------------------------------ over the hardware's life (analysis/model/lifetime.py)

    // evaluation.lifetime.case_values: each lifetime input per case, from the record or the reader's range.
    function lifetimeCaseValues(o) {
      const out = {};
      for (const name of RULES.lifetime.inputs) {
        const given = o.lifetime_ranges[name];
        const [low, high] = given ?? [DATA.assumptions[name].low, DATA.assumptions[name].high];
        out[name] = orderedCases(low, (low + high) / 2, high, RULES.lifetime.favours[name]);
      }
      return out;
    }

    // evaluation.lifetime.evaluate for one case: the monthly figures and those over the life.
    function lifetimeOne(sit, v, life, volume) {
      const horizon = v.amortization_months;
      const months = [...Array(Math.ceil(horizon)).keys()].filter((m) => m < horizon);
      const r = v.cost_of_capital_per_year;
      // the last month weighted by its part inside the horizon (lifetime.discount_factors)
      const d = months.map((m) => (1 + r) ** (-m / 12.0) * Math.min(Math.max(horizon - m, 0.0), 1.0));
      const dEnd = (1 + r) ** (-horizon / 12.0);
      const annuity = d.reduce((sum, x) => sum + x, 0);
      const growth = months.map((m) => (1 + life.volume_growth_per_year) ** (m / 12.0));
      const decline = months.map((m) => (1 - life.api_price_decline_per_year) ** (m / 12.0));
      const gain = months.map((m) => (1 + life.gpu_throughput_gain_per_year) ** (m / 12.0));
      const peak = Math.max(...months.map((m, i) => growth[i] / gain[i]));
      const apiFactor = months.reduce((sum, m, i) => sum + growth[i] * decline[i] * d[i], 0) / annuity / peak;
      const lifeValues = { ...v, ...life, amortization_months: annuity,
        residual_value_share: v.residual_value_share * dEnd, cost_of_capital_per_year: 0.0 };
      // the GPU-hour's price along its own path (lifetime.spine_values)
      const rental = months.map((m) => (1 + (life.rental_price_ratio_per_year - 1)) ** (m / 12.0));
      lifeValues.usd_per_gpu_hour = v.usd_per_gpu_hour * months.reduce((sum, m, i) => sum + rental[i] * d[i], 0)
        / annuity;
      const constants = { ...sit.constants };
      for (const name of ["usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input"]) {
        constants[name] *= apiFactor;
      }
      const staticResult = evaluateOne(sit, v, [volume]);
      if (sit.rental_offer_id !== null) {
        // evaluation.lifetime._evaluate_rent: renting buys nothing, so there is no payback
        const rented = evaluateOne({ ...sit, constants }, lifeValues, [volume * peak]);
        const beRent = rented.rent_breakeven_tokens_per_month / peak;
        return {
          static_breakeven_api_usd_per_month: staticResult.rent_breakeven_api_usd_per_month,
          life_breakeven_api_usd_per_month: Number.isFinite(beRent) ? beRent * staticResult.api_usd_per_token
            : Infinity,
          life_breakeven_tokens_per_month: beRent, static_payback_months: NaN, life_payback_months: NaN,
          api_npv_usd: rented.volumes[0].api_usd_per_month * annuity,
          selfhost_npv_usd: rented.volumes[0].rent_usd_per_month * annuity, horizon_months: horizon,
        };
      }
      const lifeResult = evaluateOne({ ...sit, constants }, lifeValues, [volume * peak]);
      const row = lifeResult.volumes[0];
      const be = lifeResult.buy_breakeven_tokens_per_month / peak;
      const apiPerToken = staticResult.api_usd_per_token;
      const capex = row.buy_capex_usd;
      const serving = row.gpus - row.spare_gpus;
      const line = (name) => row[`buy_${name}_usd_per_month`];
      const running = serving ? (line("power") + line("facility")) / serving : 0.0;
      const cash = line("power") + line("facility") + running * row.spare_gpus + line("engineers") + line("downtime")
        + line("networking_storage") + line("monitoring");
      // lifetime.payback_month: the cumulative discounted saving, the resale in the last month, a fractional month.
      let cumulative = 0;
      let payback = Infinity;
      // no replica serves the model (gpus not a number): nothing to pay back
      for (let i = 0; Number.isFinite(row.gpus) && i < months.length; i += 1) {
        const before = cumulative;
        cumulative += (volume * apiPerToken * growth[i] * decline[i] - cash) * d[i];
        if (i === months.length - 1) cumulative += capex * v.residual_value_share * dEnd;
        if (cumulative >= capex) {
          payback = i + (cumulative > before ? (capex - before) / (cumulative - before) : 1.0);
          break;
        }
      }
      const staticRow = staticResult.volumes[0];
      return {
        static_breakeven_api_usd_per_month: staticResult.buy_breakeven_api_usd_per_month,
        life_breakeven_api_usd_per_month: Number.isFinite(be) ? be * apiPerToken : Infinity,
        life_breakeven_tokens_per_month: be, static_payback_months: staticRow.buy_payback_months,
        life_payback_months: payback, api_npv_usd: row.api_usd_per_month * annuity,
        selfhost_npv_usd: row.buy_usd_per_month * annuity, horizon_months: horizon,
      };
    }

    // quote --lifetime: the lifetime block of the answer, per case.
    function lifetimeRecord(o) {
      const sit = resolve(o);
      const values = caseValueSets(sit);
      const life = lifetimeCaseValues(o);
      const cases = {};
      CASES.forEach((name, k) => {
        const one = Object.fromEntries(RULES.lifetime.inputs.map((input) => [input, life[input][k]]));
        const figures = lifetimeOne(sit, values[k], one, o.tokens_per_month);
        cases[name] = { ...Object.fromEntries(Object.entries(figures).map(([key, x]) => [key, finiteOrNull(x)])),
          ...one };
      });
      return { fleet: o.rent === null ? "bought" : "rented", rental_offer_id: o.rent, cases };
    }

    // ------------------------------------------------------------------ the likely range (analysis/evaluation/uncertainty.py)

    // uncertainty.sample_inputs: input i at draw j takes uniform i x draws + j + 1: low + (high - low) x u, and a
    // whole unit floor(low + (high - low + 1) x u), at most high.
    function sampleInputs(sit, draws, seed) {
      const out = {};
      sit.inputs.forEach((input, i) => {
        const u = uniforms(seed, draws, i * draws);
        const whole = RULES.whole_units.includes(input.unit);
        out[input.name] = u.map((x) => (whole ? Math.min(Math.floor(input.low + (input.high - input.low + 1) * x),
          input.high) : input.low + (input.high - input.low) * x));
      });
      return out;
    }

    // quoting.make_quote's likely range, a few draws at a time: step(count) evaluates the next draws (true once all
    // are done), record() is quote's JSON block: the sampling, then [P10, P90] of each figure (null: never).
    function likelyJob(o, draws = RULES.likely.draws, seed = RULES.likely.seed) {
      const sit = resolve(o);
      const keys = RULES.likely.figures[o.rent === null ? "buy" : "rent"];
      const sample = sampleInputs(sit, draws, seed);
      const columns = Object.entries(sample);
      const drawn = Object.fromEntries(keys.map((key) => [key, new Float64Array(draws)]));
      // one value set, refilled for each draw (evaluateOne keeps no reference to it)
      const v = Object.fromEntries(columns.map(([name]) => [name, 0]));
      let next = 0;
      return {
        draws,
        step(count) {
          for (const end = Math.min(draws, next + count); next < end; next += 1) {
            for (const [name, column] of columns) v[name] = column[next];
            const result = evaluateOne(sit, v, [o.tokens_per_month], false);
            for (const key of keys) drawn[key][next] = key in result ? result[key] : result.volumes[0][key];
          }
          return next >= draws;
        },
        record() {
          const levels = RULES.likely.percentiles;
          return { draws, seed, percentiles: [...levels],
            ...Object.fromEntries(keys.map((key) => [key, percentiles(drawn[key], levels).map(finiteOrNull)])) };
        },
      };
    }

    // quote's likely block, all draws at once.
    function likelyRecord(o, draws = RULES.likely.draws, seed = RULES.likely.seed) {
      const job = likelyJob(o, draws, seed);
      job.step(draws);
      return job.record();
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

    // The page's one entry point for scripts and tests: quote's options in, quote's JSON out (the likely range over
    // `draws` draws: the report's unless a test asks for fewer, as make_quote's draws).
    function reportQuote(options, draws = RULES.likely.draws) {
      const o = checkOptions(options || {});
      const record = quoteRecord(o, model(o, [o.tokens_per_month]));
      record.likely = likelyRecord(o, draws);
      if (o.traffic !== null) record.hybrid = hybridEvaluate(o, namedProfile(o.traffic));
      if (o.lifetime) record.lifetime = lifetimeRecord(o);
      return record;
    }

    // The hybrid block of a quote with a traffic profile (quote --traffic), for the page.
    const hybridRecord = (o) => hybridEvaluate(o, namedProfile(o.traffic));

    return { DATA, RULES, CASES, CUSTOM, QuoteError, say, fill, pyRepr, pyFixed, given, byId, nan, checkOptions,
      model, quoteRecord, reportQuote, hybridRecord, lifetimeRecord, sampleInputs, likelyJob, likelyRecord };
  }

  const bound = new WeakMap();
  // Every function of the model for one record (bound once per record).
  function forRecord(record) {
    if (!bound.has(record)) bound.set(record, bind(record));
    return bound.get(record);
  }

  // quote's options in, what `quote --format json` prints out (a QuoteError, with its field, when refused); the
  // likely range over `draws` draws (the report's by default).
  const quote = (options, record, draws) => forRecord(record).reportQuote(options, draws);

  return { quote, forRecord, formats, pyFixed, uniforms, percentiles };
});
