/**
 * Whether a topology Cluster is still rolling out its current version (Cluster API's Cluster webhook refuses a version
 * change then): the control plane must be at the Cluster's version, provisioned and not upgrading, and every
 * MachineDeployment the topology owns must be at it with all its Machines. Returns why not, empty when settled.
 */
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import { LABELS } from '../../api/cluster/clusterclass.js';
import { MACHINE_DEPLOYMENT_KIND, MACHINE_KIND, type Cluster } from '../../api/cluster/types.js';
import { compareVersions, parseVersion } from '../../topology/versions.js';
import type { Reader } from '../shared/reader.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function at(o: unknown, ...path: string[]): unknown {
  let v = o;
  for (const k of path) v = isPlainObject(v) ? v[k] : undefined;
  return v;
}

function sameVersion(a: string, b: string): boolean {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  return pa && pb ? compareVersions(pa, pb) === 0 : a === b;
}

/** Problems with the control plane: not at `version`, provisioning, or upgrading. */
async function controlPlaneRollout(reader: Reader, cluster: Cluster, version: string): Promise<string[]> {
  const ref = cluster.spec?.controlPlaneRef;
  // Nothing provisioned yet: the topology controller will create the control plane at whatever version is set.
  if (!ref?.apiVersion || !ref.kind || !ref.name) return [];
  const cp = await reader.get({ apiVersion: ref.apiVersion, kind: ref.kind }, ref.namespace || cluster.metadata?.namespace, ref.name);
  if (!cp) return [`failed to check if control plane is upgrading: ${ref.kind} ${ref.namespace || cluster.metadata?.namespace}/${ref.name} not found`];
  const specVersion = str(at(cp, 'spec', 'version'));
  if (!specVersion) return []; // a control plane without versions
  if (!sameVersion(specVersion, version)) return [`Cluster.spec.topology.version ${version} was not propagated to control plane yet (control plane version ${specVersion})`];
  const statusVersion = str(at(cp, 'status', 'version'));
  if (!statusVersion) return ['control plane is currently provisioning'];
  const spec = parseVersion(specVersion);
  const status = parseVersion(statusVersion);
  if (spec && status && compareVersions(spec, status) > 0) return ['control plane is still completing a previous upgrade'];
  return [];
}

function machineDeploymentUpgrading(md: KubeObject, machines: readonly KubeObject[]): boolean {
  const mdVersion = str(at(md, 'spec', 'template', 'spec', 'version'));
  if (!mdVersion) return false;
  const selector = at(md, 'spec', 'selector', 'matchLabels');
  const match = isPlainObject(selector) ? (selector as Record<string, string>) : {};
  for (const m of machines) {
    const labels = m.metadata?.labels ?? {};
    if (!Object.entries(match).every(([k, v]) => labels[k] === v)) continue;
    const version = str(at(m, 'spec', 'version'));
    if (version && version !== mdVersion) return true;
    const kubelet = str(at(m, 'status', 'nodeInfo', 'kubeletVersion'));
    if (kubelet && kubelet !== mdVersion) return true;
  }
  return false;
}

/** MachineDeployments of the topology not yet at `version` or still replacing Machines. */
async function machineDeploymentsRollout(reader: Reader, cluster: Cluster, version: string): Promise<string[]> {
  const namespace = cluster.metadata?.namespace;
  const name = cluster.metadata?.name ?? '';
  const byCluster = { requirements: [{ key: LABELS.clusterName, operator: '=' as const, values: [name] }] };
  const owned = { requirements: [...byCluster.requirements, { key: LABELS.topologyOwned, operator: 'exists' as const, values: [] }] };
  const mds = await reader.list(MACHINE_DEPLOYMENT_KIND, namespace, owned);
  if (!mds.length) return [];
  const machines = await reader.list(MACHINE_KIND, namespace, byCluster);
  const upgrading = mds
    .filter((md) => {
      const mdVersion = str(at(md, 'spec', 'template', 'spec', 'version'));
      return (mdVersion !== undefined && !sameVersion(mdVersion, version)) || machineDeploymentUpgrading(md, machines);
    })
    .map((md) => md.metadata?.name ?? '')
    .sort();
  return upgrading.length ? [`there are still MachineDeployments completing a previous upgrade: [${upgrading.join(', ')}]`] : [];
}

/** Why the stored Cluster `current` (at `version`) may not change version now; empty when it may. */
export async function rolloutInProgress(reader: Reader, current: Cluster, version: string): Promise<string[]> {
  const [cp, mds] = await Promise.all([controlPlaneRollout(reader, current, version), machineDeploymentsRollout(reader, current, version)]);
  return [...cp, ...mds];
}
