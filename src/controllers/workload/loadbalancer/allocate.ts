/**
 * Choosing load-balancer addresses as kube-vip-cloud-provider does: the first free address of a family's pool
 * (ascending, or descending with search-order=desc), never an IPv4 address ending in .0 or .255; the families a
 * Service gets from its ipFamilyPolicy and ipFamilies; and, when sharing is allowed, the IPv4 address of other
 * Services whose port numbers do not collide (the lowest such address, where upstream takes Go's map order).
 */
import { formatAddr, parseAddr, type Addr, type IPFamily } from './ip.js';
import { DHCP_POOL, parsePool, type FamilyPool, type ParsedPool } from './pool.js';

/** Addresses held by Services in scope, per family. */
export interface InUse {
  IPv4: ReadonlySet<bigint>;
  IPv6: ReadonlySet<bigint>;
}

export class OutOfIPsError extends Error {}

function excluded(family: IPFamily, v: bigint): boolean {
  if (family !== 'IPv4') return false;
  const last = v & 0xffn;
  return last === 0n || last === 255n;
}

/** The first usable free address of the pool, or OutOfIPsError naming the Service's namespace and the pool. */
export function findFreeAddress(pool: FamilyPool, inUse: ReadonlySet<bigint>, namespace: string, descending = false): bigint {
  const free = (v: bigint): boolean => !inUse.has(v) && !excluded(pool.family, v);
  if (!descending) {
    for (const s of pool.hosts) for (let v = s.first; v <= s.last; v++) if (free(v)) return v;
  } else {
    for (let i = pool.hosts.length - 1; i >= 0; i--) {
      const s = pool.hosts[i]!;
      for (let v = s.last; v >= s.first; v--) if (free(v)) return v;
    }
  }
  throw new OutOfIPsError(`no addresses available in [${namespace}] ${pool.kind} [${pool.text}]`);
}

export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export interface VIPRequest {
  namespace: string;
  /** spec.ipFamilyPolicy (undefined is single stack). */
  policy?: string;
  /** spec.ipFamilies. */
  families?: readonly string[];
  /** The ConfigMap's pool value. */
  pool: string;
  descending?: boolean;
  skipEndIPsInCIDR?: boolean;
  /** A shared IPv4 address that replaces the IPv4 allocation. */
  preferredIPv4?: bigint;
  inUse: InUse;
}

export const NO_SUITABLE_POOL = 'could not find suitable pool for the IP family of the service';
export const DUAL_STACK_NEEDS_BOTH = 'service requires dual-stack, but the configuration does not have both IPv4 and IPv6 pools listed for the namespace';

function errorList(errors: readonly Error[]): string {
  return errors.map((e) => `\n\t- ${e.message}`).join('');
}

/** The addresses for a Service, in order (primary family first); throws with upstream's texts. */
export function discoverVIPs(req: VIPRequest): string[] {
  if (req.pool === DHCP_POOL) return ['0.0.0.0'];
  const pools: ParsedPool = parsePool(req.pool, { skipEndIPsInCIDR: req.skipEndIPsInCIDR });
  const pick = (family: IPFamily): string => {
    if (family === 'IPv4' && req.preferredIPv4 !== undefined) return formatAddr('IPv4', req.preferredIPv4);
    return formatAddr(family, findFreeAddress(pools[family]!, req.inUse[family], req.namespace, req.descending));
  };
  const first = req.families?.[0];
  if (req.policy === undefined || req.policy === '' || req.policy === 'SingleStack') {
    let family: IPFamily = first === 'IPv6' ? 'IPv6' : 'IPv4';
    if (!first && !pools.IPv4) family = 'IPv6';
    if (!pools[family]) throw new Error(NO_SUITABLE_POOL);
    return [pick(family)];
  }
  const order: IPFamily[] = first === 'IPv6' ? ['IPv6', 'IPv4'] : ['IPv4', 'IPv6'];
  const require = req.policy === 'RequireDualStack';
  if (require && (!pools.IPv4 || !pools.IPv6)) throw new Error(DUAL_STACK_NEEDS_BOTH);
  const out: string[] = [];
  const errors: Error[] = [];
  for (const family of order) {
    if (!pools[family]) continue;
    try {
      out.push(pick(family));
    } catch (e) {
      if (!(e instanceof OutOfIPsError)) throw e;
      errors.push(e);
    }
  }
  if (require && errors.length) throw new Error(`could not allocate required IP addresses for RequireDualStack service: ${errorList(errors)}`);
  if (!out.length) throw new Error(`could not allocate any IP address for PreferDualStack service: ${errorList(errors)}`);
  return out;
}

/** A Service holding addresses: its IPv4 addresses and its port numbers (for sharing). */
export interface AddressHolder {
  addresses: readonly Addr[];
  ports: readonly number[];
}

/**
 * The lowest IPv4 address held in scope that a Service with `ports` may share: no holder of it lacks ports (a
 * Service with no ports marks its address unshareable) and no port number is used twice. Protocol is ignored.
 */
export function preferredSharedIPv4(holders: readonly AddressHolder[], ports: readonly number[]): bigint | undefined {
  const used = new Map<bigint, Set<number>>();
  for (const h of holders) {
    for (const a of h.addresses) {
      if (a.family !== 'IPv4') continue;
      const set = used.get(a.value) ?? new Set<number>();
      for (const p of h.ports.length ? h.ports : [0]) set.add(p);
      used.set(a.value, set);
    }
  }
  const candidates = [...used.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return candidates.find((ip) => {
    const set = used.get(ip)!;
    return !set.has(0) && !ports.some((p) => set.has(p));
  });
}

/** The addresses of a kube-vip.io/loadbalancerIPs value (comma-separated, not trimmed); throws Go's parse error. */
export function parseAddressList(value: string): Addr[] {
  return value.split(',').map(parseAddr);
}
