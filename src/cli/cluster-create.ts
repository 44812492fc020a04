/**
 * `slipway cluster create`: build a managed-topology Cluster from flags (and -f), then print it (--dry-run), or
 * create it through the API and optionally wait for it to be Ready.
 */
import { readFileSync } from 'node:fs';
import { CLUSTER_CLASS_KIND, type Cluster } from '../api/cluster/types.js';
import type { ClusterClass } from '../api/cluster/clusterclass.js';
import { compareVersions, parseMajorMinorPatch } from '../api/cluster/validation.js';
import { isForbidden, isNotFound, type Client, type KindRef } from '../client/index.js';
import { DocumentError, parseDocuments } from '../topology/documents.js';
import { buildCluster, chosenClass, DEFAULT_CLASS, DEFAULT_CLASS_NAMESPACE, UsageError, type ClassFacts, type ClusterCreateFlags, type VariableSetting } from './cluster-spec.js';
import { parseTimeout, waitAndReport, type WaitFlags } from './cluster-wait.js';
import { connect, kubeconfigExists, type ConnectOptions } from './connect.js';
import type { CommandIO } from './io.js';
import { errorLine, EXIT_FAILED, EXIT_OK, EXIT_USAGE, printObject } from './output.js';

export interface ClusterCreateOptions extends ConnectOptions, WaitFlags {
  class?: string;
  kubernetesVersion?: string;
  controlPlaneReplicas?: string;
  workers?: string;
  workerPool?: string[];
  set?: string[];
  setString?: string[];
  filename?: string;
  /** true or "client": print without contacting the API for writes; "server": the API server's dry run. */
  dryRun?: boolean | string;
  output?: string;
}

function readBase(file: string, io: CommandIO): { base: Cluster; source: string } {
  const source = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = file === '-' ? io.stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(code === 'ENOENT' ? `-f ${file}: no such file` : `-f ${file}: ${(e as Error).message}`);
  }
  let docs;
  try {
    docs = parseDocuments(text, source);
  } catch (e) {
    if (e instanceof DocumentError) throw new UsageError(`-f ${e.message}`);
    throw e;
  }
  const clusters = docs.filter((d) => d.kind === 'Cluster');
  if (clusters.length === 0) throw new UsageError(`-f ${source}: no Cluster in the file`);
  if (clusters.length > 1) throw new UsageError(`-f ${source}: ${clusters.length} Clusters in the file; create them one at a time (or with kubectl apply -f)`);
  return { base: clusters[0] as Cluster, source };
}

/** The newest Kubernetes version a class lists (spec.kubernetesVersions, else status.kubernetesVersions). */
export function newestClassVersion(cc: ClusterClass): string | undefined {
  const lists = [cc.spec?.kubernetesVersions, (cc.status as { kubernetesVersions?: unknown } | undefined)?.kubernetesVersions];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    const parsed = list.filter((v): v is string => typeof v === 'string').map((v) => ({ v, p: parseMajorMinorPatch(v, true) })).filter((x) => x.p);
    parsed.sort((a, b) => compareVersions(b.p!, a.p!));
    if (parsed[0]) return parsed[0].v.startsWith('v') ? parsed[0].v : `v${parsed[0].v}`;
  }
  return undefined;
}

/**
 * Find the class: in the Cluster's namespace (or the one the file names), else — for the default class — in
 * {@link DEFAULT_CLASS_NAMESPACE}. Nothing found: no facts (the server's admission says what is wrong).
 */
export async function lookUpClass(client: Client, className: string, clusterNamespace: string, fileClassNamespace: string | undefined): Promise<ClassFacts> {
  const candidates = fileClassNamespace ? [fileClassNamespace] : className === DEFAULT_CLASS && clusterNamespace !== DEFAULT_CLASS_NAMESPACE ? [clusterNamespace, DEFAULT_CLASS_NAMESPACE] : [clusterNamespace];
  for (const ns of candidates) {
    try {
      const cc = await client.get(CLUSTER_CLASS_KIND as KindRef<ClusterClass>, { namespace: ns, name: className });
      return { classNamespace: ns === clusterNamespace ? undefined : ns, newestVersion: newestClassVersion(cc) };
    } catch (e) {
      // Not found, or not readable with these credentials: the API's admission judges the class.
      if (!isNotFound(e) && !isForbidden(e)) throw e;
    }
  }
  return {};
}

function dryRunMode(v: boolean | string | undefined): 'none' | 'client' | 'server' {
  if (v === undefined || v === false) return 'none';
  if (v === true || v === 'client') return 'client';
  if (v === 'server') return 'server';
  throw new UsageError(`--dry-run ${JSON.stringify(v)}: must be client or server`);
}

/** Run `cluster create`; returns the exit code. */
export async function clusterCreate(name: string | undefined, o: ClusterCreateOptions, io: CommandIO): Promise<number> {
  let client: Client | undefined;
  let stage: 'usage' | 'api' = 'usage';
  try {
    const dryRun = dryRunMode(o.dryRun);
    const output = o.output;
    if (output !== undefined && output !== 'yaml' && output !== 'json' && output !== 'name') throw new UsageError(`-o ${JSON.stringify(output)}: must be yaml, json or name`);
    if (o.wait && dryRun !== 'none') throw new UsageError('--wait cannot be used with --dry-run: nothing is created to wait for');
    const timeoutMs = o.wait ? parseTimeout(o.timeout) : 0;
    const file = o.filename ? readBase(o.filename, io) : undefined;
    const settings: VariableSetting[] = [...(o.set ?? []).map((text) => ({ text })), ...(o.setString ?? []).map((text) => ({ text, asString: true }))];
    const flags: ClusterCreateFlags = {
      name,
      namespace: o.namespace || file?.base.metadata?.namespace || 'default',
      className: o.class,
      kubernetesVersion: o.kubernetesVersion,
      controlPlaneReplicas: o.controlPlaneReplicas,
      workers: o.workers,
      workerPools: o.workerPool,
      settings,
      base: file?.base,
      baseSource: file ? `-f ${file.source}` : undefined,
    };
    // Check the flags before any connection: usage errors never depend on the server.
    buildCluster(flags);

    stage = 'api';
    let facts: ClassFacts = {};
    if (dryRun !== 'client' || kubeconfigExists(o)) {
      try {
        const c = await connect(o, 'slipway-cluster-create');
        client = c.client;
        if (!o.namespace && !file?.base.metadata?.namespace) flags.namespace = c.namespace;
        facts = await lookUpClass(client, chosenClass(flags), flags.namespace, file?.base.spec?.topology?.classNamespace);
      } catch (e) {
        if (dryRun !== 'client') throw e;
      }
    }
    const cluster = buildCluster(flags, facts);
    const ns = cluster.metadata!.namespace!;
    const display = `cluster.cluster.x-k8s.io/${cluster.metadata!.name}`;
    if (dryRun === 'client') {
      io.out(output === 'name' ? `${display}\n` : output ? printObject(cluster, output) : `${display} created (dry run)\n`);
      return EXIT_OK;
    }
    const created = await client!.create(cluster, { dryRun: dryRun === 'server' });
    if (output === 'yaml' || output === 'json') io.out(printObject(created, output));
    else io.out(output === 'name' ? `${display}\n` : `${display} created${dryRun === 'server' ? ' (server dry run)' : ''}\n`);
    if (!o.wait) return EXIT_OK;
    return await waitAndReport(client!, ns, cluster.metadata!.name!, { kind: 'ready' }, o, timeoutMs, io);
  } catch (e) {
    io.err(`error: ${errorLine(e)}\n`);
    return e instanceof UsageError || stage === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  } finally {
    client?.close();
  }
}
