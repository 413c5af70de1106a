import assert from "node:assert/strict";
import { sha256 } from "./_sha256.ts";

Deno.test("sha256() equals WebCrypto SHA-256 for every length from 0 to 300 bytes", async () => {
  for (let n = 0; n <= 300; n++) {
    const data = crypto.getRandomValues(new Uint8Array(n));
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    assert.deepEqual(sha256(data), expected, `length ${n}`);
  }
});

Deno.test("sha256() matches the FIPS 180-4 two-block example", () => {
  const digest = sha256(
    new TextEncoder().encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
  );
  assert.equal(
    Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});
