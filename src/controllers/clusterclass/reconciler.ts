/**
 * The ClusterClass controller (Cluster API's clusterclass reconciler): makes the class the owner of the templates it
 * references, reports references whose apiVersion is older than the newest their provider serves for the contract
 * (condition RefVersionsUpToDate; the class is left as written, as upstream does: the user or their GitOps source
 * owns it), and publishes the variable definitions in `status.variables` (condition VariablesReady, also under its
 * v1beta1 name VariablesReconciled). `status.observedGeneration` moves only when every phase succeeded: the topology
 * controller waits for it before building Clusters from a changed class.
 */
import { parseApiVersion, type KubeObject } from '../../apimachinery/types.js';
import { causeMessage } from '../../apimachinery/errors.js';
import { isNotFound } from '../../client/errors.js';
import { markFalse, markTrue, markUnknown } from '../../runtime/conditions.js';
import { isBeingDeleted, setOwnerReference } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import type { ClusterClass, ClusterClassStatusVariable, ObjectReference } from '../../api/cluster/clusterclass.js';
import { CLUSTER_CLASS_KIND } from '../../api/cluster/types.js';
import { validateClusterClassVariables } from '../../topology/index.js';
import { hasPausedAnnotation } from '../shared/cluster.js';
import type { ControllerContext } from '../shared/context.js';
import { templateRefs } from './class-checks.js';
import { CRD_KIND, refString, upToDateRef } from './ref-versions.js';

export const CONTROLLER_NAME = 'clusterclass';

export const CLUSTER_CLASS_CONDITIONS = {
  variablesReady: 'VariablesReady',
  /** The v1beta1 name of VariablesReady. */
  variablesReconciled: 'VariablesReconciled',
  refVersionsUpToDate: 'RefVersionsUpToDate',
} as const;

export const CLUSTER_CLASS_REASONS = {
  outdatedRefVersions: 'OutdatedRefVersions',
  refVersionsInternalError: 'InternalError',
  variableDiscoveryFailed: 'VariableDiscoveryFailed',
} as const;

/** Index of ClusterClasses by the templates they reference: `Kind/namespace/name`. */
const TEMPLATES_INDEX = 'clusterclass.templates';
/** Index of ClusterClasses by the kinds they reference: `group/Kind` (a CRD change may change the newest version). */
const KINDS_INDEX = 'clusterclass.kinds';

/** The distinct template references of a class, namespaces defaulted to the class's. */
function uniqueRefs(cc: ClusterClass): ObjectReference[] {
  const seen = new Map<string, ObjectReference>();
  for (const { ref } of templateRefs(cc)) {
    if (!ref?.apiVersion || !ref.kind || !ref.name) continue;
    const full = { ...ref, namespace: ref.namespace || cc.metadata?.namespace };
    seen.set(`${full.apiVersion}|${full.kind}|${full.namespace}|${full.name}`, full);
  }
  return [...seen.values()];
}

/** `status.variables`: every inline variable, sorted by name, one definition each. */
export function statusVariables(cc: ClusterClass): ClusterClassStatusVariable[] {
  return (cc.spec?.variables ?? [])
    .map((v) => ({
      name: v.name,
      definitionsConflict: false,
      definitions: [{ from: 'inline', required: v.required === true, ...(v.metadata ? { metadata: v.metadata } : {}), schema: v.schema ?? {} }],
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class ClusterClassReconciler {
  constructor(private readonly ctx: ControllerContext) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<ClusterClass>(CLUSTER_CLASS_KIND, req.namespace, req.name);
    if (!stored || hasPausedAnnotation(stored) || isBeingDeleted(stored)) return;
    const cc = structuredClone(stored);
    const helper = new PatchHelper(rc.client, stored);
    const refsFailure = await this.reconcileTemplateRefs(rc, cc).then(
      () => undefined,
      (e: unknown) => e,
    );
    const variablesFailure = this.reconcileVariables(rc, cc);
    const failure = refsFailure ?? variablesFailure;
    if (!failure && cc.metadata?.generation !== undefined) (cc.status ??= {}).observedGeneration = cc.metadata.generation;
    try {
      await helper.patch(cc);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return;
    }
    if (failure) throw failure;
  }

  /** Own every template and report references older than their contract's newest version. */
  private async reconcileTemplateRefs(rc: ReconcileContext, cc: ClusterClass): Promise<void> {
    const outdated: { from: ObjectReference; to: ObjectReference }[] = [];
    try {
      for (const ref of uniqueRefs(cc)) {
        await this.watchTemplateKind(ref);
        const template = await this.ctx.reader.get({ apiVersion: ref.apiVersion!, kind: ref.kind! }, ref.namespace, ref.name!);
        if (!template) throw new Error(`${ref.kind} ${ref.namespace}/${ref.name} (${ref.apiVersion}) referenced by ClusterClass ${cc.metadata?.namespace}/${cc.metadata?.name} not found`);
        await this.ensureOwned(rc, cc, template);
        const latest = await upToDateRef(rc.client, ref);
        if (latest.apiVersion !== ref.apiVersion) outdated.push({ from: ref, to: latest });
      }
    } catch (e) {
      markUnknown(cc, CLUSTER_CLASS_CONDITIONS.refVersionsUpToDate, CLUSTER_CLASS_REASONS.refVersionsInternalError, e instanceof Error ? e.message : String(e), rc.clock);
      throw e;
    }
    if (outdated.length) {
      const message = outdated.map((o) => `* Ref ${JSON.stringify(refString(o.from))} should be ${JSON.stringify(refString(o.to))}`).join('\n');
      markFalse(cc, CLUSTER_CLASS_CONDITIONS.refVersionsUpToDate, CLUSTER_CLASS_REASONS.outdatedRefVersions, 'Warning', message, rc.clock);
    } else {
      markTrue(cc, CLUSTER_CLASS_CONDITIONS.refVersionsUpToDate, rc.clock);
    }
  }

  /** The class as an (non-controller) owner of its template, so the garbage collector removes templates with it. */
  private async ensureOwned(rc: ReconcileContext, cc: ClusterClass, template: KubeObject): Promise<void> {
    const copy = structuredClone(template);
    if (!setOwnerReference(copy, cc)) return;
    await rc.client.patch(
      { apiVersion: template.apiVersion!, kind: template.kind! },
      { namespace: template.metadata?.namespace, name: template.metadata!.name! },
      { type: 'merge', body: { metadata: { ownerReferences: copy.metadata!.ownerReferences, resourceVersion: template.metadata!.resourceVersion } } },
    );
    rc.recorder.event(cc, 'Normal', 'TemplateOwned', `ClusterClass ${cc.metadata?.name} now owns ${template.kind} ${template.metadata?.name}`);
  }

  /** Publish the inline variables; returns the failure when the definitions are invalid (then status keeps the last good list). */
  private reconcileVariables(rc: ReconcileContext, cc: ClusterClass): Error | undefined {
    const causes = validateClusterClassVariables(cc.spec?.variables);
    if (causes.length) {
      const message = `VariableDiscovery failed: ${causes.map(causeMessage).join(', ')}`;
      for (const type of [CLUSTER_CLASS_CONDITIONS.variablesReady, CLUSTER_CLASS_CONDITIONS.variablesReconciled]) {
        markFalse(cc, type, CLUSTER_CLASS_REASONS.variableDiscoveryFailed, 'Error', message, rc.clock);
      }
      return new Error(`ClusterClass ${cc.metadata?.namespace}/${cc.metadata?.name}: ${message}`);
    }
    (cc.status ??= {}).variables = statusVariables(cc);
    markTrue(cc, CLUSTER_CLASS_CONDITIONS.variablesReady, rc.clock);
    markTrue(cc, CLUSTER_CLASS_CONDITIONS.variablesReconciled, rc.clock);
    return undefined;
  }

  /** Watch a template kind (first seen in a reference): a template created or changed reconciles the classes naming it. */
  private async watchTemplateKind(ref: ObjectReference): Promise<void> {
    const kind = { apiVersion: ref.apiVersion!, kind: ref.kind! };
    const controller = this.ctx.manager.controllerList.find((c) => c.name === CONTROLLER_NAME);
    const classes = this.ctx.manager.informers.for(CLUSTER_CLASS_KIND);
    await controller?.watchKind(kind, (o) => classes.cache.byIndex(TEMPLATES_INDEX, `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`).map(requestFor));
    this.ctx.reader.cache(kind);
  }
}

function requestFor(o: KubeObject): Request {
  return { namespace: o.metadata?.namespace, name: o.metadata!.name! };
}

/** Register the ClusterClass controller. */
export function setupClusterClassController(ctx: ControllerContext, opts: { workers?: number } = {}): void {
  const classes = ctx.reader.cache(CLUSTER_CLASS_KIND);
  classes.addIndexers({
    [TEMPLATES_INDEX]: (o) => uniqueRefs(o as ClusterClass).map((r) => `${r.kind}/${r.namespace}/${r.name}`),
    [KINDS_INDEX]: (o) => [...new Set(uniqueRefs(o as ClusterClass).map((r) => `${parseApiVersion(r.apiVersion!).group}/${r.kind}`))],
  });
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: CLUSTER_CLASS_KIND,
    reconciler: new ClusterClassReconciler(ctx),
    workers: opts.workers ?? 2,
    watches: [
      {
        type: CRD_KIND,
        map: (crd) => {
          const spec = crd.spec as { group?: string; names?: { kind?: string } } | undefined;
          return classes.cache.byIndex(KINDS_INDEX, `${spec?.group ?? ''}/${spec?.names?.kind ?? ''}`).map(requestFor);
        },
      },
    ],
  });
}
