import type { Command } from 'commander';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { formatLevelVersion, parseVersion, PsaParseError, type LevelVersion } from '../../psa/api.js';
import { violationMessage } from '../../psa/evaluator.js';
import { evaluateObject, MalformedObjectError, type ObjectReport } from '../../psa/manifest.js';
import { isMap } from '../../psa/pod.js';
import { processIO, type CommandIO } from '../io.js';

/** Exit codes of `slipway psa check`. */
export const EXIT_OK = 0;
export const EXIT_VIOLATIONS = 1;
export const EXIT_UNREADABLE = 2;

export interface CheckOptions {
  filename?: string[];
  level: string;
  version: string;
  output: string;
}


interface SourceObject {
  file: string;
  line: number;
  obj: Record<string, unknown>;
}

class InputError extends Error {}

const EXAMPLES = `
Examples:
  # every Pod and workload template in a directory, against restricted:latest
  slipway psa check -f manifests/

  # a Helm rendering against baseline as of Kubernetes 1.30, as JSON Lines
  helm template web ./chart | slipway psa check -f - --level baseline --version v1.30 -o json

Exit status: 0 when no object violates the level, 1 when any does, 2 when input cannot be read.
`;

/** `slipway psa check`: evaluate manifests against a Pod Security Standards level. */
export function register(program: Command): void {
  const psa = program
    .command('psa')
    .description('Pod Security Standards (Pod Security Admission) tools')
    .addHelpText('after', '\nExample:\n  slipway psa check -f deploy.yaml --level restricted\n');
  psa
    .command('check')
    .description('evaluate every Pod and workload pod template in YAML/JSON manifests against a Pod Security Standards level')
    .option('-f, --filename <path>', 'a file, a directory (searched for *.yaml, *.yml, *.json) or - for stdin; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--level <level>', 'baseline or restricted', 'restricted')
    .option('--version <version>', 'policy version: v1.N or latest', 'latest')
    .option('-o, --output <format>', 'text (one line per violating object) or json (JSON Lines, one per evaluated object)', 'text')
    .addHelpText('after', EXAMPLES)
    .action((o: CheckOptions) => {
      process.exitCode = psaCheck(o, processIO);
    });
}

/** Run `psa check`; returns the exit code. */
export function psaCheck(o: CheckOptions, io: CommandIO): number {
  const fail = (message: string): number => {
    io.err(`error: ${message}\n`);
    return EXIT_UNREADABLE;
  };
  if (!o.filename?.length) return fail('-f/--filename is required: a file, a directory or - for stdin');
  if (o.level !== 'baseline' && o.level !== 'restricted') return fail(`--level must be baseline or restricted, got ${JSON.stringify(o.level)}`);
  let lv: LevelVersion;
  try {
    lv = { level: o.level, version: parseVersion(o.version) };
  } catch (e) {
    if (e instanceof PsaParseError) return fail(`--version ${e.message}, got ${JSON.stringify(o.version)}`);
    throw e;
  }
  if (o.output !== 'text' && o.output !== 'json') return fail(`-o/--output must be text or json, got ${JSON.stringify(o.output)}`);

  const objects: SourceObject[] = [];
  const problems: string[] = [];
  for (const path of o.filename) {
    try {
      for (const file of inputFiles(path)) readObjects(file, readText(file, io), problems, objects);
    } catch (e) {
      if (e instanceof InputError) problems.push(e.message);
      else throw e;
    }
  }
  const reports: { src: SourceObject; report: ObjectReport }[] = [];
  for (const src of objects) {
    try {
      const report = evaluateObject(src.obj, lv);
      if (report) reports.push({ src, report });
    } catch (e) {
      if (!(e instanceof MalformedObjectError)) throw e;
      problems.push(`${src.file}:${src.line}: ${String(src.obj.kind)} ${describeName(src.obj)}: ${e.message}`);
    }
  }
  if (problems.length) {
    for (const p of problems) io.err(`error: ${p}\n`);
    return EXIT_UNREADABLE;
  }

  let violating = 0;
  for (const { src, report } of reports) {
    if (!report.allowed) violating++;
    if (o.output === 'json') {
      io.out(
        JSON.stringify({
          file: src.file,
          kind: report.kind,
          namespace: report.namespace,
          name: report.name,
          allowed: report.allowed,
          violations: report.violations.map((v) => ({ check: v.check, reason: v.reason, detail: v.detail })),
        }) + '\n',
      );
    } else if (!report.allowed) {
      const who = report.namespace ? `${report.namespace}/${report.name}` : report.name;
      io.out(`${src.file}:${src.line}: ${report.kind} ${who}: ${violationMessage(lv, report.violations)}\n`);
    }
  }
  if (o.output === 'text') {
    const n = reports.length;
    io.err(
      n === 0
        ? 'no Pods or workload pod templates found\n'
        : `${n} ${n === 1 ? 'object' : 'objects'} checked against ${formatLevelVersion(lv)}: ${violating === 0 ? 'none violates' : `${violating} ${violating === 1 ? 'violates' : 'violate'}`}\n`,
    );
  }
  return violating ? EXIT_VIOLATIONS : EXIT_OK;
}

function describeName(obj: Record<string, unknown>): string {
  const m = isMap(obj.metadata) ? obj.metadata : {};
  const name = typeof m.name === 'string' ? m.name : '';
  return typeof m.namespace === 'string' && m.namespace ? `${m.namespace}/${name}` : name;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** The files to read for one -f argument ("-" is stdin). */
function inputFiles(path: string): string[] {
  if (path === '-') return ['-'];
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (MANIFEST_EXT.test(entry.name)) out.push(p);
    }
  };
  walk(path);
  return out;
}

function readText(file: string, io: CommandIO): string {
  try {
    return file === '-' ? io.stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
}

/** Parse every YAML document of a file into objects (List items expanded), noting problems. */
function readObjects(file: string, text: string, problems: string[], out: SourceObject[]): void {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc });
  // parseAllDocuments returns an empty-stream marker (not an array) for input without documents.
  const docs = Array.isArray(parsed) ? parsed : [];
  const name = file;
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lc.linePos(offset).line);
  for (const doc of docs) {
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      problems.push(`${name}:${e.linePos?.[0]?.line ?? lineOf(e.pos[0])}: invalid YAML: ${e.message.split('\n')[0]!.replace(/:$/, '')}`);
      continue;
    }
    const node = doc.contents as YamlNode | null;
    if (node === null) continue;
    let value: unknown;
    const line = lineOf(node.range?.[0]);
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problems.push(`${name}:${line}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!isMap(value)) {
      problems.push(`${name}:${line}: not a Kubernetes object (expected a mapping with apiVersion and kind)`);
      continue;
    }
    addObject(name, line, value, node, lineOf, problems, out);
  }
}

function addObject(file: string, line: number, value: Record<string, unknown>, node: YamlNode | null, lineOf: (o: number | undefined) => number, problems: string[], out: SourceObject[]): void {
  if (typeof value.kind !== 'string' || !value.kind) {
    problems.push(`${file}:${line}: object has no kind`);
    return;
  }
  if (typeof value.apiVersion !== 'string' || !value.apiVersion) {
    problems.push(`${file}:${line}: ${value.kind} has no apiVersion`);
    return;
  }
  if (value.kind.endsWith('List') && Array.isArray(value.items)) {
    const itemNodes = listItemNodes(node);
    value.items.forEach((item, i) => {
      const itemLine = lineOf(itemNodes[i]?.range?.[0]) || line;
      if (!isMap(item)) problems.push(`${file}:${itemLine}: items[${i}] is not a Kubernetes object`);
      else addObject(file, itemLine, item, itemNodes[i] ?? null, lineOf, problems, out);
    });
    return;
  }
  out.push({ file, line, obj: value });
}

/** The YAML nodes of `items` in a List document, for line numbers. */
function listItemNodes(node: YamlNode | null): (YamlNode | undefined)[] {
  const n = node as unknown as { get?: (k: string, keepScalar?: boolean) => unknown } | null;
  const items = n?.get?.('items', true) as { items?: unknown[] } | undefined;
  return (items?.items ?? []) as (YamlNode | undefined)[];
}
