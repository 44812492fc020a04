/** Generated object names as Kubernetes' SimpleNameGenerator makes them: a base, then five random characters. */
import { cryptoRandom, type RandomSource } from '../../topology/random.js';

const MAX_NAME = 63;
const RANDOM_LENGTH = 5;

/** `base` + 5 random characters; the base is cut so the result is at most 63 characters (as names.SimpleNameGenerator). */
export function generateName(base: string, random: RandomSource = cryptoRandom): string {
  const max = MAX_NAME - RANDOM_LENGTH;
  const b = base.length > max ? base.slice(0, max) : base;
  return b + random(RANDOM_LENGTH);
}
