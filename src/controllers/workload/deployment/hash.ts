/**
 * The pod-template-hash of a Deployment's template (upstream controller.ComputeHash): a 32-bit FNV-1a hash of the
 * template, followed by the collision count as four little-endian bytes when the Deployment has one, printed in
 * decimal and passed through rand.SafeEncodeString (each digit mapped into the consonant alphabet, so hashes read
 * like "7d9c5f6b8"). Upstream hashes Go's spew dump of the template struct, which cannot be reproduced outside Go;
 * this hashes the template's semantic JSON (keys sorted, nulls and empty objects dropped, as Go's types see it) instead, so values are deterministic and change
 * exactly when the template does, but are not the ones kube-controller-manager would print.
 */
import { RANDOM_ALPHABET } from '../../../topology/random.js';
import { semanticJson } from '../../../apimachinery/semantic.js';
import type { PodTemplateSpec } from '../replicaset/types.js';


/** FNV-1a, 32 bits, over bytes. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: every character replaced by the alphabet entry at its code point modulo the alphabet size. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += RANDOM_ALPHABET[ch.codePointAt(0)! % RANDOM_ALPHABET.length];
  return out;
}

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(semanticJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}
