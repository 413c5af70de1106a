/**
 * A signature-verification worker: receives flat batches from `_verify_pool.ts`, verifies them
 * synchronously with `node:crypto` and answers with a bitmap.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { nodeVerifyBatch } from "./_node_ed25519.ts";
import type { VerifyAnswer, VerifyRequest } from "./_verify_batch.ts";

self.onmessage = (e: MessageEvent<VerifyRequest>) => {
  const { id, fixed, messages, ends, count } = e.data;
  let answer: VerifyAnswer;
  try {
    answer = { id, bits: nodeVerifyBatch(fixed, messages, ends, count) };
  } catch (error) {
    answer = { id, error: String(error) };
  }
  self.postMessage(answer, answer.bits ? [answer.bits.buffer as ArrayBuffer] : []);
};
