/**
 * Test support: make sure the plane serves the Cluster API kinds a test creates. Kinds the plane already serves
 * (its own Cluster API install) are left alone; for the others a minimal CRD is installed: any spec and status
 * (preserve-unknown-fields) and a status subresource, so tests can write status as controllers do.
 */
import { isNotFound, type Client } from '../../src/client/index.js';
import { eventually } from './plane.js';

interface KindInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
}

/** The kinds `slipway cluster get` reads. */
export const CLUSTER_API_TEST_KINDS: readonly KindInfo[] = [
  { group: 'cluster.x-k8s.io', version: 'v1beta1', kind: 'Cluster', plural: 'clusters' },
  { group: 'cluster.x-k8s.io', version: 'v1beta1', kind: 'Machine', plural: 'machines' },
  { group: 'cluster.x-k8s.io', version: 'v1beta1', kind: 'MachineSet', plural: 'machinesets' },
  { group: 'cluster.x-k8s.io', version: 'v1beta1', kind: 'MachineDeployment', plural: 'machinedeployments' },
  { group: 'controlplane.cluster.x-k8s.io', version: 'v1beta1', kind: 'KubeadmControlPlane', plural: 'kubeadmcontrolplanes' },
  { group: 'bootstrap.cluster.x-k8s.io', version: 'v1beta1', kind: 'KubeadmConfig', plural: 'kubeadmconfigs' },
  { group: 'infrastructure.slipway.dev', version: 'v1alpha1', kind: 'SimCluster', plural: 'simclusters' },
  { group: 'infrastructure.slipway.dev', version: 'v1alpha1', kind: 'SimMachine', plural: 'simmachines' },
];

function minimalCrd(k: KindInfo): Record<string, unknown> {
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${k.group}` },
    spec: {
      group: k.group,
      scope: 'Namespaced',
      names: { plural: k.plural, singular: k.kind.toLowerCase(), kind: k.kind, listKind: `${k.kind}List` },
      versions: [{ name: k.version, served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: { spec: open, status: open } } } }],
    },
  };
}

async function served(client: Client, k: KindInfo): Promise<boolean> {
  try {
    await client.mapping({ apiVersion: `${k.group}/${k.version}`, kind: k.kind });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Install a minimal CRD for each kind the plane does not serve yet; returns the kinds installed. */
export async function ensureClusterApiKinds(client: Client): Promise<string[]> {
  const installed: string[] = [];
  for (const k of CLUSTER_API_TEST_KINDS) {
    if (await served(client, k)) continue;
    await client.create(minimalCrd(k));
    installed.push(k.kind);
  }
  for (const k of CLUSTER_API_TEST_KINDS) {
    await eventually(async () => {
      await client.list({ apiVersion: `${k.group}/${k.version}`, kind: k.kind }, { namespace: 'default', limit: 1 });
      return true;
    }, 15_000, `${k.kind} served`);
  }
  return installed;
}
