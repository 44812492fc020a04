/** Repository names and tags, as the distribution spec's grammar allows them. */
import { RegistryError } from './errors.js';

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** Name length limit of Docker's registry (host + name must fit 255). */
export const MAX_NAME_LENGTH = 255;

export function isValidName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return false;
  return name.split('/').every((c) => COMPONENT.test(c));
}

export function checkName(name: string): string {
  if (!isValidName(name)) {
    throw new RegistryError('NAME_INVALID', `invalid repository name "${name}": must match [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)* and be at most ${MAX_NAME_LENGTH} characters`, { name });
  }
  return name;
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export function checkTag(tag: string): string {
  if (!isValidTag(tag)) throw new RegistryError('MANIFEST_INVALID', `invalid tag "${tag}": must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`, { tag });
  return tag;
}
