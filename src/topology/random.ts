/**
 * Random name suffixes as k8s.io/apimachinery/pkg/util/rand.String produces them: lower-case consonants and digits
 * without vowels or look-alikes, so generated names never spell words. The source is injectable for tests.
 */
import { randomInt } from 'node:crypto';

/** Characters of utilrand.String. */
export const RANDOM_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Returns `n` random characters from RANDOM_ALPHABET. */
export type RandomSource = (n: number) => string;

/** Cryptographically random suffixes (the default). */
export const cryptoRandom: RandomSource = (n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += RANDOM_ALPHABET[randomInt(RANDOM_ALPHABET.length)];
  return s;
};

/** A deterministic source (mulberry32) for tests and reproducible plans: the same seed yields the same names. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += RANDOM_ALPHABET[Math.floor(next() * RANDOM_ALPHABET.length)];
    return s;
  };
}

/** A source that replays fixed suffixes in order (then fails loudly), for table tests that name every object. */
export function sequenceRandom(suffixes: string[]): RandomSource {
  let i = 0;
  return (n) => {
    const s = suffixes[i++];
    if (s === undefined) throw new Error(`sequenceRandom: ran out of suffixes after ${suffixes.length}`);
    if (s.length !== n) throw new Error(`sequenceRandom: suffix ${JSON.stringify(s)} is not ${n} characters`);
    return s;
  };
}
