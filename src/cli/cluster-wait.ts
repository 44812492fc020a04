/**
 * `--wait`: read the Cluster and its Machines through the API until the goal is reached or the deadline passes,
 * reporting each step.
 */
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, MACHINE_KIND, type Cluster, type Machine } from '../api/cluster/types.js';
import { isNotFound, type Client, type KindRef } from '../client/index.js';
import type { Progress } from './progress.js';
import { waitState, type WaitGoal, type WaitState } from './cluster-status.js';

export interface WaitOptions {
  timeoutMs: number;
  progress: Progress;
  /** Between two reads. */
  pollMs?: number;
}

export interface WaitResult extends WaitState {
  timedOut: boolean;
}

async function readState(client: Client, namespace: string, name: string, goal: WaitGoal): Promise<WaitState> {
  let cluster: Cluster | undefined;
  try {
    cluster = await client.get(CLUSTER_KIND as KindRef<Cluster>, { namespace, name });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const machines = cluster ? (await client.list(MACHINE_KIND as KindRef<Machine>, { namespace, labelSelector: `${CLUSTER_NAME_LABEL}=${name}` })).items : [];
  return waitState(goal, cluster, machines);
}

/** Wait until `goal`; resolves with the last state (timedOut when the deadline passed first). */
export async function waitForCluster(client: Client, namespace: string, name: string, goal: WaitGoal, o: WaitOptions): Promise<WaitResult> {
  const deadline = Date.now() + o.timeoutMs;
  const pollMs = o.pollMs ?? 500;
  let state: WaitState = { done: false, step: 'starting' };
  for (;;) {
    try {
      state = await readState(client, namespace, name, goal);
    } catch (e) {
      state = { done: false, step: `cannot read the cluster: ${(e as Error).message.split('\n')[0]}` };
    }
    o.progress.update(state.step);
    if (state.done || state.failure) return { ...state, timedOut: false };
    const left = deadline - Date.now();
    if (left <= 0) return { ...state, timedOut: true };
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

/** What the goal reads as in a message. */
export function goalText(goal: WaitGoal): string {
  if (goal.kind === 'deleted') return 'the Cluster to be deleted';
  if (goal.kind === 'version') return `every Machine to run ${goal.version} and be ready`;
  return 'the cluster to be Ready';
}
