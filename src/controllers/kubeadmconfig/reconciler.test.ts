import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../../test/support/plane.js';
import { BootstrapScenario, conditionOf, CONFIG_MAP, SECRET, startKubeadmConfigEnv, type KubeadmConfigEnv } from '../../../test/support/kubeadmconfig-env.js';
import type { KubeObject } from '../../apimachinery/types.js';
import { KUBEADM_CONFIG_KIND, type KubeadmConfigSpec } from '../../api/bootstrap/types.js';
import { CLUSTER_KIND, MACHINE_KIND } from '../../api/cluster/types.js';
import { readBootstrapData, summarizeBootstrap } from '../../providers/sim/bootstrap-reader.js';
import { caCertHashes, keyPairFromSecret, lookupOrGenerateCertificates } from '../shared/certificates.js';
import { directReader } from '../shared/reader.js';

const MIN = 60_000;
const CP_SPEC: KubeadmConfigSpec = {
  clusterConfiguration: { apiServer: { extraArgs: { 'audit-log-maxage': '30' } } },
  initConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'tier=cp' } } },
  joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'tier=cp' } } },
  preKubeadmCommands: ['echo pre'],
};
const WORKER_SPEC: KubeadmConfigSpec = { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'tier=worker' } } } };

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

function decoded(secret: KubeObject, key: string): string {
  return Buffer.from((secret.data as Record<string, string>)[key] ?? '', 'base64').toString('utf8');
}

describe('KubeadmConfig controller', () => {
  let env: KubeadmConfigEnv;
  before(async () => {
    env = await startKubeadmConfigEnv({ workloadRetryMs: 1_000 });
  });
  after(async () => env.close());

  describe('a cluster from infrastructure to joins', () => {
    let sc: BootstrapScenario;
    before(async () => {
      sc = new BootstrapScenario(env, 'lifecycle');
      await sc.createCluster();
    });

    test('waits for the Cluster infrastructure; a config without an owner Machine is left alone', async () => {
      await sc.createMachine('orphan', WORKER_SPEC, { owned: false });
      await sc.setClusterStatus({ infrastructureReady: false });
      await sc.createMachine('cp-0', CP_SPEC, { controlPlane: true });
      const cfg = await eventually(async () => {
        const c = await sc.config('cp-0');
        return conditionOf(c, 'DataSecretAvailable') ? c : undefined;
      }, 10_000, 'DataSecretAvailable set');
      assert.deepEqual(
        { status: conditionOf(cfg, 'DataSecretAvailable')!.status, reason: conditionOf(cfg, 'DataSecretAvailable')!.reason, severity: conditionOf(cfg, 'DataSecretAvailable')!.severity },
        { status: 'False', reason: 'WaitingForClusterInfrastructure', severity: 'Info' },
      );
      assert.equal(conditionOf(cfg, 'Ready')?.status, 'False');
      assert.equal(await sc.secret('cp-0'), undefined);
      assert.equal(await sc.secret('wl-ca'), undefined);
      await env.quiesce([
        { kind: KUBEADM_CONFIG_KIND, namespace: 'lifecycle', name: 'orphan' },
        { kind: MACHINE_KIND, namespace: 'lifecycle', name: 'orphan' },
      ]);
      assert.equal((await sc.config('orphan')).status, undefined);
    });

    test('the first control-plane Machine gets init data, the certificates and the init lock', async () => {
      await sc.setClusterStatus({ infrastructureReady: true, controlPlaneInitialized: false });
      const cfg = await eventually(async () => {
        const c = await sc.config('cp-0');
        return c.status?.ready ? c : undefined;
      }, 10_000, 'cp-0 ready');
      assert.equal(cfg.status?.dataSecretName, 'cp-0');
      assert.equal(conditionOf(cfg, 'DataSecretAvailable')?.status, 'True');
      assert.equal(conditionOf(cfg, 'CertificatesAvailable')?.status, 'True');
      assert.equal(conditionOf(cfg, 'Ready')?.status, 'True');
      assert.equal(cfg.status?.observedGeneration, cfg.metadata?.generation);

      // The data Secret, as upstream writes it.
      const secret = (await sc.secret('cp-0'))!;
      assert.equal(secret.type, 'cluster.x-k8s.io/secret');
      assert.equal(secret.metadata?.labels?.['cluster.x-k8s.io/cluster-name'], 'wl');
      assert.deepEqual(secret.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['KubeadmConfig', 'cp-0', cfg.metadata!.uid, true]]);
      assert.equal(decoded(secret, 'format'), 'cloud-config');

      // The four certificate Secrets, owned by this KubeadmConfig (no control-plane provider).
      for (const p of ['ca', 'etcd', 'proxy', 'sa']) {
        const s = (await sc.secret(`wl-${p}`))!;
        assert.ok(s, `wl-${p}`);
        assert.equal(s.metadata?.ownerReferences?.[0]?.uid, cfg.metadata!.uid);
      }
      // The lock names the Machine.
      const lock = await env.client.get(CONFIG_MAP, { namespace: 'lifecycle', name: 'wl-lock' });
      assert.deepEqual(JSON.parse((lock.data as Record<string, string>)['lock-information']!), { machineName: 'cp-0' });

      // The data boots as kubeadm init with the cluster's settings filled in.
      const data = readBootstrapData(decoded(secret, 'value'), 'cloud-config');
      assert.equal(data.kubeadm.mode, 'init');
      const cc = data.kubeadm.clusterConfiguration!;
      assert.equal(cc.clusterName, 'wl');
      assert.equal(cc.controlPlaneEndpoint, '10.0.0.10:6443');
      assert.equal(cc.kubernetesVersion, 'v1.30.4');
      assert.deepEqual(cc.networking, { podSubnet: '192.168.0.0/16', serviceSubnet: '10.128.0.0/12', dnsDomain: 'cluster.test' });
      assert.deepEqual(cc.apiServer?.extraArgs, { 'audit-log-maxage': '30' });
      const ca = keyPairFromSecret((await sc.secret('wl-ca'))!);
      assert.equal(data.files.find((f) => f.path === '/etc/kubernetes/pki/ca.crt')?.content.toString(), ca.cert);
      assert.equal(data.files.find((f) => f.path === '/etc/kubernetes/pki/ca.key')?.content.toString(), ca.key);
      assert.deepEqual(summarizeBootstrap(data).nodeLabels, { tier: 'cp' });
      assert.deepEqual(data.phases.preKubeadm, ['echo pre']);
      // The settings were written back to the KubeadmConfig, as upstream does.
      assert.equal(cfg.spec?.clusterConfiguration?.controlPlaneEndpoint, '10.0.0.10:6443');
    });

    test('another control-plane Machine and a worker wait while the control plane is not initialized', async () => {
      await sc.createMachine('cp-1', CP_SPEC, { controlPlane: true });
      await sc.createMachine('worker-0', WORKER_SPEC);
      for (const name of ['cp-1', 'worker-0']) {
        const cfg = await eventually(async () => {
          const c = await sc.config(name);
          return conditionOf(c, 'DataSecretAvailable')?.reason === 'WaitingForControlPlaneAvailable' ? c : undefined;
        }, 10_000, `${name} waiting for the control plane`);
        assert.equal(cfg.status?.ready, undefined);
      }
      assert.equal(await sc.secret('cp-1'), undefined);
      const lock = await env.client.get(CONFIG_MAP, { namespace: 'lifecycle', name: 'wl-lock' });
      assert.match((lock.data as Record<string, string>)['lock-information']!, /cp-0/);
    });

    test('joins need the workload cluster: while it is unreachable nothing is rendered', async () => {
      env.setReachable(sc.ref, false);
      await sc.setClusterStatus({ infrastructureReady: true, controlPlaneInitialized: true });
      // The lock is released by the first join reconcile, before the token is needed.
      await eventually(async () => {
        try {
          await env.client.get(CONFIG_MAP, { namespace: 'lifecycle', name: 'wl-lock' });
          return false;
        } catch {
          return true;
        }
      }, 10_000, 'init lock released');
      await env.quiesce([{ kind: KUBEADM_CONFIG_KIND, namespace: 'lifecycle', name: 'worker-0' }]);
      assert.equal(await sc.secret('worker-0'), undefined);
      assert.equal((await sc.config('worker-0')).status?.ready, undefined);
    });

    test('a worker joins with a bootstrap token created in the workload cluster', async () => {
      env.setReachable(sc.ref, true);
      await env.clock.advance(1_000);
      const cfg = await eventually(async () => {
        const c = await sc.config('worker-0');
        return c.status?.ready ? c : undefined;
      }, 10_000, 'worker-0 ready');
      const token = cfg.spec?.joinConfiguration?.discovery?.bootstrapToken?.token;
      assert.match(token ?? '', /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      const [id, tokenSecret] = token!.split('.');
      const wl = await env.workload(sc.ref);
      const ts = await wl.get(SECRET, { namespace: 'kube-system', name: `bootstrap-token-${id}` });
      assert.equal(ts.type, 'bootstrap.kubernetes.io/token');
      assert.equal(decoded(ts, 'token-id'), id);
      assert.equal(decoded(ts, 'token-secret'), tokenSecret);
      assert.equal(decoded(ts, 'usage-bootstrap-authentication'), 'true');
      assert.equal(decoded(ts, 'usage-bootstrap-signing'), 'true');
      assert.equal(decoded(ts, 'auth-extra-groups'), 'system:bootstrappers:kubeadm:default-node-token');
      assert.ok(Math.abs(Date.parse(decoded(ts, 'expiration')) - (env.clock.nowMs() + 15 * MIN)) <= 2_000, 'expires 15 minutes from the clock');

      const data = readBootstrapData((await sc.data('worker-0'))!.value);
      const s = summarizeBootstrap(data);
      assert.equal(s.mode, 'join');
      assert.equal(s.controlPlane, false);
      assert.equal(s.joinToken, token);
      assert.equal(s.apiServerEndpoint, '10.0.0.10:6443');
      assert.deepEqual(s.caCertHashes, caCertHashes(keyPairFromSecret((await sc.secret('wl-ca'))!).cert));
      assert.deepEqual(s.nodeLabels, { tier: 'worker' });
      assert.deepEqual(s.taints, [{ key: 'node.cluster.x-k8s.io/uninitialized', effect: 'NoSchedule' }]);
      assert.equal(data.files.some((f) => f.path.startsWith('/etc/kubernetes/pki')), false);
      // The uninitialized taint is not written back to the KubeadmConfig.
      assert.equal(cfg.spec?.joinConfiguration?.nodeRegistration?.taints, undefined);
    });

    test('the second control-plane Machine joins the control plane with the certificates', async () => {
      const cfg = await eventually(async () => {
        const c = await sc.config('cp-1');
        return c.status?.ready ? c : undefined;
      }, 10_000, 'cp-1 ready');
      assert.deepEqual(cfg.spec?.joinConfiguration?.controlPlane, {});
      const data = readBootstrapData((await sc.data('cp-1'))!.value);
      const s = summarizeBootstrap(data);
      assert.equal(s.mode, 'join');
      assert.equal(s.controlPlane, true);
      assert.deepEqual(s.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
      for (const f of ['ca.key', 'sa.key', 'front-proxy-ca.key', 'etcd/ca.key']) assert.ok(data.files.some((x) => x.path === `/etc/kubernetes/pki/${f}`), f);
    });

    test('the token is refreshed while the Machine has no Node, and no longer once it has one', async () => {
      const token = (await sc.config('worker-0')).spec!.joinConfiguration!.discovery!.bootstrapToken!.token!;
      const wl = await env.workload(sc.ref);
      const name = `bootstrap-token-${token.split('.')[0]}`;
      const expiration = async (): Promise<number> => Date.parse(decoded(await wl.get(SECRET, { namespace: 'kube-system', name }), 'expiration'));
      const first = await expiration();
      await env.clock.advance(5 * MIN + 1_000);
      const refreshed = await eventually(async () => ((await expiration()) > first ? expiration() : undefined), 10_000, 'token refreshed');
      assert.ok(Math.abs(refreshed - (env.clock.nowMs() + 15 * MIN)) <= 2_000);

      await sc.setNodeRef('worker-0');
      await eventually(async () => (await sc.config('worker-0')).metadata?.resourceVersion, 1_000);
      await env.clock.advance(10 * MIN);
      await env.clock.advance(10 * MIN);
      assert.equal(await expiration(), refreshed, 'not extended after the Node joined');
    });
  });

  test('files contentFrom and users passwdFrom are read from Secrets; a missing one says which', async () => {
    const sc = new BootstrapScenario(env, 'resolve');
    const cluster = await sc.createCluster();
    // The control plane (initialized elsewhere) made the certificates.
    await lookupOrGenerateCertificates(env.client, directReader(env.client), cluster, cluster, { now: env.clock.now() });
    await sc.setClusterStatus({ infrastructureReady: true, controlPlaneInitialized: true });
    await env.client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'resolve', name: 'files' }, data: { motd: b64('from a secret\n'), pw: b64('$6$hash') } });
    const spec: KubeadmConfigSpec = {
      ...WORKER_SPEC,
      files: [{ path: '/etc/motd', contentFrom: { secret: { name: 'files', key: 'motd' } }, permissions: '0644' }],
      users: [{ name: 'ops', passwdFrom: { secret: { name: 'files', key: 'pw' } } }],
    };
    await sc.createMachine('w-ok', spec);
    await sc.createMachine('w-missing', { ...spec, files: [{ path: '/etc/x', contentFrom: { secret: { name: 'absent', key: 'k' } } }] });
    await eventually(async () => (await sc.config('w-ok')).status?.ready, 10_000, 'w-ok ready');
    const data = readBootstrapData((await sc.data('w-ok'))!.value);
    assert.equal(data.files.find((f) => f.path === '/etc/motd')?.content.toString(), 'from a secret\n');
    assert.equal(data.users[0]?.passwd, '$6$hash');
    const failed = await eventually(async () => {
      const c = await sc.config('w-missing');
      return conditionOf(c, 'DataSecretAvailable')?.reason === 'DataSecretGenerationFailed' ? c : undefined;
    }, 10_000, 'w-missing failed');
    assert.match(conditionOf(failed, 'DataSecretAvailable')!.message!, /spec.files\[0\].contentFrom: Secret resolve\/absent not found/);
    assert.equal(conditionOf(failed, 'DataSecretAvailable')!.severity, 'Warning');
    assert.equal(await sc.secret('w-missing'), undefined);
  });

  test('Ignition format: the data Secret says so and the data boots', async () => {
    const sc = new BootstrapScenario(env, 'ign');
    await sc.createCluster();
    await sc.setClusterStatus({ infrastructureReady: true, controlPlaneInitialized: false });
    await sc.createMachine('cp', { ...CP_SPEC, format: 'ignition' }, { controlPlane: true, version: 'v1.31.1' });
    await eventually(async () => (await sc.config('cp')).status?.ready, 10_000, 'cp ready');
    const d = (await sc.data('cp'))!;
    assert.equal(d.format, 'ignition');
    const data = readBootstrapData(d.value, d.format);
    assert.equal(data.kubeadm.mode, 'init');
    assert.equal(data.kubeadm.apiVersion, 'kubeadm.k8s.io/v1beta4');
    assert.deepEqual(summarizeBootstrap(data).apiServerArgs, { 'audit-log-maxage': '30' });
  });

  test('with a control-plane provider the init waits for its certificates instead of generating them', async () => {
    const sc = new BootstrapScenario(env, 'kcp');
    await sc.createCluster({ controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', name: 'kcp' } });
    await sc.setClusterStatus({ infrastructureReady: true, controlPlaneInitialized: false });
    await sc.createMachine('cp', CP_SPEC, { controlPlane: true });
    const waiting = await eventually(async () => {
      const c = await sc.config('cp');
      return conditionOf(c, 'CertificatesAvailable')?.status === 'False' ? c : undefined;
    }, 10_000, 'waiting for certificates');
    assert.match(conditionOf(waiting, 'CertificatesAvailable')!.message!, /waiting for KubeadmControlPlane kcp to create the cluster certificates: missing ca/);
    assert.equal(await sc.secret('wl-ca'), undefined);
  });

  test('a paused Cluster stops reconciliation', async () => {
    const sc = new BootstrapScenario(env, 'paused');
    await sc.createCluster({ paused: true });
    await sc.setClusterStatus({ infrastructureReady: true, controlPlaneInitialized: false });
    await sc.createMachine('cp', CP_SPEC, { controlPlane: true });
    await env.quiesce([
      { kind: KUBEADM_CONFIG_KIND, namespace: 'paused', name: 'cp' },
      { kind: MACHINE_KIND, namespace: 'paused', name: 'cp' },
      { kind: CLUSTER_KIND, namespace: 'paused', name: 'wl' },
    ]);
    assert.equal((await sc.config('cp')).status, undefined);
    assert.equal(await sc.secret('cp'), undefined);
    await sc.setPaused(false);
    await eventually(async () => (await sc.config('cp')).status?.ready, 10_000, 'ready once unpaused');
  });

  test('a data Secret left by an earlier attempt is replaced and adopted', async () => {
    const sc = new BootstrapScenario(env, 'leftover');
    await sc.createCluster();
    await env.client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'leftover', name: 'cp' }, type: 'cluster.x-k8s.io/secret', data: { value: b64('stale'), format: b64('cloud-config') } });
    await sc.setClusterStatus({ infrastructureReady: true, controlPlaneInitialized: false });
    await sc.createMachine('cp', CP_SPEC, { controlPlane: true });
    await eventually(async () => (await sc.config('cp')).status?.ready, 10_000, 'cp ready');
    const secret = (await sc.secret('cp'))!;
    assert.notEqual(decoded(secret, 'value'), 'stale');
    assert.equal(readBootstrapData(decoded(secret, 'value')).kubeadm.mode, 'init');
    assert.equal(secret.metadata?.ownerReferences?.find((r) => r.controller)?.kind, 'KubeadmConfig');
  });
});
