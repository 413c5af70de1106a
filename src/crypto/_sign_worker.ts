/**
 * A signing worker: holds the signing keys `_sign_pool.ts` registers (PKCS#8 DER, imported into
 * `node:crypto` and then zeroed) and signs batches of equal-length messages synchronously, about
 * 22 µs a signature on the 2-core bench machine (WebCrypto: about 40 µs).
 *
 * Answers never carry key material; a failure is reported as a fixed message.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { Buffer } from "node:buffer";
import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import type { SignAnswer, SignRequest } from "./_sign_pool.ts";

const keys = new Map<number, KeyObject>();

self.onmessage = (e: MessageEvent<SignRequest>) => {
  const request = e.data;
  if (request.type === "key") {
    try {
      // Node accepts any Uint8Array here; its type declarations only name Buffer.
      const der = request.pkcs8 as unknown as Buffer;
      keys.set(request.key, createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
    } catch {
      // Reported when a batch asks for this key.
    } finally {
      request.pkcs8.fill(0);
    }
    return;
  }
  const { id, messages, length } = request;
  const key = keys.get(request.key);
  let answer: SignAnswer;
  if (key === undefined) {
    answer = { id, error: "the signing key could not be imported" };
  } else {
    try {
      const count = messages.length / length;
      const signatures = new Uint8Array(count * 64);
      for (let i = 0, at = 0; i < count; i++, at += length) {
        signatures.set(sign(null, messages.subarray(at, at + length), key), i * 64);
      }
      answer = { id, signatures };
    } catch {
      answer = { id, error: "signing failed" };
    }
  }
  self.postMessage(answer, answer.signatures ? [answer.signatures.buffer as ArrayBuffer] : []);
};
