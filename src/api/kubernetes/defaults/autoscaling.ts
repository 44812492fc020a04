/** Defaults of autoscaling/v2 HorizontalPodAutoscaler (upstream pkg/apis/autoscaling/v2). */
import { child, defaultValue, ensureChild, hasItems, type Obj } from './fields.js';

/** Target CPU utilization (percent) of the metric an HPA gets when it names none. */
export const defaultCPUUtilization = 80;

function scaleUpRules(): Obj {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/** Scale-down has no default window here: the controller's flag (300s by default) applies. */
function scaleDownRules(): Obj {
  return {
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

/** The defaults with every field the user set (non-null) laid over them. */
function mergeRules(user: Obj | undefined, defaults: Obj): Obj {
  if (!user) return defaults;
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) {
    if (user[key] !== undefined && user[key] !== null) defaults[key] = user[key];
  }
  for (const [key, value] of Object.entries(user)) if (!(key in defaults) && value !== null) defaults[key] = value;
  return defaults;
}

export function defaultHorizontalPodAutoscaler(hpa: Obj): void {
  const spec = ensureChild(hpa, 'spec');
  defaultValue(spec, 'minReplicas', 1);
  if (!hasItems(spec, 'metrics')) {
    spec['metrics'] = [{
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } },
    }];
  }
  const behavior = child(spec, 'behavior');
  if (behavior) {
    behavior['scaleUp'] = mergeRules(child(behavior, 'scaleUp'), scaleUpRules());
    behavior['scaleDown'] = mergeRules(child(behavior, 'scaleDown'), scaleDownRules());
  }
}

/** Defaults of autoscaling/v1 HorizontalPodAutoscaler (upstream pkg/apis/autoscaling/v1): one replica at least. */
export function defaultHorizontalPodAutoscalerV1(hpa: Obj): void {
  defaultValue(ensureChild(hpa, 'spec'), 'minReplicas', 1);
}
