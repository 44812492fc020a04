/** MachineDeployment defaulting and validation (upstream's MachineDeployment webhook). */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { labelValueErrors } from '../../apimachinery/validation.js';
import { admissionStrategy, setClusterNameLabel } from './admission.js';
import { defaultMachineSpecRefs, machineSpecDurationCauses } from './machine-strategy.js';
import { selectorMatchesTemplate } from './machineset-strategy.js';
import { defaultReplicas } from './replicas.js';
import { CLUSTER_NAME_LABEL, MACHINE_DEPLOYMENT_NAME_LABEL, type MachineDeployment } from './types.js';
import { ensureObject, intOrPercentCauses, namingTemplateCauses, semverCauses, templateMetaCauses, valueAt } from './validation.js';

/** Defaults of a MachineDeployment: what every controller can rely on after admission. */
export const MACHINE_DEPLOYMENT_DEFAULTS = {
  minReadySeconds: 0,
  revisionHistoryLimit: 1,
  progressDeadlineSeconds: 600,
  maxSurge: 1,
  maxUnavailable: 0,
} as const;

export function defaultMachineDeployment(md: MachineDeployment, old: MachineDeployment | undefined): void {
  const spec = ensureObject(md, 'spec');
  setClusterNameLabel(md, spec.clusterName, CLUSTER_NAME_LABEL);
  spec.replicas = defaultReplicas('MachineDeployment', md, old);
  spec.minReadySeconds ??= MACHINE_DEPLOYMENT_DEFAULTS.minReadySeconds;
  spec.revisionHistoryLimit ??= MACHINE_DEPLOYMENT_DEFAULTS.revisionHistoryLimit;
  spec.progressDeadlineSeconds ??= MACHINE_DEPLOYMENT_DEFAULTS.progressDeadlineSeconds;
  const selector = ensureObject(spec, 'selector');
  const matchLabels = ensureObject(selector, 'matchLabels') as Record<string, string>;
  const strategy = ensureObject(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  const templateLabels = ensureObject(spec, 'template', 'metadata', 'labels') as Record<string, string>;
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = ensureObject(strategy, 'rollingUpdate');
    rollingUpdate.maxSurge ??= MACHINE_DEPLOYMENT_DEFAULTS.maxSurge;
    rollingUpdate.maxUnavailable ??= MACHINE_DEPLOYMENT_DEFAULTS.maxUnavailable;
  }
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) {
    const name = md.metadata?.name ?? '';
    matchLabels[MACHINE_DEPLOYMENT_NAME_LABEL] = name;
    templateLabels[MACHINE_DEPLOYMENT_NAME_LABEL] = name;
  }
  if (typeof spec.clusterName === 'string') {
    matchLabels[CLUSTER_NAME_LABEL] = spec.clusterName;
    templateLabels[CLUSTER_NAME_LABEL] = spec.clusterName;
  }
  const machineSpec = valueAt(spec, 'template', 'spec');
  if (isPlainObject(machineSpec)) defaultMachineSpecRefs(machineSpec, md.metadata?.namespace);
}

export function validateMachineDeployment(md: MachineDeployment, old: MachineDeployment | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = md.metadata?.name ?? '';
  for (const e of labelValueErrors(name)) causes.push(fieldError.invalid('metadata.name', name, `must be a valid label value: ${e}`));
  const spec = (isPlainObject(md.spec) ? md.spec : {}) as Record<string, unknown>;
  causes.push(...selectorMatchesTemplate(spec, (sel) => fieldError.forbidden('spec.template.metadata.labels', `must match spec.selector ${JSON.stringify(sel)}`)));
  if (old && old.spec?.clusterName !== spec.clusterName) causes.push(fieldError.forbidden('spec.clusterName', 'field is immutable'));
  causes.push(...intOrPercentCauses('spec.strategy.rollingUpdate.maxSurge', valueAt(spec, 'strategy', 'rollingUpdate', 'maxSurge')));
  causes.push(...intOrPercentCauses('spec.strategy.rollingUpdate.maxUnavailable', valueAt(spec, 'strategy', 'rollingUpdate', 'maxUnavailable')));
  causes.push(...intOrPercentCauses('spec.strategy.remediation.maxInFlight', valueAt(spec, 'strategy', 'remediation', 'maxInFlight')));
  const version = valueAt(spec, 'template', 'spec', 'version');
  if (version !== undefined) causes.push(...semverCauses('spec.template.spec.version', version));
  causes.push(...namingTemplateCauses('spec.machineNamingStrategy.template', valueAt(spec, 'machineNamingStrategy', 'template'), 'machineSet'));
  causes.push(...templateMetaCauses('spec.template.metadata', valueAt(spec, 'template', 'metadata')));
  const machineSpec = valueAt(spec, 'template', 'spec');
  if (isPlainObject(machineSpec)) causes.push(...machineSpecDurationCauses(machineSpec, 'spec.template.spec'));
  return causes;
}

export const machineDeploymentStrategy = admissionStrategy<MachineDeployment>({ default: defaultMachineDeployment, validate: validateMachineDeployment });
