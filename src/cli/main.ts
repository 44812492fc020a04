/** The `slipway` command. */
import { Command } from 'commander';
import { registerAll } from './commands/index.js';
import { VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('slipway')
    .description('Slipway: Kubernetes cluster lifecycle on a Kubernetes-compatible management plane')
    .version(VERSION, '--version', 'print the Slipway version')
    .showHelpAfterError()
    .enablePositionalOptions();
  registerAll(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
