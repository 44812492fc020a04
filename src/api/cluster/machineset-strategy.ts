/** MachineSet defaulting and validation (upstream's MachineSet webhook). */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { matchesLabels } from '../../apimachinery/selectors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { admissionStrategy, setClusterNameLabel } from './admission.js';
import { defaultMachineSpecRefs, machineSpecDurationCauses } from './machine-strategy.js';
import { defaultReplicas } from './replicas.js';
import { CLUSTER_NAME_LABEL, MACHINE_SET_NAME_LABEL, type MachineSet } from './types.js';
import { ensureObject, labelSelectorToString, mustFormatValue, namingTemplateCauses, parseSelector, semverCauses, templateMetaCauses, valueAt } from './validation.js';

export function defaultMachineSet(ms: MachineSet, old: MachineSet | undefined): void {
  const spec = ensureObject(ms, 'spec');
  setClusterNameLabel(ms, spec.clusterName, CLUSTER_NAME_LABEL);
  spec.replicas = defaultReplicas('MachineSet', ms, old);
  if (!spec.deletePolicy) spec.deletePolicy = 'Random';
  const selector = ensureObject(spec, 'selector');
  const matchLabels = ensureObject(selector, 'matchLabels') as Record<string, string>;
  const templateLabels = ensureObject(spec, 'template', 'metadata', 'labels') as Record<string, string>;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) {
    const value = mustFormatValue(ms.metadata?.name ?? '');
    matchLabels[MACHINE_SET_NAME_LABEL] = value;
    templateLabels[MACHINE_SET_NAME_LABEL] = value;
  }
  const machineSpec = valueAt(spec, 'template', 'spec');
  if (isPlainObject(machineSpec)) defaultMachineSpecRefs(machineSpec, ms.metadata?.namespace);
}

/** The selector matches the template labels (MachineSet and MachineDeployment share this rule). */
export function selectorMatchesTemplate(spec: Record<string, unknown>, mismatch: (selectorText: string, labels: unknown) => StatusCause): StatusCause[] {
  const parsed = parseSelector('spec.selector', spec.selector);
  if (!parsed.selector) return parsed.causes;
  const labels = valueAt(spec, 'template', 'metadata', 'labels');
  if (!matchesLabels(parsed.selector, isPlainObject(labels) ? (labels as Record<string, string>) : {})) {
    return [mismatch(labelSelectorToString(parsed.selector), labels ?? {})];
  }
  return [];
}

export function validateMachineSet(ms: MachineSet, old: MachineSet | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = (isPlainObject(ms.spec) ? ms.spec : {}) as Record<string, unknown>;
  causes.push(
    ...selectorMatchesTemplate(spec, (sel, labels) => fieldError.invalid('spec.template.metadata.labels', labels, `must match spec.selector ${JSON.stringify(sel)}`)),
  );
  if (old && old.spec?.clusterName !== spec.clusterName) causes.push(fieldError.forbidden('spec.clusterName', 'field is immutable'));
  const version = valueAt(spec, 'template', 'spec', 'version');
  if (version !== undefined) causes.push(...semverCauses('spec.template.spec.version', version));
  causes.push(...namingTemplateCauses('spec.machineNamingStrategy.template', valueAt(spec, 'machineNamingStrategy', 'template'), 'machineSet'));
  causes.push(...templateMetaCauses('spec.template.metadata', valueAt(spec, 'template', 'metadata')));
  const machineSpec = valueAt(spec, 'template', 'spec');
  if (isPlainObject(machineSpec)) causes.push(...machineSpecDurationCauses(machineSpec, 'spec.template.spec'));
  return causes;
}

export const machineSetStrategy = admissionStrategy<MachineSet>({ default: defaultMachineSet, validate: validateMachineSet });
