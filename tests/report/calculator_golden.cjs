// The calculator's model under Node, against quote's golden answers (tests/report/test_calculator_model.py).
//
//   node calculator_golden.cjs MODEL.js RECORD.json GOLDEN.json.gz
//
// prints {"checked": N, "failures": [...]}: every figure that differs from quote's by more than 1e-9 (relative),
// every null on one side only, every key missing, every refusal in other words, and every crash. The likely range is
// drawn as many times as quote's answer says (likely.draws: the report's 10,000 in some situations, fewer in most).
"use strict";

const fs = require("fs");
const zlib = require("zlib");

const [modelPath, recordPath, goldenPath] = process.argv.slice(2);
const model = require(modelPath);
const record = JSON.parse(fs.readFileSync(recordPath, "utf8"));
const golden = JSON.parse(zlib.gunzipSync(fs.readFileSync(goldenPath)).toString("utf8"));
const TOLERANCE = 1e-9;

function same(a, b) {
  if (a === null || b === null || a === undefined || b === undefined) return a === b || (a == null && b == null);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a === b || Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

function differences(want, got) {
  const out = [];
  const keys = new Set([...Object.keys(want.situation), ...Object.keys(got.situation)]);
  for (const key of keys) {
    if (key === "custom") {
      for (const name of Object.keys(want.situation.custom)) {
        if (!same(want.situation.custom[name], got.situation.custom[name])) out.push(`custom.${name}`);
      }
    } else if (!same(want.situation[key], got.situation[key])) {
      out.push(`situation.${key}: ${JSON.stringify(want.situation[key])} != ${JSON.stringify(got.situation[key])}`);
    }
  }
  for (const [name, figures] of Object.entries(want.cases)) {
    const other = got.cases[name] || {};
    for (const [key, value] of Object.entries(figures)) {
      if (!same(value, other[key])) out.push(`${name}.${key}: ${value} != ${other[key]}`);
    }
    for (const key of Object.keys(other)) if (!(key in figures)) out.push(`${name}.${key}: not in quote's answer`);
  }
  if (want.fragile !== got.fragile) out.push(`fragile: ${JSON.stringify(want.fragile)} != ${JSON.stringify(got.fragile)}`);
  // the hybrid fleet (quote --traffic): its head and every figure of every case
  if (("hybrid" in want) !== ("hybrid" in got)) out.push(`hybrid: ${"hybrid" in want} != ${"hybrid" in got}`);
  else if ("hybrid" in want) {
    for (const key of ["traffic", "source", "overflow_offer_id", "hard_share"]) {
      if (!same(want.hybrid[key], got.hybrid[key])) out.push(`hybrid.${key}: ${want.hybrid[key]} != ${got.hybrid[key]}`);
    }
    for (const [name, figures] of Object.entries(want.hybrid.cases)) {
      const other = got.hybrid.cases[name] || {};
      for (const [key, value] of Object.entries(figures)) {
        if (!same(value, other[key])) out.push(`hybrid.${name}.${key}: ${value} != ${other[key]}`);
      }
    }
  }
  // the likely range (P10-P90 of the sampled inputs): the sampling and both ends of every figure
  if (("likely" in want) !== ("likely" in got)) out.push(`likely: ${"likely" in want} != ${"likely" in got}`);
  else if ("likely" in want) {
    const keys = new Set([...Object.keys(want.likely), ...Object.keys(got.likely)]);
    for (const key of keys) {
      if (!same(want.likely[key], got.likely[key])) {
        out.push(`likely.${key}: ${JSON.stringify(want.likely[key])} != ${JSON.stringify(got.likely[key])}`);
      }
    }
  }
  // over the hardware's life (quote --lifetime): every figure of every case
  if (("lifetime" in want) !== ("lifetime" in got)) out.push(`lifetime: ${"lifetime" in want} != ${"lifetime" in got}`);
  else if ("lifetime" in want) {
    for (const [name, figures] of Object.entries(want.lifetime.cases)) {
      const other = got.lifetime.cases[name] || {};
      for (const [key, value] of Object.entries(figures)) {
        if (!same(value, other[key])) out.push(`lifetime.${name}.${key}: ${value} != ${other[key]}`);
      }
    }
  }
  return out;
}

const failures = [];
for (const vector of golden.vectors) {
  const where = JSON.stringify(vector.options);
  try {
    const got = model.quote(vector.options, record, "quote" in vector ? vector.quote.likely.draws : undefined);
    if ("refused" in vector) failures.push(`${where}: quoted, where quote refuses: ${vector.refused}`);
    else for (const problem of differences(vector.quote, got)) failures.push(`${where}: ${problem}`);
  } catch (error) {
    if (error.key === undefined) failures.push(`${where}: crashed: ${error.stack || error}`);
    else if (!("refused" in vector)) failures.push(`${where}: refused, where quote answers: ${error.message}`);
    else if (error.message !== vector.refused) failures.push(`${where}: ${JSON.stringify(error.message)} != ${JSON.stringify(vector.refused)}`);
  }
}
process.stdout.write(JSON.stringify({ checked: golden.vectors.length, failures }) + "\n");
