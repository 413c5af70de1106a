/**
 * Regenerates `vectors/checkpoint/` deterministically (fixed seeds, fixed clock).
 *
 * Merkle roots and proofs for the Certificate Transparency reference tree are computed with
 * `src/checkpoint/merkle.ts` and checked against the values published with the CT reference
 * tests before anything is written; the run fails if they differ.
 *
 * Usage: deno run --allow-read --allow-write tools/gen_checkpoint_vectors.ts
 *
 * @module
 */

import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  MerkleBuilder,
} from "../src/checkpoint/merkle.ts";
import {
  formatNote,
  formatVerifierKey,
  noteKeyId,
  parseNote,
  SIG_TYPE_COSIGNATURE_V1,
  signNote,
} from "../src/checkpoint/note.ts";
import { formatCheckpoint } from "../src/checkpoint/checkpoint.ts";
import { cosign } from "../src/checkpoint/cosignature.ts";
import { formatProof } from "../src/checkpoint/tlog_proof.ts";

const OUT = new URL("../vectors/checkpoint/", import.meta.url);

// RFC 6962 reference leaves (certificate-transparency merkle tree tests).
const LEAVES_HEX = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
];
// Published roots for sizes 0..8.
const PUBLISHED_ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
// Published inclusion proofs: [index, size, proof].
const PUBLISHED_INCLUSION: [number, number, string[]][] = [
  [0, 1, []],
  [0, 8, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]],
  [5, 8, [
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
  [2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]],
  [1, 5, [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  ]],
];
// Published consistency proofs: [old size, new size, proof].
const PUBLISHED_CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]],
  [6, 8, [
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
  [2, 5, [
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  ]],
  [6, 7, [
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
];
// golang.org/x/mod/sumdb/note reference key and signed note.
const GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_NOTE = "If you think cryptography is the answer to your problem,\n" +
  "then you don't know what your problem is.\n\n" +
  "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngot" +
  "pRZb6KE6RyyBwJnAM=\n";

const ORIGIN = "example.com/spine-vectors";
const WITNESS = "witness.example.com/w1";
const FIXED_TIME = 1700000000;

const hex = (b: Uint8Array) => b.toHex();
const leafHashes = LEAVES_HEX.map((h) => leafHash(Uint8Array.fromHex(h)));
const getLeaf = (i: number) => leafHashes[i];

function rootOf(size: number): Uint8Array {
  const b = new MerkleBuilder();
  for (let i = 0; i < size; i++) b.append(leafHashes[i]);
  return b.root();
}

function check(label: string, got: string[] | string, want: string[] | string): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`Computed ${label} does not match the published value`);
  }
}

async function testKeyFromLabel(label: string) {
  const seed = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(label)),
  );
  const pkcs8 = new Uint8Array([
    ...Uint8Array.fromHex("302e020100300506032b657004220420"),
    ...seed,
  ]);
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, "Ed25519", true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  return {
    publicKey: Uint8Array.fromBase64(jwk.x!, { alphabet: "base64url" }),
    sign: async (m: Uint8Array) =>
      new Uint8Array(await crypto.subtle.sign("Ed25519", key, m.slice())),
  };
}

const files = new Map<string, unknown>();
function vector(name: string, data: Record<string, unknown>): void {
  if (files.has(name)) throw new Error(`Duplicate vector ${name}`);
  files.set(name, data);
}

// Merkle roots.
check("empty root", hex(emptyRoot()), PUBLISHED_ROOTS[0]);
for (let n = 0; n <= 8; n++) {
  check(`root of size ${n}`, hex(rootOf(n)), PUBLISHED_ROOTS[n]);
  vector(`merkle_root_size_${n}.json`, {
    kind: "merkle_root",
    description: `RFC 6962 reference tree, first ${n} leaves`,
    leaves_hex: LEAVES_HEX.slice(0, n),
    expected: { root_hex: PUBLISHED_ROOTS[n] },
  });
}

// Inclusion proofs: published ones, then failure cases derived from one of them.
for (const [index, size, proof] of PUBLISHED_INCLUSION) {
  check(`inclusion ${index}/${size}`, inclusionProof(index, size, getLeaf).map(hex), proof);
  vector(`inclusion_${index}_of_${size}.json`, {
    kind: "inclusion",
    description: `Published inclusion proof for leaf ${index} in the tree of ${size}`,
    leaves_hex: LEAVES_HEX.slice(0, size),
    index,
    size,
    leaf_hex: LEAVES_HEX[index],
    proof_hex: proof,
    root_hex: PUBLISHED_ROOTS[size],
    expected: { valid: true },
  });
}
const inc = PUBLISHED_INCLUSION[2];
const flipped = [...inc[2]];
flipped[1] = flipped[1].slice(0, 63) + (flipped[1].endsWith("e") ? "f" : "e");
const badInclusion: [string, string, Record<string, unknown>][] = [
  ["tampered_hash", "one proof hash has its last nibble changed", { proof_hex: flipped }],
  ["wrong_index", "valid proof presented for another index", { index: 4 }],
  ["truncated", "last proof hash dropped", { proof_hex: inc[2].slice(0, 2) }],
  ["extra_hash", "a hash appended to a valid proof", { proof_hex: [...inc[2], inc[2][0]] }],
  ["wrong_root", "root of a smaller tree", { root_hex: PUBLISHED_ROOTS[7] }],
  ["index_beyond_size", "index equal to the tree size", { index: 8 }],
];
for (const [name, description, change] of badInclusion) {
  vector(`inclusion_invalid_${name}.json`, {
    kind: "inclusion",
    description: `Invalid: ${description}`,
    leaves_hex: LEAVES_HEX,
    index: inc[0],
    size: inc[1],
    leaf_hex: LEAVES_HEX[inc[0]],
    proof_hex: inc[2],
    root_hex: PUBLISHED_ROOTS[8],
    ...change,
    expected: { valid: false },
  });
}

// Consistency proofs.
for (const [m, n, proof] of PUBLISHED_CONSISTENCY) {
  check(`consistency ${m}->${n}`, consistencyProof(m, n, getLeaf).map(hex), proof);
  vector(`consistency_${m}_to_${n}.json`, {
    kind: "consistency",
    description: `Published consistency proof from size ${m} to size ${n}`,
    leaves_hex: LEAVES_HEX.slice(0, n),
    old_size: m,
    new_size: n,
    proof_hex: proof,
    old_root_hex: PUBLISHED_ROOTS[m],
    new_root_hex: PUBLISHED_ROOTS[n],
    expected: { valid: true },
  });
}
const con = PUBLISHED_CONSISTENCY[2];
const conFlipped = [...con[2]];
conFlipped[0] = conFlipped[0].slice(0, 63) + "0";
const badConsistency: [string, string, Record<string, unknown>][] = [
  ["tampered_hash", "first proof hash altered", { proof_hex: conFlipped }],
  ["wrong_old_root", "old root of another size", { old_root_hex: PUBLISHED_ROOTS[5] }],
  ["wrong_new_root", "new root of another size", { new_root_hex: PUBLISHED_ROOTS[7] }],
  ["empty_proof", "empty proof for distinct sizes", { proof_hex: [] }],
  ["truncated", "last proof hash dropped", { proof_hex: con[2].slice(0, 2) }],
  ["old_larger", "old size larger than new size", { old_size: 8, new_size: 6 }],
];
for (const [name, description, change] of badConsistency) {
  vector(`consistency_invalid_${name}.json`, {
    kind: "consistency",
    description: `Invalid: ${description}`,
    leaves_hex: LEAVES_HEX,
    old_size: con[0],
    new_size: con[1],
    proof_hex: con[2],
    old_root_hex: PUBLISHED_ROOTS[con[0]],
    new_root_hex: PUBLISHED_ROOTS[con[1]],
    ...change,
    expected: { valid: false },
  });
}

// Signed notes.
const logKey = await testKeyFromLabel("spine checkpoint vectors: log key");
const witnessKey = await testKeyFromLabel("spine checkpoint vectors: witness key");
const logVkey = formatVerifierKey(ORIGIN, logKey.publicKey);
const witnessVkey = formatVerifierKey(WITNESS, witnessKey.publicKey, SIG_TYPE_COSIGNATURE_V1);
const body = formatCheckpoint({ origin: ORIGIN, size: 8, root: rootOf(8) });
const logSig = await signNote(body, ORIGIN, logKey.sign, logKey.publicKey);
const signed = formatNote(body, [logSig]);

vector("note_go_reference.json", {
  kind: "note",
  description: "golang.org/x/mod/sumdb/note reference note and key",
  vkey: GO_VKEY,
  note: GO_NOTE,
  expected: { verified: true, body: parseNote(GO_NOTE).body },
});
vector("note_checkpoint_signed.json", {
  kind: "note",
  description: "Checkpoint for the reference tree signed by the fixed-seed log key",
  vkey: logVkey,
  note: signed,
  expected: { verified: true, body },
});
vector("note_tampered_body.json", {
  kind: "note",
  description: "Signed checkpoint with the tree size changed after signing",
  vkey: logVkey,
  note: signed.replace("\n8\n", "\n9\n"),
  expected: { verified: false },
});
const otherKeySig = await signNote(body, ORIGIN, witnessKey.sign, witnessKey.publicKey);
vector("note_unknown_key_only.json", {
  kind: "note",
  description: "Only signature is from another key under the same name",
  vkey: logVkey,
  note: formatNote(body, [otherKeySig]),
  expected: { verified: false },
});
const sigLine = signed.slice(signed.lastIndexOf("\u2014"));
const noteErrors: [string, string, string][] = [
  ["control_character", "tab in the body", signed.replace(ORIGIN, ORIGIN + "\t")],
  ["missing_newline", "no final newline", signed.slice(0, -1)],
  ["missing_signatures", "no signature lines", body],
  ["malformed_signature_line", "hyphen instead of em dash", signed.replace("\u2014 ", "- ")],
  ["invalid_key_name", "key name with a plus", signed.replace(`\u2014 ${ORIGIN}`, "\u2014 a+b")],
  ["invalid_base64", "signature without base64 padding", signed.replace(/=\n$/, "\n")],
  ["duplicate_signature", "same signature line twice", signed + sigLine],
  ["invalid_utf8", "lone surrogate", signed.replace(ORIGIN, ORIGIN + "\ud800")],
];
for (const [code, description, note] of noteErrors) {
  vector(`note_error_${code}.json`, {
    kind: "note",
    description: `Malformed: ${description}`,
    vkey: logVkey,
    note,
    expected: { error: code },
  });
}

// Verifier keys.
vector("vkey_go_reference.json", {
  kind: "vkey",
  description: "golang.org/x/mod/sumdb/note reference vkey",
  vkey: GO_VKEY,
  expected: { name: "PeterNeumann", type: 1, key_id_hex: "c74f20a3" },
});
vector("vkey_cosigner.json", {
  kind: "vkey",
  description: "Fixed-seed witness key as a type 0x04 cosigner vkey",
  vkey: witnessVkey,
  expected: {
    name: WITNESS,
    type: 4,
    key_id_hex: noteKeyId(WITNESS, witnessKey.publicKey, 4).toString(16).padStart(8, "0"),
  },
});
const vkeyErrors: [string, string, string][] = [
  ["key_id_mismatch", "key ID of another key", GO_VKEY.replace("c74f20a3", "c74f20a4")],
  ["malformed_vkey", "uppercase key ID", GO_VKEY.replace("c74f20a3", "C74F20A3")],
  ["unsupported_key_type", "type byte 0x02", GO_VKEY.replace("+ARpc", "+Ahpc")],
  ["invalid_key_name", "empty name", GO_VKEY.replace("PeterNeumann", "")],
];
for (const [code, description, vkey] of vkeyErrors) {
  vector(`vkey_error_${code}.json`, {
    kind: "vkey",
    description: `Malformed: ${description}`,
    vkey,
    expected: { error: code },
  });
}

// Checkpoint bodies.
const rootB64 = rootOf(8).toBase64();
vector("checkpoint_reference_tree.json", {
  kind: "checkpoint",
  description: "Checkpoint body for the 8-leaf reference tree",
  body,
  expected: { origin: ORIGIN, size: 8, root_hex: PUBLISHED_ROOTS[8], extensions: [] },
});
vector("checkpoint_with_extension.json", {
  kind: "checkpoint",
  description: "Checkpoint body with one extension line",
  body: `${ORIGIN}\n8\n${rootB64}\next one\n`,
  expected: { origin: ORIGIN, size: 8, root_hex: PUBLISHED_ROOTS[8], extensions: ["ext one"] },
});
vector("checkpoint_empty_tree.json", {
  kind: "checkpoint",
  description: "Checkpoint body for the empty tree",
  body: `${ORIGIN}\n0\n${emptyRoot().toBase64()}\n`,
  expected: { origin: ORIGIN, size: 0, root_hex: PUBLISHED_ROOTS[0], extensions: [] },
});
const checkpointErrors: [string, string, string][] = [
  ["invalid_tree_size", "leading zero", `${ORIGIN}\n08\n${rootB64}\n`],
  ["invalid_tree_size", "plus sign", `${ORIGIN}\n+8\n${rootB64}\n`],
  ["invalid_tree_size", "above 2^53 - 1", `${ORIGIN}\n9007199254740992\n${rootB64}\n`],
  ["invalid_root_hash", "root of 31 bytes", `${ORIGIN}\n8\n${rootOf(8).slice(1).toBase64()}\n`],
  ["invalid_root_hash", "unpadded base64 root", `${ORIGIN}\n8\n${rootB64.slice(0, -1)}\n`],
  ["empty_origin", "empty origin", `\n8\n${rootB64}\n`],
  ["missing_line", "no root line", `${ORIGIN}\n8\n`],
  ["missing_newline", "no final newline", `${ORIGIN}\n8\n${rootB64}`],
  ["empty_extension_line", "blank extension line", `${ORIGIN}\n8\n${rootB64}\n\nx\n`],
];
const seenCodes = new Map<string, number>();
for (const [code, description, text] of checkpointErrors) {
  const n = (seenCodes.get(code) ?? 0) + 1;
  seenCodes.set(code, n);
  vector(`checkpoint_error_${code}_${n}.json`, {
    kind: "checkpoint",
    description: `Malformed: ${description}`,
    body: text,
    expected: { error: code },
  });
}

// Cosignatures.
const cosig = await cosign(body, WITNESS, FIXED_TIME, witnessKey.sign, witnessKey.publicKey);
const cosigned = formatNote(body, [logSig, cosig]);
vector("cosignature_valid.json", {
  kind: "cosignature",
  description: "Checkpoint signed by the log and cosigned by the witness at a fixed time",
  vkey: witnessVkey,
  note: cosigned,
  expected: { valid: true, timestamp: FIXED_TIME },
});
const cosigBlob = new Uint8Array(4 + cosig.signature.length);
new DataView(cosigBlob.buffer).setUint32(0, cosig.keyId);
cosigBlob.set(cosig.signature, 4);
const laterBlob = cosigBlob.slice();
laterBlob[4 + 7] ^= 1; // change the timestamp, keep the signature
vector("cosignature_invalid_timestamp_changed.json", {
  kind: "cosignature",
  description: "Cosignature whose timestamp was changed after signing",
  vkey: witnessVkey,
  note: cosigned.replace(cosigBlob.toBase64(), laterBlob.toBase64()),
  expected: { valid: false, reason: "bad_signature" },
});
vector("cosignature_invalid_plain_signature.json", {
  kind: "cosignature",
  description: "Witness key used as a plain 0x01 note signer is not a cosignature",
  vkey: witnessVkey,
  note: formatNote(body, [logSig, otherKeySig]),
  expected: { valid: false, reason: "no_signature" },
});

// tlog-proof bundles.
const proofText = formatProof({
  index: 5,
  proof: inclusionProof(5, 8, getLeaf),
  checkpoint: cosigned,
});
vector("tlog_proof_valid.json", {
  kind: "tlog_proof",
  description: "Proof for leaf 5 of the reference tree against the cosigned checkpoint",
  text: proofText,
  log_vkey: logVkey,
  leaf_hex: LEAVES_HEX[5],
  expected: { index: 5, valid: true },
});
vector("tlog_proof_valid_with_extra.json", {
  kind: "tlog_proof",
  description: "Proof with extra data for leaf 0",
  text: formatProof({
    extra: new TextEncoder().encode("spine extra"),
    index: 0,
    proof: inclusionProof(0, 8, getLeaf),
    checkpoint: cosigned,
  }),
  log_vkey: logVkey,
  leaf_hex: LEAVES_HEX[0],
  expected: { index: 0, valid: true, extra_hex: new TextEncoder().encode("spine extra").toHex() },
});
vector("tlog_proof_invalid_wrong_leaf.json", {
  kind: "tlog_proof",
  description: "Well-formed proof presented for another leaf's data",
  text: proofText,
  log_vkey: logVkey,
  leaf_hex: LEAVES_HEX[4],
  expected: { index: 5, valid: false },
});
const proofErrors: [string, string, string][] = [
  ["invalid_header", "wrong version", proofText.replace("@v1", "@v2")],
  ["invalid_index", "leading zero index", proofText.replace("index 5", "index 05")],
  ["index_out_of_range", "index beyond the tree", proofText.replace("index 5", "index 8")],
  [
    "invalid_proof_hash",
    "truncated proof hash",
    proofText.replace(/(index 5\n)[A-Za-z0-9+/]{4}/, "$1"),
  ],
  ["invalid_extra", "empty extra", proofText.replace("\nindex", "\nextra \nindex")],
  [
    "missing_signatures",
    "checkpoint without signatures",
    proofText.slice(0, proofText.indexOf("\n\n") + 2) + body,
  ],
];
for (const [code, description, text] of proofErrors) {
  vector(`tlog_proof_error_${code}.json`, {
    kind: "tlog_proof",
    description: `Malformed: ${description}`,
    text,
    log_vkey: logVkey,
    leaf_hex: LEAVES_HEX[5],
    expected: { error: code },
  });
}

// Write: remove stale JSON vectors, then write each file with a trailing newline.
await Deno.mkdir(OUT, { recursive: true });
for await (const entry of Deno.readDir(OUT)) {
  if (entry.isFile && entry.name.endsWith(".json")) await Deno.remove(new URL(entry.name, OUT));
}
for (const [name, data] of [...files].sort(([a], [b]) => a < b ? -1 : 1)) {
  await Deno.writeTextFile(new URL(name, OUT), JSON.stringify(data, null, 2) + "\n");
}
console.log(`Wrote ${files.size} vectors to ${OUT.pathname}`);
