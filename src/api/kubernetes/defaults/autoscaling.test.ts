import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDefaults, defaulted } from './defaults.test-util.js';

type Obj = Record<string, unknown>;
const specOf = (obj: Obj) => obj['spec'] as Obj;
const hpa = (spec: Obj) => ({ spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 10, ...spec } });
const behaviorOf = (rules: Obj) => specOf(defaulted('autoscaling', 'v2', 'HorizontalPodAutoscaler', hpa({ behavior: rules })))['behavior'] as Obj;
const cpu80 = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];

describe('HorizontalPodAutoscaler defaults (upstream autoscaling/v2)', () => {
  it('minReplicas 1 and the default CPU metric; no behavior when none is given', () => {
    assertDefaults('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
      name: 'empty', input: hpa({}), expected: hpa({ minReplicas: 1, metrics: cpu80 }),
    });
  });

  it('metrics and minReplicas the user set are kept', () => {
    const metrics = [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } }];
    assertDefaults('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
      name: 'set', input: hpa({ minReplicas: 3, metrics }), expected: hpa({ minReplicas: 3, metrics }),
    });
  });

  // Upstream TestGenerateScaleUpRules: user rules laid over the scale-up defaults.
  const upCases: { name: string; rules: Obj | undefined; expected: Obj }[] = [
    { name: 'default values', rules: undefined, expected: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] } },
    { name: 'all parameters are specified', rules: { stabilizationWindowSeconds: 25, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 2 }, { type: 'Percent', value: 3, periodSeconds: 4 }] }, expected: { stabilizationWindowSeconds: 25, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 2 }, { type: 'Percent', value: 3, periodSeconds: 4 }] } },
    { name: 'pod policy is specified', rules: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 2 }] }, expected: { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 2 }] } },
    { name: 'percent policy is specified', rules: { policies: [{ type: 'Percent', value: 7, periodSeconds: 10 }] }, expected: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 7, periodSeconds: 10 }] } },
    { name: 'pod policy and stabilization window are specified', rules: { stabilizationWindowSeconds: 25, policies: [{ type: 'Pods', value: 4, periodSeconds: 2 }] }, expected: { stabilizationWindowSeconds: 25, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 2 }] } },
    { name: 'percent policy and stabilization window are specified', rules: { stabilizationWindowSeconds: 25, policies: [{ type: 'Percent', value: 7, periodSeconds: 60 }] }, expected: { stabilizationWindowSeconds: 25, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 7, periodSeconds: 60 }] } },
  ];
  for (const c of upCases) {
    it(`scaleUp: ${c.name}`, () => assert.deepEqual(behaviorOf(c.rules ? { scaleUp: c.rules } : {})['scaleUp'], c.expected));
  }

  // Upstream TestGenerateScaleDownRules: no default stabilization window (the controller flag applies).
  const downCases: { name: string; rules: Obj | undefined; expected: Obj }[] = [
    { name: 'default values', rules: undefined, expected: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } },
    { name: 'all parameters are specified', rules: { stabilizationWindowSeconds: 25, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 2 }, { type: 'Percent', value: 3, periodSeconds: 4 }] }, expected: { stabilizationWindowSeconds: 25, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 2 }, { type: 'Percent', value: 3, periodSeconds: 4 }] } },
    { name: 'percent policy is specified', rules: { selectPolicy: 'Min', policies: [{ type: 'Percent', value: 1, periodSeconds: 2 }] }, expected: { selectPolicy: 'Min', policies: [{ type: 'Percent', value: 1, periodSeconds: 2 }] } },
    { name: 'pods policy is specified', rules: { policies: [{ type: 'Pods', value: 3, periodSeconds: 4 }] }, expected: { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 3, periodSeconds: 4 }] } },
    { name: 'tolerance is kept', rules: { tolerance: '0.05' }, expected: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], tolerance: '0.05' } },
  ];
  for (const c of downCases) {
    it(`scaleDown: ${c.name}`, () => assert.deepEqual(behaviorOf(c.rules ? { scaleDown: c.rules } : {})['scaleDown'], c.expected));
  }

  it('a defaulted behavior is stable under re-defaulting', () => {
    assertDefaults('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
      name: 'behavior', input: hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } }),
      expected: hpa({
        minReplicas: 1, metrics: cpu80,
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
          scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
        },
      }),
    });
  });
});
