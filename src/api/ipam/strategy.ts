/**
 * What upstream's IPAM webhooks check without looking at other objects: an IPAddressClaim names its pool's group
 * and never changes its spec; an IPAddress carries a parseable address, a prefix that fits its family and a
 * parseable gateway, and never changes its spec; a pool passes the in-cluster provider's validation (pool.ts).
 * Checks that read other objects (pool shrinking and deletion, an address's pool against its claim's) are in
 * admission.ts.
 */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { parseAddr } from '../../apimachinery/net/index.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { admissionStrategy } from '../cluster/admission.js';
import { jsonEqual } from '../cluster/validation.js';
import { validatePoolSpec, type PoolSpec } from './pool.js';
import type { InClusterIPPool, IPAddress, IPAddressClaim } from './types.js';

const NEEDS_GROUP = 'the pool reference needs to contain a group';

/** The top-level spec fields that differ, for an "immutable" message. */
function changedFields(spec: unknown, old: unknown): string {
  const a = isPlainObject(spec) ? spec : {};
  const b = isPlainObject(old) ? old : {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !jsonEqual(a[k], b[k])).sort();
  return keys.map((k) => `spec.${k}`).join(', ');
}

export function validateIPAddressClaim(claim: IPAddressClaim, old: IPAddressClaim | undefined): StatusCause[] {
  if (old) {
    if (!jsonEqual(claim.spec, old.spec)) return [fieldError.forbidden('spec', `IPAddressClaim spec is immutable. Changed: ${changedFields(claim.spec, old.spec)}`)];
    return [];
  }
  const ref = isPlainObject(claim.spec) ? claim.spec.poolRef : undefined;
  if (isPlainObject(ref) && (ref.apiGroup === undefined || ref.apiGroup === null)) return [fieldError.invalid('spec.poolRef.apiGroup', null, NEEDS_GROUP)];
  return [];
}

export function validateIPAddress(ip: IPAddress, old: IPAddress | undefined): StatusCause[] {
  if (old) {
    if (!jsonEqual(ip.spec, old.spec)) return [fieldError.forbidden('spec', `IPAddress spec is immutable. Changed: ${changedFields(ip.spec, old.spec)}`)];
    return [];
  }
  const causes: StatusCause[] = [];
  const spec = ip.spec ?? ({} as IPAddress['spec']);
  const addr = typeof spec.address === 'string' ? parseAddr(spec.address) : undefined;
  if (!addr) causes.push(fieldError.invalid('spec.address', spec.address, 'not a valid IP address'));
  if (typeof spec.prefix === 'number') {
    if (spec.prefix < 0) causes.push(fieldError.invalid('spec.prefix', spec.prefix, 'prefix cannot be negative'));
    else if (addr?.family === 'IPv4' && spec.prefix > 32) causes.push(fieldError.invalid('spec.prefix', spec.prefix, 'prefix is too large for an IPv4 address'));
    else if (addr?.family === 'IPv6' && spec.prefix > 128) causes.push(fieldError.invalid('spec.prefix', spec.prefix, 'prefix is too large for an IPv6 address'));
  }
  if (typeof spec.gateway === 'string' && spec.gateway !== '' && !parseAddr(spec.gateway)) causes.push(fieldError.invalid('spec.gateway', spec.gateway, 'not a valid IP address'));
  const ref = spec.poolRef as Partial<IPAddress['spec']['poolRef']> | undefined;
  if (isPlainObject(ref) && (ref.apiGroup === undefined || ref.apiGroup === null)) causes.push(fieldError.invalid('spec.poolRef.apiGroup', null, NEEDS_GROUP));
  return causes;
}

export function validateInClusterIPPool(pool: InClusterIPPool): StatusCause[] {
  return validatePoolSpec((isPlainObject(pool.spec) ? pool.spec : {}) as PoolSpec);
}

export const ipAddressClaimStrategy = admissionStrategy<IPAddressClaim>({ validate: validateIPAddressClaim });
export const ipAddressStrategy = admissionStrategy<IPAddress>({ validate: validateIPAddress });
export const inClusterIPPoolStrategy = admissionStrategy<InClusterIPPool>({ validate: (pool) => validateInClusterIPPool(pool) });
