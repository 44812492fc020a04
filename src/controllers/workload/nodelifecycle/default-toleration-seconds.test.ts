import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../apimachinery/types.js';
import type { AdmissionAttributes } from '../../../apiserver/strategy.js';
import type { Toleration } from '../scheduler/types.js';
import { applyDefaultTolerationSeconds, defaultTolerationSecondsAdmission, withDefaultTolerationSeconds } from './default-toleration-seconds.js';

const NR = 'node.kubernetes.io/not-ready';
const UR = 'node.kubernetes.io/unreachable';
const defNR: Toleration = { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const defUR: Toleration = { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

// Upstream's TestForgivenessAdmission cases.
describe('withDefaultTolerationSeconds (upstream cases)', () => {
  const cases: { name: string; in: Toleration[]; want: Toleration[] }[] = [
    { name: 'no tolerations: both added', in: [], want: [defNR, defUR] },
    {
      name: 'unrelated toleration: both added',
      in: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule', tolerationSeconds: 700 }],
      want: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule', tolerationSeconds: 700 }, defNR, defUR],
    },
    { name: 'not-ready given: unreachable added', in: [{ ...defNR, tolerationSeconds: 700 }], want: [{ ...defNR, tolerationSeconds: 700 }, defUR] },
    { name: 'unreachable given: not-ready added', in: [{ ...defUR, tolerationSeconds: 700 }], want: [{ ...defUR, tolerationSeconds: 700 }, defNR] },
    { name: 'both given: unchanged', in: [{ ...defNR, tolerationSeconds: 700 }, { ...defUR, tolerationSeconds: 700 }], want: [{ ...defNR, tolerationSeconds: 700 }, { ...defUR, tolerationSeconds: 700 }] },
    { name: 'unreachable without effect covers it: not-ready added', in: [{ key: UR, operator: 'Exists', tolerationSeconds: 700 }], want: [{ key: UR, operator: 'Exists', tolerationSeconds: 700 }, defNR] },
    { name: 'wildcard: unchanged', in: [{ operator: 'Exists', tolerationSeconds: 700 }], want: [{ operator: 'Exists', tolerationSeconds: 700 }] },
    { name: 'NoSchedule not-ready does not count', in: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }], want: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }, defNR, defUR] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = structuredClone(c.in);
      assert.deepEqual(withDefaultTolerationSeconds(input), c.want);
      assert.deepEqual(input, c.in, 'input untouched');
    });
  }
  it('configurable seconds', () => {
    assert.deepEqual(withDefaultTolerationSeconds(undefined, { notReadySeconds: 2, unreachableSeconds: 3 }), [
      { ...defNR, tolerationSeconds: 2 },
      { ...defUR, tolerationSeconds: 3 },
    ]);
  });
});

describe('defaultTolerationSecondsAdmission', () => {
  const attrs = (over: Partial<AdmissionAttributes>, object: KubeObject): AdmissionAttributes =>
    ({ operation: 'CREATE', info: { group: '', kind: 'Pod' }, name: 'p', namespace: 'default', object, dryRun: false, ...over }) as AdmissionAttributes;
  const pod = (): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  it('adds the tolerations on Pod CREATE', () => {
    const p = pod();
    defaultTolerationSecondsAdmission().admit(attrs({}, p));
    assert.deepEqual((p.spec as { tolerations: Toleration[] }).tolerations, [defNR, defUR]);
  });
  it('leaves UPDATE, subresources and other kinds alone', () => {
    for (const over of [{ operation: 'UPDATE' as const }, { subresource: 'status' }, { info: { group: 'apps', kind: 'Deployment' } } as Partial<AdmissionAttributes>]) {
      const p = pod();
      defaultTolerationSecondsAdmission().admit(attrs(over, p));
      assert.equal((p.spec as { tolerations?: Toleration[] }).tolerations, undefined);
    }
  });
  it('applyDefaultTolerationSeconds reports whether it changed the Pod', () => {
    const p = pod();
    assert.equal(applyDefaultTolerationSeconds(p), true);
    assert.equal(applyDefaultTolerationSeconds(p), false);
  });
});
