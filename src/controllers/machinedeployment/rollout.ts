/**
 * Rollout planning (pure): given a MachineDeployment and snapshots of its MachineSets, the ordered scale steps Cluster
 * API's MachineDeployment controller takes in one reconcile — RollingUpdate (grow the new MachineSet within maxSurge,
 * shrink old ones within maxUnavailable, unhealthy replicas first), OnDelete (old MachineSets shrink only as their
 * Machines are deleted, the new one grows as they go) and proportional scaling (a paused MachineDeployment whose
 * replicas change spreads the change across its MachineSets by size). Each step sees the steps before it, as
 * upstream's sequential scaling does; the shell applies them in order.
 */
import { deepClone } from '../../apimachinery/types.js';
import { DISABLE_MACHINE_CREATE_ANNOTATION, type MachineDeployment, type MachineSet } from '../../api/cluster/types.js';
import {
  activeMachineSets,
  availableReplicaSum,
  byCreation,
  bySizeNewer,
  bySizeOlder,
  desiredReplicas,
  findOneActiveOrLatest,
  getProportion,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  msReplicas,
  newMSNewReplicas,
  replicasAnnotationsNeedUpdate,
  setReplicasAnnotations,
  specReplicaSum,
} from './mdutil.js';

export type RolloutAction =
  /** Set spec.replicas (and the desired/max replica annotations) of a MachineSet. */
  | { type: 'scale'; machineSet: string; from: number; to: number }
  /** Add (`disable: true`) or remove the `cluster.x-k8s.io/disable-machine-create` annotation. */
  | { type: 'machineCreation'; machineSet: string; disable: boolean };

export interface RolloutPlan {
  actions: RolloutAction[];
  /** The MachineSets as they are after the actions (copies; the inputs are not changed). */
  newMS?: MachineSet;
  oldMSs: MachineSet[];
}

/** Machines of an old MachineSet, for OnDelete: how many exist and how many of them are being deleted. */
export interface MachineCount {
  total: number;
  deleting: number;
}

class Planner {
  readonly actions: RolloutAction[] = [];
  readonly newMS?: MachineSet;
  readonly oldMSs: MachineSet[];

  constructor(
    readonly md: MachineDeployment,
    newMS: MachineSet | undefined,
    oldMSs: MachineSet[],
  ) {
    this.newMS = newMS ? deepClone(newMS) : undefined;
    this.oldMSs = oldMSs.map((ms) => deepClone(ms));
  }

  get all(): MachineSet[] {
    return this.newMS ? [...this.oldMSs, this.newMS] : [...this.oldMSs];
  }

  /** Upstream scaleMachineSet: a step when the size or the replica annotations change. */
  scale(ms: MachineSet, to: number): void {
    const desired = desiredReplicas(this.md);
    const max = desired + maxSurge(this.md);
    const from = msReplicas(ms);
    if (from === to && !replicasAnnotationsNeedUpdate(ms, desired, max)) return;
    ms.spec.replicas = to;
    setReplicasAnnotations(ms, desired, max);
    this.actions.push({ type: 'scale', machineSet: ms.metadata?.name ?? '', from, to });
  }

  machineCreation(ms: MachineSet, disable: boolean): void {
    const has = ms.metadata?.annotations?.[DISABLE_MACHINE_CREATE_ANNOTATION] !== undefined;
    if (has === disable) return;
    const a = ((ms.metadata ??= {}).annotations ??= {});
    if (disable) a[DISABLE_MACHINE_CREATE_ANNOTATION] = 'true';
    else delete a[DISABLE_MACHINE_CREATE_ANNOTATION];
    this.actions.push({ type: 'machineCreation', machineSet: ms.metadata?.name ?? '', disable });
  }

  result(): RolloutPlan {
    return { actions: this.actions, newMS: this.newMS, oldMSs: this.oldMSs };
  }

  /** reconcileNewMachineSet: machine creation enabled; shrink to spec.replicas, or grow as far as the strategy allows. */
  reconcileNew(): void {
    const ms = this.newMS;
    if (!ms) return;
    this.machineCreation(ms, false);
    const replicas = desiredReplicas(this.md);
    const current = msReplicas(ms);
    if (current === replicas) return;
    if (current > replicas) return this.scale(ms, replicas);
    this.scale(ms, newMSNewReplicas(this.md, this.all, current));
  }

  /** reconcileOldMachineSets (RollingUpdate): shrink old MachineSets as far as availability allows. */
  reconcileOldRolling(): void {
    const ms = this.newMS;
    if (!ms) return;
    if (specReplicaSum(this.oldMSs) === 0) return;
    const minAvailable = desiredReplicas(this.md) - maxUnavailable(this.md);
    const newUnavailable = msReplicas(ms) - (ms.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicaSum(this.all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    this.cleanupUnhealthyReplicas(maxScaledDown);
    this.scaleDownOldForRollingUpdate(minAvailable);
  }

  /** Old MachineSets lose their unavailable replicas first (oldest first), up to `maxCleanup`. */
  private cleanupUnhealthyReplicas(maxCleanup: number): void {
    let done = 0;
    for (const ms of [...this.oldMSs].sort(byCreation)) {
      if (done >= maxCleanup) break;
      const replicas = msReplicas(ms);
      if (replicas === 0) continue;
      const available = ms.status?.availableReplicas ?? 0;
      if (replicas === available) continue;
      const count = Math.min(maxCleanup - done, replicas - available);
      const to = replicas - count;
      if (to > replicas) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down MachineSet ${ms.metadata?.name}: ${replicas} -> ${to}`);
      this.scale(ms, to);
      done += count;
    }
  }

  /** Old MachineSets shrink (oldest first) by what is available above the minimum. */
  private scaleDownOldForRollingUpdate(minAvailable: number): void {
    const available = availableReplicaSum(this.all);
    if (available <= minAvailable) return;
    const total = available - minAvailable;
    let done = 0;
    for (const ms of [...this.oldMSs].sort(byCreation)) {
      if (done >= total) break;
      const replicas = msReplicas(ms);
      if (replicas === 0) continue;
      const count = Math.min(replicas, total - done);
      this.scale(ms, replicas - count);
      done += count;
    }
  }

  /**
   * reconcileOldMachineSetsOnDelete: old MachineSets never create Machines again; each shrinks to the Machines it
   * still has that are not being deleted, then any remaining excess over spec.replicas is taken from them in order.
   */
  reconcileOldOnDelete(machines: (ms: MachineSet) => MachineCount): void {
    let scaleDownAmount = specReplicaSum(this.all) - desiredReplicas(this.md);
    for (const ms of this.oldMSs) {
      const replicas = msReplicas(ms);
      if (replicas <= 0) continue;
      this.machineCreation(ms, true);
      const count = machines(ms);
      const updated = count.total - count.deleting;
      if (updated < 0) throw new Error(`negative updated replica count ${updated} for MachineSet ${ms.metadata?.name}, this is unexpected`);
      scaleDownAmount -= replicas - updated;
      this.scale(ms, updated);
    }
    for (const ms of this.oldMSs) {
      if (scaleDownAmount <= 0) break;
      const replicas = msReplicas(ms);
      if (replicas <= 0) continue;
      let to = replicas;
      if (to >= scaleDownAmount) {
        to -= scaleDownAmount;
        scaleDownAmount = 0;
      } else {
        scaleDownAmount -= to;
        to = 0;
      }
      this.scale(ms, to);
    }
  }

  /** scale: a paused MachineDeployment (or one adopting sets) spreads a replica change proportionally. */
  proportional(): void {
    const md = this.md;
    const replicas = desiredReplicas(md);
    const single = findOneActiveOrLatest(this.newMS, this.oldMSs);
    if (single) {
      if (msReplicas(single) !== replicas) this.scale(single, replicas);
      return;
    }
    if (isSaturated(md, this.newMS)) {
      for (const ms of activeMachineSets(this.oldMSs)) this.scale(ms, 0);
      return;
    }
    if (!isRollingUpdate(md)) return;
    const sets = activeMachineSets(this.all);
    const total = specReplicaSum(sets);
    const allowed = replicas > 0 ? replicas + maxSurge(md) : 0;
    const toAdd = allowed - total;
    if (toAdd > 0) sets.sort(bySizeNewer);
    else if (toAdd < 0) sets.sort(bySizeOlder);
    let added = 0;
    const size = new Map<MachineSet, number>();
    for (const ms of sets) {
      if (toAdd !== 0) {
        const p = getProportion(ms, md, toAdd, added);
        size.set(ms, msReplicas(ms) + p);
        added += p;
      } else size.set(ms, msReplicas(ms));
    }
    sets.forEach((ms, i) => {
      let n = size.get(ms)!;
      // Leftovers go to (or come from) the largest MachineSet.
      if (i === 0 && toAdd !== 0) n = Math.max(0, n + toAdd - added);
      this.scale(ms, n);
    });
  }
}

/** One RollingUpdate reconcile: the new MachineSet grows, then old ones shrink. */
export function planRollingUpdate(md: MachineDeployment, newMS: MachineSet, oldMSs: MachineSet[]): RolloutPlan {
  const p = new Planner(md, newMS, oldMSs);
  p.reconcileNew();
  p.reconcileOldRolling();
  return p.result();
}

/** One OnDelete reconcile; `machines` counts the Machines of an old MachineSet. */
export function planOnDelete(md: MachineDeployment, newMS: MachineSet, oldMSs: MachineSet[], machines: (ms: MachineSet) => MachineCount): RolloutPlan {
  const p = new Planner(md, newMS, oldMSs);
  p.reconcileNew();
  p.reconcileOldOnDelete(machines);
  return p.result();
}

/** Proportional scaling of a paused MachineDeployment (no new MachineSet is made while paused). */
export function planProportionalScale(md: MachineDeployment, newMS: MachineSet | undefined, oldMSs: MachineSet[]): RolloutPlan {
  const p = new Planner(md, newMS, oldMSs);
  p.proportional();
  return p.result();
}

/** The new MachineSet's step alone (upstream reconcileNewMachineSet), for table tests of that step. */
export function planNewMachineSetStep(md: MachineDeployment, newMS: MachineSet, oldMSs: MachineSet[]): RolloutPlan {
  const p = new Planner(md, newMS, oldMSs);
  p.reconcileNew();
  return p.result();
}

/** The old MachineSets' step alone (upstream reconcileOldMachineSets), for table tests of that step. */
export function planOldMachineSetsStep(md: MachineDeployment, newMS: MachineSet, oldMSs: MachineSet[]): RolloutPlan {
  const p = new Planner(md, newMS, oldMSs);
  p.reconcileOldRolling();
  return p.result();
}
