/** Table tests: namespace labels → enforce/audit/warn policy, with upstream defaulting. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLevelVersion, LATEST, minorVersion, privilegedPolicy, type Policy } from './api.js';
import { policyFromLabels } from './labels.js';

const E = 'pod-security.kubernetes.io/enforce';
const EV = 'pod-security.kubernetes.io/enforce-version';
const A = 'pod-security.kubernetes.io/audit';
const AV = 'pod-security.kubernetes.io/audit-version';
const W = 'pod-security.kubernetes.io/warn';
const WV = 'pod-security.kubernetes.io/warn-version';

function show(p: Policy): string {
  return `enforce=${formatLevelVersion(p.enforce)} audit=${formatLevelVersion(p.audit)} warn=${formatLevelVersion(p.warn)}`;
}

describe('namespace PodSecurity labels', () => {
  const cases: { name: string; labels?: Record<string, string>; defaults?: Policy; want: string; errors?: string[] }[] = [
    { name: 'no labels: the defaults', labels: undefined, want: 'enforce=privileged:latest audit=privileged:latest warn=privileged:latest' },
    { name: 'unrelated labels', labels: { team: 'a' }, want: 'enforce=privileged:latest audit=privileged:latest warn=privileged:latest' },
    { name: 'all six set', labels: { [E]: 'baseline', [EV]: 'v1.25', [A]: 'restricted', [AV]: 'v1.30', [W]: 'restricted', [WV]: 'latest' }, want: 'enforce=baseline:v1.25 audit=restricted:v1.30 warn=restricted:latest' },
    { name: 'warn follows a stricter enforce, with its version', labels: { [E]: 'restricted', [EV]: 'v1.28' }, want: 'enforce=restricted:v1.28 audit=privileged:latest warn=restricted:v1.28' },
    { name: 'warn follows enforce level but keeps its own version', labels: { [E]: 'baseline', [EV]: 'v1.28', [WV]: 'v1.20' }, want: 'enforce=baseline:v1.28 audit=privileged:latest warn=baseline:v1.20' },
    { name: 'an explicit warn level is kept', labels: { [E]: 'restricted', [W]: 'baseline' }, want: 'enforce=restricted:latest audit=privileged:latest warn=baseline:latest' },
    { name: 'an explicit looser warn level is kept even when privileged', labels: { [E]: 'restricted', [W]: 'privileged' }, want: 'enforce=restricted:latest audit=privileged:latest warn=privileged:latest' },
    {
      name: 'warn does not follow enforce when the default warn is as strict',
      labels: { [E]: 'baseline' },
      defaults: { ...privilegedPolicy(), warn: { level: 'restricted', version: minorVersion(30) } },
      want: 'enforce=baseline:latest audit=privileged:latest warn=restricted:v1.30',
    },
    {
      name: 'unset labels take configured defaults',
      labels: { [A]: 'baseline' },
      defaults: { enforce: { level: 'baseline', version: minorVersion(29) }, audit: { level: 'restricted', version: LATEST }, warn: { level: 'baseline', version: LATEST } },
      want: 'enforce=baseline:v1.29 audit=baseline:latest warn=baseline:latest',
    },
    {
      name: 'invalid enforce level means restricted (and warn does not follow it)',
      labels: { [E]: 'strict' },
      want: 'enforce=restricted:latest audit=privileged:latest warn=privileged:latest',
      errors: ['metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted'],
    },
    {
      name: 'invalid audit and warn levels mean privileged',
      labels: { [E]: 'baseline', [A]: 'Restricted', [W]: '' },
      want: 'enforce=baseline:latest audit=privileged:latest warn=privileged:latest',
      errors: [
        'metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "Restricted": must be one of privileged, baseline, restricted',
        'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "": must be one of privileged, baseline, restricted',
      ],
    },
    {
      name: 'invalid versions mean latest',
      labels: { [E]: 'baseline', [EV]: 'v1.2.3', [AV]: '1.25' },
      want: 'enforce=baseline:latest audit=privileged:latest warn=baseline:latest',
      errors: [
        'metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "v1.2.3": must be "latest" or "v1.x"',
        'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "1.25": must be "latest" or "v1.x"',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { policy, errors } = policyFromLabels(c.labels, c.defaults);
      assert.equal(show(policy), c.want);
      assert.deepEqual(errors.map((e) => `${e.field}: ${e.message}`), c.errors ?? []);
    });
  }

  it('does not modify the defaults it is given', () => {
    const d = privilegedPolicy();
    policyFromLabels({ [E]: 'restricted', [EV]: 'v1.20' }, d);
    assert.equal(show(d), 'enforce=privileged:latest audit=privileged:latest warn=privileged:latest');
  });
});
