/**
 * A cluster from the default class with podSecurityStandard enforce=restricted: its control-plane node publishes the
 * kube-apiserver's admission configuration file, and the workload PodSecurity reader finds the class's configuration in
 * the cluster's API (static Pod flag + published file).
 */
import { defaultClassClusterJson } from '../support/default-class-cluster.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/apimachinery/types.js';
import { readWorkloadPodSecurityConfig, type ClusterStateReader } from '../../src/controllers/workload/psa/index.js';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, kube, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

describe('workload PodSecurity configuration from the default class', () => {
  let t: TestPlane;
  let kb: Kube;
  before(async () => {
    t = await startPlane();
    kb = kube(t);
    const cluster = defaultClassClusterJson({ name: 'psa', variables: [{ name: 'podSecurityStandard', value: { enforce: 'restricted', exemptions: { namespaces: ['ops'] } } }] });
    await kb.ok(['apply', '-f', '-'], cluster);
    await waitFor(kb, ['get', 'cluster', 'psa'], (c: Record<string, never>) => conditionOf(c as { status?: { conditions?: never[] } }, 'ControlPlaneInitialized')?.status === 'True', 150_000, 'control plane initialized');
  });
  after(async () => {
    await t?.close();
  });

  it('reads enforce=restricted and the exempt namespaces back from the cluster', async () => {
    const wl = await workloadKubectl(kb, 'psa');
    const json = async (args: string[]): Promise<KubeObject | undefined> => {
      const r = await wl.k([...args, '-o', 'json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as KubeObject) : undefined;
    };
    const reader: ClusterStateReader = {
      apiServerPods: async () => ((await json(['get', 'pods', '-n', 'kube-system', '-l', 'component=kube-apiserver'])) as { items?: KubeObject[] } | undefined)?.items ?? [],
      configMap: (ns, name) => json(['get', 'configmap', '-n', ns, name]),
    };
    const read = await waitFor(kb, ['get', 'cluster', 'psa'], async () => (await readWorkloadPodSecurityConfig(reader)).source !== 'defaults', 60_000, 'published admission files');
    void read;
    const r = await readWorkloadPodSecurityConfig(reader);
    assert.match(r.source, /^\/etc\/kubernetes\/admission-control-config.yaml on /);
    assert.equal(r.config.defaults.enforce.level, 'restricted');
    assert.deepEqual(r.config.exemptions.namespaces, ['kube-system', 'ops']);
  });

  it('the cluster\'s API enforces it: kubectl refuses a privileged Pod with upstream\'s message; an exempt namespace allows it', async () => {
    const wl = await workloadKubectl(kb, 'psa');
    const privileged = (name: string, ns: string): string =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  containers: [{name: c, image: "busybox:1.36", securityContext: {privileged: true}}]\n`;
    const refused = await wl.k(['apply', '-f', '-'], privileged('priv', 'default'));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /pods "priv" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c" must set securityContext\.allowPrivilegeEscalation=false\), .*privileged \(container "c" must not set securityContext\.privileged=true\)/);
    await wl.ok(['create', 'namespace', 'ops']);
    await wl.ok(['apply', '-f', '-'], privileged('priv', 'ops'));
  });
});
