import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { DocumentError, parseDocuments } from '../../topology/documents.js';
import { ExplainError, explainClass, explainData, isClusterClass, type ClusterClass } from '../../topology/index.js';
import { processIO, type CommandIO } from '../io.js';

export interface ExplainOptions {
  recursive?: boolean;
  output?: string;
  name?: string;
}


const EXAMPLES = `
Examples:
  # every variable of the class, with type, default, enum, required, description and example
  slipway class explain tkg-vsphere-default.yaml

  # one variable and its fields, or a nested field
  slipway class explain tkg-vsphere-default.yaml proxy
  slipway class explain tkg-vsphere-default.yaml controlPlaneCertificateRotation.daysBefore

  # the whole tree
  slipway class explain tkg-vsphere-default.yaml --recursive

Exit status: 0 on success, 1 when the variable or field does not exist, 2 when the file cannot be read.
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

/** `slipway class explain`: document a ClusterClass's variables like `kubectl explain`. */
export function register(program: Command): void {
  const cls = program
    .command('class')
    .description('ClusterClass tools')
    .addHelpText('after', '\nExample:\n  slipway class explain quick-start.yaml imageRepository\n');
  cls
    .command('explain')
    .description("describe a ClusterClass's variables: type, default, enum, required, description and example, nested")
    .argument('<file>', 'YAML/JSON file with the ClusterClass (- for stdin)')
    .argument('[variable]', 'a variable, or a nested field as VARIABLE.FIELD.SUBFIELD')
    .option('--recursive', 'print every nested field')
    .option('--name <class>', 'the ClusterClass to explain when the file holds several')
    .addOption(new Option('-o, --output <format>', 'text, yaml or json').default('text'))
    .addHelpText('after', EXAMPLES)
    .action((file: string, variable: string | undefined, o: ExplainOptions) => {
      process.exitCode = classExplain(file, variable, o, processIO);
    });
}
