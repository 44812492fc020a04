/**
 * computeDesiredState: from a ClusterClass, its templates and a Cluster (plus, optionally, the objects that already
 * exist for it) compute every object of the managed topology, as Cluster API's desired-state generator does:
 * infrastructure cluster, control plane (+ machine template and MachineHealthCheck), MachineDeployments and
 * MachinePools with their templates and health checks; then run the class patches over the templates and copy the
 * patched specs into the objects. Pure: no I/O, randomness injectable.
 */
import { invalid, type StatusCause } from '../apimachinery/errors.js';
import { deepEqual, isPlainObject } from '../apimachinery/schema/path.js';
import type { KubeObject } from '../apimachinery/types.js';
import { clusterBuiltins, controlPlaneBuiltins, machineDeploymentBuiltins, machinePoolBuiltins } from './builtins.js';
import { controlPlaneInfrastructureMachineTemplatePrefix, DEFAULT_NAME_TEMPLATES, simpleName, templateName, workerTemplatePrefix } from './naming.js';
import { cloneJSON, mergeMaps, refTo, templateToObject, templateToTemplate, deletePath, getPath, setPath } from './objects.js';
import { applyPatches, type PatchItem } from './patches.js';
import { cryptoRandom, type RandomSource } from './random.js';
import { noTemplates, type TemplateRenderer } from './template-renderer.js';
import {
  ANNOTATIONS,
  CLUSTER_API_VERSION,
  LABELS,
  type Cluster,
  type ClusterClass,
  type ClusterVariable,
  type MachineDeploymentClass,
  type MachineHealthCheckClass,
  type MachineHealthCheckTopology,
  type MachinePoolClass,
  type ObjectReference,
} from './types.js';
import { validateClusterTopology, defaultTopologyVariables } from './validate.js';
import { planVersions, type VersionPlan, type WorkerVersion } from './versions.js';

/** The objects that already exist for a Cluster (all optional); names are reused from them. */
export interface CurrentState {
  infrastructureCluster?: KubeObject;
  controlPlane?: { object?: KubeObject; infrastructureMachineTemplate?: KubeObject };
  /** Keyed by MachineDeployment topology name. */
  machineDeployments?: Record<string, { object: KubeObject; bootstrapTemplate?: KubeObject; infrastructureMachineTemplate?: KubeObject }>;
  /** Keyed by MachinePool topology name. */
  machinePools?: Record<string, { object: KubeObject; bootstrapObject?: KubeObject; infrastructureMachinePool?: KubeObject }>;
}

/** Template objects, or a lookup by reference (namespace defaulted to the ClusterClass namespace). */
export type TemplateSource = readonly KubeObject[] | ((ref: ObjectReference, namespace: string) => KubeObject | undefined);

export interface DesiredStateOptions {
  /** Source of the 5-character name suffixes (default: crypto). */
  random?: RandomSource;
  /** Go template engine for enabledIf, valueFrom.template and naming templates. */
  renderer?: TemplateRenderer;
  /** The Cluster before this change: CEL transition rules (oldSelf) and version-skip checks. */
  oldCluster?: Cluster;
  /** Variables were already defaulted and validated (e.g. by admission): skip both. */
  skipVariableValidation?: boolean;
  /**
   * Whether a stored template's spec already is the desired one (default: deep equality of the specs). A controller
   * comparing against stored objects, which carry server-side defaults, passes its own test.
   */
  sameTemplateSpec?: (current: KubeObject, desired: KubeObject) => boolean;
}

export type TemplateChange = 'create' | 'unchanged' | 'metadata' | 'rotate';

export interface TemplateDecision {
  role: 'controlPlaneMachineInfrastructure' | 'machineDeploymentBootstrap' | 'machineDeploymentInfrastructure';
  topologyName?: string;
  kind: string;
  change: TemplateChange;
  /** The current name (rotate: the template being replaced). */
  currentName?: string;
  name: string;
}

export interface DesiredMachineDeployment {
  topologyName: string;
  class: string;
  object: KubeObject;
  bootstrapTemplate: KubeObject;
  infrastructureMachineTemplate: KubeObject;
  machineHealthCheck?: KubeObject;
  version: WorkerVersion;
}

export interface DesiredMachinePool {
  topologyName: string;
  class: string;
  object: KubeObject;
  bootstrapObject: KubeObject;
  infrastructureMachinePool: KubeObject;
  version: WorkerVersion;
}

export interface DesiredState {
  /** The Cluster with defaulted variables and its infrastructureRef / controlPlaneRef set. */
  cluster: Cluster;
  infrastructureCluster: KubeObject;
  controlPlane: { object: KubeObject; infrastructureMachineTemplate?: KubeObject; machineHealthCheck?: KubeObject };
  machineDeployments: DesiredMachineDeployment[];
  machinePools: DesiredMachinePool[];
  versions: VersionPlan;
  templates: TemplateDecision[];
}

export class TopologyError extends Error {
  constructor(
    message: string,
    /** Field path in the object named by `object` (e.g. `spec.infrastructure.ref`). */
    readonly field: string,
    /** `ClusterClass default/quick-start` or `Cluster default/c1`. */
    readonly object: string,
  ) {
    super(message);
    this.name = 'TopologyError';
  }
}

function nsName(o: KubeObject): string {
  return `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
}

function lookupFn(src: TemplateSource): (ref: ObjectReference, ns: string) => KubeObject | undefined {
  if (typeof src === 'function') return src as (ref: ObjectReference, ns: string) => KubeObject | undefined;
  const list = src as readonly KubeObject[];
  const index = new Map<string, KubeObject>();
  for (const o of list) {
    const key = `${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name ?? ''}`;
    index.set(key, o);
  }
  return (ref, ns) => {
    const want = ref.namespace ?? ns;
    const hit = index.get(`${ref.kind}|${want}|${ref.name ?? ''}`) ?? index.get(`${ref.kind}||${ref.name ?? ''}`);
    if (!hit) return undefined;
    if (ref.apiVersion && hit.apiVersion !== ref.apiVersion) {
      const g = (v: string | undefined) => (v ?? '').split('/')[0];
      if (g(hit.apiVersion) !== g(ref.apiVersion)) return undefined;
    }
    return hit;
  };
}

/** A MachineHealthCheck for `target` (upstream computeMachineHealthCheck plus webhook defaults). */
function machineHealthCheck(target: KubeObject, matchLabels: Record<string, string>, cluster: Cluster, check: MachineHealthCheckClass): KubeObject {
  const spec: Record<string, unknown> = { clusterName: cluster.metadata?.name ?? '', selector: { matchLabels } };
  if (check.unhealthyConditions) spec.unhealthyConditions = cloneJSON(check.unhealthyConditions);
  spec.maxUnhealthy = check.maxUnhealthy ?? '100%';
  if (check.unhealthyRange) spec.unhealthyRange = check.unhealthyRange;
  spec.nodeStartupTimeout = check.nodeStartupTimeout ?? '10m0s';
  if (check.remediationTemplate) spec.remediationTemplate = { ...check.remediationTemplate, namespace: check.remediationTemplate.namespace ?? cluster.metadata?.namespace };
  return {
    apiVersion: CLUSTER_API_VERSION,
    kind: 'MachineHealthCheck',
    metadata: {
      name: target.metadata?.name,
      namespace: target.metadata?.namespace,
      labels: { [LABELS.clusterName]: cluster.metadata?.name ?? '', [LABELS.topologyOwned]: '' },
    },
    spec,
  };
}

function checksOf(t: MachineHealthCheckTopology | undefined): MachineHealthCheckClass | undefined {
  if (!t) return undefined;
  const { enable: _enable, ...rest } = t;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** Whether a health check applies, and with which checks (topology's own checks win over the class's). */
function healthCheckFor(classCheck: MachineHealthCheckClass | undefined, topo: MachineHealthCheckTopology | undefined): MachineHealthCheckClass | undefined {
  const own = checksOf(topo);
  if (!classCheck && !own) return undefined;
  if (topo?.enable === false) return undefined;
  return own ?? classCheck;
}

/** Classify a template against its current version: a spec change needs a new template (rotation). */
export function decideTemplateChange(current: KubeObject | undefined, desired: KubeObject, sameSpec?: (current: KubeObject, desired: KubeObject) => boolean): TemplateChange {
  if (!current) return 'create';
  if (!(sameSpec ? sameSpec(current, desired) : deepEqual(current.spec ?? null, desired.spec ?? null))) return 'rotate';
  const cm = current.metadata ?? {};
  const dm = desired.metadata ?? {};
  if (!deepEqual(cm.labels ?? {}, dm.labels ?? {}) || !deepEqual(cm.annotations ?? {}, dm.annotations ?? {})) return 'metadata';
  return 'unchanged';
}

function toVariableMap(vars: ClusterVariable[] | undefined): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const v of vars ?? []) if (v.name !== 'builtin') m[v.name] = v.value === undefined ? null : v.value;
  return m;
}

const CP_PRESERVED: string[][] = [
  ['spec', 'version'],
  ['spec', 'replicas'],
  ['spec', 'machineTemplate', 'infrastructureRef'],
  ['spec', 'machineTemplate', 'metadata'],
  ['spec', 'machineTemplate', 'nodeDrainTimeout'],
  ['spec', 'machineTemplate', 'nodeVolumeDetachTimeout'],
  ['spec', 'machineTemplate', 'nodeDeletionTimeout'],
];

/** upstream patchObject: the object's spec becomes the patched template's spec.template.spec, preserving fields. */
function patchObject(to: KubeObject, patchedTemplate: KubeObject, preserve: string[][] = []): void {
  const kept = preserve.map((p) => ({ p, v: getPath(to, p) }));
  const spec = getPath(patchedTemplate, ['spec', 'template', 'spec']);
  // The patched template is a private copy that is not used afterwards: its spec moves over without a copy.
  if (spec === undefined) delete to.spec;
  else to.spec = spec;
  for (const { p, v } of kept) {
    if (v === undefined) deletePath(to as Record<string, unknown>, p);
    else setPath(to as Record<string, unknown>, p, v);
  }
}

/** upstream patchTemplate: only spec.template.spec is taken from the patched template. */
function patchTemplate(to: KubeObject, patchedTemplate: KubeObject): void {
  const spec = getPath(patchedTemplate, ['spec', 'template', 'spec']);
  if (spec === undefined) deletePath(to as Record<string, unknown>, ['spec', 'template', 'spec']);
  else setPath(to as Record<string, unknown>, ['spec', 'template', 'spec'], spec);
}

/**
 * A private copy of `template` to run the patches over, for a `to` made by templateToTemplate (whose
 * spec.template.spec is already an unmodified private copy of the template's). That copy is shared instead of made
 * twice: patchTemplate moves the patched spec.template.spec into `to` anyway, and nothing else of `to` is shared.
 */
function patchCopy(template: KubeObject, to: KubeObject): KubeObject {
  const inner = getPath(to, ['spec', 'template', 'spec']);
  const tspec = template.spec as Record<string, unknown> | undefined;
  if (inner === undefined || !isPlainObject(tspec) || !isPlainObject(tspec.template)) return cloneJSON(template);
  const out: Record<string, unknown> = {};
  for (const k in template) {
    const v = (template as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (k !== 'spec') {
      out[k] = cloneJSON(v);
      continue;
    }
    const spec: Record<string, unknown> = {};
    for (const sk in tspec) {
      const sv = tspec[sk];
      if (sv === undefined) continue;
      if (sk !== 'template') {
        spec[sk] = cloneJSON(sv);
        continue;
      }
      const t: Record<string, unknown> = {};
      for (const tk in sv as Record<string, unknown>) {
        const tv = (sv as Record<string, unknown>)[tk];
        if (tv !== undefined) t[tk] = tk === 'spec' ? inner : cloneJSON(tv);
      }
      spec[sk] = t;
    }
    out[k] = spec;
  }
  return out as KubeObject;
}

function setIf(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined && v !== null && v !== '') o[k] = v;
}

/**
 * Compute the desired state of `cluster` from `clusterClass` and its `templates`. Variables are defaulted and
 * validated first (StatusError 422 with field causes on failure); missing templates raise TopologyError; patch
 * failures raise PatchError; an impossible version plan raises VersionPlanError.
 */
export function computeDesiredState(
  clusterClass: ClusterClass,
  cluster: Cluster,
  templates: TemplateSource,
  current: CurrentState = {},
  opts: DesiredStateOptions = {},
): DesiredState {
  const random = opts.random ?? cryptoRandom;
  const renderer = opts.renderer ?? noTemplates;
  const lookup = lookupFn(templates);
  const clusterName = cluster.metadata?.name ?? '';
  const namespace = cluster.metadata?.namespace ?? 'default';
  const classSpec = clusterClass.spec ?? {};
  const classId = `ClusterClass ${nsName(clusterClass)}`;
  const classNs = clusterClass.metadata?.namespace ?? namespace;

  // 1. Variables: default, then validate (as the Cluster webhook does).
  let desiredCluster: Cluster = cloneJSON(cluster);
  if (!opts.skipVariableValidation) {
    desiredCluster = defaultTopologyVariables(desiredCluster, clusterClass);
    const causes: StatusCause[] = validateClusterTopology(desiredCluster, clusterClass, opts.oldCluster);
    if (causes.length > 0) throw invalid('Cluster', 'cluster.x-k8s.io', clusterName, causes);
  }
  const topo = desiredCluster.spec?.topology;
  if (!topo) throw new TopologyError('spec.topology: Required value', 'spec.topology', `Cluster ${nsName(cluster)}`);

  // 2. Blueprint: resolve the class's templates.
  const need = (ref: ObjectReference | undefined, field: string): KubeObject => {
    if (!ref?.kind || !ref.name) throw new TopologyError(`${field}: Required value`, field, classId);
    const t = lookup(ref, classNs);
    if (!t) throw new TopologyError(`${field}: ${ref.kind} ${JSON.stringify(`${ref.namespace ?? classNs}/${ref.name}`)} not found`, field, classId);
    return t;
  };
  const infraClusterRef = classSpec.infrastructure?.ref;
  const infraClusterTemplate = need(infraClusterRef, 'spec.infrastructure.ref');
  const cpRef = classSpec.controlPlane?.ref;
  const cpTemplate = need(cpRef, 'spec.controlPlane.ref');
  const cpInfraRef = classSpec.controlPlane?.machineInfrastructure?.ref;
  const cpInfraTemplate = cpInfraRef ? need(cpInfraRef, 'spec.controlPlane.machineInfrastructure.ref') : undefined;
  const mdClasses = new Map<string, { def: MachineDeploymentClass; bootstrap: KubeObject; infrastructure: KubeObject }>();
  (classSpec.workers?.machineDeployments ?? []).forEach((def, i) => {
    mdClasses.set(def.class, {
      def,
      bootstrap: need(def.template?.bootstrap?.ref, `spec.workers.machineDeployments[${i}].template.bootstrap.ref`),
      infrastructure: need(def.template?.infrastructure?.ref, `spec.workers.machineDeployments[${i}].template.infrastructure.ref`),
    });
  });
  const mpClasses = new Map<string, { def: MachinePoolClass; bootstrap: KubeObject; infrastructure: KubeObject }>();
  (classSpec.workers?.machinePools ?? []).forEach((def, i) => {
    mpClasses.set(def.class, {
      def,
      bootstrap: need(def.template?.bootstrap?.ref, `spec.workers.machinePools[${i}].template.bootstrap.ref`),
      infrastructure: need(def.template?.infrastructure?.ref, `spec.workers.machinePools[${i}].template.infrastructure.ref`),
    });
  });

  // 3. Versions.
  const mdTopologies = topo.workers?.machineDeployments ?? [];
  const mpTopologies = topo.workers?.machinePools ?? [];
  const concurrencyAnn = desiredCluster.metadata?.annotations?.[ANNOTATIONS.upgradeConcurrency];
  const versions = planVersions({
    desired: topo.version,
    controlPlane: current.controlPlane?.object,
    kubernetesVersions: classSpec.kubernetesVersions,
    concurrency: concurrencyAnn && /^\d+$/.test(concurrencyAnn) ? Number(concurrencyAnn) : 1,
    workers: [
      ...mdTopologies.map((t) => ({
        name: t.name,
        current: current.machineDeployments?.[t.name]?.object,
        deferUpgrade: t.metadata?.annotations?.[ANNOTATIONS.deferUpgrade] !== undefined || t.metadata?.annotations?.[ANNOTATIONS.holdUpgradeSequence] !== undefined,
      })),
      ...mpTopologies.map((t) => ({
        name: `pool/${t.name}`,
        current: current.machinePools?.[t.name]?.object,
        deferUpgrade: t.metadata?.annotations?.[ANNOTATIONS.deferUpgrade] !== undefined || t.metadata?.annotations?.[ANNOTATIONS.holdUpgradeSequence] !== undefined,
      })),
    ],
  });

  // 4. Infrastructure cluster.
  const infraNameTemplate = classSpec.infrastructureNamingStrategy?.template ?? DEFAULT_NAME_TEMPLATES.infrastructureCluster;
  const infraName =
    cluster.spec?.infrastructureRef?.name ?? current.infrastructureCluster?.metadata?.name ?? templateName(infraNameTemplate, { clusterName }, random, renderer);
  const infrastructureCluster = templateToObject({
    template: infraClusterTemplate,
    clonedFrom: infraClusterRef!,
    cluster: desiredCluster,
    name: infraName,
    labels: { [LABELS.clusterName]: clusterName, [LABELS.topologyOwned]: '' },
  });

  // 5. Control plane machine template.
  const currentCP = current.controlPlane?.object;
  let cpInfraMachineTemplate: KubeObject | undefined;
  if (cpInfraTemplate) {
    const currentName = getPath(currentCP, ['spec', 'machineTemplate', 'infrastructureRef', 'name']) as string | undefined;
    cpInfraMachineTemplate = templateToTemplate({
      template: cpInfraTemplate,
      clonedFrom: cpInfraRef!,
      cluster: desiredCluster,
      name: currentName ?? simpleName(controlPlaneInfrastructureMachineTemplatePrefix(clusterName), random),
    });
  }

  // 6. Control plane.
  const cpTopo = topo.controlPlane ?? {};
  const cpClass = classSpec.controlPlane ?? {};
  const cpLabels = mergeMaps(cpTopo.metadata?.labels, cpClass.metadata?.labels);
  cpLabels[LABELS.clusterName] = clusterName;
  cpLabels[LABELS.topologyOwned] = '';
  const cpAnnotations = mergeMaps(cpTopo.metadata?.annotations, cpClass.metadata?.annotations);
  const cpName =
    cluster.spec?.controlPlaneRef?.name ??
    currentCP?.metadata?.name ??
    templateName(cpClass.namingStrategy?.template ?? DEFAULT_NAME_TEMPLATES.controlPlane, { clusterName }, random, renderer);
  const controlPlane = templateToObject({
    template: cpTemplate,
    clonedFrom: cpRef!,
    cluster: desiredCluster,
    name: cpName,
    labels: cpLabels,
    annotations: Object.keys(cpAnnotations).length > 0 ? cpAnnotations : undefined,
  });
  const cpSpec = (isPlainObject(controlPlane.spec) ? controlPlane.spec : (controlPlane.spec = {})) as Record<string, unknown>;
  if (cpInfraMachineTemplate) {
    const mt = (isPlainObject(cpSpec.machineTemplate) ? cpSpec.machineTemplate : (cpSpec.machineTemplate = {})) as Record<string, unknown>;
    mt.infrastructureRef = refTo(cpInfraMachineTemplate);
    const existing = (isPlainObject(mt.metadata) ? mt.metadata : {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
    const md: Record<string, unknown> = { labels: mergeMaps(cpLabels, existing.labels) };
    const ann = mergeMaps(cpAnnotations, existing.annotations);
    if (Object.keys(ann).length > 0) md.annotations = ann;
    mt.metadata = md;
  }
  if (cpTopo.replicas !== undefined) cpSpec.replicas = cpTopo.replicas;
  for (const k of ['nodeDrainTimeout', 'nodeVolumeDetachTimeout', 'nodeDeletionTimeout'] as const) {
    const v = cpTopo[k] ?? cpClass[k];
    if (v !== undefined) setPath(cpSpec, ['machineTemplate', k], v);
  }
  cpSpec.version = versions.controlPlane;

  const cpCheck = healthCheckFor(cpClass.machineHealthCheck, cpTopo.machineHealthCheck);
  const cpMHC = cpCheck ? machineHealthCheck(controlPlane, { [LABELS.topologyOwned]: '', [LABELS.controlPlane]: '' }, desiredCluster, cpCheck) : undefined;

  // 7. Cluster references.
  const dSpec = (desiredCluster.spec ??= {});
  dSpec.infrastructureRef = refTo(infrastructureCluster);
  dSpec.controlPlaneRef = refTo(controlPlane);

  // 8. MachineDeployments.
  const machineDeployments: DesiredMachineDeployment[] = mdTopologies.map((t) => {
    const bp = mdClasses.get(t.class);
    if (!bp) throw new TopologyError(`MachineDeployment class ${JSON.stringify(t.class)} not found in ${classId}`, `spec.topology.workers.machineDeployments[${t.name}].class`, `Cluster ${nsName(cluster)}`);
    const cur = current.machineDeployments?.[t.name];
    const prefix = workerTemplatePrefix(clusterName, t.name);
    const bootstrapTemplate = templateToTemplate({
      template: bp.bootstrap,
      clonedFrom: refTo(bp.bootstrap),
      cluster: desiredCluster,
      name: (getPath(cur?.object, ['spec', 'template', 'spec', 'bootstrap', 'configRef', 'name']) as string | undefined) ?? simpleName(prefix, random),
      labels: { [LABELS.deploymentName]: t.name },
    });
    const infrastructureMachineTemplate = templateToTemplate({
      template: bp.infrastructure,
      clonedFrom: refTo(bp.infrastructure),
      cluster: desiredCluster,
      name: (getPath(cur?.object, ['spec', 'template', 'spec', 'infrastructureRef', 'name']) as string | undefined) ?? simpleName(prefix, random),
      labels: { [LABELS.deploymentName]: t.name },
    });
    const version = versions.workers[t.name] ?? { version: topo.version };
    const name =
      cur?.object.metadata?.name ??
      templateName(bp.def.namingStrategy?.template ?? DEFAULT_NAME_TEMPLATES.machineDeployment, { clusterName, worker: { kind: 'machineDeployment', topologyName: t.name } }, random, renderer);
    const annotations = mergeMaps(t.metadata?.annotations, bp.def.template?.metadata?.annotations);
    delete annotations[ANNOTATIONS.deferUpgrade];
    delete annotations[ANNOTATIONS.holdUpgradeSequence];
    const labels = mergeMaps(t.metadata?.labels, bp.def.template?.metadata?.labels);
    labels[LABELS.clusterName] = clusterName;
    labels[LABELS.topologyOwned] = '';
    labels[LABELS.deploymentName] = t.name;
    const machineSpec: Record<string, unknown> = {
      clusterName,
      version: version.version,
      bootstrap: { configRef: refTo(bootstrapTemplate) },
      infrastructureRef: refTo(infrastructureMachineTemplate),
    };
    setIf(machineSpec, 'failureDomain', t.failureDomain ?? bp.def.failureDomain);
    for (const k of ['nodeDrainTimeout', 'nodeVolumeDetachTimeout', 'nodeDeletionTimeout'] as const) setIf(machineSpec, k, t[k] ?? bp.def[k]);
    const templateMeta: Record<string, unknown> = { labels: { ...labels } };
    if (Object.keys(annotations).length > 0) templateMeta.annotations = { ...annotations };
    const spec: Record<string, unknown> = { clusterName };
    if (t.replicas !== undefined) spec.replicas = t.replicas;
    spec.selector = { matchLabels: { [LABELS.clusterName]: clusterName, [LABELS.topologyOwned]: '', [LABELS.deploymentName]: t.name } };
    setIf(spec, 'minReadySeconds', t.minReadySeconds ?? bp.def.minReadySeconds);
    const strategy = t.strategy ?? bp.def.strategy;
    if (strategy) spec.strategy = cloneJSON(strategy);
    spec.template = { metadata: templateMeta, spec: machineSpec };
    const metadata: KubeObject['metadata'] = { name, namespace, labels };
    if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
    const object: KubeObject = { apiVersion: CLUSTER_API_VERSION, kind: 'MachineDeployment', metadata, spec };
    const check = healthCheckFor(bp.def.machineHealthCheck, t.machineHealthCheck);
    const mhc = check ? machineHealthCheck(object, { [LABELS.topologyOwned]: '', [LABELS.deploymentName]: t.name }, desiredCluster, check) : undefined;
    return { topologyName: t.name, class: t.class, object, bootstrapTemplate, infrastructureMachineTemplate, machineHealthCheck: mhc, version };
  });

  // 9. MachinePools.
  const machinePools: DesiredMachinePool[] = mpTopologies.map((t) => {
    const bp = mpClasses.get(t.class);
    if (!bp) throw new TopologyError(`MachinePool class ${JSON.stringify(t.class)} not found in ${classId}`, `spec.topology.workers.machinePools[${t.name}].class`, `Cluster ${nsName(cluster)}`);
    const cur = current.machinePools?.[t.name];
    const prefix = workerTemplatePrefix(clusterName, t.name);
    const ownLabels = { [LABELS.clusterName]: clusterName, [LABELS.topologyOwned]: '', [LABELS.poolName]: t.name };
    const bootstrapObject = templateToObject({
      template: bp.bootstrap,
      clonedFrom: refTo(bp.bootstrap),
      cluster: desiredCluster,
      name: (getPath(cur?.object, ['spec', 'template', 'spec', 'bootstrap', 'configRef', 'name']) as string | undefined) ?? simpleName(prefix, random),
      labels: ownLabels,
    });
    const infrastructureMachinePool = templateToObject({
      template: bp.infrastructure,
      clonedFrom: refTo(bp.infrastructure),
      cluster: desiredCluster,
      name: (getPath(cur?.object, ['spec', 'template', 'spec', 'infrastructureRef', 'name']) as string | undefined) ?? simpleName(prefix, random),
      labels: ownLabels,
    });
    const version = versions.workers[`pool/${t.name}`] ?? { version: topo.version };
    const name =
      cur?.object.metadata?.name ??
      templateName(bp.def.namingStrategy?.template ?? DEFAULT_NAME_TEMPLATES.machinePool, { clusterName, worker: { kind: 'machinePool', topologyName: t.name } }, random, renderer);
    const labels = mergeMaps(t.metadata?.labels, bp.def.template?.metadata?.labels);
    Object.assign(labels, ownLabels);
    const annotations = mergeMaps(t.metadata?.annotations, bp.def.template?.metadata?.annotations);
    const machineSpec: Record<string, unknown> = {
      clusterName,
      version: version.version,
      bootstrap: { configRef: refTo(bootstrapObject) },
      infrastructureRef: refTo(infrastructureMachinePool),
    };
    for (const k of ['nodeDrainTimeout', 'nodeVolumeDetachTimeout', 'nodeDeletionTimeout'] as const) setIf(machineSpec, k, t[k] ?? bp.def[k]);
    const spec: Record<string, unknown> = { clusterName };
    if (t.replicas !== undefined) spec.replicas = t.replicas;
    const fds = t.failureDomains ?? bp.def.failureDomains;
    if (fds) spec.failureDomains = [...fds];
    setIf(spec, 'minReadySeconds', t.minReadySeconds ?? bp.def.minReadySeconds);
    const templateMeta: Record<string, unknown> = { labels: { ...labels } };
    if (Object.keys(annotations).length > 0) templateMeta.annotations = { ...annotations };
    spec.template = { metadata: templateMeta, spec: machineSpec };
    const metadata: KubeObject['metadata'] = { name, namespace, labels };
    if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
    return { topologyName: t.name, class: t.class, object: { apiVersion: CLUSTER_API_VERSION, kind: 'MachinePool', metadata, spec }, bootstrapObject, infrastructureMachinePool, version };
  });

  // 10. Patches: over copies of the class templates, then into the desired objects.
  if ((classSpec.patches ?? []).length > 0) {
    const globals: Record<string, unknown> = { ...toVariableMap(topo.variables), builtin: clusterBuiltins(desiredCluster) };
    const cpVars: Record<string, unknown> = { ...toVariableMap(cpTopo.variables?.overrides), builtin: controlPlaneBuiltins(cpTopo, controlPlane, cpInfraMachineTemplate) };
    const items: PatchItem[] = [];
    const infraItem: PatchItem = { role: 'infrastructureCluster', object: cloneJSON(infraClusterTemplate), variables: {} };
    const cpItem: PatchItem = { role: 'controlPlane', object: cloneJSON(cpTemplate), variables: cpVars };
    items.push(infraItem, cpItem);
    const cpInfraItem: PatchItem | undefined = cpInfraTemplate ? { role: 'controlPlaneMachineInfrastructure', object: cpInfraMachineTemplate ? patchCopy(cpInfraTemplate, cpInfraMachineTemplate) : cloneJSON(cpInfraTemplate), variables: cpVars } : undefined;
    if (cpInfraItem) items.push(cpInfraItem);
    const mdItems = machineDeployments.map((md, i) => {
      const t = mdTopologies[i]!;
      const bp = mdClasses.get(t.class)!;
      const vars = { ...toVariableMap(t.variables?.overrides), builtin: machineDeploymentBuiltins(t, md.object, md.bootstrapTemplate, md.infrastructureMachineTemplate) };
      const b: PatchItem = { role: 'machineDeploymentBootstrap', object: patchCopy(bp.bootstrap, md.bootstrapTemplate), variables: vars, workerClass: t.class, topologyName: t.name };
      const inf: PatchItem = { role: 'machineDeploymentInfrastructure', object: patchCopy(bp.infrastructure, md.infrastructureMachineTemplate), variables: vars, workerClass: t.class, topologyName: t.name };
      items.push(b, inf);
      return { b, inf };
    });
    const mpItems = machinePools.map((mp, i) => {
      const t = mpTopologies[i]!;
      const bp = mpClasses.get(t.class)!;
      const vars = { ...toVariableMap(t.variables?.overrides), builtin: machinePoolBuiltins(t, mp.object, mp.bootstrapObject, mp.infrastructureMachinePool) };
      const b: PatchItem = { role: 'machinePoolBootstrap', object: cloneJSON(bp.bootstrap), variables: vars, workerClass: t.class, topologyName: t.name };
      const inf: PatchItem = { role: 'machinePoolInfrastructure', object: cloneJSON(bp.infrastructure), variables: vars, workerClass: t.class, topologyName: t.name };
      items.push(b, inf);
      return { b, inf };
    });

    applyPatches(classSpec.patches, items, globals, renderer);

    patchObject(infrastructureCluster, infraItem.object);
    patchObject(controlPlane, cpItem.object, CP_PRESERVED);
    if (cpInfraItem && cpInfraMachineTemplate) patchTemplate(cpInfraMachineTemplate, cpInfraItem.object);
    machineDeployments.forEach((md, i) => {
      patchTemplate(md.bootstrapTemplate, mdItems[i]!.b.object);
      patchTemplate(md.infrastructureMachineTemplate, mdItems[i]!.inf.object);
    });
    machinePools.forEach((mp, i) => {
      patchObject(mp.bootstrapObject, mpItems[i]!.b.object);
      patchObject(mp.infrastructureMachinePool, mpItems[i]!.inf.object);
    });
  }

  // 11. Template rotation: a spec change against the current template needs a new template name.
  const decisions: TemplateDecision[] = [];
  if (cpInfraMachineTemplate) {
    const d = decide('controlPlaneMachineInfrastructure', undefined, current.controlPlane?.infrastructureMachineTemplate, cpInfraMachineTemplate, controlPlaneInfrastructureMachineTemplatePrefix(clusterName), random, opts.sameTemplateSpec);
    decisions.push(d);
    if (d.change === 'rotate') setPath(controlPlane as Record<string, unknown>, ['spec', 'machineTemplate', 'infrastructureRef'], refTo(cpInfraMachineTemplate));
  }
  for (const md of machineDeployments) {
    const cur = current.machineDeployments?.[md.topologyName];
    const prefix = workerTemplatePrefix(clusterName, md.topologyName);
    const b = decide('machineDeploymentBootstrap', md.topologyName, cur?.bootstrapTemplate, md.bootstrapTemplate, prefix, random, opts.sameTemplateSpec);
    const inf = decide('machineDeploymentInfrastructure', md.topologyName, cur?.infrastructureMachineTemplate, md.infrastructureMachineTemplate, prefix, random, opts.sameTemplateSpec);
    decisions.push(b, inf);
    if (b.change === 'rotate') setPath(md.object as Record<string, unknown>, ['spec', 'template', 'spec', 'bootstrap', 'configRef'], refTo(md.bootstrapTemplate));
    if (inf.change === 'rotate') setPath(md.object as Record<string, unknown>, ['spec', 'template', 'spec', 'infrastructureRef'], refTo(md.infrastructureMachineTemplate));
  }

  return {
    cluster: desiredCluster,
    infrastructureCluster,
    controlPlane: { object: controlPlane, infrastructureMachineTemplate: cpInfraMachineTemplate, machineHealthCheck: cpMHC },
    machineDeployments,
    machinePools,
    versions,
    templates: decisions,
  };
}

function decide(role: TemplateDecision['role'], topologyName: string | undefined, current: KubeObject | undefined, desired: KubeObject, prefix: string, random: RandomSource, sameSpec?: DesiredStateOptions['sameTemplateSpec']): TemplateDecision {
  // Compare against the current template only when it is the one in use (same name).
  const cur = current && current.metadata?.name === desired.metadata?.name ? current : undefined;
  const change: TemplateChange = current && !cur ? 'create' : decideTemplateChange(cur, desired, sameSpec);
  const d: TemplateDecision = { role, kind: desired.kind ?? '', change, name: desired.metadata?.name ?? '' };
  if (topologyName !== undefined) d.topologyName = topologyName;
  if (change === 'rotate') {
    d.currentName = desired.metadata!.name;
    desired.metadata!.name = simpleName(prefix, random);
    d.name = desired.metadata!.name!;
  } else if (cur) d.currentName = cur.metadata?.name;
  return d;
}

/** Every object of a desired state, in creation order (templates before their users, health checks last). */
export function desiredObjects(d: DesiredState): KubeObject[] {
  const out: KubeObject[] = [d.cluster, d.infrastructureCluster];
  if (d.controlPlane.infrastructureMachineTemplate) out.push(d.controlPlane.infrastructureMachineTemplate);
  out.push(d.controlPlane.object);
  for (const md of d.machineDeployments) out.push(md.bootstrapTemplate, md.infrastructureMachineTemplate, md.object);
  for (const mp of d.machinePools) out.push(mp.bootstrapObject, mp.infrastructureMachinePool, mp.object);
  if (d.controlPlane.machineHealthCheck) out.push(d.controlPlane.machineHealthCheck);
  for (const md of d.machineDeployments) if (md.machineHealthCheck) out.push(md.machineHealthCheck);
  return out;
}
