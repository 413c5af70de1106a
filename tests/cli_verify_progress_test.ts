/**
 * `spine verify` progress: only for a terminal, only with the text format.
 */

import assert from "node:assert/strict";
import type { CliIo } from "../src/cli/io.ts";
import { runVerify } from "../src/cli/verify.ts";
import { testdata } from "./_helpers.ts";

function io(stderrIsTerminal: boolean): CliIo & { errText: string } {
  const self = {
    errText: "",
    out: () => Promise.resolve(),
    err: (t: string) => {
      self.errText += t;
      return Promise.resolve();
    },
    stdin: ReadableStream.from<Uint8Array>([]),
    stderrIsTerminal,
    env: () => undefined,
  };
  return self;
}

const PY = testdata("corpus", "python-small");

for (const format of ["json", "quiet", "text"]) {
  Deno.test(`spine verify --format ${format} writes nothing to a non-terminal stderr`, async () => {
    const x = io(false);
    assert.equal(
      await runVerify(["--wal", PY, "--trust-file", `${PY}/keys.json`, "--format", format], x),
      0,
    );
    assert.equal(x.errText, "");
  });
}

for (const format of ["json", "quiet"]) {
  Deno.test(`spine verify --format ${format} shows no progress even on a terminal`, async () => {
    const x = io(true);
    assert.equal(
      await runVerify(["--wal", PY, "--trust-file", `${PY}/keys.json`, "--format", format], x),
      0,
    );
    assert.equal(x.errText, "");
  });
}
