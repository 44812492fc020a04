/** metav1.LabelSelector helpers for controllers that select objects by label (MachineSets, MachineDeployments). */
import { labelSelectorFromObject, labelSelectorIsEmpty, labelSelectorToString, matchesLabels, type LabelSelector, type LabelSelectorObject } from '../../apimachinery/selectors.js';

/** A selector as text (status.selector, what the scale subresource reports); '' when it cannot be parsed. */
export function selectorText(selector: LabelSelectorObject | undefined): string {
  try {
    return labelSelectorToString(labelSelectorFromObject(selector ?? {}));
  } catch {
    return '';
  }
}

/**
 * The parsed selector, or undefined when it is invalid or empty: a controller's selector that selects nothing
 * explicitly must match nothing, not everything (as upstream's controllers treat an empty selector).
 */
export function nonEmptySelector(selector: LabelSelectorObject | undefined): LabelSelector | undefined {
  try {
    const parsed = labelSelectorFromObject(selector ?? {});
    return labelSelectorIsEmpty(parsed) ? undefined : parsed;
  } catch {
    return undefined;
  }
}

/** Whether labels match a selector object (false for an invalid or empty selector). */
export function selectorMatches(selector: LabelSelectorObject | undefined, labels: Record<string, string> | undefined): boolean {
  const parsed = nonEmptySelector(selector);
  return !!parsed && matchesLabels(parsed, labels);
}
