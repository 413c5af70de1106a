/**
 * The upstream corpus: logs written by the Spine Python and Node SDKs, clean and tampered, with
 * the verdicts a correct verifier reports (tests/testdata/corpus/expected.json).
 */

import assert from "node:assert/strict";
import { parsePublicKey } from "../src/crypto/ed25519.ts";
import { verifyWal } from "../src/verify/verify_wal.ts";
import { copyToTemp, corpusTrust, findingKeys, testdata } from "./_helpers.ts";

const CORPUS = testdata("corpus");
const expected = JSON.parse(await Deno.readTextFile(`${CORPUS}/expected.json`));

for (const base of ["node-small", "python-small"]) {
  Deno.test(`verifyWal() verifies the clean ${base} log across its key rotation with only the root key pinned`, async () => {
    const dir = `${CORPUS}/${base}`;
    const report = await verifyWal(dir, { trustedKeys: await corpusTrust(dir) });
    const anchor = expected.anchors[base];
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.warnings, []);
    assert.equal(report.valid, true);
    assert.equal(report.events_verified, 1000);
    assert.equal(report.signatures_verified, 1000);
    assert.equal(report.last_sequence, anchor.head_seq);
    assert.equal(report.head_entry_hash, anchor.head_entry_hash);
    assert.equal(report.chain_root, anchor.chain_root_cli_style);
  });

  Deno.test(`verifyWal() warns unpinned_keys on ${base} when no key is pinned`, async () => {
    const report = await verifyWal(`${CORPUS}/${base}`);
    assert.equal(report.valid, true);
    assert.deepEqual(findingKeys(report.warnings), ["unpinned_keys@-"]);
    const strict = await verifyWal(`${CORPUS}/${base}`, { strict: true });
    assert.equal(strict.valid, false);
    assert.equal(strict.status, "FAILED_STRICT");
  });

  Deno.test(`verifyWal() rejects every record of ${base} under a key the log was not signed with`, async () => {
    const stranger = parsePublicKey(
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    const report = await verifyWal(`${CORPUS}/${base}`, { trustedKeys: [{ publicKey: stranger }] });
    assert.equal(report.valid, false);
    assert.equal(report.signatures_verified, 0);
    assert.equal(report.errors.filter((e) => e.error_type === "untrusted_key").length, 1000);
  });

  Deno.test(`verifyWal() reports root_mismatch on ${base} against a wrong expected root`, async () => {
    const dir = `${CORPUS}/${base}`;
    const report = await verifyWal(dir, {
      trustedKeys: await corpusTrust(dir),
      expectedRoot: "00".repeat(32),
    });
    assert.deepEqual(findingKeys(report.errors), ["root_mismatch@-"]);
  });
}

for (const variant of expected.variants) {
  const exp = variant.expected;
  Deno.test(`verifyWal() gives the expected verdict for ${variant.dir} (${variant.what})`, async () => {
    const dir = `${CORPUS}/${variant.dir}`;
    const report = await verifyWal(dir, { trustedKeys: await corpusTrust(dir) });
    if (exp.status === "TAMPERED") {
      assert.equal(report.valid, false);
      assert.deepEqual(
        findingKeys(report.errors),
        exp.errors.map((e: { type: string; seq: number }) => `${e.type}@${e.seq}`).sort(),
      );
    } else if (exp.status === "VERIFIED") {
      assert.deepEqual(report.errors, []);
      assert.equal(report.valid, true);
      if (exp.records !== undefined) assert.equal(report.events_verified, exp.records);
      if (exp.warnings?.length) assert.deepEqual(findingKeys(report.warnings), ["torn_tail@-"]);
      else assert.deepEqual(report.warnings, []);
    } else {
      // A cut tail: the chain alone is intact; chain_state.json and the anchor reveal it.
      assert.deepEqual(report.errors, []);
      assert.equal(report.events_verified, exp.observed_head_seq);
      assert.equal(report.head_entry_hash, exp.observed_head_entry_hash);
      assert.deepEqual(findingKeys(report.warnings), ["chain_state_mismatch@-"]);
      assert.match(report.warnings[0].details, /removed from the tail/);
      const anchored = await verifyWal(dir, {
        trustedKeys: await corpusTrust(dir),
        expectedRoot: exp.detect_by.expected_chain_root_cli_style,
      });
      assert.deepEqual(findingKeys(anchored.errors), ["root_mismatch@-"]);
    }
  });
}

Deno.test("verifyWal() reports the tampered corpus with --fail-fast at its first error", async () => {
  const dir = `${CORPUS}/tampered/node-small-d-ts-earlier-600`;
  const report = await verifyWal(dir, { trustedKeys: await corpusTrust(dir), failFast: true });
  assert.equal(report.valid, false);
  assert.ok(report.errors.length >= 1);
  assert.ok(report.errors.every((e) => e.sequence === 600));
  assert.ok(report.events_verified < 1000);
});

Deno.test("verifyWal() verifies python-edge, whose payloads hold exact big integers", async () => {
  const dir = `${CORPUS}/python-edge`;
  const report = await verifyWal(dir, { trustedKeys: await corpusTrust(dir) });
  assert.deepEqual(report.errors, []);
  assert.equal(report.events_verified, 9);
  assert.deepEqual(findingKeys(report.warnings), ["nfc_key_collision@7"]);
});

Deno.test("verifyWal() names each record of node-edge where the Node SDK's canonical form differs", async () => {
  const dir = `${CORPUS}/node-edge`;
  const report = await verifyWal(dir, { trustedKeys: await corpusTrust(dir) });
  const edge = JSON.parse(await Deno.readTextFile(`${CORPUS}/edge-cases.json`)).records
    .filter((r: { dir: string }) => r.dir === "node-edge");
  // Records whose stored hash the Python reference (= the Spine v1 text) does not reproduce.
  const divergent = edge.filter((r: { python_sdk: { matches_stored?: boolean } }) =>
    r.python_sdk.matches_stored !== true
  )
    .map((r: { seq: number }) => r.seq);
  assert.deepEqual(divergent, [2, 3, 6, 8]);
  // The dropped __proto__ key leaves content unprotected: an error. The rest are precise warnings.
  assert.deepEqual(findingKeys(report.errors), ["invalid_hash@8"]);
  assert.match(report.errors[0].details, /__proto__/);
  assert.deepEqual(findingKeys(report.warnings), [
    "nfc_key_collision@7",
    "node_canonicalization@2",
    "node_canonicalization@3",
    "node_canonicalization@6",
  ]);
  assert.match(report.warnings.find((w) => w.sequence === 2)!.details, /UTF-16/);
});

Deno.test("verifyWal() never writes to the directory it verifies", async () => {
  const dir = await copyToTemp(`${CORPUS}/tampered/node-small-h1-torn-tail-partial-line`);
  try {
    const before = await snapshot(dir);
    await verifyWal(dir, { trustedKeys: await corpusTrust(dir) });
    assert.deepEqual(await snapshot(dir), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(dir)) {
    const bytes = await Deno.readFile(`${dir}/${e.name}`);
    const info = await Deno.stat(`${dir}/${e.name}`);
    out[e.name] = `${bytes.length}:${info.mtime?.getTime()}:${
      new TextDecoder().decode(bytes.slice(-64))
    }`;
  }
  return out;
}
