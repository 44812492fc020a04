import { Option, type Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { CLUSTER_CLASS_KIND } from '../../api/cluster/types.js';
import { isNotFound, kubeconfigClient, type Client } from '../../client/index.js';
import { DocumentError, parseDocuments } from '../../topology/documents.js';
import { ExplainError, explainClass, explainData, isClusterClass, type ClusterClass } from '../../topology/index.js';
import { printClassTable } from '../class-list.js';
import { managementKubeconfig } from '../connect.js';
import { processIO, type CommandIO } from '../io.js';

export interface ExplainOptions {
  recursive?: boolean;
  output?: string;
  name?: string;
}

/** How the class commands reach a management plane, as kubectl: --kubeconfig, --context, -n. */
export interface PlaneOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface ListOptions extends PlaneOptions {
  allNamespaces?: boolean;
  output?: string;
  /** For tests: the time AGE is measured to. */
  now?: Date;
}

async function planeClient(o: PlaneOptions, userAgent: string): Promise<{ client: Client; namespace: string }> {
  const client = await kubeconfigClient(managementKubeconfig(o.kubeconfig), { context: o.context, userAgent });
  return { client, namespace: o.namespace || client.defaultNamespace };
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim();
}

/** Whether `slipway class explain ARG` reads a file (a path, -, or an existing file) rather than a live class. */
export function isFileArgument(arg: string): boolean {
  return arg === '-' || arg.includes('/') || /\.(ya?ml|json)$/i.test(arg) || existsSync(arg);
}

/** Run `class list`; returns the exit code (0; 1 on an API error; 2 on bad flags or an unreadable kubeconfig). */
export async function classList(o: ListOptions, io: CommandIO): Promise<number> {
  const output = o.output ?? 'table';
  if (!['table', 'wide', 'yaml', 'json'].includes(output)) {
    io.err(`error: --output must be yaml or json, got ${JSON.stringify(output)}\n`);
    return 2;
  }
  let client: Client | undefined;
  let c: { client: Client; namespace: string };
  try {
    c = await planeClient(o, 'slipway-class-list');
  } catch (e) {
    io.err(`error: ${oneLine(e)}\n`);
    return 2;
  }
  try {
    client = c.client;
    const list = await client.list<ClusterClass>(CLUSTER_CLASS_KIND, o.allNamespaces ? {} : { namespace: c.namespace });
    if (output === 'yaml' || output === 'json') {
      const doc = { apiVersion: 'v1', kind: 'List', items: list.items.map((i) => ({ apiVersion: CLUSTER_CLASS_KIND.apiVersion, kind: CLUSTER_CLASS_KIND.kind, ...i })), metadata: { resourceVersion: '' } };
      io.out(output === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : stringify(doc, { lineWidth: 0 }));
    } else if (list.items.length === 0) {
      io.err(o.allNamespaces ? 'No ClusterClasses found.\n' : `No ClusterClasses found in ${c.namespace} namespace.\n`);
    } else {
      io.out(printClassTable(list.items, { now: o.now ?? new Date(), allNamespaces: o.allNamespaces }));
    }
    return 0;
  } catch (e) {
    io.err(`error: ${oneLine(e)}\n`);
    return 1;
  } finally {
    client?.close();
  }
}

/** Run `class explain NAME` against the ClusterClass NAME on the plane; returns the exit code. */
export async function classExplainLive(name: string, path: string | undefined, o: ExplainOptions & PlaneOptions, io: CommandIO): Promise<number> {
  if (o.output !== undefined && !['text', 'yaml', 'json'].includes(o.output)) {
    io.err(`error: --output must be text, yaml or json, got ${JSON.stringify(o.output)}\n`);
    return 2;
  }
  let client: Client | undefined;
  let cc: ClusterClass;
  try {
    const c = await planeClient(o, 'slipway-class-explain');
    client = c.client;
    try {
      cc = await client.get<ClusterClass>(CLUSTER_CLASS_KIND, { namespace: c.namespace, name });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      io.err(`error: ClusterClass ${JSON.stringify(name)} not found in namespace ${JSON.stringify(c.namespace)} (to explain a file, give its path)\n`);
      return 1;
    }
  } catch (e) {
    io.err(`error: ${oneLine(e)}\n`);
    return 2;
  } finally {
    client?.close();
  }
  try {
    if (o.output === 'json') io.out(`${JSON.stringify(explainData(cc, path), null, 2)}\n`);
    else if (o.output === 'yaml') io.out(stringify(explainData(cc, path), { lineWidth: 0 }));
    else io.out(explainClass(cc, path, { recursive: o.recursive }));
  } catch (e) {
    if (e instanceof ExplainError) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return 0;
}


const EXAMPLES = `
Examples:
  # the default class on the management plane: every variable, or one of them
  slipway class explain slipway-default
  slipway class explain slipway-default podSecurityStandard

  # every variable of a class in a file, with type, default, enum, required, description and example
  slipway class explain tkg-vsphere-default.yaml

  # one variable and its fields, or a nested field
  slipway class explain tkg-vsphere-default.yaml proxy
  slipway class explain tkg-vsphere-default.yaml controlPlaneCertificateRotation.daysBefore

  # the whole tree
  slipway class explain tkg-vsphere-default.yaml --recursive

Exit status: 0 on success, 1 when the class, variable or field does not exist, 2 when the file cannot be read or
the plane cannot be reached.
`;

/** Run `class explain`; returns the exit code. */
export function classExplain(file: string, path: string | undefined, o: ExplainOptions, io: CommandIO): number {
  const fail = (message: string, code: number): number => {
    io.err(`error: ${message}\n`);
    return code;
  };
  if (o.output !== undefined && !['text', 'yaml', 'json'].includes(o.output)) return fail(`--output must be text, yaml or json, got ${JSON.stringify(o.output)}`, 2);
  let classes: ClusterClass[];
  try {
    const text = file === '-' ? io.stdin() : readFileSync(file, 'utf8');
    classes = parseDocuments(text, file === '-' ? '<stdin>' : file).filter(isClusterClass) as ClusterClass[];
  } catch (e) {
    if (e instanceof DocumentError) return fail(e.message, 2);
    const code = (e as { code?: string }).code;
    return fail(code === 'ENOENT' ? `${file}: no such file or directory` : `${file}: ${(e as Error).message}`, 2);
  }
  if (o.name) classes = classes.filter((c) => c.metadata?.name === o.name);
  if (classes.length === 0) return fail(`${file}: no ClusterClass${o.name ? ` named ${JSON.stringify(o.name)}` : ''} found`, 2);
  if (classes.length > 1) return fail(`${file}: ${classes.length} ClusterClasses found; choose one with --name`, 2);
  const cc = classes[0]!;
  try {
    if (o.output === 'json') io.out(`${JSON.stringify(explainData(cc, path), null, 2)}\n`);
    else if (o.output === 'yaml') io.out(stringify(explainData(cc, path), { lineWidth: 0 }));
    else io.out(explainClass(cc, path, { recursive: o.recursive }));
  } catch (e) {
    if (e instanceof ExplainError) return fail(e.message, 1);
    throw e;
  }
  return 0;
}

const LIST_EXAMPLES = `
Examples:
  # the classes in the kubeconfig context's namespace (default: default)
  slipway class list

  # every namespace, or the full objects
  slipway class list -A
  slipway class list -o yaml
`;

/** `slipway class list|explain`: the ClusterClasses of a plane, and their variables like `kubectl explain`. */
export function register(program: Command): void {
  const cls = program
    .command('class')
    .description('ClusterClass tools')
    .addHelpText('after', '\nExamples:\n  slipway class list\n  slipway class explain slipway-default imageRepository\n');
  const plane = (c: Command): Command =>
    c
      .option('-n, --namespace <namespace>', "the class's namespace (default: the kubeconfig context's namespace, else default)")
      .option('--kubeconfig <file>', 'kubeconfig of the management plane (default: $KUBECONFIG, else ~/.slipway/admin.kubeconfig)')
      .option('--context <name>', 'kubeconfig context to use (default: current-context)');
  plane(
    cls
      .command('list')
      .description('list the ClusterClasses: NAME, VARIABLES, WORKER CLASSES, AGE')
      .option('-A, --all-namespaces', 'list the classes of every namespace')
      .addOption(new Option('-o, --output <format>', 'yaml or json (default: a table)')),
  )
    .addHelpText('after', LIST_EXAMPLES)
    .action(async (o: ListOptions) => {
      process.exitCode = await classList(o, processIO);
    });
  plane(
    cls
      .command('explain')
      .description("describe a ClusterClass's variables: type, default, enum, required, description and example, nested")
      .argument('<class>', 'the name of a ClusterClass on the plane, or a YAML/JSON file with the ClusterClass (- for stdin)')
      .argument('[variable]', 'a variable, or a nested field as VARIABLE.FIELD.SUBFIELD')
      .option('--recursive', 'print every nested field')
      .option('--name <class>', 'the ClusterClass to explain when the file holds several')
      .addOption(new Option('-o, --output <format>', 'text, yaml or json').default('text')),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (target: string, variable: string | undefined, o: ExplainOptions & PlaneOptions) => {
      process.exitCode = isFileArgument(target) ? classExplain(target, variable, o, processIO) : await classExplainLive(target, variable, o, processIO);
    });
}
