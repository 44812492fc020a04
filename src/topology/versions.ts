/**
 * Kubernetes version orchestration of a managed topology, after Cluster API's desired-state rules: the control plane
 * upgrades first, one minor at a time (or through the class's `kubernetesVersions`, latest patch per minor), and
 * workers pick up a version only when the control plane is stable at it, a bounded number of
 * MachineDeployments at a time (annotation `topology.cluster.x-k8s.io/upgrade-concurrency`, default 1).
 */
import type { KubeObject } from '../apimachinery/types.js';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string;
  build: string;
}

/** semver.ParseTolerant: leading `v`, missing patch tolerated. */
export function parseVersion(v: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(v.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), pre: m[4] ?? '', build: m[5] ?? '' };
}

function mustParse(v: string, what: string): SemVer {
  const s = parseVersion(v);
  if (!s) throw new VersionPlanError(`failed to parse ${what} version ${v}`);
  return s;
}

/** -1, 0, 1 by major.minor.patch then pre-release (a release sorts after its pre-releases); build ignored. */
export function compareVersions(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.pre === b.pre) return 0;
  if (!a.pre) return 1;
  if (!b.pre) return -1;
  return a.pre < b.pre ? -1 : 1;
}

function same(a: SemVer, b: SemVer): boolean {
  return compareVersions(a, b) === 0 && a.build === b.build;
}

export class VersionPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersionPlanError';
  }
}

/** The control plane steps from `current` to `desired` (excluded / included). */
export function controlPlaneUpgradePlan(desired: string, current: string, kubernetesVersions?: string[]): string[] {
  const d = mustParse(desired, 'desired');
  const c = mustParse(current, 'current ControlPlane');
  if (same(c, d)) return [];
  if (compareVersions(d, c) < 0) throw new VersionPlanError(`cannot compute an upgrade plan from ${current} to ${desired}: downgrades are not supported`);
  if (!kubernetesVersions || kubernetesVersions.length === 0) {
    if (d.major !== c.major || d.minor > c.minor + 1) throw new VersionPlanError(`cannot compute an upgrade plan from ${current} to ${desired}`);
    return [desired];
  }
  // Latest known version of every minor after the current one, up to the desired version.
  const known = kubernetesVersions.map((v) => ({ v, s: mustParse(v, 'ClusterClass') })).sort((a, b) => compareVersions(a.s, b.s));
  const plan: string[] = [];
  for (let minor = c.minor + 1; minor < d.minor; minor++) {
    const inMinor = known.filter((k) => k.s.major === d.major && k.s.minor === minor);
    if (inMinor.length === 0) throw new VersionPlanError(`cannot compute an upgrade plan from ${current} to ${desired}: no version for minor ${d.major}.${minor} in spec.kubernetesVersions`);
    plan.push(inMinor[inMinor.length - 1]!.v);
  }
  plan.push(desired);
  return plan;
}

/**
 * The workers' steps from `minWorkers` to `desired`: upstream's default plan (a step every 3 minors to respect the
 * version-skew policy, then the desired version), picking versions from the control plane plan.
 */
export function workersUpgradePlan(desired: string, controlPlaneVersion: string, minWorkers: string | undefined, cpPlan: string[]): string[] {
  if (!minWorkers) return [];
  const d = mustParse(desired, 'desired');
  const w = mustParse(minWorkers, 'workers');
  if (same(w, d)) return [];
  const minors = new Map<number, string>();
  minors.set(mustParse(controlPlaneVersion, 'ControlPlane').minor, controlPlaneVersion);
  for (const v of cpPlan) minors.set(mustParse(v, 'plan').minor, v);
  const plan: string[] = [];
  for (let i = 0; i < d.minor - w.minor; i++) {
    if (i > 0 && i % 3 === 0) {
      const v = minors.get(w.minor + i);
      if (!v) throw new VersionPlanError(`invalid upgrade plan; unable to identify version for minor ${w.minor + i}`);
      plan.push(v);
    }
  }
  if (plan.length === 0 || plan[plan.length - 1] !== desired) plan.push(desired);
  return plan;
}

export interface ControlPlaneState {
  version: string;
  provisioning: boolean;
  upgrading: boolean;
  scaling: boolean;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Read a control plane object's contract fields: spec.version, status.version, replicas counters. */
export function controlPlaneState(cp: KubeObject): ControlPlaneState {
  const spec = (cp.spec ?? {}) as Record<string, unknown>;
  const status = (cp.status ?? {}) as Record<string, unknown>;
  const version = typeof spec.version === 'string' ? spec.version : '';
  const statusVersion = typeof status.version === 'string' ? status.version : undefined;
  const provisioning = statusVersion === undefined;
  let upgrading = false;
  if (!provisioning) {
    const a = parseVersion(version);
    const b = parseVersion(statusVersion!);
    upgrading = !a || !b || compareVersions(a, b) !== 0;
  }
  const want = num(spec.replicas);
  let scaling = false;
  if (want !== undefined && !provisioning) {
    const replicas = num(status.replicas) ?? 0;
    const updated = num(status.updatedReplicas) ?? replicas;
    const ready = num(status.readyReplicas) ?? replicas;
    const unavailable = num(status.unavailableReplicas) ?? 0;
    scaling = replicas !== want || updated !== want || ready !== want || unavailable > 0;
  }
  return { version, provisioning, upgrading, scaling };
}

/** Whether a MachineDeployment (or MachinePool) is still rolling out its current spec. */
export function workerRollingOut(o: KubeObject): boolean {
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  const status = o.status as Record<string, unknown> | undefined;
  if (!status) return false;
  const gen = o.metadata?.generation;
  const observed = num(status.observedGeneration);
  if (gen !== undefined && observed !== undefined && observed < gen) return true;
  const replicas = num(status.replicas) ?? 0;
  const updated = num(status.updatedReplicas) ?? replicas;
  const unavailable = num(status.unavailableReplicas) ?? 0;
  const want = num(spec.replicas);
  return updated !== replicas || unavailable > 0 || (want !== undefined && replicas !== want);
}

export interface WorkerInput {
  /** MachineDeployment / MachinePool topology name. */
  name: string;
  /** The current object, when it exists. */
  current?: KubeObject;
  /** `topology.cluster.x-k8s.io/defer-upgrade` set on its topology metadata. */
  deferUpgrade?: boolean;
}

export interface WorkerVersion {
  version: string;
  /** Not created yet: waiting for the control plane to be stable. */
  pendingCreate?: boolean;
  /** Not at the desired version yet and not picking it up in this step. */
  pendingUpgrade?: boolean;
  /** Picks up a new version in this step. */
  upgrading?: boolean;
}

export interface VersionPlan {
  /** The version the control plane should have now. */
  controlPlane: string;
  /** Why the control plane does not (yet) move to the next step. */
  controlPlaneHold?: 'provisioning' | 'upgrading' | 'scaling' | 'workersUpgrading' | 'workersBehind';
  controlPlaneUpgradePlan: string[];
  workersUpgradePlan: string[];
  workers: Record<string, WorkerVersion>;
}

export interface VersionPlanInput {
  /** spec.topology.version */
  desired: string;
  controlPlane?: KubeObject;
  workers: WorkerInput[];
  /** ClusterClass spec.kubernetesVersions (optional). */
  kubernetesVersions?: string[];
  /** Max MachineDeployments upgrading at once (default 1). */
  concurrency?: number;
}

/** Compute the versions of this reconcile step. Throws VersionPlanError when no plan exists (e.g. skipping a minor). */
export function planVersions(input: VersionPlanInput): VersionPlan {
  const desired = input.desired;
  const d = mustParse(desired, 'Cluster');
  const workers: Record<string, WorkerVersion> = {};
  if (!input.controlPlane) {
    for (const w of input.workers) workers[w.name] = { version: desired };
    return { controlPlane: desired, controlPlaneUpgradePlan: [], workersUpgradePlan: [], workers };
  }
  const cp = controlPlaneState(input.controlPlane);
  const cpVer = mustParse(cp.version, 'ControlPlane');
  let minWorkers: SemVer | undefined;
  let minWorkersStr: string | undefined;
  for (const w of input.workers) {
    const v = workerVersionOf(w.current);
    if (!v) continue;
    const s = mustParse(v, `MachineDeployment ${w.name}`);
    if (!minWorkers || compareVersions(s, minWorkers) < 0) {
      minWorkers = s;
      minWorkersStr = v;
    }
  }
  let cpPlan: string[] = [];
  let wPlan: string[] = [];
  if (!(same(cpVer, d) && (!minWorkers || same(minWorkers, d)))) {
    cpPlan = controlPlaneUpgradePlan(desired, cp.version, input.kubernetesVersions);
    wPlan = workersUpgradePlan(desired, cp.version, minWorkersStr, cpPlan);
  }

  const anyWorkerRolling = input.workers.some((w) => w.current && workerRollingOut(w.current));
  let hold: VersionPlan['controlPlaneHold'];
  let cpNext = cp.version;
  if (cpPlan.length > 0) {
    if (cp.provisioning) hold = 'provisioning';
    else if (cp.upgrading) hold = 'upgrading';
    else if (cp.scaling) hold = 'scaling';
    else if (anyWorkerRolling) hold = 'workersUpgrading';
    else if (wPlan.length > 0 && wPlan[0] === cp.version) hold = 'workersBehind';
    else cpNext = cpPlan[0]!;
  }
  const cpStable = !cp.provisioning && !cp.upgrading && !cp.scaling && cpNext === cp.version;

  const concurrency = Math.max(1, input.concurrency ?? 1);
  let upgradingNow = input.workers.filter((w) => w.current && workerRollingOut(w.current)).length;
  const target = wPlan[0];
  for (const w of input.workers) {
    const current = workerVersionOf(w.current);
    if (!w.current || !current) {
      workers[w.name] = cpStable && same(cpVer, d) ? { version: desired } : { version: desired, pendingCreate: true };
      continue;
    }
    if (current === desired || !target) {
      workers[w.name] = { version: current };
      continue;
    }
    const t = mustParse(target, 'workers plan');
    const canPick = cpStable && compareVersions(cpVer, t) >= 0 && !w.deferUpgrade && !workerRollingOut(w.current) && upgradingNow < concurrency;
    if (canPick) {
      upgradingNow++;
      workers[w.name] = { version: target, upgrading: true };
    } else workers[w.name] = { version: current, pendingUpgrade: true };
  }
  return { controlPlane: cpNext, controlPlaneHold: hold, controlPlaneUpgradePlan: cpPlan, workersUpgradePlan: wPlan, workers };
}

function workerVersionOf(o: KubeObject | undefined): string | undefined {
  const v = ((o?.spec as Record<string, unknown> | undefined)?.template as { spec?: { version?: unknown } } | undefined)?.spec?.version;
  return typeof v === 'string' && v ? v : undefined;
}
