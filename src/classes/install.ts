/**
 * Installing the shipped default class at plane start: server-side apply of its templates, then of the class, under
 * one field manager (so an upgrade rolls forward: fields a newer release no longer sets are dropped). Only objects
 * named by the shipped class are written; any other ClusterClass (a user's copy under another name) is left alone.
 * Templates of earlier releases (labelled as shipped, no longer named by the class) are deleted once no ClusterClass,
 * MachineDeployment, MachineSet or KubeadmControlPlane in the namespace refers to them.
 */
import type { Logger } from 'pino';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import type { ObjectStore } from '../apiserver/object-store.js';
import type { ResourceInfo } from '../apiserver/resource-info.js';
import type { ClusterClass, ObjectReference } from '../topology/index.js';
import { loadDefaultClass, SHIPPED_CLASS_LABEL, type ShippedClass } from './default-class.js';

export const DEFAULT_CLASS_FIELD_MANAGER = 'slipway-default-class';

export interface InstallResult {
  /** `Kind/name` of every object applied. */
  applied: string[];
  /** `Kind/name` of earlier releases' templates deleted. */
  deleted: string[];
}

function resourceOf(objects: ObjectStore, o: { apiVersion?: string; kind?: string }): ResourceInfo {
  const [group, version] = (o.apiVersion ?? '').includes('/') ? (o.apiVersion ?? '').split('/') : ['', o.apiVersion ?? ''];
  const info = objects.registry.byKind(group!, version!, o.kind ?? '');
  if (!info) throw new Error(`default class: the plane does not serve ${o.kind} (${o.apiVersion})`);
  return info;
}

/** Every template reference of a ClusterClass. */
export function classTemplateRefs(cc: ClusterClass): ObjectReference[] {
  const s = cc.spec ?? {};
  const refs: (ObjectReference | undefined)[] = [s.infrastructure?.ref, s.controlPlane?.ref, s.controlPlane?.machineInfrastructure?.ref];
  for (const md of s.workers?.machineDeployments ?? []) refs.push(md.template?.bootstrap?.ref, md.template?.infrastructure?.ref);
  for (const mp of s.workers?.machinePools ?? []) refs.push(mp.template?.bootstrap?.ref, mp.template?.infrastructure?.ref);
  return refs.filter((r): r is ObjectReference => !!r?.kind && !!r.name);
}

/** The template references of a MachineDeployment, MachineSet (spec.template.spec) or KubeadmControlPlane. */
function objectTemplateRefs(o: KubeObject): ObjectReference[] {
  const spec = (o.spec ?? {}) as { template?: { spec?: { bootstrap?: { configRef?: ObjectReference }; infrastructureRef?: ObjectReference } }; machineTemplate?: { infrastructureRef?: ObjectReference } };
  const refs = [spec.template?.spec?.bootstrap?.configRef, spec.template?.spec?.infrastructureRef, spec.machineTemplate?.infrastructureRef];
  return refs.filter((r): r is ObjectReference => !!r?.kind && !!r.name);
}

const id = (o: KubeObject): string => `${o.kind}/${o.metadata?.name ?? ''}`;

/** Apply `shipped` (default: the default class) to the plane's store. */
export async function installShippedClass(objects: ObjectStore, shipped: ShippedClass = loadDefaultClass(), log?: Logger): Promise<InstallResult> {
  const cc = shipped.clusterClass;
  const namespace = cc.metadata!.namespace!;
  const className = cc.metadata!.name!;
  const applied: string[] = [];
  const apply = async (o: KubeObject): Promise<void> => {
    await objects.patch(resourceOf(objects, o), namespace, o.metadata!.name!, 'apply', o, { fieldManager: DEFAULT_CLASS_FIELD_MANAGER, force: true });
    applied.push(id(o));
  };
  // Templates first: the class must never name a template that does not exist.
  for (const t of shipped.templates) await apply(t);
  await apply(cc);

  // Earlier releases' templates: shipped for this class, no longer named by it, and named by no ClusterClass.
  const classes = (await objects.list(resourceOf(objects, cc), namespace)).items as ClusterClass[];
  const referenced = new Set(classes.flatMap((c) => classTemplateRefs(c).map((r) => `${r.kind}/${r.name}`)));
  // A MachineDeployment, MachineSet or KubeadmControlPlane made by hand may name a shipped template directly.
  for (const [apiVersion, kind] of [
    ['cluster.x-k8s.io/v1beta1', 'MachineDeployment'],
    ['cluster.x-k8s.io/v1beta1', 'MachineSet'],
    ['controlplane.cluster.x-k8s.io/v1beta1', 'KubeadmControlPlane'],
  ] as const) {
    for (const o of (await objects.list(resourceOf(objects, { apiVersion, kind }), namespace)).items) {
      for (const r of objectTemplateRefs(o)) referenced.add(`${r.kind}/${r.name}`);
    }
  }
  const deleted: string[] = [];
  const kinds = new Map(shipped.templates.map((t) => [`${t.apiVersion}|${t.kind}`, t]));
  for (const t of kinds.values()) {
    const info = resourceOf(objects, t);
    for (const old of (await objects.list(info, namespace)).items) {
      if (old.metadata?.labels?.[SHIPPED_CLASS_LABEL] !== className || referenced.has(id(old))) continue;
      try {
        await objects.delete(info, namespace, old.metadata!.name!);
        deleted.push(id(old));
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
  }
  log?.info({ clusterClass: `${namespace}/${className}`, applied: applied.length, deleted }, 'default ClusterClass installed');
  return { applied, deleted };
}

/** Install the default class `slipway-default` (plane start). */
export function installDefaultClass(objects: ObjectStore, log?: Logger): Promise<InstallResult> {
  return installShippedClass(objects, loadDefaultClass(), log);
}
