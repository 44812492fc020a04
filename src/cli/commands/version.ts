import type { Command } from 'commander';
import { VERSION } from '../version.js';

/** `slipway version`. */
export function register(program: Command): void {
  program
    .command('version')
    .description('print the Slipway version')
    .action(() => {
      process.stdout.write(`slipway ${VERSION}\n`);
    });
}
