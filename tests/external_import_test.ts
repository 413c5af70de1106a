/**
 * A Deno program outside the checkout imports mod.ts by path, with no import map, no config and
 * only the permissions it needs, as an application would.
 */
import assert from "node:assert/strict";

const MOD = new URL("../mod.ts", import.meta.url);
const CHECKOUT = new URL("../", import.meta.url).pathname;

const PROGRAM = `
import { generateSigningKey, openWal, verifyWal } from ${JSON.stringify(MOD.href)};

const dir = new URL("./audit", import.meta.url).pathname;
const key = await generateSigningKey();
{
  await using wal = await openWal(dir, { signingKey: key, create: true });
  for (let i = 0; i < 100; i++) await wal.append({ event_type: "user.login", user: \`u\${i}\` });
  for (let b = 1; b < 10; b++) {
    await wal.appendMany(
      Array.from({ length: 100 }, (_, i) => ({ event_type: "file.read", n: b * 100 + i })),
    );
  }
}
const report = await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] });
console.log(\`\${report.status} \${report.events_verified} \${report.errors.length}\`);
`;

Deno.test("a program in another directory imports mod.ts by path, appends 1,000 events with await using and verifies them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spine-external-" });
  try {
    assert.ok(!dir.startsWith(CHECKOUT), `${dir} is inside the checkout`);
    await Deno.writeTextFile(`${dir}/app.ts`, PROGRAM);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--allow-read=${dir},${CHECKOUT}`,
        `--allow-write=${dir}`,
        "app.ts",
      ],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.equal(stdout, "VERIFIED 1000 0\n", stderr);
    assert.doesNotMatch(stderr, /error/i);
    // await using closed the log: chain_state.json names the last record.
    const state = JSON.parse(await Deno.readTextFile(`${dir}/audit/chain_state.json`));
    assert.equal(state.seq, 1000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
