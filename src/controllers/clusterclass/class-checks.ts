/**
 * ClusterClass checks beyond the engine's own validation, as Cluster API's ClusterClass webhook makes them (pure):
 * template references must name `*Template` kinds; an update may not change the group or kind of a template
 * (Clusters built from the class would be left with objects of another kind); and an update may not pull the rug
 * from under the Clusters using the class: no removing a worker class, a health check, or a variable they use, no
 * schema change their values fail, no new required variable they lack, no Kubernetes version list without theirs.
 */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { deepEqual } from '../../apimachinery/schema/path.js';
import { groupOf, type ClusterClass, type ClusterVariable, type MachineHealthCheckTopology, type ObjectReference } from '../../api/cluster/clusterclass.js';
import type { Cluster } from '../../api/cluster/types.js';
import { validateClusterVariable } from '../../topology/index.js';
import { compareVersions, parseVersion, type SemVer } from '../../topology/versions.js';
import { autoscalerReplicasCauses } from './cluster-checks.js';

/** Every template reference of a class with its field path (`…ref`). */
export function templateRefs(cc: ClusterClass): { path: string; ref: ObjectReference | undefined }[] {
  const spec = cc.spec ?? {};
  const out: { path: string; ref: ObjectReference | undefined }[] = [
    { path: 'spec.infrastructure.ref', ref: spec.infrastructure?.ref },
    { path: 'spec.controlPlane.ref', ref: spec.controlPlane?.ref },
  ];
  if (spec.controlPlane?.machineInfrastructure) out.push({ path: 'spec.controlPlane.machineInfrastructure.ref', ref: spec.controlPlane.machineInfrastructure.ref });
  (spec.workers?.machineDeployments ?? []).forEach((md, i) => {
    out.push({ path: `spec.workers.machineDeployments[${i}].template.bootstrap.ref`, ref: md.template?.bootstrap?.ref });
    out.push({ path: `spec.workers.machineDeployments[${i}].template.infrastructure.ref`, ref: md.template?.infrastructure?.ref });
  });
  (spec.workers?.machinePools ?? []).forEach((mp, i) => {
    out.push({ path: `spec.workers.machinePools[${i}].template.bootstrap.ref`, ref: mp.template?.bootstrap?.ref });
    out.push({ path: `spec.workers.machinePools[${i}].template.infrastructure.ref`, ref: mp.template?.infrastructure?.ref });
  });
  return out;
}

const TEMPLATE_SUFFIX = 'Template';

/** A referenced kind must be `<name>Template`. */
export function templateKindCauses(cc: ClusterClass): StatusCause[] {
  const out: StatusCause[] = [];
  for (const { path, ref } of templateRefs(cc)) {
    const kind = ref?.kind;
    if (!kind) continue; // a missing kind is the engine's "Required value"
    if (kind.length <= TEMPLATE_SUFFIX.length || !kind.endsWith(TEMPLATE_SUFFIX)) {
      out.push(fieldError.invalid(`${path}.kind`, kind, `template kind must be of form "<name>${TEMPLATE_SUFFIX}"`));
    }
  }
  return out;
}

/**
 * `spec.kubernetesVersions` must ascend, a minor at a time at most (the topology steps through one per minor). Versions
 * that do not parse are the engine's to report.
 */
export function kubernetesVersionsOrderCauses(cc: ClusterClass): StatusCause[] {
  const out: StatusCause[] = [];
  let previous: SemVer | undefined;
  (cc.spec?.kubernetesVersions ?? []).forEach((text, i) => {
    const v = parseVersion(text);
    if (!v) return;
    if (previous) {
      const path = `spec.kubernetesVersions[${i}]`;
      const prevText = `v${previous.major}.${previous.minor}.${previous.patch}${previous.pre ? `-${previous.pre}` : ''}`;
      if (compareVersions(v, previous) <= 0) out.push(fieldError.invalid(path, text, `version must be greater than ${prevText}`));
      if (v.minor !== previous.minor && v.minor !== previous.minor + 1) {
        out.push(fieldError.invalid(path, text, `expecting a version with minor ${previous.minor} or ${previous.minor + 1}, found version ${text}`));
      }
    }
    previous = v;
  });
  return out;
}

/** A template reference may change its name and version, not its group, kind or namespace. */
export function templateRefCompatibilityCauses(current: ObjectReference | undefined, desired: ObjectReference | undefined, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const from = groupOf(current?.apiVersion);
  const to = groupOf(desired?.apiVersion);
  if (from !== to) out.push(fieldError.forbidden(`${path}.apiVersion`, `apiVersion.group cannot be changed from ${JSON.stringify(from)} to ${JSON.stringify(to)} to prevent incompatible changes in the Clusters`));
  if ((current?.kind ?? '') !== (desired?.kind ?? '')) {
    out.push(fieldError.forbidden(`${path}.kind`, `apiVersion.kind cannot be changed from ${JSON.stringify(current?.kind ?? '')} to ${JSON.stringify(desired?.kind ?? '')} to prevent incompatible changes in the Clusters`));
  }
  if ((current?.namespace ?? '') !== (desired?.namespace ?? '')) {
    out.push(fieldError.forbidden(`${path}.namespace`, `templates must be in the same namespace as the ClusterClass (${current?.namespace ?? ''})`));
  }
  return out;
}

/**
 * Whether Clusters built from `current` can move to `desired` (a class update, or a Cluster changing its class):
 * the infrastructure, control plane and machine templates keep their group and kind.
 */
export function clusterClassesCompatibilityCauses(current: ClusterClass, desired: ClusterClass): StatusCause[] {
  const out: StatusCause[] = [];
  const c = current.spec ?? {};
  const d = desired.spec ?? {};
  out.push(...templateRefCompatibilityCauses(c.infrastructure?.ref, d.infrastructure?.ref, 'spec.infrastructure.ref'));
  out.push(...templateRefCompatibilityCauses(c.controlPlane?.ref, d.controlPlane?.ref, 'spec.controlPlane.ref'));
  if (c.controlPlane?.machineInfrastructure?.ref || d.controlPlane?.machineInfrastructure?.ref) {
    out.push(...templateRefCompatibilityCauses(c.controlPlane?.machineInfrastructure?.ref, d.controlPlane?.machineInfrastructure?.ref, 'spec.controlPlane.machineInfrastructure.ref'));
  }
  (d.workers?.machineDeployments ?? []).forEach((md, i) => {
    const old = c.workers?.machineDeployments?.find((o) => o.class === md.class);
    if (old) out.push(...templateRefCompatibilityCauses(old.template?.infrastructure?.ref, md.template?.infrastructure?.ref, `spec.workers.machineDeployments[${i}].template.infrastructure.ref`));
  });
  (d.workers?.machinePools ?? []).forEach((mp, i) => {
    const old = c.workers?.machinePools?.find((o) => o.class === mp.class);
    if (old) out.push(...templateRefCompatibilityCauses(old.template?.infrastructure?.ref, mp.template?.infrastructure?.ref, `spec.workers.machinePools[${i}].template.infrastructure.ref`));
  });
  return out;
}

/** The Clusters (of any namespace) whose topology names this class. */
export function clustersUsing(cc: ClusterClass, clusters: readonly Cluster[]): Cluster[] {
  const name = cc.metadata?.name;
  const namespace = cc.metadata?.namespace ?? '';
  return clusters.filter((c) => {
    const t = c.spec?.topology;
    return !!t && t.class === name && (t.classNamespace || c.metadata?.namespace || '') === namespace;
  });
}

/** How a Cluster is named in messages: its name, or namespace/name when it lives outside the class's namespace. */
function clusterLabel(c: Cluster, classNamespace: string | undefined): string {
  const ns = c.metadata?.namespace ?? '';
  return ns === (classNamespace ?? '') ? (c.metadata?.name ?? '') : `${ns}/${c.metadata?.name ?? ''}`;
}

/** Go's %v of a string slice: `[a b]`. */
function goList(items: string[]): string {
  return `[${items.join(' ')}]`;
}

/** What an update of a class in use may not do to `clusters` (the Clusters using the stored class). */
export function classUpdateCauses(old: ClusterClass, updated: ClusterClass, clusters: readonly Cluster[]): StatusCause[] {
  const ns = updated.metadata?.namespace;
  return [
    ...kubernetesVersionsCauses(updated, clusters, ns),
    ...removedWorkerClassCauses(old, updated, clusters, ns),
    ...removedHealthCheckCauses(old, updated, clusters, ns),
    ...variableUpdateCauses(old, updated, clusters, ns),
    ...clusters.flatMap((c) => autoscalerReplicasCauses(c, updated)),
  ];
}

function kubernetesVersionsCauses(updated: ClusterClass, clusters: readonly Cluster[], ns: string | undefined): StatusCause[] {
  const versions = updated.spec?.kubernetesVersions;
  if (!versions?.length) return [];
  const allowed = new Set(versions);
  return clusters
    .filter((c) => !allowed.has(c.spec?.topology?.version ?? ''))
    .map((c) => fieldError.forbidden('spec.kubernetesVersions', `Kubernetes Version ${c.spec?.topology?.version ?? ''} is used by Cluster ${JSON.stringify(clusterLabel(c, ns))} but not set in ClusterClass`));
}

function removedWorkerClassCauses(old: ClusterClass, updated: ClusterClass, clusters: readonly Cluster[], ns: string | undefined): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [kind, what] of [
    ['machineDeployments', 'MachineDeploymentClass'],
    ['machinePools', 'MachinePoolClass'],
  ] as const) {
    const kept = new Set((updated.spec?.workers?.[kind] ?? []).map((w) => w.class));
    const removed = new Set((old.spec?.workers?.[kind] ?? []).map((w) => w.class).filter((name) => !kept.has(name)));
    if (!removed.size) continue;
    for (const c of clusters) {
      for (const w of c.spec?.topology?.workers?.[kind] ?? []) {
        if (removed.has(w.class)) out.push(fieldError.forbidden(`spec.workers.${kind}`, `${what} ${JSON.stringify(w.class)} cannot be deleted because it is used by Cluster ${JSON.stringify(clusterLabel(c, ns))}`));
      }
    }
  }
  return out;
}

/** A topology health check that is switched on and relies on the class for its definition. */
function reliesOnClassHealthCheck(mhc: MachineHealthCheckTopology | undefined): boolean {
  if (!mhc || mhc.enable !== true) return false;
  const { enable: _enable, ...own } = mhc;
  return Object.values(own).every((v) => v === undefined);
}

function removedHealthCheckCauses(old: ClusterClass, updated: ClusterClass, clusters: readonly Cluster[], ns: string | undefined): StatusCause[] {
  const out: StatusCause[] = [];
  const message = (users: Cluster[]): string => `MachineHealthCheck cannot be deleted because it is used by Cluster(s) ${JSON.stringify(users.map((c) => clusterLabel(c, ns)).join(','))}`;
  if (old.spec?.controlPlane?.machineHealthCheck && !updated.spec?.controlPlane?.machineHealthCheck) {
    const users = clusters.filter((c) => reliesOnClassHealthCheck(c.spec?.topology?.controlPlane?.machineHealthCheck));
    if (users.length) out.push(fieldError.forbidden('spec.controlPlane.machineHealthCheck', message(users)));
  }
  (updated.spec?.workers?.machineDeployments ?? []).forEach((md, i) => {
    const before = old.spec?.workers?.machineDeployments?.find((o) => o.class === md.class);
    if (!before?.machineHealthCheck || md.machineHealthCheck) return;
    const users = clusters.filter((c) => (c.spec?.topology?.workers?.machineDeployments ?? []).some((t) => t.class === md.class && reliesOnClassHealthCheck(t.machineHealthCheck)));
    if (users.length) out.push(fieldError.forbidden(`spec.workers.machineDeployments[${i}].machineHealthCheck`, message(users)));
  });
  return out;
}

type VariableChange = 'altered' | 'removed' | 'added' | 'required';

/**
 * Variables of a class in use (Cluster API v1.3's rules): a changed schema must still accept every Cluster's value, a
 * removed variable may not be set by any Cluster (top level or in a MachineDeployment's overrides), and a required
 * variable must be set by every Cluster. One cause per variable and rule, naming the Clusters.
 */
export function variableUpdateCauses(old: ClusterClass, updated: ClusterClass, clusters: readonly Cluster[], ns?: string): StatusCause[] {
  const oldVars = new Map((old.spec?.variables ?? []).map((v) => [v.name, v]));
  const newList = updated.spec?.variables ?? [];
  const newVars = new Map(newList.map((v) => [v.name, v]));
  const index = new Map(newList.map((v, i) => [v.name, i]));
  const failures = new Map<string, { change: VariableChange; variable: string; clusters: string[] }>();
  const fail = (change: VariableChange, variable: string, cluster: string): void => {
    const key = `${change}\u0000${variable}`;
    const entry = failures.get(key) ?? { change, variable, clusters: [] };
    if (!entry.clusters.includes(cluster)) entry.clusters.push(cluster);
    failures.set(key, entry);
  };
  const check = (value: ClusterVariable, label: string, cluster: string): void => {
    const before = oldVars.get(value.name);
    const after = newVars.get(value.name);
    if (before && !after) return fail('removed', label, cluster);
    if (!after) return; // never defined: not this update's doing
    if (before && deepEqual(before.schema, after.schema)) return;
    if (validateClusterVariable(value, after, `spec.topology.variables[${value.name}]`).length) fail(before ? 'altered' : 'added', label, cluster);
  };
  for (const c of clusters) {
    const name = clusterLabel(c, ns);
    for (const v of c.spec?.topology?.variables ?? []) check(v, v.name, name);
    for (const md of c.spec?.topology?.workers?.machineDeployments ?? []) {
      for (const v of md.variables?.overrides ?? []) check(v, `${md.name}/${v.name}`, name);
    }
  }
  for (const def of newList) {
    if (!def.required) continue;
    for (const c of clusters) {
      if (!(c.spec?.topology?.variables ?? []).some((v) => v.name === def.name)) fail('required', def.name, clusterLabel(c, ns));
    }
  }
  const pathOf = (variable: string): string => {
    const i = index.get(variable.includes('/') ? variable.slice(variable.indexOf('/') + 1) : variable);
    return i === undefined ? 'spec.variables' : `spec.variables[${i}]`;
  };
  const text: Record<VariableChange, (v: string, cs: string) => string> = {
    altered: (v, cs) => `variable schema change for ${v} is invalid. It failed validation in Clusters ${cs}`,
    removed: (v, cs) => `variable ${v} can not be removed. It is used in Clusters ${cs}`,
    added: (v, cs) => `variable ${v} can not be added. It failed validation in Clusters ${cs}`,
    required: (v, cs) => `variable ${v} is required but is not defined in Clusters ${cs}`,
  };
  const out: StatusCause[] = [];
  for (const change of ['altered', 'removed', 'added', 'required'] as const) {
    const entries = [...failures.values()].filter((f) => f.change === change).sort((a, b) => (a.variable < b.variable ? -1 : a.variable > b.variable ? 1 : 0));
    for (const f of entries) out.push(fieldError.forbidden(pathOf(f.variable), text[change](f.variable, goList(f.clusters))));
  }
  return out;
}

