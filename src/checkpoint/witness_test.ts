import assert from "node:assert/strict";
import { signingKeyFromSeed } from "../crypto/keys.ts";
import { formatCheckpoint } from "./checkpoint.ts";
import { formatConsistencyProof } from "./consistency.ts";
import { verifyCosignature } from "./cosignature.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import { consistencyProof, leafHash, MerkleBuilder } from "./merkle.ts";
import { formatNote, parseNote, signNote } from "./note.ts";
import {
  cosignCheckpoint,
  type CosignCheckpointOptions,
  readWitnessState,
  stateFileName,
  WITNESS_LOCK_FILE,
  WitnessRefusal,
  type WitnessRefusalReason,
  WitnessStateError,
} from "./witness.ts";

const ORIGIN = "example.com/witness-test";
const NOW = 1700000000;
const logKey = await signingKeyFromSeed(new Uint8Array(32).fill(1));
const otherKey = await signingKeyFromSeed(new Uint8Array(32).fill(9));
const witnessKey = await signingKeyFromSeed(new Uint8Array(32).fill(2));
const witness2Key = await signingKeyFromSeed(new Uint8Array(32).fill(3));

/** Leaf hashes of a history; `fork` changes the leaves from that index on. */
function leaves(count: number, fork = Infinity): Uint8Array[] {
  return Array.from(
    { length: count },
    (_, i) => leafHash(new TextEncoder().encode(`${i >= fork ? "fork" : "main"} ${i}`)),
  );
}

function rootOf(hashes: Uint8Array[]): Uint8Array {
  const b = new MerkleBuilder();
  for (const h of hashes) b.append(h);
  return b.root();
}

async function note(
  hashes: Uint8Array[],
  key = logKey,
  name = ORIGIN,
  origin = ORIGIN,
): Promise<string> {
  const body = formatCheckpoint({ origin, size: hashes.length, root: rootOf(hashes) });
  return formatNote(body, [await signNote(body, name, (m) => key.sign(m), key.publicKey.bytes)]);
}

function proof(history: Uint8Array[], oldSize: number, newSize = history.length): string {
  return formatConsistencyProof({
    oldSize,
    newSize,
    proof: consistencyProof(oldSize, newSize, (i) => history[i]),
  });
}

async function withState(fn: (stateDir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spine-witness-" });
  try {
    await fn(`${dir}/state`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function options(
  stateDir: string,
  checkpointNote: string,
  extra: Partial<CosignCheckpointOptions> = {},
): CosignCheckpointOptions {
  return {
    stateDir,
    witnessKey,
    witnessName: "witness.example/w1",
    logKeys: [logKey.publicKey],
    checkpointNote,
    now: NOW,
    ...extra,
  };
}

async function assertRefused(
  promise: Promise<unknown>,
  reason: WitnessRefusalReason,
  message: RegExp,
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof WitnessRefusal, String(e));
    assert.equal(e.reason, reason, e.message);
    assert.equal(e.origin, ORIGIN);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("cosignCheckpoint() accepts the first sighting of an origin and records its state", async () => {
  await withState(async (stateDir) => {
    const history = leaves(5);
    const input = await note(history);
    const result = await cosignCheckpoint(options(stateDir, input));
    assert.equal(result.previous, undefined);
    assert.equal(result.checkpoint.size, 5);
    assert.ok(result.note.startsWith(input), "the log's signature line is kept first");
    const parsed = parseNote(result.note);
    assert.equal(parsed.signatures.length, 2);
    const cosig = await verifyCosignature(
      parsed,
      "witness.example/w1",
      witnessKey.publicKey.bytes,
    );
    assert.deepEqual(cosig, { valid: true, timestamp: NOW });
    const stored = JSON.parse(await Deno.readTextFile(`${stateDir}/${stateFileName(ORIGIN)}`));
    assert.deepEqual(stored, {
      origin: ORIGIN,
      size: 5,
      root: rootOf(history).toBase64(),
      updated_at: "2023-11-14T22:13:20Z",
    });
    const state = await readWitnessState(stateDir, ORIGIN);
    assert.equal(state?.size, 5);
  });
});

Deno.test("cosignCheckpoint() cosigns the same checkpoint again and replaces its own earlier line", async () => {
  await withState(async (stateDir) => {
    const history = leaves(5);
    const first = await cosignCheckpoint(options(stateDir, await note(history)));
    const again = await cosignCheckpoint(options(stateDir, first.note, { now: NOW + 60 }));
    assert.equal(again.previous?.size, 5);
    assert.deepEqual(again.previous?.root, rootOf(history));
    const parsed = parseNote(again.note);
    assert.equal(parsed.signatures.length, 2);
    const cosig = await verifyCosignature(
      parsed,
      "witness.example/w1",
      witnessKey.publicKey.bytes,
    );
    assert.deepEqual(cosig, { valid: true, timestamp: NOW + 60 });
  });
});

Deno.test("cosignCheckpoint() keeps other witnesses' cosignatures", async () => {
  await withState(async (stateDir) => {
    const first = await cosignCheckpoint(options(stateDir, await note(leaves(3))));
    const second = await cosignCheckpoint(
      options(`${stateDir}2`, first.note, {
        witnessKey: witness2Key,
        witnessName: "witness.example/w2",
      }),
    );
    const parsed = parseNote(second.note);
    assert.deepEqual(parsed.signatures.map((s) => s.name), [
      ORIGIN,
      "witness.example/w1",
      "witness.example/w2",
    ]);
    assert.ok(
      (await verifyCosignature(parsed, "witness.example/w1", witnessKey.publicKey.bytes)).valid,
    );
    assert.ok(
      (await verifyCosignature(parsed, "witness.example/w2", witness2Key.publicKey.bytes)).valid,
    );
    await Deno.remove(`${stateDir}2`, { recursive: true });
  });
});

Deno.test("cosignCheckpoint() accepts growth with a valid consistency proof and advances the state", async () => {
  await withState(async (stateDir) => {
    const history = leaves(13);
    await cosignCheckpoint(options(stateDir, await note(history.slice(0, 5))));
    const result = await cosignCheckpoint(
      options(stateDir, await note(history), { proof: proof(history, 5) }),
    );
    assert.equal(result.previous?.size, 5);
    assert.equal((await readWitnessState(stateDir, ORIGIN))?.size, 13);
    assert.deepEqual((await readWitnessState(stateDir, ORIGIN))?.root, rootOf(history));
  });
});

Deno.test("cosignCheckpoint() refuses growth without a proof as missing_proof and keeps the state", async () => {
  await withState(async (stateDir) => {
    const history = leaves(13);
    await cosignCheckpoint(options(stateDir, await note(history.slice(0, 5))));
    await assertRefused(
      cosignCheckpoint(options(stateDir, await note(history))),
      "missing_proof",
      /grew from the cosigned size 5 \(root .+\) to size 13 .*consistency proof from size 5 to 13/,
    );
    assert.equal((await readWitnessState(stateDir, ORIGIN))?.size, 5);
  });
});

Deno.test("cosignCheckpoint() refuses a proof between other sizes as bad_proof", async () => {
  await withState(async (stateDir) => {
    const history = leaves(13);
    await cosignCheckpoint(options(stateDir, await note(history.slice(0, 5))));
    await assertRefused(
      cosignCheckpoint(options(stateDir, await note(history), { proof: proof(history, 4) })),
      "bad_proof",
      /from size 4 to 13, but the witness needs size 5 to 13/,
    );
    await assertRefused(
      cosignCheckpoint(
        options(stateDir, await note(history), { proof: proof(history.slice(0, 12), 5) }),
      ),
      "bad_proof",
      /from size 5 to 12/,
    );
    assert.equal((await readWitnessState(stateDir, ORIGIN))?.size, 5);
  });
});

Deno.test("cosignCheckpoint() refuses a proof that does not verify as a fork", async () => {
  await withState(async (stateDir) => {
    const history = leaves(13);
    await cosignCheckpoint(options(stateDir, await note(history.slice(0, 5))));
    const good = consistencyProof(5, 13, (i) => history[i]);
    const tampered = good.map((h, i) => (i === 0 ? h.map((b) => b ^ 1) : h));
    const bad = formatConsistencyProof({ oldSize: 5, newSize: 13, proof: tampered });
    await assertRefused(
      cosignCheckpoint(options(stateDir, await note(history), { proof: bad })),
      "fork",
      /does not verify/,
    );
    assert.equal((await readWitnessState(stateDir, ORIGIN))?.size, 5);
  });
});

Deno.test("cosignCheckpoint() refuses a smaller tree as a rollback", async () => {
  await withState(async (stateDir) => {
    const history = leaves(8);
    await cosignCheckpoint(options(stateDir, await note(history)));
    await assertRefused(
      cosignCheckpoint(options(stateDir, await note(history.slice(0, 6)))),
      "rollback",
      /at size 6 \(root .+\) is older than the cosigned size 8 \(root .+\): rollback/,
    );
    assert.equal((await readWitnessState(stateDir, ORIGIN))?.size, 8);
  });
});

Deno.test("cosignCheckpoint() refuses another root at the cosigned size as a fork, naming both roots", async () => {
  await withState(async (stateDir) => {
    const main = leaves(8);
    const forked = leaves(8, 6);
    await cosignCheckpoint(options(stateDir, await note(main)));
    await assert.rejects(
      cosignCheckpoint(options(stateDir, await note(forked))),
      (e: unknown) => {
        assert.ok(e instanceof WitnessRefusal && e.reason === "fork");
        assert.ok(e.message.includes(rootOf(main).toBase64()), e.message);
        assert.ok(e.message.includes(rootOf(forked).toBase64()), e.message);
        assert.match(e.message, /size 8 .* the log forked/);
        return true;
      },
    );
  });
});

Deno.test("cosignCheckpoint() refuses a larger tree of another history as a fork, even with its own valid proof", async () => {
  await withState(async (stateDir) => {
    const main = leaves(8);
    const forked = leaves(12, 3);
    await cosignCheckpoint(options(stateDir, await note(main)));
    await assertRefused(
      cosignCheckpoint(options(stateDir, await note(forked), { proof: proof(forked, 8) })),
      "fork",
      /from the cosigned size 8 .* to size 12 .* does not verify/,
    );
    assert.deepEqual((await readWitnessState(stateDir, ORIGIN))?.root, rootOf(main));
  });
});

Deno.test("cosignCheckpoint() refuses a note without a valid trusted log signature as bad_signature", async () => {
  await withState(async (stateDir) => {
    const history = leaves(4);
    await assertRefused(
      cosignCheckpoint(options(stateDir, await note(history, otherKey))),
      "bad_signature",
      /no signature by a trusted log key/,
    );
    await assertRefused(
      cosignCheckpoint(options(stateDir, await note(history, logKey, "example.com/not-origin"))),
      "bad_signature",
      /no signature by a trusted log key/,
    );
    const good = await note(history);
    const parsed = parseNote(good);
    parsed.signatures[0].signature[10] ^= 1;
    await assertRefused(
      cosignCheckpoint(options(stateDir, formatNote(parsed.body, parsed.signatures))),
      "bad_signature",
      /invalid signature by a trusted log key/,
    );
    await assertRefused(
      cosignCheckpoint(options(stateDir, good, { logKeys: [] })),
      "bad_signature",
      /no signature/,
    );
    assert.equal(await readWitnessState(stateDir, ORIGIN), undefined);
  });
});

Deno.test("cosignCheckpoint() rejects malformed notes and proofs with CheckpointSyntaxError", async () => {
  await withState(async (stateDir) => {
    await assert.rejects(
      cosignCheckpoint(options(stateDir, "not a note\n")),
      CheckpointSyntaxError,
    );
    await assert.rejects(
      cosignCheckpoint(options(stateDir, await note(leaves(2)), { proof: "garbage\n" })),
      CheckpointSyntaxError,
    );
  });
});

Deno.test("cosignCheckpoint() refuses to continue from a corrupt state file instead of starting over", async () => {
  await withState(async (stateDir) => {
    await Deno.mkdir(stateDir);
    const path = `${stateDir}/${stateFileName(ORIGIN)}`;
    for (
      const bad of [
        "{",
        "[]",
        `{"origin":"${ORIGIN}","size":5,"root":"x","updated_at":""}`,
        `{"origin":"${ORIGIN}","size":-1,"root":"${"A".repeat(43)}=","updated_at":""}`,
        `{"origin":"${ORIGIN}","size":5,"size":6,"root":"${"A".repeat(43)}=","updated_at":""}`,
        `{"origin":"other","size":5,"root":"${"A".repeat(43)}=","updated_at":""}`,
        `{"origin":"${ORIGIN}","size":5,"root":"${"A".repeat(43)}=","updated_at":"","x":1}`,
      ]
    ) {
      await Deno.writeTextFile(path, bad);
      await assert.rejects(
        cosignCheckpoint(options(stateDir, await note(leaves(2)))),
        (e: unknown) => e instanceof WitnessStateError && e.message.includes(path),
        bad,
      );
    }
  });
});

Deno.test("cosignCheckpoint() waits for the state lock held by another run", async () => {
  await withState(async (stateDir) => {
    await Deno.mkdir(stateDir);
    const lock = await Deno.open(`${stateDir}/${WITNESS_LOCK_FILE}`, {
      read: true,
      write: true,
      create: true,
    });
    await lock.lock(true);
    let settled = false;
    const run = cosignCheckpoint(options(stateDir, await note(leaves(3)))).finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settled, false, "cosign finished while another run held the lock");
    assert.equal(await readWitnessState(stateDir, ORIGIN), undefined);
    lock.close();
    assert.equal((await run).checkpoint.size, 3);
  });
});

Deno.test("cosignCheckpoint() lets only one of two concurrent forks advance the state", async () => {
  await withState(async (stateDir) => {
    for (let round = 0; round < 5; round++) {
      const origin = `${ORIGIN}-${round}`;
      const a = await note(leaves(6), logKey, origin, origin);
      const b = await note(leaves(6, 4), logKey, origin, origin);
      const results = await Promise.allSettled([
        cosignCheckpoint(options(stateDir, a)),
        cosignCheckpoint(options(stateDir, b)),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r) =>
        r.status === "rejected" && r.reason instanceof WitnessRefusal && r.reason.reason === "fork"
      );
      assert.equal(ok.length, 1, `round ${round}`);
      assert.equal(refused.length, 1, `round ${round}`);
    }
  });
});

Deno.test("cosignCheckpoint() lets only one of two processes cosigning forks advance the state", async () => {
  await withState(async (stateDir) => {
    const work = `${stateDir}-work`;
    await Deno.mkdir(work);
    const a = await note(leaves(6));
    const b = await note(leaves(6, 2));
    await Deno.writeTextFile(`${work}/a.txt`, a);
    await Deno.writeTextFile(`${work}/b.txt`, b);
    const script = `${work}/cosign.ts`;
    await Deno.writeTextFile(
      script,
      `import { cosignCheckpoint, WitnessRefusal } from ${
        JSON.stringify(new URL("./witness.ts", import.meta.url).href)
      };
import { signingKeyFromSeed } from ${
        JSON.stringify(new URL("../crypto/keys.ts", import.meta.url).href)
      };
const [stateDir, file] = Deno.args;
const logKey = await signingKeyFromSeed(new Uint8Array(32).fill(1));
const witnessKey = await signingKeyFromSeed(new Uint8Array(32).fill(2));
try {
  await cosignCheckpoint({ stateDir, witnessKey, witnessName: "witness.example/w1",
    logKeys: [logKey.publicKey], checkpointNote: await Deno.readTextFile(file), now: 1 });
  Deno.exit(0);
} catch (e) {
  if (e instanceof WitnessRefusal) { console.error(e.reason); Deno.exit(1); }
  throw e;
}
`,
    );
    const run = (file: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          "--allow-read",
          "--allow-write",
          "--config",
          new URL("../../deno.json", import.meta.url).pathname,
          script,
          stateDir,
          file,
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
    const [ra, rb] = await Promise.all([run(`${work}/a.txt`), run(`${work}/b.txt`)]);
    const codes = [ra.code, rb.code].sort();
    const stderr = new TextDecoder().decode(ra.stderr) + new TextDecoder().decode(rb.stderr);
    assert.deepEqual(codes, [0, 1], stderr);
    assert.match(stderr, /fork/);
    const winner = ra.code === 0 ? leaves(6) : leaves(6, 2);
    assert.deepEqual((await readWitnessState(stateDir, ORIGIN))?.root, rootOf(winner));
    await Deno.remove(work, { recursive: true });
  });
});

Deno.test("cosignCheckpoint() rejects an invalid witness name and an invalid clock", async () => {
  await withState(async (stateDir) => {
    const input = await note(leaves(1));
    await assert.rejects(
      cosignCheckpoint(options(stateDir, input, { witnessName: "has space" })),
      TypeError,
    );
    await assert.rejects(cosignCheckpoint(options(stateDir, input, { now: -1 })), RangeError);
    await assert.rejects(cosignCheckpoint(options(stateDir, input, { now: 1.5 })), RangeError);
  });
});

Deno.test("readWitnessState() reads the state example of spec/checkpoint.md", async () => {
  const spec = await Deno.readTextFile(new URL("../../spec/checkpoint.md", import.meta.url));
  const example = spec.split("\n").find((l) => l.startsWith('{"origin":"example.com/log"'));
  assert.ok(example !== undefined, "spec has a state example");
  await withState(async (stateDir) => {
    await Deno.mkdir(stateDir);
    await Deno.writeTextFile(`${stateDir}/${stateFileName("example.com/log")}`, example + "\n");
    const state = await readWitnessState(stateDir, "example.com/log");
    assert.equal(state?.size, 8);
    assert.equal(state?.updatedAt, "2023-11-14T22:13:20Z");
  });
});
