/**
 * MachineSet status from its Machines (pure). A Machine is ready when it has a Node (status.nodeRef) and its
 * NodeHealthy condition is True — the Machine controller sets NodeHealthy from the Node's Ready condition, so this is
 * upstream's "Node is Ready" read from the management plane — and available once it has been ready for
 * minReadySeconds (from NodeHealthy's lastTransitionTime). Also the Resized, MachinesCreated and MachinesReady
 * conditions as upstream's v1beta1 status update sets them.
 */
import { matchesLabels, labelSelectorFromSet } from '../../apimachinery/selectors.js';
import { CONDITIONS, REASONS, type Machine, type MachineSet } from '../../api/cluster/types.js';
import { getCondition, type Condition } from '../../runtime/conditions.js';
import { selectorText } from '../shared/selector.js';

export interface MachineReadiness {
  ready: boolean;
  available: boolean;
  /** Milliseconds until a ready Machine becomes available (only when ready and not yet available). */
  availableInMs?: number;
}

export function machineReadiness(m: Machine, minReadySeconds: number, nowMs: number): MachineReadiness {
  const healthy = getCondition(m, CONDITIONS.nodeHealthy);
  if (!m.status?.nodeRef || healthy?.status !== 'True') return { ready: false, available: false };
  if (minReadySeconds <= 0) return { ready: true, available: true };
  const since = Date.parse(healthy.lastTransitionTime);
  if (!Number.isFinite(since)) return { ready: true, available: true };
  const at = since + minReadySeconds * 1000;
  if (nowMs >= at) return { ready: true, available: true };
  return { ready: true, available: false, availableInMs: at - nowMs };
}

export interface MachineSetCounts {
  selector: string;
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** The soonest a ready Machine becomes available (requeue then); undefined when none is waiting. */
  nextAvailableInMs?: number;
}

export function countMachines(ms: MachineSet, machines: Machine[], nowMs: number): MachineSetCounts {
  const templateLabels = labelSelectorFromSet(ms.spec.template?.metadata?.labels ?? {});
  const minReady = ms.spec.minReadySeconds ?? 0;
  const out: MachineSetCounts = { selector: selectorText(ms.spec.selector), replicas: machines.length, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0 };
  for (const m of machines) {
    if (matchesLabels(templateLabels, m.metadata?.labels)) out.fullyLabeledReplicas++;
    const r = machineReadiness(m, minReady, nowMs);
    if (r.ready) out.readyReplicas++;
    if (r.available) out.availableReplicas++;
    if (r.availableInMs !== undefined && (out.nextAvailableInMs === undefined || r.availableInMs < out.nextAvailableInMs)) out.nextAvailableInMs = r.availableInMs;
  }
  return out;
}

/** A condition to set (lastTransitionTime comes from the setter). */
export type ConditionChange = Omit<Condition, 'lastTransitionTime'>;

/** Resized and MachinesCreated as the counts say (MachinesCreated is left alone while scaling up). */
export function sizeConditions(desired: number, counts: Pick<MachineSetCounts, 'replicas' | 'readyReplicas'>): ConditionChange[] {
  if (counts.replicas < desired) {
    return [{ type: CONDITIONS.resized, status: 'False', reason: REASONS.scalingUp, severity: 'Warning', message: `Scaling up MachineSet to ${desired} replicas (actual ${counts.replicas})` }];
  }
  if (counts.replicas > desired) {
    return [
      { type: CONDITIONS.resized, status: 'False', reason: REASONS.scalingDown, severity: 'Warning', message: `Scaling down MachineSet to ${desired} replicas (actual ${counts.replicas})` },
      { type: CONDITIONS.machinesCreated, status: 'True' },
    ];
  }
  const out: ConditionChange[] = [];
  if (counts.readyReplicas === counts.replicas) out.push({ type: CONDITIONS.resized, status: 'True' });
  out.push({ type: CONDITIONS.machinesCreated, status: 'True' });
  return out;
}

function priority(c: Condition): number {
  if (c.status === 'False') return c.severity === 'Error' ? 0 : c.severity === 'Warning' ? 1 : 2;
  return c.status === 'True' ? 3 : 4;
}

/**
 * MachinesReady: the Machines' Ready conditions merged (upstream SetAggregate with source references): the worst
 * group wins, its first Machine's reason as "Reason @ Machine/name", message "n of m completed". Undefined when no
 * Machine has a Ready condition (the condition is left as it is).
 */
export function machinesReadyCondition(machines: Machine[]): ConditionChange | undefined {
  const found: { c: Condition; name: string }[] = [];
  for (const m of machines) {
    const c = getCondition(m, CONDITIONS.ready);
    if (c) found.push({ c, name: m.metadata?.name ?? '' });
  }
  if (!found.length) return undefined;
  const top = Math.min(...found.map((f) => priority(f.c)));
  const first = found.find((f) => priority(f.c) === top)!;
  if (first.c.status === 'True') return { type: CONDITIONS.machinesReady, status: 'True' };
  const trueCount = found.filter((f) => f.c.status === 'True').length;
  const reason = first.c.reason ? (first.c.reason.includes('@') ? first.c.reason : `${first.c.reason} @ Machine/${first.name}`) : undefined;
  const out: ConditionChange = { type: CONDITIONS.machinesReady, status: first.c.status, reason, message: `${trueCount} of ${machines.length} completed` };
  if (first.c.status === 'False') out.severity = first.c.severity || 'Info';
  return out;
}
