import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { causeMessage } from '../../../apimachinery/errors.js';
import { initIPFamilyFields, normalizeClusterIPs, patchAllocatedValues, validateClusterIPFields, validateClusterIPUpdate, type ServiceSpec } from './spec.js';

const svc = (clusterIP: string, clusterIPs: string[] | undefined): ServiceSpec => ({ clusterIP: clusterIP || undefined, ...(clusterIPs ? { clusterIPs } : {}) });

describe('normalizeClusterIPs (upstream TestNormalizeClusterIPs)', () => {
  const cases: [string, ServiceSpec | undefined, ServiceSpec, string, string[] | undefined][] = [
    ['new - only clusterip used', undefined, svc('10.0.0.10', undefined), '10.0.0.10', ['10.0.0.10']],
    ['new - only clusterips used', undefined, svc('', ['10.0.0.10']), '', ['10.0.0.10']],
    ['new - both used', undefined, svc('10.0.0.10', ['10.0.0.10']), '10.0.0.10', ['10.0.0.10']],
    ['update - no change', svc('10.0.0.10', ['10.0.0.10']), svc('10.0.0.10', ['10.0.0.10']), '10.0.0.10', ['10.0.0.10']],
    ['update - malformed change', svc('10.0.0.10', ['10.0.0.10']), svc('10.0.0.11', ['10.0.0.11']), '10.0.0.11', ['10.0.0.11']],
    ['update - malformed change on secondary ip', svc('10.0.0.10', ['10.0.0.10', '2000::1']), svc('10.0.0.11', ['10.0.0.11', '3000::1']), '10.0.0.11', ['10.0.0.11', '3000::1']],
    ['update - upgrade', svc('10.0.0.10', ['10.0.0.10']), svc('10.0.0.10', ['10.0.0.10', '2000::1']), '10.0.0.10', ['10.0.0.10', '2000::1']],
    ['update - downgrade', svc('10.0.0.10', ['10.0.0.10', '2000::1']), svc('10.0.0.10', ['10.0.0.10']), '10.0.0.10', ['10.0.0.10']],
    ['update - user cleared cluster IP', svc('10.0.0.10', ['10.0.0.10']), svc('', ['10.0.0.10']), '', undefined],
    ['update - user cleared clusterIPs', svc('10.0.0.10', ['10.0.0.10']), svc('10.0.0.10', undefined), '10.0.0.10', ['10.0.0.10']],
    ['update - user cleared both', svc('10.0.0.10', ['10.0.0.10']), svc('', undefined), '', undefined],
    ['update - user cleared ClusterIP but changed clusterIPs', svc('10.0.0.10', ['10.0.0.10']), svc('', ['10.0.0.11']), '', ['10.0.0.11']],
    ['update - user cleared ClusterIPs but changed ClusterIP', svc('10.0.0.10', ['10.0.0.10', '2000::1']), svc('10.0.0.11', undefined), '10.0.0.11', undefined],
    ['update - user changed from None to ClusterIP', svc('None', ['None']), svc('10.0.0.10', ['None']), '10.0.0.10', ['10.0.0.10']],
    ['update - user changed from ClusterIP to None', svc('10.0.0.10', ['10.0.0.10']), svc('None', ['10.0.0.10']), 'None', ['None']],
    ['update - ClusterIP to None and changed ClusterIPs in a dual stack', svc('10.0.0.10', ['10.0.0.10', '2000::1']), svc('None', ['10.0.0.11', '2000::1']), 'None', ['10.0.0.11', '2000::1']],
  ];
  for (const [name, old, next, ip, ips] of cases) {
    it(name, () => {
      normalizeClusterIPs(next, old);
      assert.equal(next.clusterIP ?? '', ip);
      assert.deepEqual(next.clusterIPs, ips);
    });
  }
});

describe('patchAllocatedValues (upstream TestPatchAllocatedValues)', () => {
  const ports = (...nps: number[]): ServiceSpec['ports'] => nps.map((np, i) => ({ name: `p${i}`, port: 93 + i, protocol: 'TCP', nodePort: np || undefined }));
  it('all patched', () => {
    const before: ServiceSpec = { type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '10.0.0.93', clusterIPs: ['10.0.0.93', '2000::76'], ports: ports(30093), healthCheckNodePort: 31234 };
    const update: ServiceSpec = { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: ports(0) };
    patchAllocatedValues(update, before);
    assert.equal(update.clusterIP, '10.0.0.93');
    assert.deepEqual(update.clusterIPs, ['10.0.0.93', '2000::76']);
    assert.equal(update.ports![0]!.nodePort, 30093);
    assert.equal(update.healthCheckNodePort, 31234);
  });
  it('IPs patched, not node ports for a ClusterIP Service', () => {
    const update: ServiceSpec = { type: 'ClusterIP', ports: ports(0) };
    patchAllocatedValues(update, { type: 'ClusterIP', clusterIP: '10.0.0.93', clusterIPs: ['10.0.0.93', '2000::76'], ports: ports(30093), healthCheckNodePort: 31234 });
    assert.deepEqual(update.clusterIPs, ['10.0.0.93', '2000::76']);
    assert.equal(update.ports![0]!.nodePort, undefined);
    assert.equal(update.healthCheckNodePort, undefined);
  });
  it('nothing patched for ExternalName', () => {
    const update: ServiceSpec = { type: 'ExternalName', ports: ports(0) };
    patchAllocatedValues(update, { type: 'ExternalName', clusterIP: '10.0.0.93', clusterIPs: ['10.0.0.93'], ports: ports(30093), healthCheckNodePort: 31234 });
    assert.equal(update.clusterIP, undefined);
    assert.equal(update.ports![0]!.nodePort, undefined);
  });
  it('reset NodePort when the LoadBalancer allocates none', () => {
    const update: ServiceSpec = { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: ports(0) };
    patchAllocatedValues(update, { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: ports(30093) });
    assert.equal(update.ports![0]!.nodePort, undefined);
  });
  it('keep NodePort when the LoadBalancer allocates them', () => {
    const update: ServiceSpec = { type: 'LoadBalancer', allocateLoadBalancerNodePorts: true, ports: ports(0) };
    patchAllocatedValues(update, { type: 'LoadBalancer', allocateLoadBalancerNodePorts: true, ports: ports(30093) });
    assert.equal(update.ports![0]!.nodePort, 30093);
  });
  it('a node port the update uses elsewhere is not patched in', () => {
    const update: ServiceSpec = { type: 'NodePort', ports: [{ name: 'p0', port: 93 }, { name: 'p1', port: 94, nodePort: 30093 }] };
    patchAllocatedValues(update, { type: 'NodePort', ports: [{ name: 'p0', port: 93, nodePort: 30093 }] });
    assert.equal(update.ports![0]!.nodePort, undefined);
  });
});

describe('initIPFamilyFields', () => {
  const v4 = ['IPv4'] as const;
  const dual = ['IPv4', 'IPv6'] as const;
  const v6dual = ['IPv6', 'IPv4'] as const;
  const cases: { name: string; spec: ServiceSpec; families: readonly ('IPv4' | 'IPv6')[]; policy?: string; ipFamilies?: string[]; error?: string }[] = [
    { name: 'single-stack default', spec: { selector: { a: 'b' } }, families: v4, policy: 'SingleStack', ipFamilies: ['IPv4'] },
    { name: 'dual-stack cluster, no policy: single', spec: { selector: { a: 'b' } }, families: dual, policy: 'SingleStack', ipFamilies: ['IPv4'] },
    { name: 'v6-primary cluster: IPv6', spec: { selector: { a: 'b' } }, families: v6dual, policy: 'SingleStack', ipFamilies: ['IPv6'] },
    { name: 'PreferDualStack on dual: both', spec: { ipFamilyPolicy: 'PreferDualStack' }, families: dual, policy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] },
    { name: 'PreferDualStack on single: one', spec: { ipFamilyPolicy: 'PreferDualStack' }, families: v4, policy: 'PreferDualStack', ipFamilies: ['IPv4'] },
    { name: 'RequireDualStack on dual, v6 first', spec: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6'] }, families: dual, ipFamilies: ['IPv6', 'IPv4'] },
    { name: 'RequireDualStack on single', spec: { ipFamilyPolicy: 'RequireDualStack' }, families: v4, error: 'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services' },
    { name: 'family from a requested IP', spec: { clusterIP: '2000::1', clusterIPs: ['2000::1'] }, families: dual, ipFamilies: ['IPv6'] },
    { name: 'requested IP of an absent family', spec: { clusterIP: '2000::1', clusterIPs: ['2000::1'] }, families: v4, error: 'spec.clusterIPs[0]: Invalid value: []string{"2000::1"}: IPv6 is not configured on this cluster' },
    { name: 'SingleStack with two IPs', spec: { ipFamilyPolicy: 'SingleStack', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', '2000::1'] }, families: dual, error: "spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified" },
    { name: 'SingleStack with two families', spec: { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] }, families: dual, error: "spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified" },
    { name: 'headless with selector', spec: { clusterIP: 'None', clusterIPs: ['None'], selector: { a: 'b' } }, families: v4, policy: 'SingleStack', ipFamilies: ['IPv4'] },
    { name: 'headless without selector on single', spec: { clusterIP: 'None', clusterIPs: ['None'] }, families: v4, policy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] },
    { name: 'IPs of one family twice', spec: { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', '10.0.0.2'] }, families: dual, error: 'spec.clusterIPs: Invalid value: []string{"10.0.0.1", "10.0.0.2"}: may specify no more than one IP for each IP family' },
    { name: 'bad IP', spec: { clusterIP: '10.0.0.300', clusterIPs: ['10.0.0.300'] }, families: v4, error: 'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' },
    { name: 'clusterIPs[0] not clusterIP', spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.2'] }, families: v4, error: 'spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: first value must match `clusterIP`' },
    { name: 'only clusterIPs', spec: { clusterIPs: ['10.0.0.2'] }, families: v4, error: 'spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: must be empty when `clusterIP` is not specified' },
    { name: 'family mismatch', spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ipFamilies: ['IPv6'] }, families: dual, error: 'spec.clusterIPs[0]: Invalid value: "10.0.0.1": expected an IPv6 value as indicated by `ipFamilies[0]`' },
    { name: 'ExternalName untouched', spec: { type: 'ExternalName' }, families: v4 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const causes = initIPFamilyFields(c.spec, undefined, c.families);
      if (c.error) {
        assert.deepEqual(causes.map((x) => causeMessage(x)), [c.error]);
        return;
      }
      assert.deepEqual(causes, []);
      if (c.policy) assert.equal(c.spec.ipFamilyPolicy, c.policy);
      assert.deepEqual(c.spec.ipFamilies, c.ipFamilies);
    });
  }

  it('an update keeps the policy and may drop the secondary only as SingleStack', () => {
    const old: ServiceSpec = { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', '2000::1'], ipFamilies: ['IPv4', 'IPv6'] };
    const next: ServiceSpec = { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ipFamilies: ['IPv4'] };
    const causes = initIPFamilyFields(next, old, ['IPv4', 'IPv6']);
    assert.deepEqual(causes.map((x) => causeMessage(x)), [
      "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": must be 'SingleStack' to release the secondary cluster IP",
      "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": must be 'SingleStack' to release the secondary IP family",
    ]);
    const single: ServiceSpec = { ...old, ipFamilyPolicy: 'SingleStack', clusterIPs: [...old.clusterIPs!], ipFamilies: [...old.ipFamilies!] };
    assert.deepEqual(initIPFamilyFields(single, old, ['IPv4', 'IPv6']), []);
    assert.deepEqual(single.clusterIPs, ['10.0.0.1']);
    assert.deepEqual(single.ipFamilies, ['IPv4']);
  });
});

describe('validateClusterIPUpdate', () => {
  it('refuses a changed or unset primary IP', () => {
    const old: ServiceSpec = { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] };
    assert.deepEqual(validateClusterIPUpdate({ clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.2'] }, old).map((c) => causeMessage(c)), ['spec.clusterIPs[0]: Invalid value: []string{"10.0.0.2"}: may not change once set']);
    assert.deepEqual(validateClusterIPUpdate({ clusterIPs: [] }, { ...old, clusterIPs: ['10.0.0.1', '2000::1'] }).map((c) => causeMessage(c)), ['spec.clusterIPs[0]: Invalid value: []string{}: primary clusterIP can not be unset']);
    assert.deepEqual(validateClusterIPUpdate({ clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] }, old), []);
    assert.deepEqual(validateClusterIPUpdate({ type: 'ExternalName' }, old), []);
  });
  it('stand-alone checks pass a plain Service', () => {
    assert.deepEqual(validateClusterIPFields({ clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }), []);
  });
});
