/**
 * The Machines a KubeadmControlPlane makes: the KubeadmConfig for init or join, the infrastructure machine cloned
 * from the machine template, and the Machine itself — and whether an existing Machine still matches the spec (version,
 * infrastructure template, kubeadm configuration, rolloutAfter, certificate expiry) or needs rolling out.
 */
import { createHash } from 'node:crypto';
import { deepClone, type KubeObject } from '../../apimachinery/types.js';
import { executeTemplate } from '../../gotemplate/index.js';
import { cryptoRandom, type RandomSource } from '../../topology/random.js';
import { KUBEADM_CONFIG_KIND, type KubeadmConfigSpec } from '../../api/bootstrap/types.js';
import {
  CLONED_FROM_GROUPKIND_ANNOTATION,
  CLONED_FROM_NAME_ANNOTATION,
  CLUSTER_NAME_LABEL,
  CONTROL_PLANE_LABEL,
  CONTROL_PLANE_NAME_LABEL,
  MACHINE_KIND,
  type Cluster,
  type Machine,
} from '../../api/cluster/types.js';
import { KUBEADM_CLUSTER_CONFIGURATION_ANNOTATION, type KubeadmControlPlane } from '../../api/controlplane/types.js';
import { groupKind, objectFromTemplate, ownerReferenceTo } from '../shared/external.js';
import { generateName } from '../shared/names.js';

/** Hash of the init/join configuration a Machine was made from (Slipway's record, next to upstream's ClusterConfiguration annotation). */
export const KUBEADM_CONFIG_HASH_ANNOTATION = 'controlplane.slipway.dev/kubeadm-config-hash';

/** The bootstrap spec of the first control-plane Machine: init, no join (upstream's InitialControlPlaneConfig). */
export function initConfigSpec(kcp: KubeadmControlPlane): KubeadmConfigSpec {
  const spec = deepClone(kcp.spec.kubeadmConfigSpec ?? {});
  delete spec.joinConfiguration;
  spec.initConfiguration ??= {};
  return spec;
}

/** The bootstrap spec of every other control-plane Machine: join as control plane (upstream's JoinControlPlaneConfig). */
export function joinConfigSpec(kcp: KubeadmControlPlane): KubeadmConfigSpec {
  const spec = deepClone(kcp.spec.kubeadmConfigSpec ?? {});
  delete spec.initConfiguration;
  delete spec.clusterConfiguration;
  spec.joinConfiguration ??= {};
  spec.joinConfiguration.controlPlane ??= {};
  return spec;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as Record<string, unknown>)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * What a Machine's bootstrap depends on, except ClusterConfiguration (recorded separately as upstream does) and the
 * init/join difference: files, commands, users, ntp, format, nodeRegistration, ...
 */
export function kubeadmConfigHash(kcp: KubeadmControlPlane): string {
  const spec = deepClone(kcp.spec.kubeadmConfigSpec ?? {});
  delete spec.clusterConfiguration;
  const init = spec.initConfiguration ?? {};
  const join = spec.joinConfiguration ?? {};
  delete spec.initConfiguration;
  delete spec.joinConfiguration;
  const text = stableJson({ spec, init: { nodeRegistration: init.nodeRegistration, patches: init.patches, skipPhases: init.skipPhases }, join: { nodeRegistration: join.nodeRegistration, patches: join.patches, skipPhases: join.skipPhases } });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function clusterConfigurationText(kcp: KubeadmControlPlane): string {
  return stableJson(kcp.spec.kubeadmConfigSpec?.clusterConfiguration ?? {});
}

/** Machine name from machineNamingStrategy.template (`{{ .kubeadmControlPlane.name }}-{{ .random }}`) or `<kcp>-xxxxx`. */
export function machineName(kcp: KubeadmControlPlane, cluster: Cluster, random: RandomSource = cryptoRandom): string {
  const tpl = kcp.spec.machineNamingStrategy?.template;
  if (!tpl) return generateName(`${kcp.metadata!.name}-`, random);
  const name = executeTemplate('machineNamingStrategy', tpl, { kubeadmControlPlane: { name: kcp.metadata!.name }, cluster: { name: cluster.metadata!.name }, random: random(5) });
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) throw new Error(`spec.machineNamingStrategy.template: "${tpl}" produced "${name}", which is not a valid object name`);
  return name;
}

export interface NewMachine {
  machine: Machine;
  bootstrap: KubeObject;
  infra: KubeObject;
}

/** The three objects of a new control-plane Machine (not written). */
export function newControlPlaneMachine(input: {
  kcp: KubeadmControlPlane;
  cluster: Cluster;
  infraTemplate: KubeObject;
  init: boolean;
  failureDomain?: string;
  random?: RandomSource;
  extraAnnotations?: Record<string, string>;
}): NewMachine {
  const { kcp, cluster } = input;
  const ns = kcp.metadata!.namespace!;
  const clusterName = cluster.metadata!.name!;
  const name = machineName(kcp, cluster, input.random);
  const owner = ownerReferenceTo(kcp);
  const tmplMeta = kcp.spec.machineTemplate.metadata ?? {};
  const labels: Record<string, string> = { ...(tmplMeta.labels ?? {}), [CLUSTER_NAME_LABEL]: clusterName, [CONTROL_PLANE_LABEL]: '', [CONTROL_PLANE_NAME_LABEL]: kcp.metadata!.name! };
  const infra = objectFromTemplate(input.infraTemplate, { namespace: ns, clusterName, name, ownerRef: owner, labels, annotations: tmplMeta.annotations });
  const bootstrap: KubeObject = {
    apiVersion: KUBEADM_CONFIG_KIND.apiVersion,
    kind: KUBEADM_CONFIG_KIND.kind,
    metadata: { name, namespace: ns, labels, annotations: { ...(tmplMeta.annotations ?? {}) }, ownerReferences: [owner] },
    spec: input.init ? initConfigSpec(kcp) : joinConfigSpec(kcp),
  };
  const mt = kcp.spec.machineTemplate;
  const machine: Machine = {
    apiVersion: MACHINE_KIND.apiVersion,
    kind: MACHINE_KIND.kind,
    metadata: {
      name,
      namespace: ns,
      labels,
      annotations: {
        ...(tmplMeta.annotations ?? {}),
        ...(input.extraAnnotations ?? {}),
        [KUBEADM_CLUSTER_CONFIGURATION_ANNOTATION]: clusterConfigurationText(kcp),
        [KUBEADM_CONFIG_HASH_ANNOTATION]: kubeadmConfigHash(kcp),
      },
      ownerReferences: [owner],
    },
    spec: {
      clusterName,
      version: kcp.spec.version,
      bootstrap: { configRef: { apiVersion: KUBEADM_CONFIG_KIND.apiVersion, kind: KUBEADM_CONFIG_KIND.kind, name, namespace: ns } },
      infrastructureRef: { apiVersion: infra.apiVersion, kind: infra.kind, name, namespace: ns },
      ...(input.failureDomain ? { failureDomain: input.failureDomain } : {}),
      ...(mt.nodeDrainTimeout ? { nodeDrainTimeout: mt.nodeDrainTimeout } : {}),
      ...(mt.nodeVolumeDetachTimeout ? { nodeVolumeDetachTimeout: mt.nodeVolumeDetachTimeout } : {}),
      ...(mt.nodeDeletionTimeout ? { nodeDeletionTimeout: mt.nodeDeletionTimeout } : {}),
      ...(mt.readinessGates ? { readinessGates: mt.readinessGates } : {}),
    },
  };
  return { machine, bootstrap, infra };
}

/** Why a Machine no longer matches the control plane's spec (undefined when it matches). */
export function rolloutReason(input: { kcp: KubeadmControlPlane; machine: Machine; infra?: KubeObject; nowMs: number }): string | undefined {
  const { kcp, machine, infra } = input;
  if (machine.spec.version !== kcp.spec.version) return `Machine version "${machine.spec.version}" is not equal to KCP version "${kcp.spec.version}"`;
  const rolloutAfter = kcp.spec.rolloutAfter ? Date.parse(kcp.spec.rolloutAfter) : NaN;
  const created = Date.parse(machine.metadata?.creationTimestamp ?? '');
  if (Number.isFinite(rolloutAfter) && rolloutAfter <= input.nowMs && Number.isFinite(created) && created < rolloutAfter) return `Machine was created before rolloutAfter ${kcp.spec.rolloutAfter}`;
  const days = kcp.spec.rolloutBefore?.certificatesExpiryDays;
  const expiry = machine.status?.certificatesExpiryDate ? Date.parse(machine.status.certificatesExpiryDate) : NaN;
  if (days && Number.isFinite(expiry) && expiry - days * 86_400_000 <= input.nowMs) return `Machine certificates expire at ${machine.status!.certificatesExpiryDate}, within rolloutBefore.certificatesExpiryDays (${days})`;
  const ref = kcp.spec.machineTemplate.infrastructureRef;
  if (infra) {
    const a = infra.metadata?.annotations ?? {};
    const fromName = a[CLONED_FROM_NAME_ANNOTATION];
    const fromGK = a[CLONED_FROM_GROUPKIND_ANNOTATION];
    if (fromName !== undefined && (fromName !== ref.name || fromGK !== groupKind(ref.apiVersion ?? '', ref.kind ?? ''))) return `Infrastructure template on KCP rotated from ${fromGK} ${fromName} to ${groupKind(ref.apiVersion ?? '', ref.kind ?? '')} ${ref.name}`;
  }
  const ann = machine.metadata?.annotations ?? {};
  if (ann[KUBEADM_CLUSTER_CONFIGURATION_ANNOTATION] !== undefined && ann[KUBEADM_CLUSTER_CONFIGURATION_ANNOTATION] !== clusterConfigurationText(kcp)) return 'Machine ClusterConfiguration is outdated';
  if (ann[KUBEADM_CONFIG_HASH_ANNOTATION] !== undefined && ann[KUBEADM_CONFIG_HASH_ANNOTATION] !== kubeadmConfigHash(kcp)) return 'Machine KubeadmConfig is outdated';
  return undefined;
}
