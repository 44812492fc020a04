/**
 * KubeadmControlPlane and KubeadmControlPlaneTemplate defaulting and validation (upstream's webhooks, including the
 * scale webhook's rules, which apply here because /scale writes go through the same validation).
 */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { defaultKubeadmConfigSpec, validateKubeadmConfigSpec } from '../bootstrap/strategy.js';
import { admissionStrategy, defaultRefNamespace } from '../cluster/admission.js';
import { machineSpecDurationCauses } from '../cluster/machine-strategy.js';
import {
  changedPaths,
  compareVersions,
  durationCauses,
  ensureObject,
  intOrStringIntValue,
  namingTemplateCauses,
  parseMajorMinorPatch,
  semverCauses,
  templateMetaCauses,
  valueAt,
  withVPrefix,
  type MajorMinorPatch,
} from '../cluster/validation.js';
import type { KubeadmControlPlane, KubeadmControlPlaneTemplate } from './types.js';

/** Defaults of a KubeadmControlPlane (always set after admission). */
export const KCP_DEFAULTS = { replicas: 1, rolloutStrategyType: 'RollingUpdate', maxSurge: 1 } as const;
const MINIMUM_CERTIFICATES_EXPIRY_DAYS = 7;

/**
 * The spec paths that may change on an existing KubeadmControlPlane (upstream's allow-list); "*" allows everything
 * below. Any other change is refused with "cannot be modified".
 */
export const KCP_MUTABLE_PATHS: readonly (readonly string[])[] = [
  ['metadata', '*'],
  ...['imageRepository', 'imageTag', 'extraArgs', 'dataDir', 'peerCertSANs', 'serverCertSANs'].map((f) => ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'etcd', 'local', f]),
  ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'etcd', 'local', 'extraArgs', '*'],
  ...['endpoints', 'caFile', 'certFile', 'keyFile'].map((f) => ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'etcd', 'external', f]),
  ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'dns', 'imageRepository'],
  ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'dns', 'imageTag'],
  ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', 'imageRepository'],
  ...['featureGates', 'apiServer', 'controllerManager', 'scheduler'].flatMap((f) => [
    ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', f],
    ['spec', 'kubeadmConfigSpec', 'clusterConfiguration', f, '*'],
  ]),
  ...['initConfiguration', 'joinConfiguration'].flatMap((c) => [
    ['spec', 'kubeadmConfigSpec', c, 'nodeRegistration'],
    ['spec', 'kubeadmConfigSpec', c, 'nodeRegistration', '*'],
    ['spec', 'kubeadmConfigSpec', c, 'patches', 'directory'],
    ['spec', 'kubeadmConfigSpec', c, 'patches'],
    ['spec', 'kubeadmConfigSpec', c, 'skipPhases'],
  ]),
  ['spec', 'kubeadmConfigSpec', 'initConfiguration', 'bootstrapTokens'],
  ['spec', 'kubeadmConfigSpec', 'initConfiguration', 'localAPIEndpoint'],
  ['spec', 'kubeadmConfigSpec', 'initConfiguration', 'localAPIEndpoint', '*'],
  ['spec', 'kubeadmConfigSpec', 'joinConfiguration', 'caCertPath'],
  ['spec', 'kubeadmConfigSpec', 'joinConfiguration', 'controlPlane'],
  ['spec', 'kubeadmConfigSpec', 'joinConfiguration', 'controlPlane', '*'],
  ['spec', 'kubeadmConfigSpec', 'joinConfiguration', 'discovery'],
  ['spec', 'kubeadmConfigSpec', 'joinConfiguration', 'discovery', '*'],
  ...['bootCommands', 'preKubeadmCommands', 'postKubeadmCommands', 'files', 'verbosity', 'users', 'format', 'mounts', 'useExperimentalRetryJoin'].map((f) => ['spec', 'kubeadmConfigSpec', f]),
  ...['ntp', 'ignition', 'diskSetup'].flatMap((f) => [
    ['spec', 'kubeadmConfigSpec', f],
    ['spec', 'kubeadmConfigSpec', f, '*'],
  ]),
  ['spec', 'machineTemplate', 'metadata'],
  ['spec', 'machineTemplate', 'metadata', '*'],
  ['spec', 'machineTemplate', 'infrastructureRef', 'apiVersion'],
  ['spec', 'machineTemplate', 'infrastructureRef', 'name'],
  ['spec', 'machineTemplate', 'infrastructureRef', 'kind'],
  ['spec', 'machineTemplate', 'nodeDrainTimeout'],
  ['spec', 'machineTemplate', 'nodeVolumeDetachTimeout'],
  ['spec', 'machineTemplate', 'nodeDeletionTimeout'],
  ['spec', 'replicas'],
  ['spec', 'version'],
  ['spec', 'remediationStrategy'],
  ['spec', 'remediationStrategy', '*'],
  ['spec', 'machineNamingStrategy'],
  ['spec', 'machineNamingStrategy', '*'],
  ['spec', 'rolloutAfter'],
  ['spec', 'rolloutBefore'],
  ['spec', 'rolloutBefore', '*'],
  ['spec', 'rolloutStrategy'],
  ['spec', 'rolloutStrategy', '*'],
];

/** Whether `path` is covered by an allow-list entry (upstream's pathsMatch). */
export function pathAllowed(path: readonly string[], allowList: readonly (readonly string[])[] = KCP_MUTABLE_PATHS): boolean {
  return allowList.some((allowed) => {
    if (allowed.length === 0 || path.length === 0) return false;
    let i = 0;
    for (i = 0; i < path.length; i++) {
      if (i > allowed.length - 1) return false;
      if (allowed[i] === '*') return true;
      if (path[i] !== allowed[i]) return false;
    }
    return i - 1 >= allowed.length - 1;
  });
}

function defaultRolloutStrategy(spec: Record<string, unknown>): void {
  const strategy = ensureObject(spec, 'rolloutStrategy');
  if (!strategy.type) strategy.type = KCP_DEFAULTS.rolloutStrategyType;
  if (strategy.type === KCP_DEFAULTS.rolloutStrategyType) {
    const rollingUpdate = ensureObject(strategy, 'rollingUpdate');
    rollingUpdate.maxSurge ??= KCP_DEFAULTS.maxSurge;
  }
}

export function defaultKubeadmControlPlane(kcp: KubeadmControlPlane): void {
  const spec = ensureObject(kcp, 'spec');
  spec.replicas ??= KCP_DEFAULTS.replicas;
  defaultRefNamespace(valueAt(spec, 'machineTemplate', 'infrastructureRef'), kcp.metadata?.namespace);
  if (typeof spec.version === 'string') spec.version = withVPrefix(spec.version);
  defaultKubeadmConfigSpec(ensureObject(spec, 'kubeadmConfigSpec'));
  defaultRolloutStrategy(spec);
}

function rolloutCauses(spec: Record<string, unknown>, path: string, replicas: number | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const days = valueAt(spec, 'rolloutBefore', 'certificatesExpiryDays');
  if (typeof days === 'number' && days < MINIMUM_CERTIFICATES_EXPIRY_DAYS) {
    causes.push(fieldError.invalid(`${path}.rolloutBefore.certificatesExpiryDays`, days, `must be greater than or equal to ${MINIMUM_CERTIFICATES_EXPIRY_DAYS}`));
  }
  const strategy = spec.rolloutStrategy;
  if (isPlainObject(strategy)) {
    if (strategy.type !== 'RollingUpdate') causes.push(fieldError.required(`${path}.rolloutStrategy.type`, 'only RollingUpdateStrategyType is supported'));
    const maxSurge = intOrStringIntValue(valueAt(strategy, 'rollingUpdate', 'maxSurge'));
    if (maxSurge === 0 && replicas !== undefined && replicas < 3) {
      causes.push(fieldError.required(`${path}.rolloutStrategy.rollingUpdate`, 'when KubeadmControlPlane is configured to scale-in, replica count needs to be at least 3'));
    }
    if (maxSurge !== 1 && maxSurge !== 0) causes.push(fieldError.required(`${path}.rolloutStrategy.rollingUpdate.maxSurge`, 'value must be 1 or 0'));
  }
  causes.push(...namingTemplateCauses(`${path}.machineNamingStrategy.template`, valueAt(spec, 'machineNamingStrategy', 'template'), 'kubeadmControlPlane'));
  causes.push(...durationCauses(`${path}.remediationStrategy.retryPeriod`, valueAt(spec, 'remediationStrategy', 'retryPeriod')));
  causes.push(...durationCauses(`${path}.remediationStrategy.minHealthyPeriod`, valueAt(spec, 'remediationStrategy', 'minHealthyPeriod')));
  return causes;
}

const OCI_TAG_FORBIDDEN = /[^-a-zA-Z0-9_.]/;

/** validateClusterConfiguration of upstream: image tags, one kind of etcd, no switching between kinds. */
function clusterConfigurationCauses(config: unknown, old: unknown, path: string): StatusCause[] {
  if (!isPlainObject(config)) return [];
  const causes: StatusCause[] = [];
  const dnsTag = valueAt(config, 'dns', 'imageTag');
  if (typeof dnsTag === 'string' && dnsTag !== '') {
    if (OCI_TAG_FORBIDDEN.test(dnsTag)) causes.push(fieldError.forbidden(`${path}.dns.imageTag`, `tag ${dnsTag} is invalid`));
    if (!parseMajorMinorPatch(dnsTag, true)) causes.push(fieldError.invalid(`${path}.dns.imageTag`, dnsTag, `failed to parse CoreDNS version: failed to parse major.minor.patch from ${JSON.stringify(dnsTag)}`));
  }
  const etcdTag = valueAt(config, 'etcd', 'local', 'imageTag');
  if (typeof etcdTag === 'string' && OCI_TAG_FORBIDDEN.test(etcdTag)) causes.push(fieldError.forbidden(`${path}.etcd.local.imageTag`, `tag ${etcdTag} is invalid`));
  const local = valueAt(config, 'etcd', 'local');
  const external = valueAt(config, 'etcd', 'external');
  if (local !== undefined && external !== undefined) causes.push(fieldError.forbidden(`${path}.etcd.local`, 'cannot have both external and local etcd'));
  if (isPlainObject(old)) {
    if (external !== undefined && valueAt(old, 'etcd', 'local') !== undefined) causes.push(fieldError.forbidden(`${path}.etcd.external`, 'cannot change between external and local etcd'));
    if (local !== undefined && valueAt(old, 'etcd', 'external') !== undefined) causes.push(fieldError.forbidden(`${path}.etcd.local`, 'cannot change between external and local etcd'));
  }
  return causes;
}

function usesExternalEtcd(spec: Record<string, unknown>): boolean {
  return valueAt(spec, 'kubeadmConfigSpec', 'clusterConfiguration', 'etcd', 'external') !== undefined;
}

function specCauses(kcp: KubeadmControlPlane, spec: Record<string, unknown>): StatusCause[] {
  const causes: StatusCause[] = [];
  const replicas = spec.replicas;
  if (replicas === undefined) causes.push(fieldError.required('spec.replicas', 'is required'));
  else if (typeof replicas === 'number' && replicas <= 0) causes.push(fieldError.forbidden('spec.replicas', 'cannot be less than or equal to 0'));
  if (!usesExternalEtcd(spec) && typeof replicas === 'number' && replicas % 2 === 0) {
    causes.push(fieldError.forbidden('spec.replicas', 'cannot be an even number when etcd is stacked'));
  }
  const infra = valueAt(spec, 'machineTemplate', 'infrastructureRef');
  if (isPlainObject(infra)) {
    for (const f of ['apiVersion', 'kind', 'name']) {
      if (!infra[f]) causes.push(fieldError.invalid(`spec.machineTemplate.infrastructure.${f}`, infra[f] ?? '', 'cannot be empty'));
    }
    if ((infra.namespace ?? '') !== (kcp.metadata?.namespace ?? '')) {
      causes.push(fieldError.invalid('spec.machineTemplate.infrastructure.namespace', infra.namespace ?? '', 'must match metadata.namespace'));
    }
  }
  causes.push(...templateMetaCauses('spec.machineTemplate.metadata', valueAt(spec, 'machineTemplate', 'metadata')));
  const template = valueAt(spec, 'machineTemplate');
  if (isPlainObject(template)) causes.push(...machineSpecDurationCauses(template, 'spec.machineTemplate'));
  if (spec.version !== undefined) causes.push(...semverCauses('spec.version', spec.version));
  causes.push(...rolloutCauses(spec, 'spec', typeof replicas === 'number' ? replicas : undefined));
  return causes;
}

/** Registry-migration window of kubeadm: versions whose default image registry is still k8s.gcr.io. */
function usesOldDefaultRegistry(v: MajorMinorPatch): boolean {
  if (v.major !== 1) return false;
  if (v.minor < 22 || v.minor >= 26) return false;
  if (v.minor === 22) return v.patch <= 16;
  if (v.minor === 23) return v.patch <= 14;
  if (v.minor === 24) return v.patch <= 8;
  return false;
}

function versionChangeCauses(oldVersion: unknown, newVersion: unknown, spec: Record<string, unknown>): StatusCause[] {
  if (typeof oldVersion !== 'string' || typeof newVersion !== 'string') return [];
  const from = parseMajorMinorPatch(oldVersion);
  const to = parseMajorMinorPatch(newVersion);
  if (!from) return [fieldError.invalid('spec.version', oldVersion, `failed to parse current kubeadmcontrolplane version: ${oldVersion}`)];
  if (!to) return [fieldError.invalid('spec.version', newVersion, `failed to parse updated kubeadmcontrolplane version: ${newVersion}`)];
  const causes: StatusCause[] = [];
  const changed = compareVersions(from, to) !== 0;
  if (changed && to.major === 1 && to.minor === 19 && to.patch === 0) {
    return [fieldError.forbidden('spec.version', 'cannot update Kubernetes version to v1.19.0, for more information see https://github.com/kubernetes-sigs/cluster-api/issues/3564')];
  }
  if (compareVersions(to, { major: from.major, minor: from.minor + 2, patch: 0 }) >= 0) {
    causes.push(fieldError.forbidden('spec.version', `cannot update Kubernetes version from ${oldVersion} to ${newVersion}`));
  }
  const imageRepository = valueAt(spec, 'kubeadmConfigSpec', 'clusterConfiguration', 'imageRepository');
  if (!imageRepository && changed && usesOldDefaultRegistry(to)) {
    causes.push(
      fieldError.forbidden(
        'spec.version',
        'cannot upgrade to a Kubernetes/kubeadm version which is using the old default registry. Please use a newer Kubernetes patch release which is using the new default registry (>= v1.22.17, >= v1.23.15, >= v1.24.9)',
      ),
    );
  }
  return causes;
}

export function validateKubeadmControlPlane(kcp: KubeadmControlPlane, old: KubeadmControlPlane | undefined): StatusCause[] {
  const spec = (isPlainObject(kcp.spec) ? kcp.spec : {}) as Record<string, unknown>;
  const causes = specCauses(kcp, spec);
  const configPath = 'spec.kubeadmConfigSpec.clusterConfiguration';
  causes.push(...clusterConfigurationCauses(valueAt(spec, 'kubeadmConfigSpec', 'clusterConfiguration'), old ? valueAt(old.spec, 'kubeadmConfigSpec', 'clusterConfiguration') : undefined, configPath));
  causes.push(...validateKubeadmConfigSpec(spec.kubeadmConfigSpec, 'spec.kubeadmConfigSpec'));
  if (old) {
    for (const path of changedPaths(old.spec, spec, ['spec'])) {
      if (path.length > 0 && !pathAllowed(path)) causes.push(fieldError.forbidden(path.join('.'), 'cannot be modified'));
    }
    causes.push(...versionChangeCauses(old.spec?.version, spec.version, spec));
  }
  return causes;
}

export const kubeadmControlPlaneStrategy = admissionStrategy<KubeadmControlPlane>({ default: defaultKubeadmControlPlane, validate: validateKubeadmControlPlane });

export function defaultKubeadmControlPlaneTemplate(t: KubeadmControlPlaneTemplate): void {
  const spec = ensureObject(t, 'spec', 'template', 'spec');
  defaultKubeadmConfigSpec(ensureObject(spec, 'kubeadmConfigSpec'));
  defaultRolloutStrategy(spec);
}

export function validateKubeadmControlPlaneTemplate(t: KubeadmControlPlaneTemplate, old: KubeadmControlPlaneTemplate | undefined): StatusCause[] {
  const path = 'spec.template.spec';
  const spec = valueAt(t, 'spec', 'template', 'spec');
  if (old) {
    const changed = changedPaths(valueAt(old, 'spec', 'template', 'spec'), spec);
    if (changed.length === 0) return [];
    const detail = changed.map((p) => p.join('.')).join(', ');
    return [fieldError.invalid(path, '', `KubeadmControlPlaneTemplate spec.template.spec field is immutable. Please create new resource instead. Changed: ${detail}`)];
  }
  if (!isPlainObject(spec)) return [];
  const causes = rolloutCauses(spec, path, undefined);
  const template = spec.machineTemplate;
  if (isPlainObject(template)) {
    causes.push(...templateMetaCauses(`${path}.machineTemplate.metadata`, template.metadata));
    causes.push(...machineSpecDurationCauses(template, `${path}.machineTemplate`));
  }
  causes.push(...clusterConfigurationCauses(valueAt(spec, 'kubeadmConfigSpec', 'clusterConfiguration'), undefined, `${path}.kubeadmConfigSpec.clusterConfiguration`));
  causes.push(...validateKubeadmConfigSpec(spec.kubeadmConfigSpec, `${path}.kubeadmConfigSpec`));
  causes.push(...templateMetaCauses('spec.template.metadata', valueAt(t, 'spec', 'template', 'metadata')));
  return causes;
}

export const kubeadmControlPlaneTemplateStrategy = admissionStrategy<KubeadmControlPlaneTemplate>({
  default: defaultKubeadmControlPlaneTemplate,
  validate: validateKubeadmControlPlaneTemplate,
});
