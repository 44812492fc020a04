/**
 * Node groups as the cluster-autoscaler's Cluster API provider sees them: a MachineDeployment or MachineSet whose
 * annotations carry a min and a max size, its per-group autoscaling options, and the template Node a new member would
 * register as (copied from a live member, or built from the capacity annotations / the infrastructure template when
 * scaling from zero). Pure.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import type { NodeLike, Taint } from '../workload/scheduler/index.js';

export const MIN_SIZE_ANNOTATION = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size';
export const MAX_SIZE_ANNOTATION = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size';
export const CAPACITY_ANNOTATION_PREFIX = 'capacity.cluster-autoscaler.kubernetes.io/';
export const CPU_CAPACITY_ANNOTATION = 'capacity.cluster-autoscaler.kubernetes.io/cpu';
export const MEMORY_CAPACITY_ANNOTATION = 'capacity.cluster-autoscaler.kubernetes.io/memory';
export const MAX_PODS_CAPACITY_ANNOTATION = 'capacity.cluster-autoscaler.kubernetes.io/maxPods';
export const EPHEMERAL_DISK_CAPACITY_ANNOTATION = 'capacity.cluster-autoscaler.kubernetes.io/ephemeral-disk';
export const LABELS_CAPACITY_ANNOTATION = 'capacity.cluster-autoscaler.kubernetes.io/labels';
export const TAINTS_CAPACITY_ANNOTATION = 'capacity.cluster-autoscaler.kubernetes.io/taints';
/** Per-node-group autoscaling options (the provider's `cluster.x-k8s.io/autoscaling-options-*` annotations). */
export const OPTION_ANNOTATION_PREFIX = 'cluster.x-k8s.io/autoscaling-options-';
export const DEFAULT_MAX_PODS = 110;

export type NodeGroupKind = 'MachineDeployment' | 'MachineSet';

/** Per-group overrides of the autoscaler's scale-down options. */
export interface NodeGroupOptions {
  scaleDownUtilizationThreshold?: number;
  scaleDownUnneededTimeMs?: number;
}

export interface NodeGroup {
  /** `MachineDeployment/<namespace>/<name>`, the provider's node group id. */
  id: string;
  kind: NodeGroupKind;
  namespace: string;
  name: string;
  clusterName: string;
  minSize: number;
  maxSize: number;
  /** spec.replicas (the provider's target size). */
  replicas: number;
  options: NodeGroupOptions;
  /** The scalable object as read. */
  object: KubeObject;
}

/** Why an annotated object is not a node group (bad sizes), or the group. */
export type NodeGroupResult = { group: NodeGroup } | { error: string } | undefined;

interface Scalable extends KubeObject {
  spec?: { clusterName?: string; replicas?: number; template?: { spec?: { infrastructureRef?: { apiVersion?: string; kind?: string; name?: string } } } };
}

function parseSize(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/** Go duration text ("10m", "1m30s", "500ms", "2s") in milliseconds; undefined when it is not one. */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === s.length && matched > 0 ? total : undefined;
}

function groupOptions(annotations: Record<string, string>): NodeGroupOptions {
  const o: NodeGroupOptions = {};
  const threshold = Number(annotations[`${OPTION_ANNOTATION_PREFIX}scaledownutilizationthreshold`]);
  if (annotations[`${OPTION_ANNOTATION_PREFIX}scaledownutilizationthreshold`] !== undefined && Number.isFinite(threshold)) o.scaleDownUtilizationThreshold = threshold;
  const unneeded = parseGoDuration(annotations[`${OPTION_ANNOTATION_PREFIX}scaledownunneededtime`]);
  if (unneeded !== undefined) o.scaleDownUnneededTimeMs = unneeded;
  return o;
}

/** The node group an object is, if it carries both size annotations (an error when they are malformed). */
export function nodeGroupOf(obj: KubeObject): NodeGroupResult {
  const a = obj.metadata?.annotations ?? {};
  if (a[MIN_SIZE_ANNOTATION] === undefined && a[MAX_SIZE_ANNOTATION] === undefined) return undefined;
  const kind = obj.kind as NodeGroupKind;
  const id = `${kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
  const minSize = parseSize(a[MIN_SIZE_ANNOTATION]);
  const maxSize = parseSize(a[MAX_SIZE_ANNOTATION]);
  if (minSize === undefined) return { error: `${id}: ${MIN_SIZE_ANNOTATION} must be a non-negative integer, got ${JSON.stringify(a[MIN_SIZE_ANNOTATION] ?? null)}` };
  if (maxSize === undefined) return { error: `${id}: ${MAX_SIZE_ANNOTATION} must be a non-negative integer, got ${JSON.stringify(a[MAX_SIZE_ANNOTATION] ?? null)}` };
  if (maxSize < minSize) return { error: `${id}: max size ${maxSize} is less than min size ${minSize}` };
  const s = obj as Scalable;
  return {
    group: {
      id,
      kind,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
      clusterName: s.spec?.clusterName ?? '',
      minSize,
      maxSize,
      replicas: s.spec?.replicas ?? 1,
      options: groupOptions(a),
      object: obj,
    },
  };
}

/** What the infrastructure template says a machine looks like (sim: spec.template.spec; any: status.capacity). */
export interface InfraTemplateFacts {
  capacity: Record<string, string>;
  os?: string;
  arch?: string;
}

/** Capacity and OS from an infrastructure machine template: the provider contract's status.capacity/nodeInfo, or the sim's numCPUs/memoryMiB/os. */
export function infraTemplateFacts(template: KubeObject | undefined): InfraTemplateFacts {
  const t = template as (KubeObject & { spec?: { template?: { spec?: { numCPUs?: number; memoryMiB?: number; diskGiB?: number; os?: string } } }; status?: { capacity?: Record<string, string>; nodeInfo?: { operatingSystem?: string; architecture?: string } } }) | undefined;
  const capacity: Record<string, string> = {};
  const sim = t?.spec?.template?.spec;
  if (t?.kind?.startsWith('Sim')) {
    capacity.cpu = String(sim?.numCPUs ?? 2);
    capacity.memory = `${(sim?.memoryMiB ?? 4096)}Mi`;
    capacity['ephemeral-storage'] = `${sim?.diskGiB ?? 20}Gi`;
  }
  Object.assign(capacity, t?.status?.capacity ?? {});
  const os = t?.status?.nodeInfo?.operatingSystem ?? sim?.os ?? (t?.kind?.startsWith('Sim') ? 'linux' : undefined);
  return { capacity, os, arch: t?.status?.nodeInfo?.architecture };
}

function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const [k, v] = part.split('=');
    if (k?.trim()) out[k.trim()] = (v ?? '').trim();
  }
  return out;
}

function parseTaints(text: string | undefined): Taint[] {
  const out: Taint[] = [];
  for (const part of (text ?? '').split(',')) {
    const m = /^\s*([^=:]+)(?:=([^:]*))?:(\w+)\s*$/.exec(part);
    if (m) out.push({ key: m[1]!, ...(m[2] ? { value: m[2] } : {}), effect: m[3]! } as Taint);
  }
  return out;
}

export function templateNodeName(group: NodeGroup, i: number): string {
  return `template-node-for-${group.kind.toLowerCase()}-${group.namespace}-${group.name}-${i}`;
}

/**
 * The Node a new member of the group would register as. From a live member when there is one (its labels, taints and
 * allocatable, with a new name: the provider's sanitized copy), otherwise from the capacity annotations over the
 * infrastructure template's facts (scale from zero), labelled with the OS and arch the template says.
 */
export function templateNode(group: NodeGroup, i: number, opts: { member?: NodeLike; infra?: InfraTemplateFacts }): NodeLike {
  const name = templateNodeName(group, i);
  if (opts.member) {
    const m = opts.member;
    const taints = (m.spec?.taints ?? []).filter((t) => !t.key.startsWith('node.kubernetes.io/') && t.key !== TO_BE_DELETED_TAINT && t.key !== DELETION_CANDIDATE_TAINT);
    return {
      metadata: { name, labels: { ...(m.metadata?.labels ?? {}), 'kubernetes.io/hostname': name } },
      spec: { taints },
      status: { allocatable: { ...(m.status?.allocatable ?? m.status?.capacity ?? {}) } },
    };
  }
  const a = group.object.metadata?.annotations ?? {};
  const capacity: Record<string, string> = { ...(opts.infra?.capacity ?? {}) };
  if (a[CPU_CAPACITY_ANNOTATION]) capacity.cpu = a[CPU_CAPACITY_ANNOTATION]!;
  if (a[MEMORY_CAPACITY_ANNOTATION]) capacity.memory = a[MEMORY_CAPACITY_ANNOTATION]!;
  if (a[EPHEMERAL_DISK_CAPACITY_ANNOTATION]) capacity['ephemeral-storage'] = a[EPHEMERAL_DISK_CAPACITY_ANNOTATION]!;
  capacity.pods = a[MAX_PODS_CAPACITY_ANNOTATION] ?? capacity.pods ?? String(DEFAULT_MAX_PODS);
  for (const [k, v] of Object.entries(a)) {
    const res = k.startsWith(CAPACITY_ANNOTATION_PREFIX) ? k.slice(CAPACITY_ANNOTATION_PREFIX.length) : '';
    // Extended resources (e.g. nvidia.com/gpu) given as capacity.cluster-autoscaler.kubernetes.io/<name>.
    if (res && !['cpu', 'memory', 'maxPods', 'ephemeral-disk', 'labels', 'taints'].includes(res) && res.includes('/')) capacity[res] = v;
  }
  const os = opts.infra?.os ?? 'linux';
  const arch = opts.infra?.arch ?? 'amd64';
  const labels: Record<string, string> = {
    'kubernetes.io/os': os,
    'beta.kubernetes.io/os': os,
    'kubernetes.io/arch': arch,
    'beta.kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    ...parseLabels(a[LABELS_CAPACITY_ANNOTATION]),
  };
  return { metadata: { name, labels }, spec: { taints: parseTaints(a[TAINTS_CAPACITY_ANNOTATION]) }, status: { capacity, allocatable: capacity } };
}

/** The taint the autoscaler puts on a Node it is removing (upstream's). */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';
export const DELETION_CANDIDATE_TAINT = 'DeletionCandidateOfClusterAutoscaler';
