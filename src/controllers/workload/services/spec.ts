/**
 * Pure Service-spec work kube-apiserver's Service storage does around allocation: keep clusterIP and clusterIPs in
 * step, carry allocated values over an update that omits them, and settle ipFamilyPolicy and ipFamilies against the
 * families the cluster's service CIDRs give (upstream's initIPFamilyFields). Errors use upstream's wording.
 */
import type { StatusCause } from '../../../apimachinery/errors.js';
import { fieldError } from '../../../apimachinery/errors.js';
import { parseIP, type IPFamily } from './cidr.js';

export interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
  targetPort?: number | string;
}

export interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
  [k: string]: unknown;
}

export const CLUSTER_IP_NONE = 'None';

/** Go's rendering of a []string field value. */
export function goStrings(v: readonly string[] | undefined): string {
  return `[]string{${(v ?? []).map((s) => JSON.stringify(s)).join(', ')}}`;
}

/** A FieldValueInvalid cause whose value is a []string. */
export function invalidStrings(field: string, v: readonly string[] | undefined, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${goStrings(v)}: ${detail}` };
}

export function isHeadless(spec: ServiceSpec): boolean {
  return spec.clusterIPs?.length === 1 && spec.clusterIPs[0] === CLUSTER_IP_NONE;
}

export function needsClusterIP(spec: ServiceSpec): boolean {
  return (spec.type ?? 'ClusterIP') !== 'ExternalName';
}

export function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

/** Whether new NodePorts are given out (a LoadBalancer may opt out with allocateLoadBalancerNodePorts: false). */
export function shouldAllocateNodePorts(spec: ServiceSpec): boolean {
  if (spec.type === 'NodePort') return true;
  if (spec.type === 'LoadBalancer') return spec.allocateLoadBalancerNodePorts !== false;
  return false;
}

/** A LoadBalancer with externalTrafficPolicy Local gets a health-check NodePort. */
export function needsHealthCheck(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Keep clusterIP and clusterIPs in step, guessing what the user meant when only one changed. */
export function normalizeClusterIPs(spec: ServiceSpec, old: ServiceSpec | undefined): void {
  if (!old) {
    // Only clusterIPs given: left for validation to refuse, as upstream does.
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  if ((old.clusterIP ?? '') === (spec.clusterIP ?? '')) {
    // Clients that only know clusterIP send no clusterIPs: keep what is stored.
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = old.clusterIPs?.[0] === spec.clusterIP ? [...old.clusterIPs] : [spec.clusterIP];
  } else {
    if (!spec.clusterIP) {
      if (sameStrings(old.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    } else if (sameStrings(old.clusterIPs, spec.clusterIPs)) {
      spec.clusterIPs = [spec.clusterIP];
    }
  }
}

/** An update that leaves out allocated values keeps the stored ones (as `kubectl replace` of a saved manifest expects). */
export function patchAllocatedValues(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && spec.clusterIP === old.clusterIP && old.clusterIPs) spec.clusterIPs = [...old.clusterIPs];
  }
  // Node ports by port name, unless the new spec uses that number elsewhere; a LoadBalancer that opted out of node
  // ports may drop them.
  if (shouldAllocateNodePorts(old) && shouldAllocateNodePorts(spec)) {
    const usedNow = new Set((spec.ports ?? []).map((p) => p.nodePort).filter((n): n is number => !!n));
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? '', p.nodePort] as const));
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const was = byName.get(p.name ?? '');
      if (was && !usedNow.has(was)) p.nodePort = was;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && !spec.healthCheckNodePort && old.healthCheckNodePort) {
    spec.healthCheckNodePort = old.healthCheckNodePort;
  }
}

const POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];

/** Stand-alone checks of clusterIP, clusterIPs, ipFamilies and ipFamilyPolicy (upstream's related-fields validation). */
export function validateClusterIPFields(spec: ServiceSpec): StatusCause[] {
  if (!needsClusterIP(spec)) return [];
  const causes: StatusCause[] = [];
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (!ips.length) causes.push(fieldError.required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) causes.push(invalidStrings('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    causes.push(invalidStrings('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') causes.push(fieldError.notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    else if (seen.has(f)) causes.push(fieldError.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if ((spec.ipFamilies?.length ?? 0) > 2) causes.push(invalidStrings('spec.ipFamilies', spec.ipFamilies, 'may only hold up to 2 values'));
  if (spec.ipFamilyPolicy !== undefined && !POLICIES.includes(spec.ipFamilyPolicy)) causes.push(fieldError.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, POLICIES));
  let badIP = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === CLUSTER_IP_NONE) {
      if (ips.length > 1) {
        badIP = true;
        causes.push(invalidStrings('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    if (!parseIP(ip)) {
      badIP = true;
      causes.push(fieldError.invalid(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    }
  });
  if (ips.length > 2) causes.push(invalidStrings('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (badIP) return causes;
  if (ips.length === 2 && parseIP(ips[0]!)?.family === parseIP(ips[1]!)?.family) {
    causes.push(invalidStrings('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(spec)) {
    ips.forEach((ip, i) => {
      const want = spec.ipFamilies?.[i];
      const fam = parseIP(ip)?.family;
      if (want && fam && want !== fam) causes.push(fieldError.invalid(`spec.clusterIPs[${i}]`, ip, `expected an ${want} value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return causes;
}

/** Checks of an update: allocated clusterIPs and families stay as they were (upstream's upgrade/downgrade rules). */
export function validateClusterIPUpdate(spec: ServiceSpec, old: ServiceSpec): StatusCause[] {
  if (!needsClusterIP(spec) || !needsClusterIP(old)) return [];
  if (isHeadless(old) && isHeadless(spec)) return [];
  const causes: StatusCause[] = [];
  const was = old.clusterIPs ?? [];
  const now = spec.clusterIPs ?? [];
  if (was.length === now.length) {
    was.forEach((ip, i) => {
      if (ip !== now[i]) causes.push(invalidStrings(`spec.clusterIPs[${i}]`, now, 'may not change once set'));
    });
  } else if (was.length > now.length) {
    if (!now.length) causes.push(invalidStrings('spec.clusterIPs[0]', now, 'primary clusterIP can not be unset'));
    else if (now[0] !== was[0]) causes.push(invalidStrings('spec.clusterIPs[0]', now, 'may not change once set'));
    if (now.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') causes.push(fieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
  } else if (was.length && now[0] !== was[0]) {
    causes.push(invalidStrings('spec.clusterIPs[0]', now, 'may not change once set'));
  }
  return causes;
}

/**
 * Settle ipFamilyPolicy and ipFamilies for the cluster's families (`families[0]` is the default), mutating the spec.
 * Returns field errors (nothing to allocate then).
 */
export function initIPFamilyFields(spec: ServiceSpec, old: ServiceSpec | undefined, families: readonly IPFamily[]): StatusCause[] {
  if (!needsClusterIP(spec)) return [];
  // A PreferDualStack Service is not up- or downgraded because the cluster changed.
  if (old && needsClusterIP(old) && old.ipFamilyPolicy === 'PreferDualStack' && spec.ipFamilyPolicy === 'PreferDualStack'
    && sameStrings(old.clusterIPs, spec.clusterIPs) && sameStrings(old.ipFamilies, spec.ipFamilies)) return [];
  if (spec.ipFamilyPolicy === undefined) {
    if (old?.ipFamilyPolicy) spec.ipFamilyPolicy = old.ipFamilyPolicy;
    else if (spec.clusterIP === CLUSTER_IP_NONE && !Object.keys(spec.selector ?? {}).length) spec.ipFamilyPolicy = 'RequireDualStack';
    else spec.ipFamilyPolicy = 'SingleStack';
  }
  const pre = validateClusterIPFields(spec);
  if (pre.length) return pre;
  const causes: StatusCause[] = [];
  const single = spec.ipFamilyPolicy === 'SingleStack';
  if (old) {
    if (single) {
      if (sameStrings(old.clusterIPs, spec.clusterIPs) && (spec.clusterIPs?.length ?? 0) > 1) spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
      if (sameStrings(old.ipFamilies, spec.ipFamilies) && (spec.ipFamilies?.length ?? 0) > 1) spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
    } else {
      if ((spec.clusterIPs?.length ?? 0) < (old.clusterIPs?.length ?? 0)) causes.push(fieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'SingleStack' to release the secondary cluster IP"));
      if ((spec.ipFamilies?.length ?? 0) < (old.ipFamilies?.length ?? 0)) causes.push(fieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'SingleStack' to release the secondary IP family"));
    }
  }
  if (single) {
    if (spec.clusterIPs?.length === 2) causes.push(fieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if (spec.ipFamilies?.length === 2) causes.push(fieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  // Families follow the requested IPs.
  const ips = spec.clusterIPs ?? [];
  for (let i = 0; i < ips.length; i++) {
    if (ips[i] === CLUSTER_IP_NONE) break;
    const fam = parseIP(ips[i]!)!.family;
    if (i >= (spec.ipFamilies?.length ?? 0)) {
      if (!families.includes(fam)) causes.push(invalidStrings(`spec.clusterIPs[${i}]`, ips, `${fam} is not configured on this cluster`));
      else (spec.ipFamilies ??= []).push(fam);
    }
  }
  if (causes.length) return causes;
  const other = (f: string): IPFamily => (f === 'IPv4' ? 'IPv6' : 'IPv4');
  if (spec.clusterIP === CLUSTER_IP_NONE && !Object.keys(spec.selector ?? {}).length) {
    // Headless without selector: families are the user's business, even on a single-stack cluster.
    if (!spec.ipFamilies?.length) spec.ipFamilies = [families[0]!];
    if (spec.ipFamilies.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') spec.ipFamilies.push(other(spec.ipFamilies[0]!));
    return [];
  }
  if (spec.ipFamilyPolicy === 'RequireDualStack' && families.length < 2) {
    causes.push(fieldError.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!families.includes(f as IPFamily)) causes.push(fieldError.invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (causes.length) return causes;
  if (!spec.ipFamilies?.length) spec.ipFamilies = [families[0]!];
  if (spec.ipFamilyPolicy !== 'SingleStack' && spec.ipFamilies.length === 1 && families.length === 2) spec.ipFamilies.push(other(spec.ipFamilies[0]!));
  return [];
}
