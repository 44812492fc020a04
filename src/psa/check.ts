/** The shape of one Pod Security Standards check and the wording helpers the checks share. */
import type { PodView } from './pod.js';

/** Why a check refused a pod: upstream's ForbiddenReason and ForbiddenDetail. */
export interface CheckFailure {
  reason: string;
  detail: string;
}

/** Returns undefined when the pod passes. */
export type CheckFn = (pod: PodView) => CheckFailure | undefined;

export interface VersionedCheck {
  /** Minor version (of v1.N) from which this revision applies. */
  minVersion: number;
  check: CheckFn;
  /** Baseline check ids this (restricted) revision replaces while it is in force. */
  overrides?: readonly string[];
}

export interface CheckDef {
  /** Upstream check id, e.g. `capabilities_restricted`. */
  id: string;
  level: 'baseline' | 'restricted';
  /** Ascending by minVersion. */
  versions: readonly VersionedCheck[];
}

export function pluralize(singular: string, plural: string, n: number): string {
  return n === 1 ? singular : plural;
}

/** Go's %q for the strings that appear in check details. */
export function quote(s: string): string {
  return JSON.stringify(s);
}

/** `"a", "b"` */
export function joinQuote(items: readonly string[]): string {
  let out = '';
  for (let i = 0; i < items.length; i++) out += (i ? ', ' : '') + quote(items[i]!);
  return out;
}

/** `container "a"` / `containers "a", "b"` */
export function containers(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** Sorted distinct values (Go's sets.String List()). */
export function sortedSet(values: readonly string[]): string[] {
  if (values.length < 2) return values.slice();
  return [...new Set(values)].sort();
}
