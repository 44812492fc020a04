/**
 * "Does rule set A grant everything rule set B grants?" as upstream's validation.Covers answers it (the
 * escalation check's core), and CompactRules, which merges the uncovered pieces for the error message.
 */
import { API_GROUP_ALL, RESOURCE_ALL, VERB_ALL, trimRightStars, type PolicyRule } from './rules.js';

/** Split a rule into rules of one group, resource, verb and resource name (or one URL and verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const names = rule.resourceNames ?? [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (names.length > 0) {
          for (const n of names) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [n] });
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return out;
}

function has(list: readonly string[] | undefined, s: string): boolean {
  return !!list && list.includes(s);
}

function hasAll(set: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  const owned = new Set(set ?? []);
  for (const w of wanted) if (!owned.has(w)) return false;
  return true;
}

/** An owner's resources cover the wanted ones: "*", exact names, or a star-slash-sub form for "res/sub". */
function resourcesCoverAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  if (has(owner, RESOURCE_ALL) || hasAll(owner, wanted)) return true;
  for (const path of wanted ?? []) {
    if (has(owner, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    if (!has(owner, '*/' + path.slice(slash + 1))) return false;
  }
  return true;
}

export function nonResourceURLCovers(owner: string, wanted: string): boolean {
  if (owner === wanted) return true;
  return owner.endsWith('*') && wanted.startsWith(trimRightStars(owner));
}

function nonResourceURLsCoverAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  for (const path of wanted ?? []) {
    let covered = false;
    for (const o of owner ?? []) {
      if (nonResourceURLCovers(o, path)) {
        covered = true;
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

/** Whether one owner rule covers a broken-down rule (at most one verb, resource and name). */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, VERB_ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, API_GROUP_ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourcesCoverAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoverAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const ownerNames = owner.resourceNames ?? [];
  const subNames = sub.resourceNames ?? [];
  const names = subNames.length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, subNames);
  return verbs && groups && resources && names && urls;
}

/** validation.Covers: whether `owner` grants all of `servant`, and the broken-down rules it does not. */
export function covers(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): { covered: boolean; uncovered: PolicyRule[] } {
  const uncovered: PolicyRule[] = [];
  for (const rule of servant) {
    for (const sub of breakdownRule(rule)) {
      let ok = false;
      for (const o of owner) {
        if (ruleCovers(o, sub)) {
          ok = true;
          break;
        }
      }
      if (!ok) uncovered.push(sub);
    }
  }
  return { covered: uncovered.length === 0, uncovered };
}

/**
 * validation.CompactRules: rules of one group, one resource, at most one resource name and nothing else
 * are merged per (group, resource, name) by appending their verbs; other rules pass through.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = simpleKey(r);
    if (key === undefined) {
      out.push(r);
      continue;
    }
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...(r.verbs ?? [])];
    else {
      const copy: PolicyRule = { apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...(r.verbs ?? [])] };
      if (r.resourceNames && r.resourceNames.length) copy.resourceNames = [...r.resourceNames];
      simple.set(key, copy);
    }
  }
  for (const r of simple.values()) out.push(r);
  return out;
}

function simpleKey(r: PolicyRule): string | undefined {
  if (r.nonResourceURLs && r.nonResourceURLs.length) return undefined;
  if ((r.apiGroups ?? []).length !== 1 || (r.resources ?? []).length !== 1) return undefined;
  const names = r.resourceNames ?? [];
  if (names.length > 1) return undefined;
  return JSON.stringify([r.apiGroups![0], r.resources![0], names.length === 1, names[0] ?? '']);
}
