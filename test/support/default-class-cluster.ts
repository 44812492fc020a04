/**
 * A Cluster of the shipped default class (slipway-default) for end-to-end tests, as JSON for `kubectl apply -f -`:
 * one control-plane replica, the given worker pools and variables, and the class's `simulation` variable set so the
 * sim machines boot instantly.
 */
import type { MachineDeploymentTopology } from '../../src/api/cluster/clusterclass.js';

export const INSTANT_SIMULATION = { name: 'simulation', value: { provisioningSeconds: 0, provisioningJitterSeconds: 0, nodeReadySeconds: 0, clusterProvisioningSeconds: 0 } };

export interface DefaultClassClusterOptions {
  name: string;
  namespace?: string;
  version?: string;
  /** Worker pools (none when absent). */
  machineDeployments?: MachineDeploymentTopology[];
  /** Topology variables besides `simulation`. */
  variables?: { name: string; value: unknown }[];
}

export function defaultClassClusterJson(o: DefaultClassClusterOptions): string {
  const topology: Record<string, unknown> = {
    class: 'slipway-default',
    version: o.version ?? 'v1.31.2',
    controlPlane: { replicas: 1 },
    variables: [INSTANT_SIMULATION, ...(o.variables ?? [])],
  };
  if (o.machineDeployments) topology.workers = { machineDeployments: o.machineDeployments };
  return JSON.stringify({
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: o.name, namespace: o.namespace ?? 'default' },
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.96.0.0/12'] }, serviceDomain: 'cluster.local' },
      topology,
    },
  });
}
