import assert from "node:assert/strict";
import {
  destroyFile,
  isKeyFileExposed,
  KeyFileError,
  loadSigningKey,
  readKeyFile,
  replaceKeyFile,
  trustFileText,
  writeKeyFile,
} from "./key_file.ts";
import { exportSeedHex, generateSigningKey } from "./keys.ts";

const SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

Deno.test("writeKeyFile() writes PEM with mode 0600 and refuses to overwrite", async () => {
  const path = `${await Deno.makeTempDir()}/k.key`;
  const key = await generateSigningKey();
  await writeKeyFile(path, key);
  assert.match(await Deno.readTextFile(path), /^-----BEGIN PRIVATE KEY-----\n/);
  if (Deno.build.os !== "windows") assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  assert.equal(await isKeyFileExposed(path), false);
  await assert.rejects(
    writeKeyFile(path, await generateSigningKey()),
    KeyFileError,
    "refusing to overwrite",
  );
  assert.equal((await readKeyFile(path)).keyId, key.keyId);
});

Deno.test("readKeyFile() and loadSigningKey() never put key text in error messages", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/bad.key`, "zz" + SEED);
  const e = await readKeyFile(`${dir}/bad.key`).catch((e) => e);
  assert.ok(e instanceof KeyFileError);
  assert.ok(!e.message.includes(SEED.slice(0, 20)));
  const env = await loadSigningKey(undefined, "zz" + SEED, `${dir}/none.key`).catch((e) => e);
  assert.match(env.message, /^SPINE_SIGNING_KEY holds no usable key/);
  assert.ok(!env.message.includes(SEED.slice(0, 20)));
  await assert.rejects(loadSigningKey(undefined, undefined, `${dir}/none.key`), /No signing key/);
});

Deno.test("loadSigningKey() prefers --key-file, then the environment, then the default path", async () => {
  const dir = await Deno.makeTempDir();
  const fileKey = await generateSigningKey();
  await writeKeyFile(`${dir}/f.key`, fileKey);
  assert.equal((await loadSigningKey(`${dir}/f.key`, SEED, "x")).key.keyId, fileKey.keyId);
  const fromEnv = await loadSigningKey(undefined, SEED, `${dir}/f.key`);
  assert.equal(exportSeedHex(fromEnv.key), SEED);
  assert.equal(fromEnv.path, undefined);
  assert.equal((await loadSigningKey(undefined, "", `${dir}/f.key`)).path, `${dir}/f.key`);
  await Deno.chmod(`${dir}/f.key`, 0o644);
  if (Deno.build.os !== "windows") {
    assert.equal((await loadSigningKey(`${dir}/f.key`, undefined, "x")).exposed, true);
  }
});

Deno.test("replaceKeyFile() archives the old key as PATH.old-<key id> or destroys it", async () => {
  const dir = await Deno.makeTempDir();
  const a = await generateSigningKey();
  const b = await generateSigningKey();
  const c = await generateSigningKey();
  await writeKeyFile(`${dir}/k.key`, a);
  const r1 = await replaceKeyFile(`${dir}/k.key`, a, b);
  assert.equal(r1.archived, `${dir}/k.key.old-${a.keyId}`);
  assert.equal((await readKeyFile(r1.archived!)).keyId, a.keyId);
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(r1.archived!)).mode! & 0o777, 0o600);
  }
  const r2 = await replaceKeyFile(`${dir}/k.key`, b, c, { destroyOld: true });
  assert.equal(r2.archived, undefined);
  assert.equal((await readKeyFile(`${dir}/k.key`)).keyId, c.keyId);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "k.key",
    `k.key.old-${a.keyId}`,
  ]);
  await destroyFile(r1.archived!);
  await assert.rejects(Deno.stat(r1.archived!), Deno.errors.NotFound);
});

Deno.test("trustFileText() writes only public keys in the spine_trust format", async () => {
  const key = await generateSigningKey();
  const text = trustFileText([key]);
  assert.deepEqual(JSON.parse(text), {
    spine_trust: 1,
    keys: [{ key_id: key.keyId, public_key: key.publicKey.hex }],
  });
  assert.ok(!text.includes(exportSeedHex(key)));
});
