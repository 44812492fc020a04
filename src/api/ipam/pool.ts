/**
 * The in-cluster IPAM provider's pool semantics, pure: spec validation (upstream's webhook rules, in upstream's
 * order, plus Slipway's gateway-in-subnet check), the allocatable address set, status counts, and the addresses
 * in use that a changed spec would leave outside the pool.
 */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import {
  addrParseError,
  formatAddr,
  formatRange,
  goQuote,
  parseAddr,
  parseAddressItem,
  prefixRange,
  IPRangeSet,
  type IPFamily,
  type IPRange,
} from '../../apimachinery/net/index.js';

/** A pool's spec as stored (InClusterIPPool and GlobalInClusterIPPool), before its field types are checked. */
export interface PoolSpec {
  addresses?: unknown;
  prefix?: unknown;
  gateway?: unknown;
  excludedAddresses?: unknown;
  allocateReservedIPAddresses?: unknown;
  addressReuseGracePeriodSeconds?: unknown;
}

/** The spec with Go's zero values for absent fields. */
interface TypedPoolSpec {
  /** undefined when the field is absent (Go's nil slice). */
  addresses: string[] | undefined;
  prefix: number;
  gateway: string;
  excludedAddresses: string[];
  allocateReservedIPAddresses: boolean;
  addressReuseGracePeriodSeconds: number | undefined;
}

const NOT_ADDRESS = 'provided address is not a valid IP, range, nor CIDR';
const MIXED = 'provided addresses are of mixed IP families';

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function stringList(v: unknown, path: string, causes: StatusCause[]): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    causes.push(fieldError.typeInvalid(path, v, 'must be of type array'));
    return undefined;
  }
  v.forEach((item, i) => {
    if (typeof item !== 'string') causes.push(fieldError.typeInvalid(`${path}[${i}]`, item, 'must be of type string'));
  });
  return v as string[];
}

/** Field types as the CRD schema declares them; type errors, or the spec with Go's zero values. */
function typed(spec: PoolSpec): { spec: TypedPoolSpec; causes: StatusCause[] } {
  const causes: StatusCause[] = [];
  const addresses = stringList(spec.addresses, 'spec.addresses', causes);
  const excluded = stringList(spec.excludedAddresses, 'spec.excludedAddresses', causes) ?? [];
  const prefix = spec.prefix ?? 0;
  if (!isInteger(prefix)) causes.push(fieldError.typeInvalid('spec.prefix', prefix, 'must be of type integer'));
  const gateway = spec.gateway ?? '';
  if (typeof gateway !== 'string') causes.push(fieldError.typeInvalid('spec.gateway', gateway, 'must be of type string'));
  const reserved = spec.allocateReservedIPAddresses ?? false;
  if (typeof reserved !== 'boolean') causes.push(fieldError.typeInvalid('spec.allocateReservedIPAddresses', reserved, 'must be of type boolean'));
  const grace = spec.addressReuseGracePeriodSeconds ?? undefined;
  if (grace !== undefined && !isInteger(grace)) causes.push(fieldError.typeInvalid('spec.addressReuseGracePeriodSeconds', grace, 'must be of type integer'));
  return {
    causes,
    spec: {
      addresses,
      prefix: prefix as number,
      gateway: gateway as string,
      excludedAddresses: excluded,
      allocateReservedIPAddresses: reserved === true,
      addressReuseGracePeriodSeconds: grace as number | undefined,
    },
  };
}

/** Go's %#v of a []string, as a field error prints a slice value: `[]string{"a", "b"}`, `[]string(nil)`. */
function goStringSlice(list: string[] | undefined): string {
  return list === undefined ? '[]string(nil)' : `[]string{${list.map(goQuote).join(', ')}}`;
}

/** field.Invalid with a []string value. */
function invalidList(path: string, list: string[] | undefined, detail: string): StatusCause {
  return { ...fieldError.invalid(path, null, detail), message: `Invalid value: ${goStringSlice(list)}: ${detail}` };
}

/** The families present among the parseable items (each item's family is its first address's). */
function familiesOf(items: readonly string[]): Set<IPFamily> {
  const families = new Set<IPFamily>();
  for (const item of items) {
    const r = parseAddressItem(item);
    if (r) families.add(r.family);
  }
  return families;
}

/** The union of items (all parseable and of one family); undefined otherwise. */
function unionOf(items: readonly string[]): IPRangeSet | undefined {
  let set: IPRangeSet | undefined;
  for (const item of items) {
    const r = parseAddressItem(item);
    if (!r) return undefined;
    set ??= new IPRangeSet(r.family);
    if (r.family !== set.family) return undefined;
    set.addRange(r);
  }
  return set;
}

/** The subnet `<lowest address>/<prefix>`, masked; undefined when the prefix does not fit the family. */
function subnetOf(addresses: IPRangeSet, prefix: number): IPRange | undefined {
  const lowest = addresses.lowest();
  if (lowest === undefined || !isInteger(prefix) || prefix < 0 || prefix > (addresses.family === 'IPv4' ? 32 : 128)) return undefined;
  return prefixRange({ family: addresses.family, addr: lowest, bits: prefix });
}

/**
 * Upstream's pool validation (create and update), every rule in upstream's order with its field path, message and
 * reported value; then Slipway's own check that the gateway lies in the pool's subnet (only when upstream's
 * rules found nothing).
 */
export function validatePoolSpec(raw: PoolSpec): StatusCause[] {
  const { spec, causes: typeCauses } = typed(raw);
  if (typeCauses.length) return typeCauses;
  const causes: StatusCause[] = [];
  const addresses = spec.addresses ?? [];

  if (addresses.length === 0) causes.push(invalidList('spec.addresses', spec.addresses, 'addresses is required'));
  // Upstream reports the addresses as the value here.
  if (spec.prefix < 0) causes.push(invalidList('spec.prefix', spec.addresses, 'a valid prefix is required'));
  for (const item of addresses) {
    if (!parseAddressItem(item)) causes.push(fieldError.invalid('spec.addresses', item, NOT_ADDRESS));
  }
  const families = familiesOf(addresses);
  if (families.size > 1) causes.push(invalidList('spec.addresses', spec.addresses, MIXED));

  if (spec.gateway !== '') {
    const gateway = parseAddr(spec.gateway);
    if (!gateway) causes.push(fieldError.invalid('spec.gateway', spec.gateway, addrParseError(spec.gateway)!));
    else if ([...families].some((f) => f !== gateway.family)) {
      causes.push(fieldError.invalid('spec.gateway', spec.gateway, 'provided gateway and addresses are of mixed IP families'));
    }
  }

  for (const item of spec.excludedAddresses) {
    if (!parseAddressItem(item)) causes.push(fieldError.invalid('spec.excludedAddresses', item, NOT_ADDRESS));
  }
  const excludedFamilies = familiesOf(spec.excludedAddresses);
  if (excludedFamilies.size > 1) causes.push(invalidList('spec.excludedAddresses', spec.excludedAddresses, MIXED));
  if ([...families].some((f) => [...excludedFamilies].some((e) => e !== f))) {
    causes.push(invalidList('spec.excludedAddresses', spec.excludedAddresses, 'addresses and excluded addresses are of mixed IP families'));
  }

  const grace = spec.addressReuseGracePeriodSeconds;
  if (grace !== undefined && grace < 0) causes.push(fieldError.invalid('spec.addressReuseGracePeriodSeconds', grace, 'addressReuseGracePeriodSeconds must not be negative'));

  if (causes.length) return causes;

  // Only for an otherwise valid spec: every item lies in the subnet of the lowest address.
  const union = unionOf(addresses)!;
  const subnet = subnetOf(union, spec.prefix);
  if (!subnet) return [fieldError.invalid('spec.prefix', spec.prefix, 'provided prefix is not valid')];
  for (const item of addresses) {
    const r = parseAddressItem(item)!;
    if (r.first < subnet.first || r.last > subnet.last) causes.push(fieldError.invalid('spec.addresses', item, 'provided address belongs to a different subnet than others'));
  }
  if (causes.length) return causes;

  // Slipway: the gateway must be on the pool's subnet.
  if (spec.gateway !== '') {
    const gateway = parseAddr(spec.gateway)!;
    if (gateway.value < subnet.first || gateway.value > subnet.last) {
      const cidr = `${formatAddr({ family: subnet.family, value: subnet.first })}/${spec.prefix}`;
      causes.push(fieldError.invalid('spec.gateway', spec.gateway, `gateway is not inside the subnet ${cidr}`));
    }
  }
  return causes;
}

/**
 * The addresses a pool hands out (upstream's PoolSpecToIPSet): the union of `addresses`, minus `excludedAddresses`;
 * unless `allocateReservedIPAddresses`, minus the first address (IPv4 network, IPv6 subnet-router anycast) and, for
 * IPv4, the last (broadcast) of the subnet `<lowest address>/<prefix>`; always minus the gateway.
 * Like upstream it does not validate: it is undefined only when the spec cannot be read (wrong field types, no
 * addresses, an item or the gateway unparseable, mixed families, a prefix that does not fit the family).
 */
export function poolAllocatableSet(raw: PoolSpec): IPRangeSet | undefined {
  const { spec, causes } = typed(raw);
  if (causes.length || !spec.addresses?.length) return undefined;
  const addresses = unionOf(spec.addresses);
  if (!addresses) return undefined;
  const set = addresses.clone();
  for (const item of spec.excludedAddresses) {
    const r = parseAddressItem(item);
    if (!r) return undefined;
    set.removeRange(r);
  }
  if (!spec.allocateReservedIPAddresses) {
    const subnet = subnetOf(addresses, spec.prefix);
    if (!subnet) return undefined;
    set.remove(subnet.first, subnet.first);
    if (subnet.family === 'IPv4') set.remove(subnet.last, subnet.last);
  }
  if (spec.gateway !== '') {
    const gateway = parseAddr(spec.gateway);
    if (!gateway) return undefined;
    if (gateway.family === set.family) set.remove(gateway.value, gateway.value);
  }
  return set;
}

/**
 * A bigint count as a JSON-safe number. Upstream saturates its counts at Go's MaxInt (2^63−1); Slipway saturates at
 * Number.MAX_SAFE_INTEGER (2^53−1) so status numbers stay exact JSON numbers; an IPv6 pool of /75 or larger reads
 * 9007199254740991.
 */
export function saturatedCount(n: bigint): number {
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

export interface PoolAddressCounts {
  total: number;
  used: number;
  free: number;
  outOfRange: number;
}

/**
 * A pool's `status.ipAddresses` (upstream's pool reconciler): total = allocatable addresses (saturating, see
 * saturatedCount); used = every IPAddress of the pool, even unparseable or out-of-range ones; free = total − used,
 * not clamped (out-of-range addresses can make it negative); outOfRange = parseable addresses in use that are not
 * allocatable. A spec that cannot be read counts as an empty pool.
 */
export function poolAddressCounts(spec: PoolSpec, inUse: readonly string[]): PoolAddressCounts {
  const set = poolAllocatableSet(spec);
  const total = set ? saturatedCount(set.count()) : 0;
  let outOfRange = 0;
  for (const text of inUse) {
    const a = parseAddr(text);
    if (a && !(set && a.family === set.family && set.has(a.value))) outOfRange++;
  }
  return { total, used: inUse.length, free: total - inUse.length, outOfRange };
}

/**
 * The parseable addresses in use that `spec` would not hand out, merged into ranges (IPv4 ranges first, then IPv6),
 * as upstream's pool update check computes them. A spec that cannot be read leaves every address outside.
 */
export function addressesOutsidePool(spec: PoolSpec, inUse: readonly string[]): IPRange[] {
  const set = poolAllocatableSet(spec);
  const outside = { IPv4: new IPRangeSet('IPv4'), IPv6: new IPRangeSet('IPv6') };
  for (const text of inUse) {
    const a = parseAddr(text);
    if (!a) continue;
    if (set && a.family === set.family && set.has(a.value)) continue;
    outside[a.family].add(a.value, a.value);
  }
  return [...outside.IPv4.ranges(), ...outside.IPv6.ranges()];
}

/** Upstream's refusal of a pool update that strands addresses in use (Go's %v of the ranges). */
export function shrinkRefusal(ranges: readonly IPRange[]): string {
  return `pool addresses do not contain allocated addresses: [${ranges.map(formatRange).join(' ')}]`;
}
