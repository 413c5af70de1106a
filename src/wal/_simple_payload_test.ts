import assert from "node:assert/strict";
import { canonicalJson } from "../format/canonical_json.ts";
import { parseJson } from "../format/json_parse.ts";
import { canonicalizeSimple } from "./_simple_payload.ts";
import { preparePayload } from "./payload.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The general path: parse into the document model, check, canonicalize. */
function general(bytes: Uint8Array, cap: number): Uint8Array | Error {
  try {
    return preparePayload(parseJson(bytes), cap).canonical;
  } catch (e) {
    return e as Error;
  }
}

/** A deterministic generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  "a",
  "b",
  "ab",
  "B",
  "",
  "event_type",
  "__proto__",
  "z1",
  "a b",
  "é",
  "e\u0301",
  "\\n",
];
const STRINGS = [
  "",
  "x",
  "user.login",
  "a b",
  "\x7f",
  "é",
  "😀",
  '\\"',
  "\\u00e9",
  "\\n",
  "\t",
  "~",
];
const NUMBERS = [
  "0",
  "-0",
  "1",
  "-1",
  "007",
  "123456789012345",
  "-123456789012345",
  "1234567890123456",
  "9007199254740991",
  "9007199254740992",
  "1.5",
  "1.0",
  "1e3",
  "-",
  "2E1",
];

function generate(next: () => number, depth: number, simple: boolean): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const ws = () => (next() < 0.2 ? pick([" ", "\n", "\t", "\r", "  "]) : "");
  const r = next();
  if (depth < 4 && r < 0.3) {
    const n = Math.floor(next() * 5);
    const members = Array.from({ length: n }, () => {
      const key = simple ? pick(KEYS.slice(0, 9)) : pick(KEYS);
      return `${ws()}"${key}"${ws()}:${ws()}${generate(next, depth + 1, simple)}${ws()}`;
    });
    return `{${members.join(",")}${ws()}}`;
  }
  if (depth < 4 && r < 0.45) {
    const n = Math.floor(next() * 4);
    return `[${
      Array.from({ length: n }, () => ws() + generate(next, depth + 1, simple)).join(",")
    }${ws()}]`;
  }
  if (r < 0.7) return `"${simple ? pick(STRINGS.slice(0, 6)) : pick(STRINGS)}"`;
  if (r < 0.9) return simple ? pick(NUMBERS.slice(0, 7)) : pick(NUMBERS);
  return pick(["true", "false", "null"]);
}

function mutate(next: () => number, text: string): string {
  const i = Math.floor(next() * (text.length + 1));
  const r = next();
  if (r < 0.3) return text.slice(0, i);
  if (r < 0.6) return text.slice(0, i) + text.slice(i + 1);
  return text.slice(0, i) + '{}[]",:1-.e \\x'[Math.floor(next() * 15)] + text.slice(i);
}

Deno.test("canonicalizeSimple() equals the general path byte for byte, or declines", () => {
  const next = rng(20261127);
  let taken = 0;
  for (let i = 0; i < 20_000; i++) {
    const simple = next() < 0.5;
    let text = `{${`"k${i % 7}":`}${generate(next, 1, simple)}}`;
    if (next() < 0.3) text = generate(next, 0, simple);
    if (next() < 0.25) text = mutate(next, text);
    const bytes = encoder.encode(text);
    const cap = next() < 0.1 ? 8 : 1 << 20;
    const fast = canonicalizeSimple(bytes, cap);
    const slow = general(bytes, cap);
    if (fast === undefined) continue;
    taken++;
    assert.ok(
      slow instanceof Uint8Array,
      `fast path accepted what the general path refuses: ${text}`,
    );
    assert.equal(decoder.decode(fast), decoder.decode(slow), text);
  }
  assert.ok(taken > 5_000, `only ${taken} texts took the fast path`);
});

Deno.test("canonicalizeSimple() takes typical events and sorts nested members", () => {
  const text = ' {"event_type":"user.login","actor":"user-1@example.com","ip":"10.1.0.1","i":1,' +
    '"ctx":{"z":[1,{"b":null,"a":true}],"a":-5}} ';
  const fast = canonicalizeSimple(encoder.encode(text), 1 << 20);
  assert.ok(fast !== undefined);
  assert.equal(
    decoder.decode(fast),
    decoder.decode(canonicalJson(parseJson(encoder.encode(text)))),
  );
  assert.equal(
    decoder.decode(fast),
    '{"actor":"user-1@example.com","ctx":{"a":-5,"z":[1,{"a":true,"b":null}]},' +
      '"event_type":"user.login","i":1,"ip":"10.1.0.1"}',
  );
});

Deno.test("canonicalizeSimple() declines what it does not handle, leaving the error to the general path", () => {
  for (
    const text of [
      '{"a":1,"a":2}',
      '{"a":1.5}',
      '{"a":-0}',
      '{"a":1234567890123456}',
      '{"a":"\\u0041"}',
      '{"é":1}',
      '{"a":"\x01"}',
      "[1]",
      '{"a":1} x',
      '{"a":1,}',
      "\ufeff{}",
      "{" + '"a":['.repeat(40) + "]".repeat(40) + "}",
    ]
  ) {
    assert.equal(canonicalizeSimple(encoder.encode(text), 1 << 20), undefined, text);
  }
  assert.equal(canonicalizeSimple(encoder.encode('{"a":"xyz"}'), 10), undefined);
  assert.ok(canonicalizeSimple(encoder.encode('{"a":"xyz"}'), 11) !== undefined);
});
