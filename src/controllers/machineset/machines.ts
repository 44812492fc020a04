/**
 * The Machines a MachineSet makes (pure): name (machineNamingStrategy.template or `<machineset>-<random>`), labels
 * (the template's, plus set-name and deployment-name), annotations (the template's), the Machine object itself, and
 * the in-place fields an existing Machine takes from the template without being replaced.
 */
import { deepClone } from '../../apimachinery/types.js';
import { executeTemplate } from '../../gotemplate/index.js';
import { cryptoRandom, type RandomSource } from '../../topology/random.js';
import { mustFormatValue } from '../../api/cluster/validation.js';
import {
  MACHINE_DEPLOYMENT_NAME_LABEL,
  MACHINE_FINALIZER,
  MACHINE_KIND,
  MACHINE_SET_NAME_LABEL,
  type Machine,
  type MachineSet,
  type MachineSpec,
  type ObjectReference,
} from '../../api/cluster/types.js';
import { ownerReferenceTo } from '../shared/external.js';

const MAX_NAME = 63;
const RANDOM_LENGTH = 5;
export const DEFAULT_MACHINE_NAME_TEMPLATE = '{{ .machineSet.name }}-{{ .random }}';
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A new Machine's name from the naming template (upstream's MachineSetMachineNameGenerator: `.machineSet.name`,
 * `.cluster.name`, `.random`; a name over 63 characters is cut to 58 and gets a fresh random suffix).
 */
export function machineName(ms: MachineSet, random: RandomSource = cryptoRandom): string {
  const template = ms.spec.machineNamingStrategy?.template || DEFAULT_MACHINE_NAME_TEMPLATE;
  const msName = ms.metadata?.name ?? '';
  const suffix = random(RANDOM_LENGTH);
  let name: string;
  if (template === DEFAULT_MACHINE_NAME_TEMPLATE) name = `${msName}-${suffix}`;
  else {
    if (!template.includes('{{ .random }}')) throw new Error(`spec.machineNamingStrategy.template: ${JSON.stringify(template)} must contain {{ .random }}`);
    try {
      name = executeTemplate('machineNamingStrategy', template, { machineSet: { name: msName }, cluster: { name: ms.spec.clusterName }, random: suffix }, { sprig: false, missingKey: 'error' });
    } catch (e) {
      throw new Error(`spec.machineNamingStrategy.template: cannot render ${JSON.stringify(template)}: ${(e as Error).message}`);
    }
  }
  if (name.length > MAX_NAME) name = name.slice(0, MAX_NAME - RANDOM_LENGTH) + random(RANDOM_LENGTH);
  if (!NAME_PATTERN.test(name)) throw new Error(`spec.machineNamingStrategy.template: ${JSON.stringify(template)} produced ${JSON.stringify(name)}, which is not a valid object name`);
  return name;
}

/** Labels of the MachineSet's Machines (and their bootstrap and infrastructure clones). */
export function machineLabels(ms: MachineSet): Record<string, string> {
  const labels: Record<string, string> = { ...(ms.spec.template?.metadata?.labels ?? {}) };
  labels[MACHINE_SET_NAME_LABEL] = mustFormatValue(ms.metadata?.name ?? '');
  const md = ms.metadata?.labels?.[MACHINE_DEPLOYMENT_NAME_LABEL];
  if (md !== undefined) labels[MACHINE_DEPLOYMENT_NAME_LABEL] = md;
  return labels;
}

export function machineAnnotations(ms: MachineSet): Record<string, string> {
  return { ...(ms.spec.template?.metadata?.annotations ?? {}) };
}

/** The spec fields an existing Machine takes from its MachineSet in place. */
export const IN_PLACE_SPEC_FIELDS = ['nodeDrainTimeout', 'nodeDeletionTimeout', 'nodeVolumeDetachTimeout', 'readinessGates'] as const satisfies readonly (keyof MachineSpec)[];

/** A new Machine of the MachineSet (not written), controlled by it, with the Machine finalizer. */
export function newMachine(ms: MachineSet, name: string, refs: { bootstrap?: ObjectReference; infrastructure: ObjectReference }): Machine {
  const spec: MachineSpec = deepClone(ms.spec.template.spec);
  spec.clusterName = ms.spec.clusterName;
  spec.bootstrap = { ...(spec.bootstrap ?? {}) };
  if (refs.bootstrap) spec.bootstrap.configRef = refs.bootstrap;
  else delete spec.bootstrap.configRef;
  spec.infrastructureRef = refs.infrastructure;
  return {
    ...MACHINE_KIND,
    metadata: {
      name,
      namespace: ms.metadata?.namespace,
      labels: machineLabels(ms),
      annotations: machineAnnotations(ms),
      ownerReferences: [ownerReferenceTo(ms, true)],
      finalizers: [MACHINE_FINALIZER],
    },
    spec,
  };
}

/**
 * The merge patch bringing an existing Machine's labels, annotations and in-place spec fields to what the MachineSet
 * says (added or changed keys only; labels others put on the Machine and fields the template leaves unset stay), or
 * undefined when nothing differs. A Machine being deleted only takes the deletion timeouts.
 */
export function inPlaceMachinePatch(ms: MachineSet, m: Machine): Record<string, unknown> | undefined {
  const deleting = !!m.metadata?.deletionTimestamp;
  const metadata: Record<string, unknown> = {};
  const diff = (want: Record<string, string>, have: Record<string, string> | undefined): Record<string, string> | undefined => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(want)) if (have?.[k] !== v) out[k] = v;
    return Object.keys(out).length ? out : undefined;
  };
  const labels = deleting ? undefined : diff(machineLabels(ms), m.metadata?.labels);
  const annotations = deleting ? undefined : diff(machineAnnotations(ms), m.metadata?.annotations);
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  const spec: Record<string, unknown> = {};
  const tpl = ms.spec.template?.spec ?? ({} as MachineSpec);
  for (const f of IN_PLACE_SPEC_FIELDS) {
    if (deleting && f === 'readinessGates') continue;
    const want = tpl[f];
    // An unset field is left to the Machine (its defaults, e.g. nodeDeletionTimeout, stay), as server-side apply does.
    if (want === undefined) continue;
    if (JSON.stringify(want) !== JSON.stringify(m.spec?.[f] ?? null)) spec[f] = deepClone(want);
  }
  const patch: Record<string, unknown> = {};
  if (Object.keys(metadata).length) patch.metadata = metadata;
  if (Object.keys(spec).length) patch.spec = spec;
  return Object.keys(patch).length ? patch : undefined;
}
