/**
 * Image pulls from a workload cluster's private registry, with Slipway's own registry server (TLS with a test CA) as
 * the registry and the sim kubelet on a workload cluster's API: the cluster's kubeadm-config names the registry as its
 * imageRepository; an image the registry holds runs; one it does not hold waits with ErrImagePull, then
 * ImagePullBackOff (`Back-off pulling image "…"`), and runs once pushed and the back-off is over; images from other
 * registries run as before, without any registry lookup.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startWorkloadEnv, POD, type WorkloadEnv } from '../support/workload-env.js';
import { eventually } from '../support/plane.js';
import { makeTestPki, type TestPki } from '../support/relocation/docker-registry.js';
import { startRegistry, type RunningRegistry } from '../../src/relocation/registry/server.js';
import { makeImage, pushImage } from '../../src/relocation/registry/test-support.js';
import { lazyRegistryManifestCheck, registryAccessFromClusterVariables, registryManifestCheck, setupSimKubeletWith } from '../../src/providers/sim/kubelet/index.js';
import { FakeClock } from '../../src/runtime/clock.js';

interface ContainerStatus {
  name: string;
  state: { waiting?: { reason: string; message?: string }; running?: { startedAt: string } };
}
interface PodObj {
  status?: { phase?: string; containerStatuses?: ContainerStatus[] };
}

describe('sim kubelet: images from the cluster\'s private registry', () => {
  let dir: string;
  let pki: TestPki;
  let registry: RunningRegistry;
  let env: WorkloadEnv;
  const clock = new FakeClock(Date.UTC(2030, 0, 1));
  /** Images the kubelet looked up on the registry. */
  const lookups: string[] = [];

  const pod = (name: string, image: string) =>
    env.client.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'app', image }] } });
  const getPod = async (name: string): Promise<PodObj> => (await env.client.get(POD, { namespace: 'default', name })) as PodObj;
  const waiting = (p: PodObj) => p.status?.containerStatuses?.[0]?.state.waiting;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-pull-'));
    pki = await makeTestPki(join(dir, 'pki'));
    registry = await startRegistry({
      storageDir: join(dir, 'registry'),
      listen: '127.0.0.1:0',
      tls: { cert: pki.server.certPem, key: pki.server.keyPem },
      durable: false,
    });
    await pushImage(registry.url, 'airgap/app', '1.0', await makeImage('app-1'), { ca: pki.ca.certPem });
    const headManifest = registryManifestCheck({ caCertificates: [pki.ca.certPem] });
    const imageManifestCheck = (image: string) => {
      lookups.push(image);
      return headManifest(image);
    };
    env = await startWorkloadEnv([(ctx) => void setupSimKubeletWith(ctx, { imageManifestCheck })], { clock, behaviour: { containerStartSeconds: 1, readinessSeconds: 0 } });
    await env.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
      data: { ClusterConfiguration: YAML.stringify({ apiVersion: 'kubeadm.k8s.io/v1beta3', kind: 'ClusterConfiguration', imageRepository: `${registry.host}/airgap`, kubernetesVersion: 'v1.31.2' }) },
    });
    await env.addNode('n1');
  });
  after(async () => {
    await env?.close();
    await registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an image the registry holds: Running', async () => {
    await pod('present', `${registry.host}/airgap/app:1.0`);
    await eventually(async () => waiting(await getPod('present'))?.reason === 'ContainerCreating', 10_000, 'ContainerCreating');
    await clock.advance(1000);
    const p = await eventually(async () => {
      const x = await getPod('present');
      return x.status?.phase === 'Running' ? x : undefined;
    }, 10_000, 'present Running');
    assert.ok(p.status?.containerStatuses?.[0]?.state.running);
  });

  it('an image it does not hold: ErrImagePull, then ImagePullBackOff; Running once pushed and the back-off is over', async () => {
    const image = `${registry.host}/airgap/app:2.0`;
    await pod('absent', image);
    await eventually(async () => waiting(await getPod('absent'))?.reason === 'ContainerCreating', 10_000, 'ContainerCreating');
    await clock.advance(1000);
    const err = await eventually(async () => {
      const w = waiting(await getPod('absent'));
      return w?.reason === 'ErrImagePull' ? w : undefined;
    }, 10_000, 'ErrImagePull');
    assert.equal(err.message, `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`);
    assert.equal((await getPod('absent')).status?.phase, 'Pending');
    await clock.advance(1000);
    const backoff = await eventually(async () => {
      const w = waiting(await getPod('absent'));
      return w?.reason === 'ImagePullBackOff' ? w : undefined;
    }, 10_000, 'ImagePullBackOff');
    assert.equal(backoff.message, `Back-off pulling image "${image}"`);
    const events = await env.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
    const texts = events.items.filter((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === 'absent').map((e) => `${(e as { reason?: string }).reason}: ${(e as { message?: string }).message}`);
    for (const want of [`Pulling: Pulling image "${image}"`, `Failed: Failed to pull image "${image}": ${err.message}`, 'Failed: Error: ErrImagePull', `BackOff: Back-off pulling image "${image}"`, 'Failed: Error: ImagePullBackOff']) {
      assert.ok(texts.includes(want), `${want}\nin\n${texts.join('\n')}`);
    }

    // Still missing at the first retry (10 s after the failure): another ErrImagePull and a longer back-off.
    await clock.advance(9000);
    await eventually(async () => waiting(await getPod('absent'))?.reason === 'ErrImagePull', 10_000, 'second ErrImagePull');
    await pushImage(registry.url, 'airgap/app', '2.0', await makeImage('app-2'), { ca: pki.ca.certPem });
    await clock.advance(1000);
    await eventually(async () => waiting(await getPod('absent'))?.reason === 'ImagePullBackOff', 10_000, 'second back-off');
    await clock.advance(20_000);
    const p = await eventually(async () => {
      const x = await getPod('absent');
      return x.status?.phase === 'Running' ? x : undefined;
    }, 10_000, 'absent Running after the push');
    assert.equal(p.status?.containerStatuses?.[0]?.state.running?.startedAt, '2030-01-01T00:00:32Z');
  });

  it('images from other registries run without a registry lookup', async () => {
    const before = lookups.length;
    await pod('public', 'docker.io/library/nginx:1.27');
    await clock.advance(1000);
    await eventually(async () => (await getPod('public')).status?.phase === 'Running', 10_000, 'public Running');
    assert.equal(lookups.length, before);
  });

  it('the registry check: the CA from the class\'s trust variable, no check with tlsCertificateValidation false, an x509 failure without either', async () => {
    const image = `${registry.host}/airgap/app:1.0`;
    const ca = Buffer.from(pki.ca.certPem).toString('base64');
    const trusted = lazyRegistryManifestCheck(async () => registryAccessFromClusterVariables([{ name: 'trust', value: { additionalTrustedCAs: [{ name: 'imageRepository', data: ca }] } }]));
    assert.deepEqual(await trusted(image), { present: true });
    const noVerify = registryManifestCheck(registryAccessFromClusterVariables([{ name: 'imageRepository', value: { host: `${registry.host}/airgap`, tlsCertificateValidation: false } }]));
    assert.deepEqual(await noVerify(image), { present: true });
    const plain = await registryManifestCheck({})(image);
    assert.equal(plain.present, false);
    assert.match((plain as { error: string }).error, new RegExp(`^rpc error: code = Unknown desc = failed to pull and unpack image "${image.replace(/[.]/g, '\\.')}": failed to resolve reference ".*": failed to do request: Head "https://${registry.host.replace(/[.]/g, '\\.')}/v2/airgap/app/manifests/1\\.0": .*certificate`));
  });
});
