/** What every `slipway cluster` command shares about its result: exit codes, one-line errors, printed objects. */
import { stringify } from 'yaml';

export const EXIT_OK = 0;
/** The API refused, something does not exist, or a wait timed out. */
export const EXIT_FAILED = 1;
/** Bad flags or input: nothing was sent. */
export const EXIT_USAGE = 2;

/** The first line of an error (the API's message names the field). */
export function errorLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!;
}

/** An object as YAML or JSON, as kubectl -o prints it. */
export function printObject(obj: unknown, output: string): string {
  return output === 'json' ? `${JSON.stringify(obj, null, 2)}\n` : stringify(obj, { lineWidth: 0 });
}
