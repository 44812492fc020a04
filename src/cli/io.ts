/** Where a command writes and what "-" reads; commands take one so that tests can capture output. */
import { readFileSync } from 'node:fs';

export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  stdin(): string;
}

/** The process's own streams. */
export const processIO: CommandIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  stdin: () => readFileSync(0, 'utf8'),
};
