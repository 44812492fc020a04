/**
 * `--wait`: read the Cluster and its Machines through the API until the goal is reached or the deadline passes,
 * reporting each step.
 */
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, MACHINE_KIND, MACHINE_POOL_KIND, type Cluster, type Machine, type MachinePool } from '../api/cluster/types.js';
import { listOptional } from './cluster-read.js';
import { isNotFound, type Client, type KindRef } from '../client/index.js';
import { durationMs } from '../controllers/shared/duration.js';
import { UsageError } from './cluster-spec.js';
import { waitState, type WaitGoal, type WaitState } from './cluster-status.js';
import type { CommandIO } from './io.js';
import { EXIT_FAILED, EXIT_OK } from './output.js';
import { startProgress, type Progress, type ProgressMode } from './progress.js';

/** How long --wait waits when --timeout is not given. */
export const DEFAULT_WAIT_TIMEOUT = '30m';

/** The flags every waiting command shares. */
export interface WaitFlags {
  wait?: boolean;
  /** Go duration text. */
  timeout?: string;
  /** Resolved by the caller from --no-progress and whether stderr is a terminal. */
  progressMode?: ProgressMode;
  color?: boolean;
  /** Between two reads while waiting (tests make it short). */
  pollMs?: number;
}

/** --timeout (Go duration text, default {@link DEFAULT_WAIT_TIMEOUT}) in milliseconds. */
export function parseTimeout(text: string | undefined): number {
  let ms: number | undefined;
  try {
    ms = durationMs(text ?? DEFAULT_WAIT_TIMEOUT, '--timeout');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (ms === undefined || ms <= 0) throw new UsageError(`--timeout ${JSON.stringify(text)}: must be a positive duration such as 90s, 10m or 1h30m`);
  return ms;
}

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
  const selector = `${CLUSTER_NAME_LABEL}=${name}`;
  const machines = cluster ? (await client.list(MACHINE_KIND as KindRef<Machine>, { namespace, labelSelector: selector })).items : [];
  const pools = cluster ? await listOptional(client, MACHINE_POOL_KIND as KindRef<MachinePool>, namespace, selector) : [];
  return waitState(goal, cluster, machines, pools);
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

/** Wait with progress on stderr; prints the outcome (stdout when reached, stderr otherwise) and returns the exit code. */
export async function waitAndReport(client: Client, namespace: string, name: string, goal: WaitGoal, o: WaitFlags, timeoutMs: number, io: CommandIO): Promise<number> {
  const label = `${namespace}/${name}`;
  const progress = startProgress({ mode: o.progressMode ?? 'lines', write: (t) => io.err(t), color: o.color, label });
  let result: WaitResult;
  try {
    result = await waitForCluster(client, namespace, name, goal, { timeoutMs, progress, pollMs: o.pollMs });
  } finally {
    progress.stop();
  }
  if (result.done) {
    const ok = o.color ? '\x1b[32m✓\x1b[0m' : '✓';
    io.out(goal.kind === 'deleted' ? `${ok} cluster ${label} deleted\n` : `${ok} cluster ${label} ${goal.kind === 'version' ? `upgraded to ${goal.version}` : 'is Ready'} (${result.step})\n`);
    return EXIT_OK;
  }
  if (result.failure) {
    io.err(`error: cluster ${label} failed: ${result.failure}\n`);
    return EXIT_FAILED;
  }
  io.err(`error: timed out after ${o.timeout ?? DEFAULT_WAIT_TIMEOUT} waiting for ${goalText(goal)}; last: ${result.step}\n`);
  return EXIT_FAILED;
}
