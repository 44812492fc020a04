/**
 * Table printers for policy/v1 PodDisruptionBudget, scheduling.k8s.io/v1 PriorityClass and autoscaling/v2
 * HorizontalPodAutoscaler, as kube-apiserver's (printPodDisruptionBudget, printPriorityClass,
 * printHorizontalPodAutoscaler with formatHPAMetrics).
 */
import type { KubeObject } from '../apimachinery/types.js';
import { ageColumn, col, created, get, int, intOrString, nameColumn, nameOf, records, s, type TableCell, type TablePrinter } from './table-cells.js';
import { FIELD_DOCS } from './table-field-docs.js';
import { hpaV1ToV2 } from './hpa-conversion.js';
import { formatQuantity } from './table-quantity.js';

function podDisruptionBudgetCells(o: KubeObject, now: Date): TableCell[] {
  const bound = (k: string): string => {
    const v = get(o, 'spec', k);
    return v === undefined || v === null ? 'N/A' : intOrString(v);
  };
  return [nameOf(o), bound('minAvailable'), bound('maxUnavailable'), int(get(o, 'status', 'disruptionsAllowed')), created(o, now)];
}

function priorityClassCells(o: KubeObject, now: Date): TableCell[] {
  return [nameOf(o), int(o['value']), o['globalDefault'] === true, created(o, now), s(o['preemptionPolicy'])];
}

/** Quantity.String() of a *Quantity: "<nil>" when unset. */
const quantityPointer = (v: unknown): string => (v === undefined || v === null ? '<nil>' : formatQuantity(v));
const present = (v: unknown): boolean => v !== undefined && v !== null;

/** One metric of TARGETS: "current/target", with the resource name first for (container) resource metrics. */
function formatMetric(spec: Record<string, unknown>, status: Record<string, unknown> | undefined): string {
  const type = s(spec['type']);
  switch (type) {
    case 'External':
    case 'Object': {
      const key = type === 'External' ? 'external' : 'object';
      const target = get(spec, key, 'target');
      const current = status ? get(status, key, 'current') : undefined;
      const hasStatus = status !== undefined && present(get(status, key));
      if (present(get(target, 'averageValue'))) {
        const cur = hasStatus && present(get(current, 'averageValue')) ? quantityPointer(get(current, 'averageValue')) : '<unknown>';
        return `${cur}/${quantityPointer(get(target, 'averageValue'))} (avg)`;
      }
      const cur = hasStatus ? quantityPointer(get(current, 'value')) : '<unknown>';
      return `${cur}/${quantityPointer(get(target, 'value'))}`;
    }
    case 'Pods': {
      const cur = status !== undefined && present(get(status, 'pods')) ? quantityPointer(get(status, 'pods', 'current', 'averageValue')) : '<unknown>';
      return `${cur}/${quantityPointer(get(spec, 'pods', 'target', 'averageValue'))}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = type === 'Resource' ? 'resource' : 'containerResource';
      const name = s(get(spec, key, 'name'));
      const target = get(spec, key, 'target');
      const hasStatus = status !== undefined && present(get(status, key));
      const current = hasStatus ? get(status, key, 'current') : undefined;
      if (present(get(target, 'averageValue'))) {
        const cur = hasStatus ? quantityPointer(get(current, 'averageValue')) : '<unknown>';
        return `${name}: ${cur}/${quantityPointer(get(target, 'averageValue'))}`;
      }
      const utilization = get(current, 'averageUtilization');
      const cur = hasStatus && typeof utilization === 'number' ? `${Math.trunc(utilization)}%` : '<unknown>';
      const goal = get(target, 'averageUtilization');
      return `${name}: ${cur}/${typeof goal === 'number' ? `${Math.trunc(goal)}%` : '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

/** formatHPAMetrics: metrics paired with status.currentMetrics by index; two at most, then "+ N more...". */
export function hpaTargets(o: KubeObject): string {
  const specs = records(get(o, 'spec', 'metrics'));
  if (specs.length === 0) return '<none>';
  const statuses = records(get(o, 'status', 'currentMetrics'));
  const list = specs.map((spec, i) => formatMetric(spec, statuses[i]));
  const max = 2;
  return list.length > max ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...` : list.join(', ');
}

function horizontalPodAutoscalerCells(served: KubeObject, now: Date): TableCell[] {
  // kube prints the internal (v2-shaped) object whatever version was asked for.
  const o = served.apiVersion === 'autoscaling/v1' ? hpaV1ToV2(served) : served;
  const minReplicas = get(o, 'spec', 'minReplicas');
  return [
    nameOf(o),
    `${s(get(o, 'spec', 'scaleTargetRef', 'kind'))}/${s(get(o, 'spec', 'scaleTargetRef', 'name'))}`,
    hpaTargets(o),
    typeof minReplicas === 'number' ? String(Math.trunc(minReplicas)) : '<unset>',
    int(get(o, 'spec', 'maxReplicas')),
    int(get(o, 'status', 'currentReplicas')),
    created(o, now),
  ];
}

export const POLICY_PRINTERS: Record<string, TablePrinter> = {
  'policy/PodDisruptionBudget': {
    columns: [
      nameColumn(),
      col('Min Available', 'string', 'The minimum number of pods that must be available.'),
      col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
      col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
      ageColumn(),
    ],
    cells: podDisruptionBudgetCells,
  },
  'scheduling.k8s.io/PriorityClass': {
    columns: [
      nameColumn(),
      col('Value', 'integer', FIELD_DOCS['PriorityClass.value']),
      col('Global-Default', 'boolean', FIELD_DOCS['PriorityClass.globalDefault']),
      ageColumn(),
      col('PreemptionPolicy', 'string', FIELD_DOCS['PriorityClass.preemptionPolicy']),
    ],
    cells: priorityClassCells,
  },
  'autoscaling/HorizontalPodAutoscaler': {
    columns: [
      nameColumn(),
      col('Reference', 'string', FIELD_DOCS['HorizontalPodAutoscalerSpec.scaleTargetRef']),
      col('Targets', 'string', FIELD_DOCS['HorizontalPodAutoscalerSpec.metrics']),
      col('MinPods', 'string', FIELD_DOCS['HorizontalPodAutoscalerSpec.minReplicas']),
      col('MaxPods', 'string', FIELD_DOCS['HorizontalPodAutoscalerSpec.maxReplicas']),
      col('Replicas', 'string', FIELD_DOCS['HorizontalPodAutoscalerStatus.currentReplicas']),
      ageColumn(),
    ],
    cells: horizontalPodAutoscalerCells,
  },
};
