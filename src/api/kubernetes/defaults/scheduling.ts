/** Defaults of scheduling.k8s.io/v1 PriorityClass. */
import { defaultValue, type Obj } from './fields.js';

export function defaultPriorityClass(priorityClass: Obj): void {
  defaultValue(priorityClass, 'preemptionPolicy', 'PreemptLowerPriority');
}
