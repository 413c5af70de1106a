/**
 * Micro-benchmarks of the hot path of verification: parsing one record line and computing the
 * canonical bytes of its payload, on a real line of the Python-written corpus.
 *
 * Run: `deno bench --allow-read bench/format_bench.ts`
 *
 * @module
 */

import { canonicalJson, canonicalJsonNode } from "../src/format/canonical_json.ts";
import { parseJson } from "../src/format/json_parse.ts";
import type { JsonObject } from "../src/format/json_value.ts";

const corpus = new URL("../tests/testdata/corpus/python-small/", import.meta.url);
const segment = [...Deno.readDirSync(corpus)].find((e) => e.name.endsWith(".jsonl"))!.name;
const line = Deno.readTextFileSync(new URL(segment, corpus)).split("\n")[0];
const bytes = new TextEncoder().encode(line);
const payload = (parseJson(bytes) as JsonObject).get("payload")!;
const plainPayload = JSON.parse(line).payload;

Deno.bench("JSON.parse (string line)", { group: "parse", baseline: true }, () => {
  JSON.parse(line);
});

Deno.bench("TextDecoder + JSON.parse (byte line)", { group: "parse" }, () => {
  JSON.parse(new TextDecoder().decode(bytes));
});

Deno.bench(`parseJson (${bytes.length}-byte line)`, { group: "parse" }, () => {
  parseJson(bytes);
});

Deno.bench(
  "JSON.stringify + encode (no sort, no NFC)",
  { group: "canonical", baseline: true },
  () => {
    new TextEncoder().encode(JSON.stringify(plainPayload));
  },
);

Deno.bench("canonicalJson (payload)", { group: "canonical" }, () => {
  canonicalJson(payload);
});

Deno.bench("canonicalJsonNode (payload)", { group: "canonical" }, () => {
  canonicalJsonNode(payload);
});

Deno.bench("parseJson + canonicalJson (line)", { group: "canonical" }, () => {
  canonicalJson((parseJson(bytes) as JsonObject).get("payload")!);
});
