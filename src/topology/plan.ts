/**
 * `slipway topology plan` as a pure function: from a set of documents (ClusterClasses, their templates, Clusters)
 * validate, default and render every Cluster; report problems one line each, naming the object and field path.
 */
import { StatusError, causeMessage } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import { computeDesiredState, desiredObjects, TopologyError, type CurrentState, type DesiredState } from './desired-state.js';
import { PatchError } from './patches.js';
import type { RandomSource } from './random.js';
import type { TemplateRenderer } from './template-renderer.js';
import { isCluster, isClusterClass, LABELS, type Cluster, type ClusterClass } from './types.js';
import { validateClusterClass } from './validate.js';
import { VersionPlanError } from './versions.js';
import { getPath } from './objects.js';

export interface PlanOptions {
  renderer: TemplateRenderer;
  random?: RandomSource;
  /** Objects that exist today (for name reuse, version orchestration, rotation and diffs). */
  current?: KubeObject[];
}

export interface ClusterPlan {
  cluster: Cluster;
  state?: DesiredState;
  objects: KubeObject[];
  errors: string[];
}

export interface PlanResult {
  clusters: ClusterPlan[];
  /** Every problem, one line each: `Cluster default/c1: spec.topology.variables[x].value: ...`. */
  errors: string[];
}

function id(o: KubeObject): string {
  return `${o.kind} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
}

function ns(o: KubeObject): string {
  return o.metadata?.namespace ?? 'default';
}

/** Error lines for an exception thrown while planning `subject`. */
export function errorLines(subject: string, e: unknown): string[] {
  if (e instanceof StatusError) {
    const causes = e.details?.causes ?? [];
    if (causes.length > 0) return causes.map((c) => `${subject}: ${causeMessage(c)}`);
    return [`${subject}: ${e.message}`];
  }
  if (e instanceof TopologyError) return [`${e.object === subject ? subject : `${subject}: ${e.object}`}: ${e.message}`];
  if (e instanceof PatchError) return [`${subject}: ${e.field}: ${e.message}`];
  if (e instanceof VersionPlanError) return [`${subject}: spec.topology.version: ${e.message}`];
  return [`${subject}: ${e instanceof Error ? e.message : String(e)}`];
}

/** Build the current state of `cluster` from a list of existing objects (by references and topology labels). */
export function currentStateFromObjects(cluster: Cluster, objects: readonly KubeObject[]): { state: CurrentState; cluster?: Cluster } {
  const namespace = ns(cluster);
  const name = cluster.metadata?.name ?? '';
  const inNs = objects.filter((o) => ns(o) === namespace);
  const find = (kind: unknown, n: unknown) => inNs.find((o) => o.kind === kind && o.metadata?.name === n);
  const currentCluster = inNs.find((o) => isCluster(o) && o.metadata?.name === name) as Cluster | undefined;
  const refs = currentCluster?.spec ?? cluster.spec ?? {};
  const state: CurrentState = {};
  const owned = (o: KubeObject) => o.metadata?.labels?.[LABELS.clusterName] === name;
  if (refs.infrastructureRef) state.infrastructureCluster = find(refs.infrastructureRef.kind, refs.infrastructureRef.name);
  if (refs.controlPlaneRef) {
    const cp = find(refs.controlPlaneRef.kind, refs.controlPlaneRef.name);
    if (cp) {
      const ref = getPath(cp, ['spec', 'machineTemplate', 'infrastructureRef']) as { kind?: string; name?: string } | undefined;
      state.controlPlane = { object: cp, infrastructureMachineTemplate: ref ? find(ref.kind, ref.name) : undefined };
    }
  }
  for (const o of inNs) {
    if (!owned(o)) continue;
    const refOf = (p: string[]) => getPath(o, p) as { kind?: string; name?: string } | undefined;
    if (o.kind === 'MachineDeployment') {
      const topo = o.metadata?.labels?.[LABELS.deploymentName];
      if (!topo) continue;
      const b = refOf(['spec', 'template', 'spec', 'bootstrap', 'configRef']);
      const i = refOf(['spec', 'template', 'spec', 'infrastructureRef']);
      (state.machineDeployments ??= {})[topo] = {
        object: o,
        bootstrapTemplate: b ? find(b.kind, b.name) : undefined,
        infrastructureMachineTemplate: i ? find(i.kind, i.name) : undefined,
      };
    } else if (o.kind === 'MachinePool') {
      const topo = o.metadata?.labels?.[LABELS.poolName];
      if (!topo) continue;
      const b = refOf(['spec', 'template', 'spec', 'bootstrap', 'configRef']);
      const i = refOf(['spec', 'template', 'spec', 'infrastructureRef']);
      (state.machinePools ??= {})[topo] = {
        object: o,
        bootstrapObject: b ? find(b.kind, b.name) : undefined,
        infrastructureMachinePool: i ? find(i.kind, i.name) : undefined,
      };
    }
  }
  return { state, cluster: currentCluster };
}

/** Plan every Cluster found in `documents`. */
export function planTopology(documents: readonly KubeObject[], opts: PlanOptions): PlanResult {
  const classes = documents.filter(isClusterClass) as ClusterClass[];
  const clusters = documents.filter(isCluster) as Cluster[];
  const templates = documents.filter((o) => !isCluster(o) && !isClusterClass(o));
  const errors: string[] = [];
  const classErrors = new Map<ClusterClass, string[]>();
  for (const cc of classes) {
    const lines = validateClusterClass(cc, opts.renderer).map((c) => `${id(cc)}: ${causeMessage(c)}`);
    classErrors.set(cc, lines);
    errors.push(...lines);
  }
  if (clusters.length === 0) errors.push('no Cluster with spec.topology found in the input');
  const plans: ClusterPlan[] = [];
  for (const cluster of clusters) {
    const subject = id(cluster);
    const plan: ClusterPlan = { cluster, objects: [], errors: [] };
    plans.push(plan);
    const topo = cluster.spec?.topology;
    if (!topo) {
      plan.errors.push(`${subject}: spec.topology: Required value`);
      continue;
    }
    const classNs = topo.classNamespace ?? ns(cluster);
    const cc = classes.find((c) => c.metadata?.name === topo.class && ns(c) === classNs);
    if (!cc) {
      plan.errors.push(`${subject}: spec.topology.class: Invalid value: ${JSON.stringify(topo.class)}: ClusterClass ${JSON.stringify(`${classNs}/${topo.class}`)} not found in the input`);
      continue;
    }
    if ((classErrors.get(cc) ?? []).length > 0) {
      plan.errors.push(`${subject}: ${id(cc)} is invalid (see above)`);
      continue;
    }
    const current = opts.current ? currentStateFromObjects(cluster, opts.current) : undefined;
    try {
      const input: Cluster = current?.cluster?.spec ? { ...cluster, spec: { ...cluster.spec, infrastructureRef: current.cluster.spec.infrastructureRef, controlPlaneRef: current.cluster.spec.controlPlaneRef } } : cluster;
      plan.state = computeDesiredState(cc, input, templates, current?.state, { renderer: opts.renderer, random: opts.random, oldCluster: current?.cluster });
      plan.objects = desiredObjects(plan.state);
    } catch (e) {
      plan.errors.push(...errorLines(subject, e));
    }
  }
  for (const p of plans) errors.push(...p.errors);
  return { clusters: plans, errors };
}
