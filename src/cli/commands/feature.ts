/**
 * `slipway feature list|activate|deactivate`: TKG's `tanzu feature` against the management plane's API (a kubeconfig
 * client). The plane enforces the stability policy at admission; the commands print its refusal in one line.
 */
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { findReference } from '../../api/core/feature-active.js';
import { effectiveActivation, policyOf, voidedWarning } from '../../api/core/policy.js';
import { DEFAULT_FEATURE_GATE, FEATURE_GATE_KIND, FEATURE_KIND, type Feature, type FeatureGate, type Stability } from '../../api/core/types.js';
import { ConflictError, ForbiddenError, InvalidError, isNotFound, kubeconfigClient, type Client } from '../../client/index.js';
import { processIO, type CommandIO } from '../io.js';
import { managementKubeconfig, type ConnectOptions } from './cluster.js';

export type FeatureConnectOptions = Omit<ConnectOptions, 'namespace'>;

export interface FeatureListOptions extends FeatureConnectOptions {
  output?: 'table' | 'yaml' | 'json';
  /** Only activated / only deactivated features. */
  activated?: boolean;
  deactivated?: boolean;
  /** Also list Work In Progress and Experimental features (always listed when activated or voided). */
  includeExperimental?: boolean;
  /** Only features gated by this FeatureGate. */
  featuregate?: string;
  /** Add DESCRIPTION and IMMUTABLE columns. */
  extended?: boolean;
}

export interface FeatureActivateOptions extends FeatureConnectOptions {
  permanentlyVoidAllSupportGuarantees?: boolean;
  /** The gate to add the feature to when no gate lists it yet (default slipway-system). */
  featuregate?: string;
}

/** One row of `feature list` (also the yaml/json item). */
export interface FeatureRow {
  name: string;
  activated: boolean;
  stability: Stability | '';
  description: string;
  featureGate: string;
  immutable: boolean;
  supportGuaranteesVoided: boolean;
}

/** Exit status of a write the plane's policy refused. */
export const EXIT_REFUSED = 2;

class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

async function connect(o: FeatureConnectOptions, userAgent: string): Promise<Client> {
  return kubeconfigClient(managementKubeconfig(o.kubeconfig), { context: o.context, userAgent });
}

async function readAll(client: Client): Promise<{ features: Feature[]; gates: FeatureGate[] }> {
  const features = (await client.list<Feature>(FEATURE_KIND)).items;
  const gates = (await client.list<FeatureGate>(FEATURE_GATE_KIND)).items;
  return { features, gates };
}

function voidedNames(gates: readonly FeatureGate[]): string[] {
  const names = new Set<string>();
  for (const g of gates) {
    for (const r of g.spec?.features ?? []) if (r.permanentlyVoidAllSupportGuarantees) names.add(r.name);
    for (const n of g.status?.voidedFeatures ?? []) names.add(n);
  }
  return [...names].sort();
}

/** The rows `feature list` shows, filtered as TKG's plugin filters them. */
export function featureRows(features: readonly Feature[], gates: readonly FeatureGate[], o: Pick<FeatureListOptions, 'activated' | 'deactivated' | 'includeExperimental' | 'featuregate'> = {}): FeatureRow[] {
  const voided = new Set(voidedNames(gates));
  const rows: FeatureRow[] = features.map((f) => {
    const name = f.metadata?.name ?? '';
    const found = findReference(gates, name);
    return {
      name,
      activated: effectiveActivation(name, f.spec.stability, found?.ref),
      stability: f.spec.stability,
      description: f.spec.description,
      featureGate: found?.gate.metadata?.name ?? '--',
      immutable: policyOf(f.spec.stability).immutable,
      supportGuaranteesVoided: voided.has(name),
    };
  });
  return rows
    .filter((r) => {
      const p = r.stability ? policyOf(r.stability) : undefined;
      const hidden = !p?.discoverable || r.stability === 'Experimental';
      if (hidden && !o.includeExperimental && !r.activated && !r.supportGuaranteesVoided) return false;
      if (o.featuregate && r.featureGate !== o.featuregate) return false;
      if (o.activated && !o.deactivated && !r.activated) return false;
      if (o.deactivated && !o.activated && r.activated) return false;
      return true;
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function failWith(io: CommandIO, e: unknown): number {
  const text = e instanceof Error ? e.message : String(e);
  io.err(`error: ${text.split('\n')[0]}\n`);
  if (e instanceof CommandError) return e.exitCode;
  if (e instanceof InvalidError || e instanceof ForbiddenError) return EXIT_REFUSED;
  return 1;
}

/** Run `feature list`; returns the exit code. */
export async function featureList(o: FeatureListOptions, io: CommandIO): Promise<number> {
  let client: Client | undefined;
  try {
    client = await connect(o, 'slipway-feature-list');
    const { features, gates } = await readAll(client);
    const rows = featureRows(features, gates, o);
    const output = o.output ?? 'table';
    if (output === 'json') io.out(`${JSON.stringify(rows, null, 2)}\n`);
    else if (output === 'yaml') io.out(stringify(rows, { lineWidth: 0 }));
    else if (!rows.length) io.err('No features found.\n');
    else {
      const header = ['NAME', 'ACTIVATION STATE', 'STABILITY', 'FEATUREGATE', ...(o.extended ? ['IMMUTABLE', 'DESCRIPTION'] : [])];
      const cells = rows.map((r) => [
        r.name + (r.supportGuaranteesVoided ? ' (support voided)' : ''),
        r.activated ? 'activated' : 'deactivated',
        r.stability,
        r.featureGate,
        ...(o.extended ? [String(r.immutable), r.description] : []),
      ]);
      io.out(table(header, cells));
    }
    const voided = voidedNames(gates);
    if (voided.length) io.err(`WARNING: ${voidedWarning(voided)}\n`);
    return 0;
  } catch (e) {
    return failWith(io, e);
  } finally {
    client?.close();
  }
}

/** Sets the activation intent of one feature in its gate; returns the exit code. */
export async function featureSetActivation(name: string, activate: boolean, o: FeatureActivateOptions, io: CommandIO): Promise<number> {
  let client: Client | undefined;
  const verb = activate ? 'activate' : 'deactivate';
  try {
    client = await connect(o, `slipway-feature-${verb}`);
    let feature: Feature;
    try {
      feature = await client.get<Feature>(FEATURE_KIND, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const known = (await client.list<Feature>(FEATURE_KIND)).items.map((f) => f.metadata?.name ?? '').sort();
      throw new CommandError(`feature ${name} does not exist (features: ${known.join(', ') || 'none'})`, 1);
    }
    for (let attempt = 0; ; attempt++) {
      const gates = (await client.list<FeatureGate>(FEATURE_GATE_KIND)).items;
      const found = findReference(gates, name);
      const gateName = found?.gate.metadata?.name ?? o.featuregate ?? DEFAULT_FEATURE_GATE;
      const gate = found?.gate ?? gates.find((g) => g.metadata?.name === gateName);
      if (!gate) throw new CommandError(`FeatureGate ${gateName} does not exist`, 1);
      const entries = [...(gate.spec?.features ?? [])];
      const i = entries.findIndex((r) => r.name === name);
      const before = i >= 0 ? entries[i]! : { name };
      const next = { ...before, activate, ...(o.permanentlyVoidAllSupportGuarantees ? { permanentlyVoidAllSupportGuarantees: true } : {}) };
      if (i >= 0) entries[i] = next;
      else entries.push(next);
      try {
        await client.update<FeatureGate>({ ...gate, spec: { ...gate.spec, features: entries } });
        break;
      } catch (e) {
        if (e instanceof ConflictError && attempt < 4) continue;
        if (e instanceof InvalidError && /set permanentlyVoidAllSupportGuarantees: true/.test(e.message)) {
          throw new CommandError(`${e.message.split('\n')[0]} (with slipway: --permanently-void-all-support-guarantees)`, EXIT_REFUSED);
        }
        throw e;
      }
    }
    const state = activate ? 'activated' : 'deactivated';
    io.out(`Feature ${name} ${state} (${feature.spec.stability})\n`);
    if (activate && o.permanentlyVoidAllSupportGuarantees) io.err(`WARNING: ${voidedWarning([name])}\n`);
    return 0;
  } catch (e) {
    return failWith(io, e);
  } finally {
    client?.close();
  }
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig of the management plane (default: $KUBECONFIG, else ~/.slipway/admin.kubeconfig)')
    .option('--context <name>', 'kubeconfig context to use (default: current-context)');
}

const POLICY_HELP = `
Stability levels and their policy (TKG 2.1's):
  Work In Progress, Experimental  deactivated by default; activating needs
                                  --permanently-void-all-support-guarantees, which can never be undone
  Technical Preview               deactivated by default; may be activated and deactivated freely
  Stable                          always activated; cannot be deactivated
  Deprecated                      activated by default; may be deactivated

Exit status: 0 on success, 1 when the feature or gate does not exist or the API cannot be reached,
2 when the plane's policy refuses the change.
`;

/** \`slipway feature list|activate|deactivate\`. */
export function register(program: Command): void {
  const feature = program
    .command('feature')
    .description('list, activate and deactivate feature gates of the management plane')
    .addHelpText('after', POLICY_HELP);

  connectionOptions(feature.command('list').description('list features, their activation state and stability'))
    .option('-a, --activated', 'only activated features')
    .option('-d, --deactivated', 'only deactivated features')
    .option('-x, --include-experimental', 'also list Work In Progress and Experimental features')
    .option('-f, --featuregate <name>', 'only features gated by this FeatureGate')
    .option('-e, --extended', 'add IMMUTABLE and DESCRIPTION columns')
    .addOption(new Option('-o, --output <format>', 'table, yaml or json').choices(['table', 'yaml', 'json']).default('table'))
    .addHelpText('after', '\nExamples:\n  slipway feature list\n  slipway feature list -x -e\n  slipway feature list --activated -o yaml\n' + POLICY_HELP)
    .action(async (o: FeatureListOptions) => {
      process.exitCode = await featureList(o, processIO);
    });

  connectionOptions(feature.command('activate').description('activate a feature').argument('<name>', 'the Feature'))
    .option('--permanently-void-all-support-guarantees', 'agree to permanently void all support guarantees (needed for Work In Progress and Experimental features)')
    .option('-f, --featuregate <name>', `gate to add the feature to when no gate lists it (default ${DEFAULT_FEATURE_GATE})`)
    .addHelpText('after', '\nExamples:\n  slipway feature activate windows-workers\n  slipway feature activate kube-vip-load-balancer --permanently-void-all-support-guarantees\n' + POLICY_HELP)
    .action(async (name: string, o: FeatureActivateOptions) => {
      process.exitCode = await featureSetActivation(name, true, o, processIO);
    });

  connectionOptions(feature.command('deactivate').description('deactivate a feature').argument('<name>', 'the Feature'))
    .option('-f, --featuregate <name>', `gate to add the feature to when no gate lists it (default ${DEFAULT_FEATURE_GATE})`)
    .addHelpText('after', '\nExample:\n  slipway feature deactivate windows-workers\n' + POLICY_HELP)
    .action(async (name: string, o: FeatureActivateOptions) => {
      process.exitCode = await featureSetActivation(name, false, o, processIO);
    });
}
