/**
 * The MachineSets a MachineDeployment wants (pure): a new one for its current template — named `<md>-<random>`,
 * labelled and selected by `machine-template-hash` = `<hash of the template>-<same random>` so MachineSets made by
 * rolloutAfter from an unchanged template stay distinct — and the fields an existing one takes over in place.
 */
import { deepClone } from '../../apimachinery/types.js';
import {
  CLUSTER_NAME_LABEL,
  MACHINE_DEPLOYMENT_NAME_LABEL,
  MACHINE_SET_KIND,
  MACHINE_TEMPLATE_HASH_LABEL,
  type MachineDeployment,
  type MachineSet,
  type MachineSpec,
} from '../../api/cluster/types.js';
import { ownerReferenceTo } from '../shared/external.js';
import { cloneSelectorAndAddLabel, computeMachineSetAnnotations, msReplicas, newMSNewReplicas, templateHash } from './mdutil.js';

const MAX_NAME = 63;
const RANDOM_LENGTH = 5;

/** Machine spec fields that change on existing MachineSets (and their Machines) without a rollout. */
export const IN_PLACE_MACHINE_SPEC_FIELDS = ['nodeDrainTimeout', 'nodeDeletionTimeout', 'nodeVolumeDetachTimeout', 'readinessGates'] as const satisfies readonly (keyof MachineSpec)[];

/** The name of a new MachineSet and its unique suffix (`<md>-` cut to 58 characters, plus 5 random ones). */
export function newMachineSetName(md: MachineDeployment, suffix: string): string {
  const base = `${md.metadata?.name ?? ''}-`;
  return (base.length > MAX_NAME - RANDOM_LENGTH ? base.slice(0, MAX_NAME - RANDOM_LENGTH) : base) + suffix;
}

/**
 * The MachineSet the MachineDeployment wants: for a new one (no `existing`), with a fresh name from `suffix` and the
 * replicas the strategy allows now; for an existing one, its name, identity, replicas and machine spec, with the
 * in-place fields (labels, annotations, revision, minReadySeconds, deletePolicy, timeouts...) from the deployment.
 */
export function desiredMachineSet(md: MachineDeployment, oldMSs: MachineSet[], opts: { existing?: MachineSet; suffix?: string }): MachineSet {
  const existing = opts.existing;
  let name: string;
  let uniqueId: string;
  let replicas: number;
  let spec: MachineSpec;
  if (!existing) {
    if (!opts.suffix) throw new Error('a new MachineSet needs a random suffix');
    name = newMachineSetName(md, opts.suffix);
    uniqueId = `${templateHash(md.spec.template)}-${opts.suffix}`;
    replicas = newMSNewReplicas(md, oldMSs, 0);
    spec = deepClone(md.spec.template.spec);
  } else {
    const id = existing.metadata?.labels?.[MACHINE_TEMPLATE_HASH_LABEL];
    if (id === undefined) throw new Error(`MachineSet ${existing.metadata?.namespace}/${existing.metadata?.name} has no ${MACHINE_TEMPLATE_HASH_LABEL} label`);
    name = existing.metadata!.name!;
    uniqueId = id;
    replicas = msReplicas(existing);
    spec = deepClone(existing.spec.template.spec);
  }
  const templateLabels = { ...(md.spec.template.metadata?.labels ?? {}), [MACHINE_TEMPLATE_HASH_LABEL]: uniqueId };
  const tplSpec = md.spec.template.spec;
  for (const f of IN_PLACE_MACHINE_SPEC_FIELDS) {
    if (tplSpec[f] !== undefined) (spec as unknown as Record<string, unknown>)[f] = deepClone(tplSpec[f]);
  }
  const ms: MachineSet = {
    ...MACHINE_SET_KIND,
    metadata: {
      name,
      namespace: md.metadata?.namespace,
      labels: { ...templateLabels, [CLUSTER_NAME_LABEL]: md.spec.clusterName, [MACHINE_DEPLOYMENT_NAME_LABEL]: md.metadata!.name! },
      annotations: computeMachineSetAnnotations(md, oldMSs, existing),
      ownerReferences: [ownerReferenceTo(md, true)],
    },
    spec: {
      clusterName: md.spec.clusterName,
      replicas,
      selector: cloneSelectorAndAddLabel(md.spec.selector, MACHINE_TEMPLATE_HASH_LABEL, uniqueId),
      template: { metadata: { labels: templateLabels, annotations: { ...(md.spec.template.metadata?.annotations ?? {}) } }, spec },
      minReadySeconds: md.spec.minReadySeconds ?? 0,
    },
  };
  const deletePolicy = md.spec.strategy?.type !== 'OnDelete' ? md.spec.strategy?.rollingUpdate?.deletePolicy : undefined;
  if (deletePolicy) ms.spec.deletePolicy = deletePolicy;
  if (md.spec.machineNamingStrategy) ms.spec.machineNamingStrategy = deepClone(md.spec.machineNamingStrategy);
  return ms;
}

function changedKeys(want: Record<string, string> | undefined, have: Record<string, string> | undefined): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(want ?? {})) if (have?.[k] !== v) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The merge patch taking an existing MachineSet to the desired one's in-place fields (labels and annotations are
 * added or changed, never removed; fields the deployment leaves unset are left alone), or undefined when it matches.
 */
export function machineSetUpdatePatch(existing: MachineSet, desired: MachineSet): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {};
  const labels = changedKeys(desired.metadata?.labels, existing.metadata?.labels);
  const annotations = changedKeys(desired.metadata?.annotations, existing.metadata?.annotations);
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  if (Object.keys(metadata).length) patch.metadata = metadata;
  const spec: Record<string, unknown> = {};
  const d = desired.spec;
  const e = existing.spec;
  if ((e.minReadySeconds ?? 0) !== (d.minReadySeconds ?? 0)) spec.minReadySeconds = d.minReadySeconds ?? 0;
  if (d.deletePolicy && e.deletePolicy !== d.deletePolicy) spec.deletePolicy = d.deletePolicy;
  if (d.machineNamingStrategy && !same(e.machineNamingStrategy, d.machineNamingStrategy)) spec.machineNamingStrategy = d.machineNamingStrategy;
  const template: Record<string, unknown> = {};
  const tplMeta: Record<string, unknown> = {};
  const tLabels = changedKeys(d.template.metadata?.labels, e.template?.metadata?.labels);
  const tAnnotations = changedKeys(d.template.metadata?.annotations, e.template?.metadata?.annotations);
  if (tLabels) tplMeta.labels = tLabels;
  if (tAnnotations) tplMeta.annotations = tAnnotations;
  if (Object.keys(tplMeta).length) template.metadata = tplMeta;
  const tplSpec: Record<string, unknown> = {};
  for (const f of IN_PLACE_MACHINE_SPEC_FIELDS) {
    const want = d.template.spec[f];
    if (want !== undefined && !same(e.template?.spec?.[f], want)) tplSpec[f] = want;
  }
  if (Object.keys(tplSpec).length) template.spec = tplSpec;
  if (Object.keys(template).length) spec.template = template;
  if (Object.keys(spec).length) patch.spec = spec;
  return Object.keys(patch).length ? patch : undefined;
}
