/**
 * Services of type LoadBalancer in a cluster of the shipped default class with `kubeVipLoadBalancerProvider` and a
 * CIDR pool (kube-vip-cloud-provider semantics), through the real kubectl against the workload cluster: the class's
 * kube-vip static Pod and kube-system/kubevip ConfigMap appear, `kubectl expose --type=LoadBalancer` gets the lowest
 * free address of the pool, sharing when allowed and ports do not collide, exhaustion leaves a Service <pending> with
 * a SyncLoadBalancerFailed Event until an address is released. The gate: without the kube-vip-load-balancer feature
 * the variable is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClassClusterJson } from '../support/default-class-cluster.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

type Obj = Record<string, any>;

describe('LoadBalancer Services through kube-vip in a cluster from slipway-default (sim provider, kubectl)', () => {
  let t: TestPlane;
  let kb: Kube;
  let wl: Awaited<ReturnType<typeof workloadKubectl>>;
  const cluster = (name: string): string =>
    defaultClassClusterJson({
      name,
      machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 1 }],
      variables: [
        { name: 'kubeVipLoadBalancerProvider', value: true },
        { name: 'kubeVipLoadBalancerCIDRs', value: '10.50.0.1/30' },
      ],
    });
  const ingress = async (svc: string): Promise<string | undefined> => {
    const s = JSON.parse(await wl.ok(['get', 'service', svc, '-o', 'json'])) as Obj;
    return s.status?.loadBalancer?.ingress?.[0]?.ip;
  };
  const addressOf = (svc: string): Promise<string> => eventually(() => ingress(svc), 30_000, `${svc} load balancer address`);

  before(async () => {
    t = await startPlane({ workloadBehaviour: { containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 } });
    kb = kube(t);
  });
  after(async () => {
    await t?.close();
  });

  it('refuses kubeVipLoadBalancerProvider while the kube-vip-load-balancer feature is deactivated', async () => {
    const r = await kb.k(['apply', '-f', '-'], cluster('early'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.topology\.variables\[\d\]\.value: Forbidden: kube-vip Service load balancers \(kubeVipLoadBalancerProvider: true\) needs feature gate kube-vip-load-balancer/);
  });

  it('serves LoadBalancer addresses from the class\'s pool once the feature is on', async () => {
    const gate = await waitFor(kb, ['get', 'featuregates.core.slipway.dev', 'slipway-system'], (g: Obj) => (g.spec?.features ?? []).some((f: Obj) => f.name === 'kube-vip-load-balancer'), 30_000, 'feature gate');
    for (const f of gate.spec.features) if (f.name === 'kube-vip-load-balancer') Object.assign(f, { activate: true, permanentlyVoidAllSupportGuarantees: true });
    await kb.ok(['replace', '-f', '-'], JSON.stringify(gate));
    await eventually(async () => (await kb.k(['apply', '-f', '-'], cluster('lb'))).code === 0, 30_000, 'Cluster lb admitted');
    await waitFor(kb, ['get', 'cluster', 'lb'], (c: Obj) => conditionOf(c, 'Ready')?.status === 'True', 150_000, 'Cluster lb Ready');
    await waitFor(kb, ['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=lb'], (l) => itemsOf<Obj>(l).length === 1 && itemsOf<Obj>(l).every((m) => m.status?.readyReplicas === 1), 120_000, 'workers ready');
    wl = await workloadKubectl(kb, 'lb');
    const pods = itemsOf<Obj>(JSON.parse(await wl.ok(['get', 'pods', '-n', 'kube-system', '-o', 'json'])));
    assert.ok(pods.some((p) => p.metadata.name.startsWith('kube-vip-') && p.status?.phase === 'Running'), 'kube-vip static Pod mirrored');
    const cm = JSON.parse(await wl.ok(['get', 'configmap', 'kubevip', '-n', 'kube-system', '-o', 'json'])) as Obj;
    assert.deepEqual(cm.data, { 'cidr-global': '10.50.0.1/30' });

    await wl.ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--port=80']);
    await wl.ok(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port=80', '--name=web']);
    // 10.50.0.0/30 with the kube-vip rule that skips .0 and .255: .1 first.
    assert.equal(await addressOf('web'), '10.50.0.1');
    assert.match(await wl.ok(['get', 'service', 'web']), /web\s+LoadBalancer\s+\S+\s+10\.50\.0\.1\s+80:\d+\/TCP/);
    const svc = JSON.parse(await wl.ok(['get', 'service', 'web', '-o', 'json'])) as Obj;
    assert.equal(svc.metadata.annotations['kube-vip.io/loadbalancerIPs'], '10.50.0.1');
    assert.equal(svc.metadata.labels.implementation, 'kube-vip');

    await wl.ok(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port=8080', '--target-port=80', '--name=web2']);
    await wl.ok(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port=8081', '--target-port=80', '--name=web3']);
    assert.equal(await addressOf('web2'), '10.50.0.2');
    assert.equal(await addressOf('web3'), '10.50.0.3');
    // The pool is exhausted: the next Service stays <pending> and says why.
    await wl.ok(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port=8082', '--target-port=80', '--name=web4']);
    await eventually(async () => {
      const ev = itemsOf<Obj>(JSON.parse(await wl.ok(['get', 'events', '--field-selector', 'involvedObject.name=web4', '-o', 'json'])));
      return ev.some((e) => e.reason === 'SyncLoadBalancerFailed' && /no addresses available in \[default\] cidr \[10\.50\.0\.0\/30\]/.test(e.message));
    }, 30_000, 'SyncLoadBalancerFailed on web4');
    assert.match(await wl.ok(['get', 'service', 'web4']), /web4\s+LoadBalancer\s+\S+\s+<pending>/);
    // Turning web2 into a ClusterIP Service releases its address, which the waiting Service then gets.
    await wl.ok(['patch', 'service', 'web2', '-p', '{"spec":{"type":"ClusterIP"}}']);
    assert.equal(await addressOf('web4'), '10.50.0.2');
    assert.equal(await ingress('web2'), undefined);
  });

  it('shares an address between Services whose ports do not collide when the pool allows it', async () => {
    await wl.ok(['patch', 'configmap', 'kubevip', '-n', 'kube-system', '--type=merge', '-p', '{"data":{"allow-share-global":"true"}}']);
    await wl.ok(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port=9000', '--target-port=80', '--name=shared']);
    assert.equal(await addressOf('shared'), '10.50.0.1');
    await wl.ok(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port=80', '--name=clash']);
    // Port 80 is taken on .1 (web), so clash shares the lowest address whose ports do not collide.
    assert.equal(await addressOf('clash'), '10.50.0.2');
  });
});
