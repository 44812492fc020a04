/**
 * What a kubelet reports for a Pod at a given moment, as a pure function of the Pod, when the kubelet
 * first saw it (startTime), its addresses and the simulation's timings. The timeline: the sandbox is
 * ready at once; each init container takes containerStartSeconds to start and then completes (a
 * restartable "sidecar" keeps running); then every container starts after containerStartSeconds and is
 * ready readinessSeconds later (or its readiness probe's initialDelaySeconds if larger). A run-to-completion
 * container terminates after its run time with the configured exit code; restarts follow the restart policy
 * with CrashLoopBackOff delays of 10 s doubling to 5 min. Every transition time is derived from that
 * timeline, so recomputing the status later gives the same timestamps, and `nextChangeMs` says when to look again.
 */

export const RUN_SECONDS_ANNOTATION = 'sim.slipway.dev/run-seconds';
export const EXIT_CODE_ANNOTATION = 'sim.slipway.dev/exit-code';

export interface SimContainer {
  name: string;
  image?: string;
  restartPolicy?: string | null;
  readinessProbe?: { initialDelaySeconds?: number | null } | null;
  resources?: { requests?: Record<string, unknown> | null; limits?: Record<string, unknown> | null } | null;
}

export interface SimPod {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    annotations?: Record<string, string> | null;
    ownerReferences?: { kind: string; controller?: boolean | null }[] | null;
  };
  spec?: {
    containers?: SimContainer[] | null;
    initContainers?: SimContainer[] | null;
    restartPolicy?: string | null;
  };
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string | null }[] | null };
}

export interface SimTimings {
  containerStartSeconds: number;
  readinessSeconds: number;
  jobRunSeconds: number;
}

export interface PodFacts {
  /** When the kubelet first saw the pod bound (ms, whole seconds). */
  startMs: number;
  nowMs: number;
  podIP: string;
  hostIP: string;
  /**
   * Pulls from the cluster's private registry, by container name (image-pull.ts): a waiting one keeps the
   * container from starting with that reason; a pull that succeeded after the container's start moves it.
   */
  imagePulls?: Record<string, ImagePullState>;
}

export interface ContainerStateOut {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string; containerID: string };
}

export interface ContainerStatusOut {
  name: string;
  state: ContainerStateOut;
  lastState: ContainerStateOut;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

export interface PodConditionOut {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

export interface SimPodStatus {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  conditions: PodConditionOut[];
  hostIP: string;
  hostIPs: { ip: string }[];
  podIP: string;
  podIPs: { ip: string }[];
  startTime: string;
  initContainerStatuses?: ContainerStatusOut[];
  containerStatuses: ContainerStatusOut[];
  qosClass: string;
}

export interface SimulatedStatus {
  status: SimPodStatus;
  /** When the status next changes (ms), or undefined when it never does by itself. */
  nextChangeMs: number | undefined;
}

export interface ImageNaming {
  image(ref: string): string;
  imageID(ref: string): string;
  containerID(podUID: string, container: string, restartCount: number): string;
}

import type { ImagePullState } from './image-pull.js';

const MAX_BACKOFF_MS = 300_000;
const FIRST_BACKOFF_MS = 10_000;

/** The CrashLoopBackOff delay before restart number `restarts` (1-based). */
export function crashLoopBackoffMs(restarts: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(restarts - 1, 20));
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

function isJobPod(pod: SimPod): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Job' && r.controller === true);
}

/** How long a container runs before it exits, and with which code; undefined: it keeps running. */
export function runPlan(pod: SimPod, timings: SimTimings): { runMs: number; exitCode: number } | undefined {
  const ann = pod.metadata?.annotations ?? {};
  const exitText = ann[EXIT_CODE_ANNOTATION];
  const exitCode = exitText !== undefined && /^-?\d+$/.test(exitText.trim()) ? Number(exitText.trim()) : 0;
  const runText = ann[RUN_SECONDS_ANNOTATION];
  const annotated = runText !== undefined && Number.isFinite(Number(runText)) && Number(runText) >= 0 ? Number(runText) : undefined;
  const podPolicy = pod.spec?.restartPolicy ?? 'Always';
  const allRunOnce = (pod.spec?.containers ?? []).every((c) => (c.restartPolicy ?? podPolicy) !== 'Always');
  const runsToCompletion = allRunOnce && (annotated !== undefined || isJobPod(pod));
  if (!runsToCompletion && exitCode === 0) return undefined;
  return { runMs: (annotated ?? timings.jobRunSeconds) * 1000, exitCode };
}

interface ContainerRun {
  status: ContainerStatusOut;
  /** Ended for good (no restart coming). */
  done: boolean;
  exitCode: number;
  /** Last time readiness or termination changed. */
  changedMs: number;
  /** Ready since (when ready). */
  readySinceMs: number | undefined;
  next: number | undefined;
  /** Waiting for its image (ErrImagePull / ImagePullBackOff). */
  blocked?: boolean;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** One container's status at `now` given when it first starts. */
function containerAt(
  pod: SimPod,
  c: SimContainer,
  startMs: number,
  nowMs: number,
  waitingReason: string,
  plan: { runMs: number; exitCode: number } | undefined,
  policy: string,
  readyDelayMs: number,
  naming: ImageNaming,
  pull?: ImagePullState,
): ContainerRun {
  const uid = pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const ref = c.image ?? '';
  const base = { name: c.name, image: naming.image(ref), imageID: naming.imageID(ref) };
  let start = pull && 'pulledAtMs' in pull ? Math.max(startMs, pull.pulledAtMs) : startMs;
  if (pull && 'waiting' in pull && nowMs >= startMs) {
    return { status: { name: c.name, state: { waiting: { ...pull.waiting } }, lastState: {}, ready: false, restartCount: 0, image: ref, imageID: '', started: false }, done: false, exitCode: 0, changedMs: startMs, readySinceMs: undefined, next: undefined, blocked: true };
  }
  let restarts = 0;
  let last: ContainerStateOut = {};
  for (let guard = 0; guard < 100_000; guard++) {
    if (nowMs < start) {
      if (restarts === 0) {
        return { status: { name: c.name, state: { waiting: { reason: waitingReason } }, lastState: {}, ready: false, restartCount: 0, image: ref, imageID: '', started: false }, done: false, exitCode: 0, changedMs: startMs, readySinceMs: undefined, next: start };
      }
      const message = `back-off ${Math.round(crashLoopBackoffMs(restarts) / 1000)}s restarting failed container=${c.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid ?? ''})`;
      return {
        status: { ...base, state: { waiting: { reason: 'CrashLoopBackOff', message } }, lastState: last, ready: false, restartCount: restarts, containerID: last.terminated?.containerID, started: false },
        done: false,
        exitCode: last.terminated?.exitCode ?? 0,
        changedMs: Date.parse(last.terminated?.finishedAt ?? iso(startMs)),
        readySinceMs: undefined,
        next: start,
      };
    }
    const id = naming.containerID(uid, c.name, restarts);
    const readyAt = start + readyDelayMs;
    const end = plan ? start + plan.runMs : undefined;
    if (end === undefined || nowMs < end) {
      const ready = nowMs >= readyAt && (end === undefined || readyAt < end);
      return {
        status: { ...base, state: { running: { startedAt: iso(start) } }, lastState: last, ready, restartCount: restarts, containerID: id, started: true },
        done: false,
        exitCode: 0,
        changedMs: ready ? readyAt : start,
        readySinceMs: ready ? readyAt : undefined,
        next: minDefined(ready ? undefined : readyAt < (end ?? Infinity) ? readyAt : undefined, end),
      };
    }
    const exitCode = plan!.exitCode;
    const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: iso(start), finishedAt: iso(end), containerID: id };
    const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    if (!restart) {
      return { status: { ...base, state: { terminated }, lastState: last, ready: false, restartCount: restarts, containerID: id, started: false }, done: true, exitCode, changedMs: end, readySinceMs: undefined, next: undefined };
    }
    restarts++;
    last = { terminated };
    start = end + crashLoopBackoffMs(restarts);
  }
  throw new Error('container timeline did not converge');
}

function qosClass(pod: SimPod): string {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = all.length > 0;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      const l = lim[r];
      if (l === undefined || (req[r] !== undefined && String(req[r]) !== String(l))) guaranteed = false;
    }
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}

function condition(type: string, ok: boolean, atMs: number, reason?: string, message?: string): PodConditionOut {
  return { type, status: ok ? 'True' : 'False', ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastProbeTime: null, lastTransitionTime: iso(atMs) };
}

/** When each container would start with no pull delays (init containers in turn, then the others): its first pull attempt. */
export function nominalContainerStarts(pod: SimPod, startMs: number, timings: SimTimings): Record<string, number> {
  const stepMs = timings.containerStartSeconds * 1000;
  const out: Record<string, number> = {};
  const inits = pod.spec?.initContainers ?? [];
  inits.forEach((c, i) => (out[c.name] = startMs + (i + 1) * stepMs));
  for (const c of pod.spec?.containers ?? []) out[c.name] = startMs + (inits.length + 1) * stepMs;
  return out;
}

export function simulatedPodStatus(pod: SimPod, facts: PodFacts, timings: SimTimings, naming: ImageNaming): SimulatedStatus {
  const { startMs, nowMs } = facts;
  const stepMs = timings.containerStartSeconds * 1000;
  const podPolicy = pod.spec?.restartPolicy ?? 'Always';
  const inits = pod.spec?.initContainers ?? [];
  const containers = pod.spec?.containers ?? [];
  const waitingReason = inits.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const readyDelay = (c: SimContainer): number => Math.max(timings.readinessSeconds, c.readinessProbe?.initialDelaySeconds ?? 0) * 1000;
  let next: number | undefined;

  // Init containers, one after another.
  const initStatuses: ContainerStatusOut[] = [];
  const incomplete: string[] = [];
  let t = startMs;
  for (const c of inits) {
    const sidecar = c.restartPolicy === 'Always';
    const run = containerAt(pod, c, t + stepMs, nowMs, 'PodInitializing', sidecar ? undefined : { runMs: 0, exitCode: 0 }, sidecar ? 'Always' : 'Never', sidecar ? readyDelay(c) : 0, naming, facts.imagePulls?.[c.name]);
    initStatuses.push(run.status);
    next = minDefined(next, run.next);
    const pulled = facts.imagePulls?.[c.name];
    t = pulled && 'pulledAtMs' in pulled ? Math.max(t + stepMs, pulled.pulledAtMs) : t + stepMs;
    if (!sidecar && !run.done) incomplete.push(c.name);
  }
  const initDoneMs = t;
  const initialized = incomplete.length === 0 && nowMs >= initDoneMs;

  // Regular containers.
  const plan = runPlan(pod, timings);
  const runs: ContainerRun[] = [];
  if (initialized) {
    for (const c of containers) {
      const run = containerAt(pod, c, initDoneMs + stepMs, nowMs, waitingReason, plan, c.restartPolicy ?? podPolicy, readyDelay(c), naming, facts.imagePulls?.[c.name]);
      runs.push(run);
      next = minDefined(next, run.next);
    }
  } else {
    for (const c of containers) runs.push({ status: { name: c.name, state: { waiting: { reason: waitingReason } }, lastState: {}, ready: false, restartCount: 0, image: c.image ?? '', imageID: '', started: false }, done: false, exitCode: 0, changedMs: startMs, readySinceMs: undefined, next: undefined });
    next = minDefined(next, initDoneMs > nowMs ? initDoneMs : undefined);
  }

  const allDone = runs.length > 0 && runs.every((r) => r.done);
  const phase: SimPodStatus['phase'] = allDone
    ? runs.every((r) => r.exitCode === 0) ? 'Succeeded' : 'Failed'
    : initialized && !runs.some((r) => r.blocked) && runs.some((r) => r.status.state.running || r.status.restartCount > 0 || r.done)
      ? 'Running'
      : 'Pending';
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const endedMs = terminal ? Math.max(...runs.map((r) => r.changedMs)) : 0;

  const unready = runs.filter((r) => !r.status.ready).map((r) => r.status.name);
  const allReady = initialized && unready.length === 0;
  const readyChangedMs = runs.length ? Math.max(startMs, ...runs.map((r) => r.changedMs)) : startMs;
  const readyCondition = (type: string): PodConditionOut =>
    terminal && phase === 'Succeeded'
      ? condition(type, false, endedMs, 'PodCompleted')
      : allReady
        ? condition(type, true, readyChangedMs)
        : condition(type, false, initialized ? readyChangedMs : startMs, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);

  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  const scheduledMs = scheduled?.lastTransitionTime ? Date.parse(scheduled.lastTransitionTime) : startMs;
  const conditions: PodConditionOut[] = [
    terminal ? condition('PodReadyToStartContainers', false, endedMs) : condition('PodReadyToStartContainers', true, startMs),
    initialized || terminal
      ? condition('Initialized', true, inits.length ? initDoneMs : startMs, terminal && phase === 'Succeeded' && inits.length ? 'PodCompleted' : undefined)
      : condition('Initialized', false, startMs, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    readyCondition('Ready'),
    readyCondition('ContainersReady'),
    condition('PodScheduled', true, Number.isFinite(scheduledMs) ? scheduledMs : startMs),
  ];

  const status: SimPodStatus = {
    phase,
    conditions,
    hostIP: facts.hostIP,
    hostIPs: [{ ip: facts.hostIP }],
    podIP: facts.podIP,
    podIPs: [{ ip: facts.podIP }],
    startTime: iso(startMs),
    ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: runs.map((r) => r.status),
    qosClass: qosClass(pod),
  };
  return { status, nextChangeMs: terminal ? undefined : next };
}
