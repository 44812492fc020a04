/** MachineDeployment status from its MachineSets (pure): replica counts, phase and the Available condition's inputs. */
import type { LabelSelectorObject } from '../../apimachinery/selectors.js';
import type { MachineDeployment, MachineDeploymentPhase, MachineDeploymentStatus, MachineSet } from '../../api/cluster/types.js';
import { selectorText } from '../shared/selector.js';
import { actualReplicaSum, availableReplicaSum, desiredReplicas, maxUnavailable, readyReplicaSum, specReplicaSum } from './mdutil.js';

/** Counts, selector, observed generation and phase (conditions are kept from `md`). */
export function calculateStatus(allMSs: MachineSet[], newMS: MachineSet | undefined, md: MachineDeployment): MachineDeploymentStatus {
  const available = availableReplicaSum(allMSs);
  const total = specReplicaSum(allMSs);
  const status: MachineDeploymentStatus = {
    ...(md.status ?? {}),
    observedGeneration: md.metadata?.generation,
    selector: selectorText(md.spec.selector as LabelSelectorObject),
    replicas: actualReplicaSum(allMSs),
    updatedReplicas: actualReplicaSum([newMS]),
    readyReplicas: readyReplicaSum(allMSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (status.observedGeneration === undefined) delete status.observedGeneration;
  status.phase = phaseOf(md, status, total - available, allMSs);
  return status;
}

function phaseOf(md: MachineDeployment, status: MachineDeploymentStatus, unavailable: number, allMSs: MachineSet[]): MachineDeploymentPhase | undefined {
  const replicas = desiredReplicas(md);
  const ready = status.readyReplicas ?? 0;
  let phase: MachineDeploymentPhase | undefined;
  if (replicas === ready) phase = 'Running';
  if (replicas > ready) phase = 'ScalingUp';
  if (unavailable < 0) phase = 'ScalingDown';
  if (allMSs.some((ms) => ms.status?.failureReason || ms.status?.failureMessage)) phase = 'Failed';
  return phase;
}

/** Available: at least spec.replicas − maxUnavailable Machines are available. */
export function availability(md: MachineDeployment, status: MachineDeploymentStatus): { available: boolean; minNeeded: number; message: string } {
  const minNeeded = desiredReplicas(md) - maxUnavailable(md);
  const have = status.availableReplicas ?? 0;
  return { available: have >= minNeeded, minNeeded, message: `Minimum availability requires ${minNeeded} replicas, current ${have} available` };
}
