/** The message of a thrown value, for conditions, events and logs. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
