/**
 * The objects a controller may claim (ControllerRefManager's candidates): those it already controls and the orphans
 * of its namespace. Upstream lists the whole namespace and skips what others control; with an index on the controller
 * reference a reconcile costs what the owner has, not what the namespace holds (a ReplicaSet among 10,000 Pods).
 */
import type { KubeObject } from '../../apimachinery/types.js';
import type { SharedInformer } from '../../client/informer.js';
import { getControllerOf } from '../../runtime/meta.js';

export const CONTROLLER_INDEX = 'controller-or-orphan';

const orphanKey = (namespace: string): string => `orphan\u0000${namespace}`;

/** Files an object under its controller's uid, or under its namespace's orphans when nothing controls it. */
export function controllerOrOrphanIndex(o: KubeObject): string[] {
  const ref = getControllerOf(o);
  return [ref ? ref.uid : orphanKey(o.metadata?.namespace ?? '')];
}

/** Adds the index to an informer once (several controllers share informers). */
export function ensureControllerIndex<T extends KubeObject>(inf: SharedInformer<T>): void {
  if (!inf.cache.hasIndex(CONTROLLER_INDEX)) inf.addIndexers({ [CONTROLLER_INDEX]: controllerOrOrphanIndex });
}

/** Objects controlled by `uid`. */
export function controlledBy<T extends KubeObject>(inf: SharedInformer<T>, uid: string | undefined): T[] {
  return uid ? inf.cache.byIndex(CONTROLLER_INDEX, uid) : [];
}

/** Objects controlled by `uid` followed by the orphans of `namespace`: everything a claim has to look at. */
export function claimCandidates<T extends KubeObject>(inf: SharedInformer<T>, namespace: string, uid: string | undefined): T[] {
  return [...controlledBy(inf, uid), ...inf.cache.byIndex(CONTROLLER_INDEX, orphanKey(namespace))];
}
