/**
 * KubeadmConfig and KubeadmConfigTemplate defaulting and validation (upstream's webhooks and
 * KubeadmConfigSpec.Default/Validate), with the Ignition format enabled.
 */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { admissionStrategy } from '../cluster/admission.js';
import { durationCauses, ensureObject, templateMetaCauses, valueAt } from '../cluster/validation.js';
import type { KubeadmConfig, KubeadmConfigTemplate } from './types.js';

/** Defaults of a KubeadmConfigSpec (always set after admission). */
export const DEFAULT_BOOTSTRAP_FORMAT = 'cloud-config';
export const DEFAULT_IMAGE_PULL_POLICY = 'IfNotPresent';
export const DEFAULT_EXEC_CREDENTIAL_API_VERSION = 'client.authentication.k8s.io/v1';

const IGNITION_ONLY = 'not supported when spec.format is set to: "ignition"';

/** KubeadmConfigSpec.Default: format, image pull policies, the exec credential API version. */
export function defaultKubeadmConfigSpec(spec: Record<string, unknown>): void {
  if (!spec.format) spec.format = DEFAULT_BOOTSTRAP_FORMAT;
  for (const key of ['initConfiguration', 'joinConfiguration']) {
    if (!isPlainObject(spec[key])) continue;
    const registration = ensureObject(spec[key] as Record<string, unknown>, 'nodeRegistration');
    if (!registration.imagePullPolicy) registration.imagePullPolicy = DEFAULT_IMAGE_PULL_POLICY;
  }
  const exec = valueAt(spec, 'joinConfiguration', 'discovery', 'file', 'kubeConfig', 'user', 'exec');
  if (isPlainObject(exec) && !exec.apiVersion) exec.apiVersion = DEFAULT_EXEC_CREDENTIAL_API_VERSION;
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map((x) => (isPlainObject(x) ? x : {})) : [];
}

function secretSourceCauses(source: unknown, path: string): StatusCause[] {
  const secret = valueAt(source, 'secret');
  const causes: StatusCause[] = [];
  if (!valueAt(secret, 'name')) causes.push(fieldError.required(`${path}.secret.name`, 'secret file source must specify non-empty secret name'));
  if (!valueAt(secret, 'key')) causes.push(fieldError.required(`${path}.secret.key`, 'secret file source must specify non-empty secret key'));
  return causes;
}

function filesCauses(spec: Record<string, unknown>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<unknown>();
  list(spec.files).forEach((file, i) => {
    const p = `${path}.files[${i}]`;
    if (file.content && file.contentFrom !== undefined) causes.push(fieldError.invalid(p, file, 'only one of content or contentFrom may be specified for a single file'));
    if (file.contentFrom !== undefined) causes.push(...secretSourceCauses(file.contentFrom, `${p}.contentFrom`));
    if (seen.has(file.path)) causes.push(fieldError.invalid(`${p}.path`, file, 'path property must be unique among all files'));
    seen.add(file.path);
  });
  return causes;
}

function usersCauses(spec: Record<string, unknown>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  list(spec.users).forEach((user, i) => {
    const p = `${path}.users[${i}]`;
    if (user.passwd !== undefined && user.passwdFrom !== undefined) causes.push(fieldError.invalid(p, user, 'only one of passwd or passwdFrom may be specified for a single user'));
    if (user.passwdFrom !== undefined) causes.push(...secretSourceCauses(user.passwdFrom, `${p}.passwdFrom`));
  });
  return causes;
}

function ignitionCauses(spec: Record<string, unknown>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (spec.format !== 'ignition') {
    if (spec.ignition !== undefined) causes.push(fieldError.invalid(`${path}.format`, spec.format ?? '', 'must be set to "ignition" if spec.ignition is set'));
    return causes;
  }
  list(spec.users).forEach((user, i) => {
    if (user.inactive === true) causes.push(fieldError.forbidden(`${path}.users[${i}].inactive`, IGNITION_ONLY));
  });
  if (spec.useExperimentalRetryJoin === true) causes.push(fieldError.forbidden(`${path}.useExperimentalRetryJoin`, IGNITION_ONLY));
  list(spec.files).forEach((file, i) => {
    if (file.encoding === 'gzip' || file.encoding === 'gzip+base64') causes.push(fieldError.forbidden(`${path}.files[${i}].encoding`, IGNITION_ONLY));
  });
  if (spec.bootCommands !== undefined) causes.push(fieldError.forbidden(`${path}.bootCommands`, IGNITION_ONLY));
  list(valueAt(spec, 'diskSetup', 'partitions')).forEach((partition, i) => {
    if (partition.tableType !== undefined && partition.tableType !== 'gpt') {
      causes.push(fieldError.invalid(`${path}.diskSetup.partitions[${i}].tableType`, partition.tableType, 'only partition type "gpt" is supported when spec.format is set to "ignition"'));
    }
  });
  list(valueAt(spec, 'diskSetup', 'filesystems')).forEach((fs, i) => {
    if (fs.replaceFS !== undefined) causes.push(fieldError.forbidden(`${path}.diskSetup.filesystems[${i}].replaceFS`, IGNITION_ONLY));
    if (fs.partition !== undefined) causes.push(fieldError.forbidden(`${path}.diskSetup.filesystems[${i}].partition`, IGNITION_ONLY));
  });
  return causes;
}

function discoveryCauses(spec: Record<string, unknown>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const user = valueAt(spec, 'joinConfiguration', 'discovery', 'file', 'kubeConfig', 'user');
  if (isPlainObject(user)) {
    const userPath = `${path}.joinConfiguration.discovery.file.kubeconfig.user`;
    if (user.authProvider === undefined && user.exec === undefined) causes.push(fieldError.invalid(userPath, user, 'at least one of authProvider or exec must be defined'));
    if (user.authProvider !== undefined && user.exec !== undefined) causes.push(fieldError.invalid(userPath, user, 'either authProvider or exec must be defined'));
  }
  return causes;
}

/** Durations upstream decodes as metav1.Duration inside a KubeadmConfigSpec. */
function specDurationCauses(spec: Record<string, unknown>, path: string): StatusCause[] {
  const causes = [
    ...durationCauses(`${path}.clusterConfiguration.apiServer.timeoutForControlPlane`, valueAt(spec, 'clusterConfiguration', 'apiServer', 'timeoutForControlPlane')),
    ...durationCauses(`${path}.joinConfiguration.discovery.timeout`, valueAt(spec, 'joinConfiguration', 'discovery', 'timeout')),
  ];
  list(valueAt(spec, 'initConfiguration', 'bootstrapTokens')).forEach((t, i) => causes.push(...durationCauses(`${path}.initConfiguration.bootstrapTokens[${i}].ttl`, t.ttl)));
  return causes;
}

/** KubeadmConfigSpec.Validate under `path`. */
export function validateKubeadmConfigSpec(spec: unknown, path: string): StatusCause[] {
  if (!isPlainObject(spec)) return [];
  return [...filesCauses(spec, path), ...usersCauses(spec, path), ...ignitionCauses(spec, path), ...discoveryCauses(spec, path), ...specDurationCauses(spec, path)];
}

export const kubeadmConfigStrategy = admissionStrategy<KubeadmConfig>({
  default(c) {
    defaultKubeadmConfigSpec(ensureObject(c, 'spec'));
  },
  validate(c) {
    return validateKubeadmConfigSpec(c.spec, 'spec');
  },
});

export const kubeadmConfigTemplateStrategy = admissionStrategy<KubeadmConfigTemplate>({
  default(t) {
    defaultKubeadmConfigSpec(ensureObject(t, 'spec', 'template', 'spec'));
  },
  validate(t) {
    return [...validateKubeadmConfigSpec(valueAt(t, 'spec', 'template', 'spec'), 'spec.template.spec'), ...templateMetaCauses('spec.template.metadata', valueAt(t, 'spec', 'template', 'metadata'))];
  },
});
