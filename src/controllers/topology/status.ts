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
} as const;

export interface TopologyConditionInput {
  /** spec.topology.version */
  version: string;
  controlPlane?: KubeObject;
  versions: VersionPlan;
  /** MachineDeployment object names by topology name (for messages). */
  machineDeploymentNames: Record<string, string>;
  /** Topology names whose upgrade is deferred by annotation. */
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

  const upgrading: string[] = [];
  const pending: string[] = [];
  const deferred: string[] = [];
  const createPending: string[] = [];
  for (const [topologyName, w] of Object.entries(versions.workers)) {
    if (topologyName.startsWith('pool/')) continue;
    const name = input.machineDeploymentNames[topologyName] ?? topologyName;
    if (w.pendingCreate) createPending.push(topologyName);
    else if (w.upgrading) upgrading.push(name);
    else if (w.pendingUpgrade) (input.deferred.has(topologyName) ? deferred : pending).push(name);
  }
  if (upgrading.length) lines.push(`${nameList('MachineDeployment', 'MachineDeployments', upgrading)} upgrading to version ${versions.workersUpgradePlan[0] ?? input.version}`);
  if (pending.length) {
    lines.push(`${nameList('MachineDeployment', 'MachineDeployments', pending)} pending upgrade to version ${(versions.workersUpgradePlan.length ? versions.workersUpgradePlan : [input.version]).join(', ')}`);
    reason ??= TOPOLOGY_REASONS.machineDeploymentsUpgradePending;
  }
  if (deferred.length) {
    lines.push(`${nameList('MachineDeployment', 'MachineDeployments', deferred)} upgrade to version ${input.version} deferred using defer-upgrade or hold-upgrade-sequence annotations`);
    reason ??= TOPOLOGY_REASONS.machineDeploymentsUpgradeDeferred;
  }
  if (createPending.length) {
    lines.push(`${nameList('MachineDeployment', 'MachineDeployments', createPending)} creation deferred while control plane upgrade is in progress`);
    reason ??= TOPOLOGY_REASONS.machineDeploymentsCreatePending;
  }
  if (upgrading.length) reason ??= TOPOLOGY_REASONS.machineDeploymentsUpgradePending;
  if (!reason) return { status: 'True' };
  return { status: 'False', reason, message: [`Cluster is upgrading to ${input.version}`, ...lines.map((l) => `  * ${l}`)].join('\n') };
}
