/**
 * The Cluster's TopologyReconciled condition (upstream's v1beta1 reasons): True once the topology is written and no
 * upgrade is pending; otherwise which part of the rollout waits, and for what, in words a user can act on.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import type { VersionPlan } from '../../topology/versions.js';

export const TOPOLOGY_REASONS = {
  failed: 'TopologyReconcileFailed',
  paused: 'Paused',
  classNotReconciled: 'ClusterClassNotReconciled',
  controlPlaneUpgradePending: 'ControlPlaneUpgradePending',
  machineDeploymentsCreatePending: 'MachineDeploymentsCreatePending',
  machineDeploymentsUpgradePending: 'MachineDeploymentsUpgradePending',
  machineDeploymentsUpgradeDeferred: 'MachineDeploymentsUpgradeDeferred',
  machinePoolsCreatePending: 'MachinePoolsCreatePending',
  machinePoolsUpgradePending: 'MachinePoolsUpgradePending',
  machinePoolsUpgradeDeferred: 'MachinePoolsUpgradeDeferred',
} as const;

export interface TopologyConditionInput {
  /** spec.topology.version */
  version: string;
  controlPlane?: KubeObject;
  versions: VersionPlan;
  /** MachineDeployment object names by topology name (for messages). */
  machineDeploymentNames: Record<string, string>;
  /** MachinePool object names by topology name (for messages). */
  machinePoolNames?: Record<string, string>;
  /** Topology names whose upgrade is deferred by annotation (MachinePools as `pool/<name>`). */
  deferred: Set<string>;
}

export interface TopologyCondition {
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

function nameList(kind: string, kinds: string, names: string[]): string {
  if (names.length === 1) return `${kind} ${names[0]}`;
  if (names.length <= 3) return `${kinds} ${names.join(', ')}`;
  return `${kinds} ${names.slice(0, 3).join(', ')}, ... (${names.length - 3} more)`;
}

const HOLD_TEXT: Record<NonNullable<VersionPlan['controlPlaneHold']>, string> = {
  provisioning: 'the control plane is still provisioning',
  upgrading: 'the control plane is still upgrading',
  scaling: 'the control plane is scaling',
  workersUpgrading: 'MachineDeployments are rolling out',
  workersBehind: 'MachineDeployments must first catch up with the control plane version',
};

/** The condition for a reconciled topology, from the version plan of this reconcile. */
export function topologyCondition(input: TopologyConditionInput): TopologyCondition {
  const { versions, controlPlane } = input;
  const cpKind = controlPlane?.kind ?? 'ControlPlane';
  const cpName = controlPlane?.metadata?.name ? `${cpKind} ${controlPlane.metadata.name}` : cpKind;
  const cpStatusVersion = (controlPlane?.status as { version?: string } | undefined)?.version;
  const cpSpecVersion = (controlPlane?.spec as { version?: string } | undefined)?.version;
  const lines: string[] = [];
  let reason: string | undefined;

  const cpUpgrading = !!controlPlane && !!cpSpecVersion && !!cpStatusVersion && cpSpecVersion !== cpStatusVersion;
  if (cpUpgrading) {
    reason = TOPOLOGY_REASONS.controlPlaneUpgradePending;
    const rest = versions.controlPlaneUpgradePlan.filter((v) => v !== cpSpecVersion);
    lines.push(`${cpName} upgrading to version ${cpSpecVersion}${rest.length ? ` (${rest.join(', ')} pending)` : ''}`);
  } else if (versions.controlPlaneUpgradePlan.length > 0 && versions.controlPlane !== versions.controlPlaneUpgradePlan[0]) {
    reason = TOPOLOGY_REASONS.controlPlaneUpgradePending;
    const why = versions.controlPlaneHold ? ` (waiting: ${HOLD_TEXT[versions.controlPlaneHold]})` : '';
    lines.push(`${cpName} pending upgrade to version ${versions.controlPlaneUpgradePlan.join(', ')}${why}`);
  }

  for (const pools of [false, true]) {
    const kind = pools ? 'MachinePool' : 'MachineDeployment';
    const kinds = `${kind}s`;
    const names = (pools ? input.machinePoolNames : input.machineDeploymentNames) ?? {};
    const upgrading: string[] = [];
    const pending: string[] = [];
    const deferred: string[] = [];
    const createPending: string[] = [];
    for (const [key, w] of Object.entries(versions.workers)) {
      if (key.startsWith('pool/') !== pools) continue;
      const topologyName = pools ? key.slice('pool/'.length) : key;
      const name = names[topologyName] ?? topologyName;
      if (w.pendingCreate) createPending.push(topologyName);
      else if (w.upgrading) upgrading.push(name);
      else if (w.pendingUpgrade) (input.deferred.has(key) ? deferred : pending).push(name);
    }
    const r = pools
      ? { upgrade: TOPOLOGY_REASONS.machinePoolsUpgradePending, deferred: TOPOLOGY_REASONS.machinePoolsUpgradeDeferred, create: TOPOLOGY_REASONS.machinePoolsCreatePending }
      : { upgrade: TOPOLOGY_REASONS.machineDeploymentsUpgradePending, deferred: TOPOLOGY_REASONS.machineDeploymentsUpgradeDeferred, create: TOPOLOGY_REASONS.machineDeploymentsCreatePending };
    if (upgrading.length) lines.push(`${nameList(kind, kinds, upgrading)} upgrading to version ${versions.workersUpgradePlan[0] ?? input.version}`);
    if (pending.length) {
      lines.push(`${nameList(kind, kinds, pending)} pending upgrade to version ${(versions.workersUpgradePlan.length ? versions.workersUpgradePlan : [input.version]).join(', ')}`);
      reason ??= r.upgrade;
    }
    if (deferred.length) {
      lines.push(`${nameList(kind, kinds, deferred)} upgrade to version ${input.version} deferred using defer-upgrade or hold-upgrade-sequence annotations`);
      reason ??= r.deferred;
    }
    if (createPending.length) {
      lines.push(`${nameList(kind, kinds, createPending)} creation deferred while control plane upgrade is in progress`);
      reason ??= r.create;
    }
    if (upgrading.length) reason ??= r.upgrade;
  }
  if (!reason) return { status: 'True' };
  return { status: 'False', reason, message: [`Cluster is upgrading to ${input.version}`, ...lines.map((l) => `  * ${l}`)].join('\n') };
}
