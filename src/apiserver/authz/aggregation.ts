/**
 * ClusterRole aggregation, as upstream's clusterrole-aggregation controller computes it: the rules of an
 * aggregated ClusterRole are the rules of every other ClusterRole its clusterRoleSelectors select, selector
 * by selector, roles in name order, each rule once (first occurrence kept).
 */
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../../apimachinery/selectors.js';
import { cleanRule, ruleEquals, rulesEqual, type PolicyRule, type RoleObject } from './rules.js';

function nameOf(r: RoleObject): string {
  const n = r.metadata?.name;
  return typeof n === 'string' ? n : '';
}

/** Whether this ClusterRole's rules are written by aggregation (it has an aggregationRule at all). */
export function isAggregated(role: RoleObject): boolean {
  return role.aggregationRule !== undefined && role.aggregationRule !== null;
}

/**
 * The rules `clusterRole` aggregates from `allClusterRoles` (which may include itself; it is skipped).
 * Throws the selector's 400 error for an invalid selector, as the controller fails that sync.
 */
export function aggregatedRules(clusterRole: RoleObject, allClusterRoles: readonly RoleObject[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const self = nameOf(clusterRole);
  const selectors = clusterRole.aggregationRule?.clusterRoleSelectors ?? [];
  const sorted = [...allClusterRoles].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  for (const s of selectors) {
    const sel = labelSelectorFromObject(s as LabelSelectorObject);
    for (const role of sorted) {
      if (nameOf(role) === self) continue;
      if (!matchesLabels(sel, role.metadata?.labels ?? {})) continue;
      for (const rule of role.rules ?? []) {
        if (!out.some((r) => ruleEquals(r, rule))) out.push(cleanRule(rule));
      }
    }
  }
  return out;
}

/**
 * Aggregation of a whole set to its fixed point (aggregated roles that select other aggregated roles, as
 * admin selects edit and edit selects view): the new rules of every aggregated ClusterRole whose rules
 * change, by name. Roles are not modified.
 */
export function aggregateAll(allClusterRoles: readonly RoleObject[]): Map<string, PolicyRule[]> {
  const current = new Map<string, RoleObject>();
  for (const r of allClusterRoles) current.set(nameOf(r), r);
  const changed = new Map<string, PolicyRule[]>();
  // Each pass settles at least one more level of nesting; a cycle cannot grow forever since rules only come from a finite set.
  for (let pass = 0; pass <= allClusterRoles.length; pass++) {
    let any = false;
    const snapshot = [...current.values()];
    for (const role of snapshot) {
      if (!isAggregated(role)) continue;
      const rules = aggregatedRules(role, snapshot);
      if (rulesEqual(rules, role.rules)) continue;
      current.set(nameOf(role), { ...role, rules });
      changed.set(nameOf(role), rules);
      any = true;
    }
    if (!any) break;
  }
  return changed;
}
