/**
 * spec.successPolicy of an Indexed Job (upstream matchSuccessPolicy): the first rule met declares success — a rule with
 * succeededIndexes is met when all of those indexes succeeded, or at least succeededCount of them; a rule with only
 * succeededCount when that many indexes succeeded. Pure.
 */
import { parseIndexes } from './indexes.js';

export interface SuccessPolicy {
  rules?: { succeededIndexes?: string | null; succeededCount?: number | null }[];
}

export const REASON_SUCCESS_POLICY = 'SuccessPolicy';

/** The SuccessCriteriaMet message when a rule is met ("Matched rules at index N"), else undefined. */
export function matchSuccessPolicy(policy: SuccessPolicy | undefined | null, completions: number, succeeded: ReadonlySet<number>): string | undefined {
  if (!policy || succeeded.size === 0) return undefined;
  for (const [i, rule] of (policy.rules ?? []).entries()) {
    const count = rule.succeededCount ?? undefined;
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const required = parseIndexes(rule.succeededIndexes, completions);
      if (required.size === 0) continue;
      let contains = 0;
      for (const idx of required) if (succeeded.has(idx)) contains++;
      if (contains === required.size || (count !== undefined && contains >= count)) return `Matched rules at index ${i}`;
    } else if (count !== undefined && succeeded.size >= count) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
