/**
 * The `pods/log` subresource for simulated Pods: no container really runs, so the log is a few lines derived from
 * what the Pod's status says about the container (it started, with which image; which restart; how it ended), each
 * saying it is simulated. The core (`simulatedLogLines`) is pure and deterministic; `servePodLog` answers
 * GET .../pods/NAME/log as text/plain with kube's query parameters (container, previous, timestamps, tailLines,
 * sinceSeconds, limitBytes, follow). With follow the stream stays open and gains a line whenever the container's
 * state brings one, until the Pod is deleted or the client goes away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import type { ObjectStore } from './object-store.js';
import type { ResourceInfo } from './resource-info.js';

export interface PodLogOptions {
  container?: string;
  previous?: boolean;
}

export interface LogLine {
  /** RFC 3339 time of the line. */
  time: string;
  text: string;
}

interface ContainerStateJson {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; startedAt?: string; finishedAt?: string; signal?: number };
}

interface ContainerStatusJson {
  name: string;
  image?: string;
  restartCount?: number;
  ready?: boolean;
  state?: ContainerStateJson;
  lastState?: ContainerStateJson;
}

interface PodJson {
  metadata?: { name?: string; namespace?: string };
  spec?: { containers?: { name: string; image?: string }[]; initContainers?: { name: string; image?: string }[]; ephemeralContainers?: { name: string; image?: string }[] };
  status?: { containerStatuses?: ContainerStatusJson[]; initContainerStatuses?: ContainerStatusJson[]; ephemeralContainerStatuses?: ContainerStatusJson[] };
}

const names = (list: { name: string }[] | undefined): string[] => (list ?? []).map((c) => c.name);

/** The container a log request is about: the named one, or the only one; a 400 with kube's messages otherwise. */
export function logContainerName(pod: KubeObject, container: string | undefined): string {
  const p = pod as PodJson;
  const podName = p.metadata?.name ?? '';
  const regular = names(p.spec?.containers);
  const all = [...regular, ...names(p.spec?.initContainers), ...names(p.spec?.ephemeralContainers)];
  if (!container) {
    if (regular.length === 1) return regular[0]!;
    const init = names(p.spec?.initContainers);
    const eph = names(p.spec?.ephemeralContainers);
    let msg = `a container name must be specified for pod ${podName}, choose one of: [${regular.join(' ')}]`;
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
    if (eph.length) msg += ` or one of the ephemeral containers: [${eph.join(' ')}]`;
    throw badRequest(msg);
  }
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
  return container;
}

function statusOf(pod: PodJson, container: string): ContainerStatusJson | undefined {
  const s = pod.status;
  return [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? []), ...(s?.ephemeralContainerStatuses ?? [])].find((c) => c.name === container);
}

function imageOf(pod: PodJson, container: string, status: ContainerStatusJson | undefined): string {
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].find((c) => c.name === container);
  return spec?.image ?? status?.image ?? '';
}

/** The lines of one run of a container: it started, and (when it ended) how. */
function runLines(who: string, image: string, restart: number, state: ContainerStateJson): LogLine[] {
  const lines: LogLine[] = [];
  const startedAt = state.running?.startedAt ?? state.terminated?.startedAt;
  const run = restart > 0 ? ` (restart ${restart})` : '';
  if (startedAt) lines.push({ time: startedAt, text: `[sim] container ${who} started${run} (image ${image}); logs are simulated` });
  const t = state.terminated;
  if (t) {
    const how = `exited with code ${t.exitCode ?? 0}${t.reason ? ` (${t.reason})` : ''}${t.signal ? `, signal ${t.signal}` : ''}`;
    lines.push({ time: t.finishedAt ?? startedAt ?? '', text: `[sim] container ${who} ${how}; logs are simulated` });
  }
  return lines;
}

/**
 * The simulated log of a Pod's container (the current run, or the previous one with `previous`), oldest first.
 * Errors are kube's: a container still waiting to start, or no previous run, is a 400.
 */
export function simulatedLogLines(pod: KubeObject, opts: PodLogOptions = {}): LogLine[] {
  const p = pod as PodJson;
  const container = logContainerName(pod, opts.container);
  const podName = p.metadata?.name ?? '';
  const who = `${container} of pod ${p.metadata?.namespace ?? ''}/${podName}`;
  const status = statusOf(p, container);
  const image = imageOf(p, container, status);
  const restarts = status?.restartCount ?? 0;
  if (opts.previous) {
    const last = status?.lastState;
    if (!last?.terminated) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return runLines(who, image, Math.max(0, restarts - 1), last);
  }
  const state = status?.state ?? {};
  if (state.running || state.terminated) return runLines(who, image, restarts, state);
  // Waiting: after a crash the log is the one of the run that ended; before any run there is none.
  if (status?.lastState?.terminated) {
    const lines = runLines(who, image, Math.max(0, restarts - 1), status.lastState);
    const reason = state.waiting?.reason;
    if (reason) lines.push({ time: lines[lines.length - 1]?.time ?? '', text: `[sim] container ${who} is waiting: ${reason}; logs are simulated` });
    return lines;
  }
  const reason = state.waiting?.reason ?? 'ContainerCreating';
  throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
}

/** kube's log timestamp: RFC 3339 with nanoseconds. */
function nanoTime(time: string): string {
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) return time;
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** One line of the response body: the line's own time first (and kube's timestamp before it when asked for). */
export function formatLogLine(line: LogLine, timestamps: boolean): string {
  return `${timestamps ? `${nanoTime(line.time)} ` : ''}${line.time} ${line.text}\n`;
}

export interface LogQuery extends PodLogOptions {
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
  follow: boolean;
}

function intParam(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw badRequest(`${name}: Invalid value: ${JSON.stringify(v)}: must be ${min === 0 ? 'greater than or equal to 0' : 'greater than 0'}`);
  return n;
}

const truthy = (v: string | null): boolean => v === 'true' || v === '1';

export function parseLogQuery(q: URLSearchParams): LogQuery {
  return {
    container: q.get('container') || undefined,
    previous: truthy(q.get('previous')),
    timestamps: truthy(q.get('timestamps')),
    follow: truthy(q.get('follow')),
    tailLines: intParam(q, 'tailLines', 0),
    sinceSeconds: intParam(q, 'sinceSeconds', 1),
    limitBytes: intParam(q, 'limitBytes', 1),
  };
}

/** The lines a request selects: since a time, then the last tailLines. */
export function selectLines(lines: LogLine[], q: Pick<LogQuery, 'tailLines' | 'sinceSeconds'>, nowMs: number): LogLine[] {
  let out = lines;
  if (q.sinceSeconds !== undefined) {
    const from = nowMs - q.sinceSeconds * 1000;
    out = out.filter((l) => !(Date.parse(l.time) < from));
  }
  if (q.tailLines !== undefined) out = q.tailLines === 0 ? [] : out.slice(-q.tailLines);
  return out;
}

const lineKey = (l: LogLine): string => `${l.time}\u0000${l.text}`;

/** GET pods/NAME/log: the simulated lines as text/plain; with follow, new lines as the Pod changes. */
export async function servePodLog(objects: ObjectStore, info: ResourceInfo, namespace: string | undefined, name: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const q = parseLogQuery(query);
  const pod = await objects.get(info, namespace, name);
  const lines = simulatedLogLines(pod, q);
  const first = selectLines(lines, q, objects.clock.now().getTime());
  let budget = q.limitBytes ?? Infinity;
  /** Writes what fits the byte limit; false once it is used up. */
  const write = (text: string): boolean => {
    if (budget <= 0) return false;
    const bytes = Buffer.from(text, 'utf8');
    const part = bytes.length > budget ? bytes.subarray(0, budget) : bytes;
    budget -= part.length;
    res.write(part);
    return budget > 0;
  };
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', ...(q.follow ? { 'Transfer-Encoding': 'chunked' } : {}) });
  let open = true;
  for (const l of first) if (!(open = write(formatLogLine(l, q.timestamps)))) break;
  // A previous run's log is complete: nothing to follow.
  if (!q.follow || q.previous || !open) {
    res.end();
    return;
  }
  res.flushHeaders();
  // Follow: every line of the current run seen so far is sent; later Pod states add the lines they bring.
  const sent = new Set(lines.map(lineKey));
  const uid = pod.metadata?.uid;
  await new Promise<void>((resolve) => {
    let watcher: { stop(): void } | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      watcher?.stop();
      if (!res.destroyed) res.end();
      resolve();
    };
    res.on('close', finish);
    req.socket?.on('close', finish);
    objects
      .watch(info, namespace, { fieldSelector: { requirements: [{ field: 'metadata.name', operator: '=', value: name }] }, resourceVersion: pod.metadata?.resourceVersion }, (e) => {
        if (done) return;
        if (e.object.metadata?.uid !== uid || e.type === 'DELETED') return finish();
        let lines: LogLine[];
        try {
          lines = simulatedLogLines(e.object, q);
        } catch {
          return; // still waiting: nothing to say yet
        }
        for (const l of lines) {
          const k = lineKey(l);
          if (sent.has(k)) continue;
          sent.add(k);
          if (!write(formatLogLine(l, q.timestamps))) return finish();
        }
      })
      .then((w) => {
        if (done) w.stop();
        else watcher = w;
      })
      .catch(() => finish());
  });
}

/** Whether a request is for a Pod's log (GET only; other verbs are 405). */
export function isPodLogRequest(info: Pick<ResourceInfo, 'group' | 'plural'>, subresource: string | undefined): boolean {
  return info.group === '' && info.plural === 'pods' && subresource === 'log';
}
