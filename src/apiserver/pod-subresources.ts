/**
 * The Pod subresources clients POST to, as kube-apiserver's Pod storage serves them:
 * - `pods/binding` (core/v1 Binding): assigns an unscheduled Pod to a Node — sets spec.nodeName and the PodScheduled
 *   condition; a Pod already assigned is a 409 Conflict naming the Node;
 * - `pods/eviction` (policy/v1 Eviction): deletes a Pod unless a PodDisruptionBudget that selects it allows no more
 *   disruptions (429 TooManyRequests with upstream's message); an allowed eviction is recorded in the budget's
 *   status.disruptedPods and takes one from disruptionsAllowed, so two concurrent evictions cannot both pass.
 */
import { conflict, invalid, StatusError, type Status } from '../apimachinery/errors.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../apimachinery/selectors.js';
import { isPlainObject, type KubeObject } from '../apimachinery/types.js';
import { rfc3339 } from './clock.js';
import type { ObjectStore, WriteOptions } from './object-store.js';
import type { ResourceInfo } from './resource-info.js';

/** The POST subresources of a resource (for discovery and routing). */
export function postSubresourcesOf(info: Pick<ResourceInfo, 'group' | 'plural'>): { name: string; kind: string; group?: string; version?: string }[] {
  if (info.group === '' && info.plural === 'pods') {
    return [
      { name: 'binding', kind: 'Binding' },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1' },
    ];
  }
  // TokenRequest: answered by the API server's ServiceAccount token issuer, not stored.
  if (info.group === '' && info.plural === 'serviceaccounts') return [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' }];
  return [];
}

/** The Pod subresources read or replaced rather than posted to: the log (text) and the ephemeral containers. */
export function podReadSubresourcesOf(info: Pick<ResourceInfo, 'group' | 'plural'>): { name: string; kind: string; verbs: string[] }[] {
  if (info.group === '' && info.plural === 'pods') {
    return [
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
    ];
  }
  return [];
}

function success(code: number): KubeObject {
  const status: Pick<Status, 'kind' | 'apiVersion' | 'metadata' | 'status' | 'code'> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  return status as KubeObject;
}

export async function postPodSubresource(objects: ObjectStore, info: ResourceInfo, namespace: string | undefined, name: string, sub: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
  if (sub === 'binding') return bind(objects, info, namespace, name, body, opts);
  if (sub === 'eviction') return evict(objects, info, namespace, name, body, opts);
  throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

/**
 * pods/binding as kube-apiserver's BindingREST: a write straight to storage (no defaulting, validation or
 * managed-fields entry) that sets spec.nodeName, copies the Binding's annotations, clears status.nominatedNodeName
 * and sets PodScheduled=True; refused with 409 for a Pod being deleted, already assigned, or scheduling-gated.
 */
async function bind(objects: ObjectStore, info: ResourceInfo, namespace: string | undefined, name: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
  const target = isPlainObject(body.target) ? body.target : undefined;
  const node = typeof target?.name === 'string' ? target.name : '';
  if (!node) throw invalid('Binding', '', name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  if (target?.kind !== undefined && target.kind !== '' && target.kind !== 'Node') {
    throw invalid('Binding', '', name, [{ reason: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: ${JSON.stringify(target.kind)}: supported values: "Node", ""` }]);
  }
  const bindingMeta = isPlainObject(body.metadata) ? body.metadata : {};
  const annotations = isPlainObject(bindingMeta.annotations) ? (bindingMeta.annotations as Record<string, string>) : {};
  const preconditions = { uid: typeof bindingMeta.uid === 'string' ? bindingMeta.uid : undefined, resourceVersion: typeof bindingMeta.resourceVersion === 'string' ? bindingMeta.resourceVersion : undefined };
  const now = rfc3339(objects.clock.now());
  const refuse = (why: string): StatusError => conflict('pods/binding', '', name, why);
  await objects.updateStored(
    info,
    namespace,
    name,
    (pod) => {
      const spec = (pod.spec ??= {}) as Record<string, unknown>;
      if (pod.metadata?.deletionTimestamp) throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
      if (typeof spec.nodeName === 'string' && spec.nodeName) throw refuse(`pod ${name} is already assigned to node "${spec.nodeName}"`);
      if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length) throw refuse(`pod ${name} has non-empty .spec.schedulingGates`);
      spec.nodeName = node;
      const meta = (pod.metadata ??= {});
      if (Object.keys(annotations).length) meta.annotations = { ...(meta.annotations ?? {}), ...annotations };
      const status = (pod.status ??= {}) as Record<string, unknown>;
      delete status.nominatedNodeName;
      status.conditions = withPodCondition(Array.isArray(status.conditions) ? status.conditions : [], { type: 'PodScheduled', status: 'True' }, now);
      return pod;
    },
    { dryRun: opts.dryRun, preconditions },
  );
  return success(201);
}

/**
 * podutil.UpdatePodCondition: the condition replaces the one of its type; lastTransitionTime is now when the status
 * changes (or the condition is new), else the old one stays.
 */
function withPodCondition(conditions: unknown[], c: { type: string; status: string; reason?: string; message?: string }, now: string): unknown[] {
  const i = conditions.findIndex((x) => isPlainObject(x) && x.type === c.type);
  const old = i >= 0 ? (conditions[i] as Record<string, unknown>) : undefined;
  const next: Record<string, unknown> = { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: old && old.status === c.status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : now };
  if (c.reason) next.reason = c.reason;
  if (c.message) next.message = c.message;
  if (i < 0) return [...conditions, next];
  const out = [...conditions];
  out[i] = next;
  return out;
}

async function evict(objects: ObjectStore, info: ResourceInfo, namespace: string | undefined, name: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
  const pod = await objects.get(info, namespace, name);
  const pdbInfo = objects.registry.get('policy', 'v1', 'poddisruptionbudgets');
  const deleteOptions = isPlainObject(body.deleteOptions) ? body.deleteOptions : {};
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  // Terminal or already-deleting Pods go without consulting budgets (as upstream).
  const exempt = phase === 'Succeeded' || phase === 'Failed' || !!pod.metadata?.deletionTimestamp;
  if (pdbInfo && !exempt) {
    const pdbs = (await objects.list(pdbInfo, namespace, {})).items.filter((b) => {
      const sel = (b.spec as { selector?: unknown } | undefined)?.selector;
      return isPlainObject(sel) && Object.keys(sel).length > 0 && matchesLabels(labelSelectorFromObject(sel as LabelSelectorObject), pod.metadata?.labels ?? {});
    });
    if (pdbs.length > 1) throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = pdbs[0];
    if (pdb) {
      const status = ((pdb.status as Record<string, unknown> | undefined) ?? {}) as { disruptionsAllowed?: number; observedGeneration?: number; disruptedPods?: Record<string, string> };
      const unhealthyPolicy = (pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy;
      const ready = ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      const skipBudget = !ready && unhealthyPolicy === 'AlwaysAllow';
      if (!skipBudget) {
        if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) {
          throw tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', `The disruption budget ${pdb.metadata?.name} is still being processed by the server.`);
        }
        if ((status.disruptionsAllowed ?? 0) <= 0) {
          throw tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', `The disruption budget ${pdb.metadata?.name} needs ${neededOf(pdb)} healthy pods and has ${((pdb.status as { currentHealthy?: number } | undefined)?.currentHealthy ?? 0)} currently`);
        }
        const disruptedPods = { ...(status.disruptedPods ?? {}), [name]: rfc3339(objects.clock.now()) };
        // Optimistic concurrency on the budget: a concurrent eviction that took the last disruption makes this one fail.
        await objects.update(pdbInfo, namespace, pdb.metadata!.name!, { ...pdb, status: { ...status, disruptionsAllowed: (status.disruptionsAllowed ?? 0) - 1, disruptedPods } }, { ...opts, fieldManager: 'kube-apiserver' }, 'status');
      }
    }
  }
  const preconditions = isPlainObject(deleteOptions.preconditions) ? (deleteOptions.preconditions as { uid?: string; resourceVersion?: string }) : undefined;
  await objects.delete(info, namespace, name, { dryRun: opts.dryRun, user: opts.user, ...(preconditions ? { preconditions } : {}) });
  return success(201);
}

function neededOf(pdb: KubeObject): number {
  return (pdb.status as { desiredHealthy?: number } | undefined)?.desiredHealthy ?? 0;
}

function tooManyRequests(message: string, cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { causes: [{ reason: 'DisruptionBudget', field: '', message: cause }] });
}
