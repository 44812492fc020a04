import { Option, type Command } from 'commander';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../apimachinery/types.js';
import { DocumentError, parseDocuments } from '../../topology/documents.js';
import { diffObjects, LABELS, planTopology, seededRandom } from '../../topology/index.js';
import { processIO, type CommandIO } from '../io.js';

/** Exit codes of `slipway topology plan`. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_UNREADABLE = 2;

export interface PlanCommandOptions {
  filename?: string[];
  output: string;
  current?: string[];
  seed?: string;
}


const EXAMPLES = `
Examples:
  # render every Cluster in the file (ClusterClass, its templates and Clusters together)
  slipway topology plan -f quick-start.yaml -f clusters.yaml

  # the same as one JSON List, with reproducible names
  slipway topology plan -f class.yaml -f clusters.yaml -o json --seed 1

  # what would change for objects that exist today
  kubectl get clusters,kubeadmcontrolplanes,machinedeployments,dockermachinetemplates -o yaml > current.yaml
  slipway topology plan -f class.yaml -f clusters.yaml --current current.yaml -o diff

Exit status: 0 when every Cluster renders, 1 when any object is invalid (one line per problem, naming the object
and field path), 2 when input cannot be read.
`;

/** Read YAML/JSON documents from files, directories (*.yaml, *.yml, *.json) or - (stdin). */
export function readDocuments(paths: string[], io: CommandIO): KubeObject[] {
  const out: KubeObject[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(...parseDocuments(io.stdin(), '<stdin>'));
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new DocumentError(`${p}: no such file or directory`);
    }
    const files = st.isDirectory()
      ? readdirSync(p)
          .filter((f) => /\.(ya?ml|json)$/.test(f))
          .sort()
          .map((f) => join(p, f))
      : [p];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (e) {
        throw new DocumentError(`${f}: ${(e as Error).message}`);
      }
      out.push(...parseDocuments(text, f));
    }
  }
  return out;
}

/** Run `topology plan`; returns the exit code. */
export function topologyPlan(o: PlanCommandOptions, io: CommandIO): number {
  const fail = (message: string, code = EXIT_UNREADABLE): number => {
    io.err(`error: ${message}\n`);
    return code;
  };
  if (!o.filename?.length) return fail('-f/--filename is required: the ClusterClass, its templates and the Clusters');
  if (!['yaml', 'json', 'diff'].includes(o.output)) return fail(`--output must be yaml, json or diff, got ${JSON.stringify(o.output)}`);
  if (o.output === 'diff' && !o.current?.length) return fail('-o diff needs --current FILE: the objects that exist today');
  let seed: number | undefined;
  if (o.seed !== undefined) {
    if (!/^\d+$/.test(o.seed)) return fail(`--seed must be a non-negative integer, got ${JSON.stringify(o.seed)}`);
    seed = Number(o.seed);
  }
  let documents: KubeObject[];
  let current: KubeObject[] | undefined;
  try {
    documents = readDocuments(o.filename, io);
    if (o.current?.length) current = readDocuments(o.current, io);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const result = planTopology(documents, { current, random: seed === undefined ? undefined : seededRandom(seed) });
  if (result.errors.length > 0) {
    for (const line of result.errors) io.err(`${line}\n`);
    return EXIT_INVALID;
  }
  const objects = result.clusters.flatMap((c) => c.objects);
  if (o.output === 'json') io.out(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
  else if (o.output === 'yaml') io.out(objects.map((x) => stringify(x, { lineWidth: 0, version: '1.1' })).join('---\n'));
  else {
    const names = new Set(result.clusters.map((c) => `${c.cluster.metadata?.namespace ?? 'default'}/${c.cluster.metadata?.name ?? ''}`));
    const owned = (x: KubeObject) => names.has(`${x.metadata?.namespace ?? 'default'}/${x.metadata?.labels?.[LABELS.clusterName] ?? ''}`) && x.metadata?.labels?.[LABELS.topologyOwned] !== undefined;
    io.out(diffObjects(current ?? [], objects, owned));
  }
  return EXIT_OK;
}

/** `slipway topology plan`: render managed topologies offline, with variable defaulting and validation. */
export function register(program: Command): void {
  const topology = program
    .command('topology')
    .description('ClusterClass managed topologies: render Clusters offline')
    .addHelpText('after', '\nExample:\n  slipway topology plan -f class.yaml -f clusters.yaml\n');
  topology
    .command('plan')
    .description('validate and default the variables of every Cluster, run the ClusterClass patches and print the objects the topology controller would create')
    .option('-f, --filename <path>', 'ClusterClass, templates and Clusters: a file, a directory or - for stdin; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('-o, --output <format>', 'yaml (documents), json (one List) or diff (against --current)').default('yaml'))
    .option('--current <path>', 'objects that exist today (names are reused, versions orchestrated, templates rotated); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--seed <n>', 'seed for the random name suffixes, for reproducible output')
    .addHelpText('after', EXAMPLES)
    .action((o: PlanCommandOptions) => {
      process.exitCode = topologyPlan(o, processIO);
    });
}
