/**
 * `slipway cluster get` and `slipway cluster kubeconfig get`: read a Cluster API cluster through the management
 * plane's API (a kubeconfig client), never through the plane's internals.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { chmodSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../apimachinery/types.js';
import { CLUSTER_KIND } from '../../api/cluster/types.js';
import { isNotFound, kubeconfigClient, type Client } from '../../client/index.js';
import { readClusterObjects } from '../cluster-read.js';
import { printClusterTree } from '../cluster-tree-print.js';
import { buildClusterTree, clusterTreeObjects, parseShowConditions } from '../cluster-tree.js';
import { processIO, type CommandIO } from '../io.js';

/** How a command reaches the management plane. */
export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  /** The cluster's namespace (default: the context's namespace, else "default"). */
  namespace?: string;
}

export interface ClusterGetOptions extends ConnectOptions {
  output?: 'tree' | 'yaml' | 'json';
  showConditions?: string;
  grouping?: boolean;
  showMachinesets?: boolean;
  echo?: boolean;
  /** ANSI colours in the tree. */
  color?: boolean;
  /** "Now" of the SINCE column (default: the wall clock). */
  now?: Date;
}

export interface KubeconfigGetOptions extends ConnectOptions {
  exportFile?: string;
}

/** --kubeconfig, else the first file in $KUBECONFIG, else ~/.slipway/admin.kubeconfig (what `slipway server` writes). */
export function managementKubeconfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (flag) return flag;
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.trim());
  return fromEnv ?? join(home, '.slipway', 'admin.kubeconfig');
}

async function connect(o: ConnectOptions, userAgent: string): Promise<{ client: Client; namespace: string }> {
  const client = await kubeconfigClient(managementKubeconfig(o.kubeconfig), { context: o.context, userAgent });
  return { client, namespace: o.namespace || client.defaultNamespace };
}

function failWith(io: CommandIO, e: unknown): number {
  const text = e instanceof Error ? e.message : String(e);
  io.err(`error: ${text.split('\n')[0]}\n`);
  return 1;
}

/** Without managedFields, as kubectl prints objects. */
function forOutput(obj: KubeObject): KubeObject {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _managedFields, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Run `cluster get`; returns the exit code. */
export async function clusterGet(name: string, o: ClusterGetOptions, io: CommandIO): Promise<number> {
  let client: Client | undefined;
  try {
    parseShowConditions(o.showConditions);
    const c = await connect(o, 'slipway-cluster-get');
    client = c.client;
    const objs = await readClusterObjects(client, c.namespace, name);
    const output = o.output ?? 'tree';
    if (output === 'tree') {
      const tree = buildClusterTree(objs, { showConditions: o.showConditions, grouping: o.grouping ?? true, showMachineSets: o.showMachinesets, echo: o.echo });
      io.out(printClusterTree(tree, { now: o.now ?? new Date(), color: o.color }));
    } else {
      const list = { apiVersion: 'v1', items: clusterTreeObjects(objs).map(forOutput), kind: 'List', metadata: { resourceVersion: '' } };
      io.out(output === 'json' ? `${JSON.stringify(list, null, 4)}\n` : stringify(list, { lineWidth: 0 }));
    }
    return 0;
  } catch (e) {
    return failWith(io, e);
  } finally {
    client?.close();
  }
}

/** Run `cluster kubeconfig get`; returns the exit code. */
export async function clusterKubeconfigGet(name: string, o: KubeconfigGetOptions, io: CommandIO): Promise<number> {
  let client: Client | undefined;
  try {
    const c = await connect(o, 'slipway-cluster-kubeconfig');
    client = c.client;
    const ns = c.namespace;
    const secretName = `${name}-kubeconfig`;
    let secret: KubeObject;
    try {
      secret = await client.get({ apiVersion: 'v1', kind: 'Secret' }, { namespace: ns, name: secretName });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await client.get(CLUSTER_KIND, { namespace: ns, name });
      } catch (ce) {
        if (isNotFound(ce)) throw new Error(`cluster ${ns}/${name} not found (and there is no Secret ${ns}/${secretName})`);
        throw ce;
      }
      throw new Error(`cluster ${ns}/${name} has no kubeconfig yet: its control plane is not initialized (Secret ${ns}/${secretName} not found)`);
    }
    const data = secret.data as Record<string, unknown> | undefined;
    const encoded = data?.value;
    if (typeof encoded !== 'string' || !encoded) throw new Error(`Secret ${ns}/${secretName} has no data.value: it is not a kubeconfig Secret`);
    let text = Buffer.from(encoded, 'base64').toString('utf8');
    if (!text.endsWith('\n')) text += '\n';
    if (o.exportFile) {
      const file = resolve(o.exportFile);
      writeFileSync(file, text, { mode: 0o600 });
      chmodSync(file, 0o600);
      io.out(`Credentials of cluster ${ns}/${name} written to ${file}\nUse them with: kubectl --kubeconfig ${file} get nodes\n`);
    } else {
      io.out(text);
    }
    return 0;
  } catch (e) {
    return failWith(io, e);
  } finally {
    client?.close();
  }
}

function parseBoolean(flag: string) {
  return (v: string): boolean => {
    if (/^(true|t|1)$/i.test(v)) return true;
    if (/^(false|f|0)$/i.test(v)) return false;
    throw new InvalidArgumentError(`${flag} takes true or false, got ${JSON.stringify(v)}`);
  };
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <namespace>', "the cluster's namespace (default: the kubeconfig context's namespace, else default)")
    .option('--kubeconfig <file>', 'kubeconfig of the management plane (default: $KUBECONFIG, else ~/.slipway/admin.kubeconfig)')
    .option('--context <name>', 'kubeconfig context to use (default: current-context)');
}

const GET_HELP = `
Rows: the Cluster, ClusterInfrastructure, ControlPlane with its Machines, and Workers with each
MachineDeployment (and MachineSets no MachineDeployment owns) and their Machines. Machines under one
parent whose Ready conditions share status, severity and reason are shown as one "N Machines..." row.
A Machine's infrastructure and bootstrap objects are shown only when they are not Ready and say
something other than the Machine (--echo shows them always).

--show-conditions takes a comma-separated list of: all, KIND or KIND/NAME (case-insensitive);
a "+" suffix lists only conditions that are not True (e.g. all+). Machines named by KIND or
KIND/NAME are not grouped, so their conditions show.

Examples:
  # the cluster "dev" in the context's namespace
  slipway cluster get dev

  # every condition of every object, Machines one per row
  slipway cluster get dev -n team-a --show-conditions all --grouping=false

  # the conditions of the control plane and of one Machine
  slipway cluster get dev --show-conditions KubeadmControlPlane,Machine/dev-md-0-xk2f9-7qvvs

  # the objects of the tree as a List
  slipway cluster get dev -o yaml

Exit status: 0 on success, 1 when the cluster does not exist or the API cannot be reached.
`;

const KUBECONFIG_HELP = `
Reads the Secret <NAME>-kubeconfig (key "value") in the cluster's namespace, which the control plane
writes once it is initialized. The kubeconfig authenticates as the workload cluster's administrator.

Examples:
  # print it
  slipway cluster kubeconfig get dev -n team-a

  # save it (file mode 0600) and use it
  slipway cluster kubeconfig get dev --export-file dev.kubeconfig
  kubectl --kubeconfig dev.kubeconfig get nodes

Exit status: 0 on success, 1 when the cluster or its kubeconfig does not exist.
`;

/** `slipway cluster get|kubeconfig get`. */
export function register(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('inspect Cluster API clusters on the management plane')
    .addHelpText('after', '\nExample:\n  slipway cluster get dev --show-conditions all\n  slipway cluster kubeconfig get dev --export-file dev.kubeconfig\n');

  connectionOptions(
    cluster
      .command('get')
      .description('print a cluster as a tree of its objects with their Ready conditions (as clusterctl describe cluster)')
      .argument('<name>', 'the Cluster'),
  )
    .option('--show-conditions <filter>', 'list the conditions of these objects: all, KIND or KIND/NAME, comma-separated ("+" suffix: only those not True)')
    .addOption(new Option('--grouping [bool]', 'fold Machines with the same Ready status, severity and reason into one row').argParser(parseBoolean('--grouping')).preset('true').default(true))
    .option('--no-grouping', 'same as --grouping=false')
    .option('--show-machinesets', 'show MachineSets between MachineDeployments and Machines')
    .option('--echo', "show Machines' infrastructure and bootstrap objects even when Ready or echoing the Machine")
    .addOption(new Option('-o, --output <format>', 'tree, yaml or json (yaml/json: the objects of the tree as a List)').choices(['tree', 'yaml', 'json']).default('tree'))
    .addHelpText('after', GET_HELP)
    .action(async (name: string, o: ClusterGetOptions) => {
      const color = !!process.stdout.isTTY && !process.env.NO_COLOR;
      process.exitCode = await clusterGet(name, { ...o, color }, processIO);
    });

  const kubeconfig = cluster
    .command('kubeconfig')
    .description("a workload cluster's admin kubeconfig")
    .addHelpText('after', '\nExample:\n  slipway cluster kubeconfig get dev --export-file dev.kubeconfig\n');
  connectionOptions(
    kubeconfig
      .command('get')
      .description("print (or save) the workload cluster's admin kubeconfig from Secret <NAME>-kubeconfig")
      .argument('<name>', 'the Cluster'),
  )
    .option('--export-file <file>', 'write the kubeconfig to this file (mode 0600) instead of printing it')
    .addHelpText('after', KUBECONFIG_HELP)
    .action(async (name: string, o: KubeconfigGetOptions) => {
      process.exitCode = await clusterKubeconfigGet(name, o, processIO);
    });
}
