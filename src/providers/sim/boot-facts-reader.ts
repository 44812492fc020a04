/** Bootstrap data (cloud-config or Ignition) → the facts a sim machine shows when it boots. */
import type { BootFacts } from './boot-facts.js';

export function readBootFacts(value: string, format?: string): BootFacts {
  void value;
  void format;
  throw new Error('the bootstrap reader is not wired yet');
}
