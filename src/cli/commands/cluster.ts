/**
 * `slipway cluster ...`: create, list, scale, upgrade and delete managed-topology clusters, and read one as a tree or
 * its kubeconfig, all through the management plane's API (a kubeconfig client), never through the plane's internals.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { chmodSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { stringify } from 'yaml';
import type { KubeObject } from '../../apimachinery/types.js';
import { CLUSTER_KIND } from '../../api/cluster/types.js';
import { isNotFound, type Client } from '../../client/index.js';
import { clusterCreate, type ClusterCreateOptions } from '../cluster-create.js';
import { clusterDelete, clusterList, clusterScale, clusterUpgrade, type ClusterDeleteOptions, type ClusterListOptions, type ClusterScaleOptions, type ClusterUpgradeOptions } from '../cluster-manage.js';
import { readClusterObjects } from '../cluster-read.js';
import { DEFAULT_CLASS, DEFAULT_WORKER_POOL } from '../cluster-spec.js';
import { DEFAULT_WAIT_TIMEOUT, type WaitFlags } from '../cluster-wait.js';
import { printClusterTree } from '../cluster-tree-print.js';
import { buildClusterTree, clusterTreeObjects, parseShowConditions } from '../cluster-tree.js';
import { connect, type ConnectOptions } from '../connect.js';
import { processIO, type CommandIO } from '../io.js';
import { progressMode } from '../progress.js';

export { managementKubeconfig, type ConnectOptions } from '../connect.js';

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

const CREATE_HELP = `
Creates a Cluster (cluster.x-k8s.io/v1beta1) with spec.topology: the class, the Kubernetes version, the control
plane's replicas, worker pools (machineDeployments) and variables. The topology controller turns it into machines.

Defaults: --class ${DEFAULT_CLASS} (looked up in the cluster's namespace, then in "default"), the newest version the
class lists, 1 control-plane replica, one worker pool ${DEFAULT_WORKER_POOL.name} of class ${DEFAULT_WORKER_POOL.class} with ${DEFAULT_WORKER_POOL.replicas} replica.

--set VARIABLE.PATH=VALUE sets a field inside a variable's value: --set controlPlane.machine.numCPUs=4 gives
variable controlPlane the value {machine: {numCPUs: 4}}; several --set of one variable merge. A value is read as a
YAML scalar or flow collection: 4, true, null, "quoted", [a, b], {k: v}; other text is a string. --set-string keeps
the value as written. Escape a dot inside a key with a backslash (nodeLabels.example\\.com/tier=a); index lists with
[N]. --set is applied before --set-string.

-f FILE starts from a Cluster in FILE (- for stdin); flags override its fields and --set merges into its variables.

Examples:
  # the default class, one control-plane and one worker Machine, and wait until it is Ready
  slipway cluster create dev --wait

  # three control-plane replicas, two pools (windows workers need: slipway feature activate windows-workers), variables
  slipway cluster create prod -n team-a --control-plane-replicas 3 \\
      --worker-pool md-0=linux:3 --worker-pool win=windows:1 \\
      --set controlPlane.machine.numCPUs=4 --set cni=calico --set 'ntpServers=[time1.example.com]'

  # print the Cluster instead of creating it
  slipway cluster create dev --workers 2 --dry-run -o yaml

Exit status: 0 on success; 1 when the API refuses the Cluster (the message names the field) or --wait times out;
2 on bad flags or an unreadable -f file.
`;

const LIST_HELP = `
Columns: the class and version of the topology, control-plane and worker Machines ready/desired, the phase and age.
-o wide adds the Ready condition, the TopologyReconciled state and each worker pool (name(class)=ready/desired).

Examples:
  slipway cluster list
  slipway cluster list -A -o wide
  slipway cluster list -n team-a -o yaml
`;

const SCALE_HELP = `
Changes replicas in the Cluster's topology with a JSON patch (a test of the pool's name guards each change).
--workers N scales the only worker pool (with several pools, name one with --worker-pool).

Examples:
  slipway cluster scale dev --control-plane-replicas 3
  slipway cluster scale dev --worker-pool md-0=5 --worker-pool win=2
  slipway cluster scale dev --workers 0

Exit status: 0 on success; 1 when the cluster or pool does not exist or the API refuses; 2 on bad flags.
`;

const UPGRADE_HELP = `
Sets spec.topology.version; the topology controller upgrades the control plane first, then the workers.
--wait waits until every Machine runs the new version and is ready.

Examples:
  slipway cluster upgrade dev --kubernetes-version v1.32.0 --wait --timeout 20m

Exit status: 0 on success; 1 when the API refuses (e.g. a downgrade) or --wait times out; 2 on bad flags.
`;

const DELETE_HELP = `
Deletes the Cluster; its controllers delete the control plane, the workers and their machines. Asks first on a
terminal; without a terminal --yes is required.

Examples:
  slipway cluster delete dev --yes --wait

Exit status: 0 on success; 1 when the cluster does not exist, the answer is not yes or --wait times out;
2 without --yes when standard input is not a terminal.
`;

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function waitOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--wait', `wait until ${what}, showing progress`)
    .option('--timeout <duration>', `how long --wait waits (Go duration: 90s, 10m, 1h)`, DEFAULT_WAIT_TIMEOUT)
    .option('--no-progress', 'no spinner or progress lines while waiting');
}

/** Progress and colour from the terminal and NO_COLOR. */
function terminalFlags(o: { progress?: boolean }): Pick<WaitFlags, 'progressMode' | 'color'> {
  return { progressMode: progressMode(process.stderr.isTTY, o.progress !== false), color: !!process.stderr.isTTY && !process.env.NO_COLOR };
}

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** Commander's own usage errors (unknown option, missing argument, bad choice) exit 2, as the commands' do. */
function usageExit(err: { exitCode: number; code: string }): never {
  process.exit(err.exitCode === 0 ? 0 : 2);
}

/** `slipway cluster create|list|get|scale|upgrade|delete|kubeconfig get`. */
export function register(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('create, list, change and inspect Cluster API clusters on the management plane')
    .addHelpText(
      'after',
      '\nExample:\n  slipway cluster create dev --wait\n  slipway cluster list\n  slipway cluster get dev --show-conditions all\n  slipway cluster kubeconfig get dev --export-file dev.kubeconfig\n',
    )
    .exitOverride(usageExit);

  waitOptions(
    connectionOptions(
      cluster
        .command('create')
        .description('create a cluster from a ClusterClass (a Cluster with spec.topology)')
        .argument('[name]', 'the Cluster (optional with -f when the file names it)'),
    ),
    'the cluster is Ready',
  )
    .option('--class <name>', `the ClusterClass (default: ${DEFAULT_CLASS})`)
    .option('--kubernetes-version <version>', "Kubernetes version (default: the newest the class lists)")
    .option('--control-plane-replicas <n>', 'control-plane Machines (default: 1)')
    .option('--workers <n>', `replicas of the one worker pool ${DEFAULT_WORKER_POOL.name} (class ${DEFAULT_WORKER_POOL.class})`)
    .option('--worker-pool <name=class:replicas>', 'a worker pool; repeatable', collect)
    .option('--set <variable.path=value>', 'set a variable or a field inside it (YAML value); repeatable', collect)
    .option('--set-string <variable.path=value>', 'as --set, the value always a string; repeatable', collect)
    .option('-f, --filename <file>', 'start from the Cluster in this YAML/JSON file (- for stdin)')
    .option('--dry-run [mode]', 'print the Cluster instead of creating it: client (default) or server (the API server checks it, nothing is stored)')
    .option('-o, --output <format>', 'yaml, json or name')
    .addHelpText('after', CREATE_HELP)
    .action(async (name: string | undefined, o: ClusterCreateOptions & { progress?: boolean }) => {
      process.exitCode = await clusterCreate(name, { ...o, ...terminalFlags(o) }, processIO);
    });

  connectionOptions(cluster.command('list').alias('ls').description('list clusters with their class, version, ready Machines and phase'))
    .option('-A, --all-namespaces', 'clusters of every namespace')
    .option('-o, --output <format>', 'wide, yaml or json')
    .addHelpText('after', LIST_HELP)
    .action(async (o: ClusterListOptions) => {
      process.exitCode = await clusterList(o, processIO);
    });

  connectionOptions(cluster.command('scale').description("change the replicas of a cluster's control plane or worker pools").argument('<name>', 'the Cluster'))
    .option('--control-plane-replicas <n>', 'control-plane Machines')
    .option('--worker-pool <name=replicas>', 'replicas of one worker pool; repeatable', collect)
    .option('--workers <n>', 'replicas of the only worker pool')
    .addHelpText('after', SCALE_HELP)
    .action(async (name: string, o: ClusterScaleOptions) => {
      process.exitCode = await clusterScale(name, o, processIO);
    });

  waitOptions(connectionOptions(cluster.command('upgrade').description("change a cluster's Kubernetes version").argument('<name>', 'the Cluster')), 'every Machine runs the version and is ready')
    .option('--kubernetes-version <version>', 'the version to upgrade to (required)')
    .addHelpText('after', UPGRADE_HELP)
    .action(async (name: string, o: ClusterUpgradeOptions & { progress?: boolean }) => {
      process.exitCode = await clusterUpgrade(name, { ...o, ...terminalFlags(o) }, processIO);
    });

  waitOptions(connectionOptions(cluster.command('delete').description('delete a cluster and its machines').argument('<name>', 'the Cluster')), 'the Cluster is gone')
    .option('-y, --yes', 'do not ask')
    .addHelpText('after', DELETE_HELP)
    .action(async (name: string, o: ClusterDeleteOptions & { progress?: boolean }) => {
      process.exitCode = await clusterDelete(name, { ...o, ...terminalFlags(o), interactive: !!process.stdin.isTTY, ask: askOnTerminal }, processIO);
    });

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
