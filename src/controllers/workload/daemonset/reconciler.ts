/**
 * The DaemonSet controller (kube-controller-manager's daemon controller): one Pod per eligible Node, placed by a
 * required node affinity on the Node's name (the scheduler binds it), Pods removed from Nodes that no longer qualify,
 * failed Pods replaced, RollingUpdate (maxUnavailable, maxSurge) or OnDelete updates, ControllerRevisions per template
 * and the status counters; orphan Pods the selector matches are adopted.
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import { NAMESPACE_INDEX, OWNER_UID_INDEX, keyFor } from '../../../client/cache.js';
import { isNotFound } from '../../../client/errors.js';
import type { SharedInformer } from '../../../client/informer.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import { adoptOrphan } from '../../shared/adopt.js';
import { CacheExpectations } from '../../shared/expectations.js';
import { selectorMatches } from '../../shared/selector.js';
import { scaledValue } from '../../shared/intstr.js';
import type { WorkloadContext } from '../context.js';
import { CONTROLLER_REVISION_HASH_LABEL, ensureCurrentRevision, ownedRevisions, revisionHashOf, revisionsToPrune, type ControllerRevision } from '../shared/controller-history.js';
import { pinnedAffinity, placement, targetNodeOf, withDaemonTolerations, type NodeForPlacement } from './placement.js';
import { CONTROLLER_REVISION, NODE, POD, clone, controllerUid, creationMs, errorText, isPodAvailable, isPodReady, msUntilAvailable, type Pod, type PodTemplate } from '../shared/pods.js';

export const DAEMONSET = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplate;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: Record<string, unknown> & { collisionCount?: number };
}

export interface DaemonSetControllerOptions {
  workers?: number;
  /** First delay before replacing a failed daemon Pod on a node (upstream 1 s, doubling); 0 replaces at once. */
  failedPodBackoffBaseMs?: number;
  /** Longest such delay (upstream 15 min). */
  failedPodBackoffMaxMs?: number;
}

interface NodePods {
  node: string;
  pods: Pod[];
  /** A daemon Pod should run here (only such nodes count in status). */
  shouldRun?: boolean;
}

export class DaemonSetReconciler {
  private readonly expectations: CacheExpectations;
  readonly pods: SharedInformer<Pod>;
  readonly nodes: SharedInformer;
  readonly daemonSets: SharedInformer<DaemonSet>;
  readonly revisions: SharedInformer;

  private readonly failedBackoff = new Map<string, { failures: number; lastMs: number }>();
  private readonly failedBaseMs: number;
  private readonly failedMaxMs: number;

  constructor(private readonly ctx: WorkloadContext, opts: DaemonSetControllerOptions = {}) {
    this.failedBaseMs = opts.failedPodBackoffBaseMs ?? 1_000;
    this.failedMaxMs = opts.failedPodBackoffMaxMs ?? 15 * 60_000;
    const inf = ctx.manager.informers;
    this.pods = inf.for<Pod>(POD);
    this.nodes = inf.for(NODE);
    this.daemonSets = inf.for<DaemonSet>(DAEMONSET);
    this.revisions = inf.for(CONTROLLER_REVISION);
    this.expectations = new CacheExpectations(ctx.manager.clock);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = keyFor(req.namespace, req.name);
    const cached = this.daemonSets.cache.get(key);
    if (!cached) {
      this.expectations.forget(key);
      for (const k of this.failedBackoff.keys()) if (k.startsWith(`${key}|`)) this.failedBackoff.delete(k);
      return;
    }
    if (cached.metadata?.deletionTimestamp) return;
    if (!this.expectations.satisfied(key)) return { requeueAfter: 1000 };
    const ds: DaemonSet = { ...clone(cached), ...DAEMONSET };
    if (await this.adoptOrphans(rc, ds, key)) return;
    const now = rc.clock.nowMs();
    const revisions = ownedRevisions(this.revisions.cache.byIndex(OWNER_UID_INDEX, ds.metadata!.uid!), ds);
    const cur = await ensureCurrentRevision(rc.client, ds, ds.spec?.template ?? {}, revisions);
    if (cur.created) this.expectations.expectWrite(key, this.revisions, cur.revision);
    const hash = revisionHashOf(cur.revision, ds.metadata!.name!);
    const owned = this.pods.cache.byIndex(OWNER_UID_INDEX, ds.metadata!.uid!).filter((p) => controllerUid(p) === ds.metadata!.uid);
    const byNode = new Map<string, Pod[]>();
    for (const p of owned) {
      const n = targetNodeOf(p.spec);
      if (!n || p.metadata?.deletionTimestamp) continue;
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const template = ds.spec?.template ?? {};
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const ru = ds.spec?.updateStrategy?.rollingUpdate;
    const isNew = (p: Pod): boolean => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;

    const toCreate: string[] = [];
    let backoffWait: number | undefined;
    const toDelete: Pod[] = [];
    const eligible: NodePods[] = [];
    let desired = 0;
    let misscheduled = 0;
    const nodeNames = new Set<string>();
    for (const node of this.nodes.cache.list() as NodeForPlacement[]) {
      const name = node.metadata?.name ?? '';
      nodeNames.add(name);
      const place = placement(template.spec, node);
      const pods = byNode.get(name) ?? [];
      if (place.shouldRun) desired++;
      if (!place.shouldRun && pods.length) misscheduled++;
      if (place.shouldRun && pods.length === 0) {
        const b = this.failedBackoff.get(`${key}|${name}`);
        const left = b ? b.lastMs + Math.min(this.failedMaxMs, this.failedBaseMs * 2 ** Math.min(b.failures - 1, 30)) - now : 0;
        if (left > 0) backoffWait = Math.min(backoffWait ?? left, left);
        else toCreate.push(name);
      } else if (place.shouldContinueRunning) {
        const live: Pod[] = [];
        for (const p of pods) {
          if (p.status?.phase === 'Failed') {
            toDelete.push(p);
            // Replacements of failed daemon Pods on a node back off (upstream failedPodsBackoff).
            const bk = `${key}|${name}`;
            if (this.failedBaseMs > 0) this.failedBackoff.set(bk, { failures: (this.failedBackoff.get(bk)?.failures ?? 0) + 1, lastMs: now });
            rc.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata?.namespace}/${p.metadata?.name} on node ${name}, will try to kill it`);
          } else live.push(p);
        }
        const keep = podsToKeep(live, isNew, rolling && surgeOf(ru, 1) > 0);
        for (const p of live) if (!keep.includes(p)) toDelete.push(p);
        if (place.shouldRun || keep.length) eligible.push({ node: name, pods: keep, shouldRun: place.shouldRun });
      } else {
        toDelete.push(...pods);
      }
    }
    // Pods for Nodes that are gone.
    for (const [n, pods] of byNode) if (!nodeNames.has(n)) toDelete.push(...pods);

    // Rolling update of the Pods that stay.
    if (rolling && !toCreate.length) {
      const maxSurge = surgeOf(ru, desired);
      let maxUnavailable = scaledValue(ru?.maxUnavailable ?? 1, desired, true, 'spec.updateStrategy.rollingUpdate.maxUnavailable');
      if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
      const plan = rollingUpdatePlan(eligible, isNew, (p) => isPodAvailable(p, minReady, now), maxSurge, maxUnavailable);
      toDelete.push(...plan.delete);
      toCreate.push(...plan.create);
    }

    const errors: string[] = [];
    for (const node of toCreate) {
      try {
        const created = await rc.client.create(this.newPod(ds, template, node, hash));
        this.expectations.expectWrite(key, this.pods, created);
        rc.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      } catch (e) {
        errors.push(errorText(e));
        rc.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
      }
    }
    for (const p of toDelete) {
      try {
        await rc.client.delete(POD, { namespace: p.metadata?.namespace, name: p.metadata!.name! });
        this.expectations.expectDeletion(key, this.pods, p);
        rc.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
      } catch (e) {
        if (!isNotFound(e)) errors.push(errorText(e));
      }
    }

    // Status from what the cache shows now (the next event refreshes it after the writes above).
    let current = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    let requeue: number | undefined;
    for (const { pods, shouldRun } of eligible) {
      if (!pods.length || !shouldRun) continue;
      current++;
      // As upstream: the node's oldest Pod speaks for it (during a surge, the old one until it is gone).
      const best = [...pods].sort((a, b) => creationMs(a) - creationMs(b))[0];
      if (isNew(best)) updated++;
      if (isPodReady(best)) ready++;
      if (isPodAvailable(best, minReady, now)) available++;
      const left = msUntilAvailable(best, minReady, now);
      if (left !== undefined) requeue = Math.min(requeue ?? left, left);
    }
    const status = {
      observedGeneration: ds.metadata?.generation,
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: available,
      updatedNumberScheduled: updated,
      numberUnavailable: Math.max(0, desired - available),
      ...(cur.collisionCount ? { collisionCount: cur.collisionCount } : {}),
    };
    const before = ds.status ?? {};
    if (Object.entries(status).some(([k, v]) => (before as Record<string, unknown>)[k] !== v)) {
      await rc.client.patchStatus(DAEMONSET, { namespace: ds.metadata?.namespace, name: ds.metadata!.name! }, { type: 'merge', body: { status } });
    }

    // History beyond the limit.
    const live = new Set<string>([cur.revision.metadata!.name!]);
    for (const p of owned) {
      const h = p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      if (h) live.add(`${ds.metadata!.name}-${h}`);
    }
    for (const r of revisionsToPrune(revisions as ControllerRevision[], live, ds.spec?.revisionHistoryLimit ?? 10)) {
      await rc.client.delete(CONTROLLER_REVISION, { namespace: r.metadata?.namespace, name: r.metadata!.name! }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
    if (errors.length) throw new Error(errors.join('; '));
    if (backoffWait !== undefined) requeue = Math.min(requeue ?? backoffWait, backoffWait);
    return requeue !== undefined ? { requeueAfter: requeue } : undefined;
  }

  /** Pods the selector matches that nothing controls become this DaemonSet's (upstream ClaimPods); true when any was. */
  private async adoptOrphans(rc: ReconcileContext, ds: DaemonSet, key: string): Promise<boolean> {
    const orphans = this.pods.cache
      .byIndex(NAMESPACE_INDEX, ds.metadata?.namespace ?? '')
      .filter((p) => !controllerUid(p) && !p.metadata?.deletionTimestamp && selectorMatches(ds.spec?.selector, p.metadata?.labels));
    let adopted = false;
    for (const o of orphans) {
      const got = await adoptOrphan(rc.client, { ...o, ...POD }, ds);
      if (got) {
        this.expectations.expectWrite(key, this.pods, got);
        adopted = true;
      }
    }
    return adopted;
  }

  private newPod(ds: DaemonSet, template: PodTemplate, node: string, hash: string): Pod {
    const spec = clone(template.spec ?? {});
    spec.tolerations = withDaemonTolerations(spec.tolerations, !!spec.hostNetwork);
    spec.affinity = pinnedAffinity(spec.affinity, node);
    const meta = ds.metadata!;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${meta.name}-`,
        namespace: meta.namespace,
        labels: { ...(template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash, [POD_TEMPLATE_GENERATION_LABEL]: String(meta.generation ?? 1) },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: meta.name!, uid: meta.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec,
    };
  }
}

function surgeOf(ru: { maxSurge?: number | string } | undefined, desired: number): number {
  return scaledValue(ru?.maxSurge ?? 0, desired, true, 'spec.updateStrategy.rollingUpdate.maxSurge');
}

/**
 * Which of a node's live Pods stay: the oldest one, or with surge the oldest of the current revision and the oldest of
 * the older ones (what upstream's podsShouldBeOnNode keeps).
 */
export function podsToKeep(pods: readonly Pod[], isNew: (p: Pod) => boolean, surge: boolean): Pod[] {
  const byAge = [...pods].sort((a, b) => creationMs(a) - creationMs(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (!surge) return byAge.slice(0, 1);
  const out: Pod[] = [];
  const oldest = byAge.find((p) => !isNew(p));
  const newest = byAge.find(isNew);
  if (oldest) out.push(oldest);
  if (newest) out.push(newest);
  return out;
}

/**
 * One rolling-update step (upstream's rollingUpdate): without surge, delete old Pods (unavailable ones first, then up
 * to maxUnavailable minus what is already unavailable); with surge, start a new Pod beside an old one on up to
 * maxSurge Nodes (at once where the old one is unavailable) and delete the old one when the new one is available.
 */
export function rollingUpdatePlan(
  nodes: readonly NodePods[],
  isNew: (p: Pod) => boolean,
  available: (p: Pod) => boolean,
  maxSurge: number,
  maxUnavailable: number,
): { delete: Pod[]; create: string[] } {
  const del: Pod[] = [];
  const create: string[] = [];
  if (maxSurge === 0) {
    let unavailable = 0;
    const candidates: Pod[] = [];
    for (const { pods } of nodes) {
      const fresh = pods.find(isNew);
      const old = pods.find((p) => !isNew(p));
      if (fresh) {
        if (!available(fresh)) unavailable++;
        continue;
      }
      if (!old) continue;
      if (!available(old)) {
        unavailable++;
        del.push(old);
      } else candidates.push(old);
    }
    del.push(...candidates.slice(0, Math.max(0, maxUnavailable - unavailable)));
    return { delete: del, create };
  }
  let surging = 0;
  const candidates: string[] = [];
  for (const { node, pods } of nodes) {
    const fresh = pods.find(isNew);
    const old = pods.find((p) => !isNew(p));
    if (fresh) {
      if (available(fresh)) {
        if (old) del.push(old);
      } else if (old) surging++;
      continue;
    }
    if (!old) continue;
    if (!available(old)) create.push(node);
    else candidates.push(node);
  }
  create.push(...candidates.slice(0, Math.max(0, maxSurge - surging)));
  return { delete: del, create };
}
