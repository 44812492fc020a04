/** MachineHealthCheck defaulting and validation (upstream's MachineHealthCheck webhook). */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { labelSelectorIsEmpty } from '../../apimachinery/selectors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { admissionStrategy, defaultRefNamespace, refNamespaceCauses, setClusterNameLabel } from './admission.js';
import { CLUSTER_NAME_LABEL, type MachineHealthCheck } from './types.js';
import { durationCauses, ensureObject, goDurationMs, intOrPercentCauses, parseSelector, valueAt } from './validation.js';

/** Defaults of a MachineHealthCheck (always set after admission). */
export const DEFAULT_MAX_UNHEALTHY = '100%';
export const DEFAULT_NODE_STARTUP_TIMEOUT = '10m0s';
/** nodeStartupTimeout must be 0 (disabled) or at least this long. */
const MIN_NODE_STARTUP_TIMEOUT_MS = 30_000;

export function defaultMachineHealthCheck(mhc: MachineHealthCheck): void {
  const spec = ensureObject(mhc, 'spec');
  setClusterNameLabel(mhc, spec.clusterName, CLUSTER_NAME_LABEL);
  spec.maxUnhealthy ??= DEFAULT_MAX_UNHEALTHY;
  spec.nodeStartupTimeout ??= DEFAULT_NODE_STARTUP_TIMEOUT;
  defaultRefNamespace(spec.remediationTemplate, mhc.metadata?.namespace);
}

/** The checks a MachineHealthCheck shares with its ClusterClass and topology forms, under `path`. */
export function healthCheckFieldCauses(fields: Record<string, unknown>, path: string, namespace: string | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const timeout = fields.nodeStartupTimeout;
  causes.push(...durationCauses(`${path}.nodeStartupTimeout`, timeout));
  if (typeof timeout === 'string') {
    const ms = goDurationMs(timeout);
    if (ms !== undefined && ms !== 0 && ms < MIN_NODE_STARTUP_TIMEOUT_MS) causes.push(fieldError.invalid(`${path}.nodeStartupTimeout`, timeout, 'must be at least 30s'));
  }
  causes.push(...intOrPercentCauses(`${path}.maxUnhealthy`, fields.maxUnhealthy));
  causes.push(...refNamespaceCauses(`${path}.remediationTemplate`, fields.remediationTemplate, namespace));
  for (const [i, c] of (Array.isArray(fields.unhealthyConditions) ? fields.unhealthyConditions : []).entries()) {
    if (isPlainObject(c)) causes.push(...durationCauses(`${path}.unhealthyConditions[${i}].timeout`, c.timeout));
  }
  for (const [i, c] of (Array.isArray(fields.unhealthyMachineConditions) ? fields.unhealthyMachineConditions : []).entries()) {
    if (isPlainObject(c)) causes.push(...durationCauses(`${path}.unhealthyMachineConditions[${i}].timeout`, c.timeout));
  }
  return causes;
}

export function validateMachineHealthCheck(mhc: MachineHealthCheck, old: MachineHealthCheck | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = (isPlainObject(mhc.spec) ? mhc.spec : {}) as Record<string, unknown>;
  const parsed = parseSelector('spec.selector', spec.selector);
  causes.push(...parsed.causes);
  if (parsed.selector && labelSelectorIsEmpty(parsed.selector)) causes.push(fieldError.required('spec.selector', 'selector must not be empty'));
  const selectedCluster = valueAt(spec, 'selector', 'matchLabels', CLUSTER_NAME_LABEL);
  if (selectedCluster !== undefined && selectedCluster !== spec.clusterName) {
    causes.push(fieldError.invalid('spec.selector', spec.selector, 'cannot specify a cluster selector other than the one specified by ClusterName'));
  }
  if (old && old.spec?.clusterName !== spec.clusterName) causes.push(fieldError.forbidden('spec.clusterName', 'field is immutable'));
  causes.push(...healthCheckFieldCauses(spec, 'spec', mhc.metadata?.namespace));
  return causes;
}

export const machineHealthCheckStrategy = admissionStrategy<MachineHealthCheck>({ default: defaultMachineHealthCheck, validate: validateMachineHealthCheck });
