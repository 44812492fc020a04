/**
 * Builds the managed-topology Cluster (`cluster.x-k8s.io/v1beta1`, `spec.topology`) that `slipway cluster create`
 * sends, from its flags and an optional Cluster read from a file. Pure: no I/O; every error names the flag and value.
 */
import { parseDocument } from 'yaml';
import { isPlainObject, type KubeObject } from '../apimachinery/types.js';
import { CLUSTER_API_VERSION, isCluster, type ClusterVariable, type MachineDeploymentTopology, type Topology } from '../api/cluster/clusterclass.js';
import type { Cluster } from '../api/cluster/types.js';

/** The class `cluster create` uses when --class is not given; it lives in namespace {@link DEFAULT_CLASS_NAMESPACE}. */
export const DEFAULT_CLASS = 'slipway-default';
export const DEFAULT_CLASS_NAMESPACE = 'default';
/** The version of new clusters when neither --kubernetes-version nor the class names one. */
export const DEFAULT_KUBERNETES_VERSION = 'v1.32.0';
/** The worker pool of a cluster created without --workers/--worker-pool. */
export const DEFAULT_WORKER_POOL = { name: 'md-0', class: 'linux', replicas: 1 } as const;

/** Bad input on the command line or in -f: exit status 2. */
export class UsageError extends Error {}

/** One `--set` or `--set-string`: `VARIABLE[.PATH]=VALUE`. */
export interface VariableSetting {
  text: string;
  /** --set-string: the value is a string as written, never YAML. */
  asString?: boolean;
}

export interface WorkerPoolFlag {
  name: string;
  class: string;
  replicas: number;
}

/** The flags of `cluster create`, as typed (numbers still text, so errors can quote them). */
export interface ClusterCreateFlags {
  name?: string;
  namespace: string;
  className?: string;
  kubernetesVersion?: string;
  controlPlaneReplicas?: string;
  workers?: string;
  workerPools?: string[];
  /** Applied in order; --set before --set-string when both are given (as Helm does). */
  settings?: VariableSetting[];
  /** The Cluster read from -f, the starting point that flags override. */
  base?: Cluster;
  /** Where `base` came from, for error messages. */
  baseSource?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SEMVER = /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-+][0-9A-Za-z.+-]*)?$/;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'an object';
  return `${JSON.stringify(v)} (a ${typeof v})`;
}

/** A replica count: a non-negative integer. */
export function parseReplicas(flag: string, text: string): number {
  if (!/^[0-9]+$/.test(text.trim())) throw new UsageError(`${flag} ${JSON.stringify(text)}: must be a whole number of replicas (0 or more)`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) throw new UsageError(`${flag} ${JSON.stringify(text)}: too many replicas`);
  return n;
}

/** A Kubernetes version with its "v" prefix ("1.32.0" → "v1.32.0"). */
export function parseKubernetesVersion(flag: string, text: string): string {
  const v = text.trim();
  if (!SEMVER.test(v)) throw new UsageError(`${flag} ${JSON.stringify(text)}: must be a Kubernetes version such as v1.32.0`);
  return v.startsWith('v') ? v : `v${v}`;
}

/** `--worker-pool NAME=CLASS:REPLICAS` (`NAME=CLASS` means one replica). */
export function parseWorkerPool(text: string): WorkerPoolFlag {
  const m = /^([^=]*)=([^:]*)(?::(.*))?$/.exec(text);
  const form = 'use NAME=CLASS:REPLICAS, e.g. md-1=windows:2';
  if (!m) throw new UsageError(`--worker-pool ${JSON.stringify(text)}: ${form}`);
  const [, name = '', cls = '', replicas] = m;
  if (!DNS_LABEL.test(name) || name.length > 63) throw new UsageError(`--worker-pool ${JSON.stringify(text)}: pool name ${JSON.stringify(name)} must be a DNS label (lower-case letters, digits and "-"); ${form}`);
  if (!cls) throw new UsageError(`--worker-pool ${JSON.stringify(text)}: the worker class is missing; ${form}`);
  return { name, class: cls, replicas: replicas === undefined ? 1 : parseReplicas(`--worker-pool ${name}=${cls}:`, replicas) };
}

/** `--worker-pool NAME=REPLICAS` of `cluster scale`. */
export function parsePoolReplicas(text: string): { name: string; replicas: number } {
  const m = /^([^=]+)=(.*)$/.exec(text);
  if (!m) throw new UsageError(`--worker-pool ${JSON.stringify(text)}: use NAME=REPLICAS, e.g. md-0=3`);
  return { name: m[1]!, replicas: parseReplicas(`--worker-pool ${m[1]}=`, m[2]!) };
}

type PathSegment = string | number;

/** `a.b\.c[0].d` → ["a", "b.c", 0, "d"]; the first segment is the variable's name. */
export function parseSettingPath(flag: string, text: string, path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let current = '';
  let pendingKey = true;
  const bad = (why: string): UsageError => new UsageError(`${flag} ${JSON.stringify(text)}: ${why}`);
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && (path[i + 1] === '.' || path[i + 1] === '[' || path[i + 1] === '\\')) {
      current += path[++i];
    } else if (ch === '.') {
      if (pendingKey) {
        if (!current) throw bad('empty name in the path');
        segments.push(current);
      }
      current = '';
      pendingKey = true;
    } else if (ch === '[') {
      if (pendingKey) {
        if (!current) throw bad('a list index must follow a name');
        segments.push(current);
      }
      const end = path.indexOf(']', i);
      const index = end < 0 ? '' : path.slice(i + 1, end);
      if (!/^[0-9]+$/.test(index)) throw bad(`list index ${JSON.stringify(path.slice(i, end < 0 ? undefined : end + 1))} must be [N] with N a whole number`);
      segments.push(Number(index));
      i = end;
      current = '';
      pendingKey = false;
      if (i + 1 < path.length && path[i + 1] !== '.' && path[i + 1] !== '[') throw bad(`expected "." or "[" after ${JSON.stringify(path.slice(0, i + 1))}`);
    } else {
      if (!pendingKey) throw bad(`expected "." or "[" before ${JSON.stringify(path.slice(i))}`);
      current += ch;
    }
  }
  if (pendingKey) {
    if (!current) throw bad(path ? 'empty name in the path' : 'the variable name is missing; use VARIABLE.PATH=VALUE');
    segments.push(current);
  }
  if (typeof segments[0] !== 'string') throw bad('the path must start with a variable name');
  return segments;
}

/**
 * The value of a --set: a YAML scalar (number, boolean, null, quoted or plain string) or a flow collection
 * (`[a, b]`, `{k: v}`). Text that is neither (e.g. `a: b`) stays a string; an unparsable flow collection is an error.
 */
export function parseSettingValue(flag: string, text: string, value: string): unknown {
  if (value === '') return '';
  const trimmed = value.trim();
  const flow = trimmed.startsWith('[') || trimmed.startsWith('{');
  const doc = parseDocument(value, { version: '1.2', schema: 'core', uniqueKeys: true });
  if (doc.errors.length > 0) {
    if (flow) throw new UsageError(`${flag} ${JSON.stringify(text)}: the value is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    return value;
  }
  const v = doc.toJS() as unknown;
  if (flow) return v;
  if (v !== null && typeof v === 'object') return value;
  if (v === null && !/^(~|null|Null|NULL)$/.test(trimmed)) return value;
  return v;
}

/** Set `value` at `path` inside `root` (objects and lists made on the way); returns the new root. */
function setAt(root: unknown, path: PathSegment[], value: unknown, flag: string, text: string): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const where = (): string => (typeof head === 'number' ? `[${head}]` : JSON.stringify(head));
  if (typeof head === 'number') {
    const list = root === undefined || root === null ? [] : root;
    if (!Array.isArray(list)) throw new UsageError(`${flag} ${JSON.stringify(text)}: cannot index ${describe(list)} with [${head}]: it is not a list`);
    if (head > list.length) throw new UsageError(`${flag} ${JSON.stringify(text)}: index [${head}] is past the end of a list of ${list.length} (the next index is [${list.length}])`);
    const copy = [...list];
    copy[head] = setAt(copy[head], rest, value, flag, text);
    return copy;
  }
  const obj = root === undefined || root === null ? {} : root;
  if (!isPlainObject(obj)) throw new UsageError(`${flag} ${JSON.stringify(text)}: cannot set field ${where()} inside ${describe(obj)}: it is not an object`);
  return { ...obj, [head!]: setAt(obj[head!], rest, value, flag, text) };
}

/** Apply --set/--set-string settings to a list of Cluster variables (earlier values are merged, not replaced). */
export function applyVariableSettings(variables: ClusterVariable[], settings: VariableSetting[]): ClusterVariable[] {
  const out = variables.map((v) => ({ ...v }));
  for (const s of settings) {
    const flag = s.asString ? '--set-string' : '--set';
    const eq = s.text.indexOf('=');
    if (eq < 0) throw new UsageError(`${flag} ${JSON.stringify(s.text)}: use VARIABLE.PATH=VALUE, e.g. controlPlane.machine.numCPUs=4`);
    const path = parseSettingPath(flag, s.text, s.text.slice(0, eq));
    const raw = s.text.slice(eq + 1);
    const value = s.asString ? raw : parseSettingValue(flag, s.text, raw);
    const [name, ...inner] = path as [string, ...PathSegment[]];
    let v = out.find((x) => x.name === name);
    if (!v) {
      v = { name };
      out.push(v);
    }
    v.value = setAt(v.value, inner, value, `${flag}`, s.text);
  }
  return out;
}

function baseTopology(base: Cluster | undefined, source: string): Partial<Topology> {
  const t = base?.spec?.topology as unknown;
  if (t === undefined || t === null) return {};
  if (!isPlainObject(t)) throw new UsageError(`${source}: spec.topology must be an object, got ${describe(t)}`);
  return structuredClone(t) as Partial<Topology>;
}

/** Check the object read from -f and return it. */
export function checkBaseCluster(obj: KubeObject, source: string): Cluster {
  if (!isCluster(obj)) throw new UsageError(`${source}: expected a ${CLUSTER_API_VERSION} Cluster, got ${obj.apiVersion ?? '?'} ${obj.kind ?? '?'}`);
  if (obj.apiVersion !== CLUSTER_API_VERSION) throw new UsageError(`${source}: apiVersion ${obj.apiVersion} is not served by this command; use ${CLUSTER_API_VERSION}`);
  return obj;
}

/** The class name the Cluster will use: --class, else the file's, else {@link DEFAULT_CLASS}. */
export function chosenClass(flags: Pick<ClusterCreateFlags, 'className' | 'base'>): string {
  const fromFile = flags.base?.spec?.topology?.class;
  return flags.className || (typeof fromFile === 'string' && fromFile ? fromFile : DEFAULT_CLASS);
}

/** What the server-side class contributes: its namespace (when not the Cluster's) and newest version. */
export interface ClassFacts {
  classNamespace?: string;
  newestVersion?: string;
}

/** Build the Cluster: the -f object (if any), flags on top, then defaults for what neither gave. */
export function buildCluster(flags: ClusterCreateFlags, classFacts: ClassFacts = {}): Cluster {
  const source = flags.baseSource ?? '-f';
  const base = flags.base ? checkBaseCluster(structuredClone(flags.base), source) : undefined;
  const name = flags.name || base?.metadata?.name;
  if (!name) throw new UsageError('the cluster name is missing: slipway cluster create NAME');
  if (!DNS_SUBDOMAIN.test(name) || name.length > 63) throw new UsageError(`cluster name ${JSON.stringify(name)}: must be lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 63 characters`);
  if (flags.workers !== undefined && flags.workerPools?.length) throw new UsageError('--workers and --worker-pool cannot be used together: --workers N makes one pool, --worker-pool names each pool');

  const topology = baseTopology(base, source);
  topology.class = chosenClass(flags);
  if (classFacts.classNamespace && (flags.className !== undefined || !topology.classNamespace)) topology.classNamespace = classFacts.classNamespace;
  if (flags.kubernetesVersion !== undefined) topology.version = parseKubernetesVersion('--kubernetes-version', flags.kubernetesVersion);
  else if (!topology.version) topology.version = classFacts.newestVersion ?? DEFAULT_KUBERNETES_VERSION;

  const controlPlane = { ...(topology.controlPlane ?? {}) };
  if (flags.controlPlaneReplicas !== undefined) controlPlane.replicas = parseReplicas('--control-plane-replicas', flags.controlPlaneReplicas);
  else if (controlPlane.replicas === undefined) controlPlane.replicas = 1;
  topology.controlPlane = controlPlane;

  const workers = { ...(topology.workers ?? {}) };
  let pools: MachineDeploymentTopology[] = (workers.machineDeployments ?? []).map((p) => ({ ...p }));
  if (flags.workers !== undefined) {
    const replicas = parseReplicas('--workers', flags.workers);
    if (pools.length > 1) throw new UsageError(`--workers ${flags.workers}: ${source} has ${pools.length} worker pools (${pools.map((p) => p.name).join(', ')}); scale each with --worker-pool NAME=CLASS:REPLICAS`);
    pools = pools.length === 1 ? [{ ...pools[0]!, replicas }] : [{ class: DEFAULT_WORKER_POOL.class, name: DEFAULT_WORKER_POOL.name, replicas }];
  } else if (flags.workerPools?.length) {
    const seen = new Set<string>();
    for (const text of flags.workerPools) {
      const p = parseWorkerPool(text);
      if (seen.has(p.name)) throw new UsageError(`--worker-pool ${JSON.stringify(text)}: pool ${p.name} is given twice`);
      seen.add(p.name);
      const existing = pools.find((x) => x.name === p.name);
      if (existing) Object.assign(existing, { class: p.class, replicas: p.replicas });
      else pools.push({ class: p.class, name: p.name, replicas: p.replicas });
    }
  } else if (!base?.spec?.topology?.workers) {
    pools = [{ class: DEFAULT_WORKER_POOL.class, name: DEFAULT_WORKER_POOL.name, replicas: DEFAULT_WORKER_POOL.replicas }];
  }
  workers.machineDeployments = pools;
  topology.workers = workers;

  if (flags.settings?.length) {
    const existing = topology.variables ?? [];
    if (!Array.isArray(existing)) throw new UsageError(`${source}: spec.topology.variables must be a list, got ${describe(existing)}`);
    const ordered = [...flags.settings.filter((s) => !s.asString), ...flags.settings.filter((s) => s.asString)];
    topology.variables = applyVariableSettings(existing, ordered);
  }

  const metadata = { ...(base?.metadata ?? {}), name, namespace: flags.namespace };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'deletionTimestamp', 'selfLink'] as const) delete (metadata as Record<string, unknown>)[k];
  const spec = { ...(base?.spec ?? {}), topology: orderTopology(topology as Topology) };
  return { apiVersion: CLUSTER_API_VERSION, kind: 'Cluster', metadata, spec };
}

/** Keys in the order upstream documents them, so printed YAML reads naturally. */
function orderTopology(t: Topology): Topology {
  const { class: cls, classNamespace, version, controlPlane, workers, variables, ...rest } = t;
  return { class: cls, ...(classNamespace ? { classNamespace } : {}), version, ...(controlPlane ? { controlPlane } : {}), ...(workers ? { workers } : {}), ...(variables ? { variables } : {}), ...rest };
}
