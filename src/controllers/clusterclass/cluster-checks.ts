/**
 * Checks of a topology Cluster against its ClusterClass that the engine's validateClusterTopology does not make, as
 * Cluster API's Cluster webhook makes them (pure): the version must be one the class lists (when it lists any),
 * health checks switched on need a definition, and replicas may not be set where the class hands a worker pool to
 * the autoscaler.
 */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import type { ClusterClass, MachineHealthCheckTopology } from '../../api/cluster/clusterclass.js';
import { AUTOSCALER_MAX_SIZE_ANNOTATION, AUTOSCALER_MIN_SIZE_ANNOTATION } from '../../api/cluster/replicas.js';
import type { Cluster } from '../../api/cluster/types.js';

export function clusterAgainstClassCauses(cluster: Cluster, cc: ClusterClass): StatusCause[] {
  return [...kubernetesVersionCauses(cluster, cc), ...healthCheckCauses(cluster, cc), ...autoscalerReplicasCauses(cluster, cc)];
}

function kubernetesVersionCauses(cluster: Cluster, cc: ClusterClass): StatusCause[] {
  const versions = cc.spec?.kubernetesVersions;
  const version = cluster.spec?.topology?.version ?? '';
  if (!versions?.length || versions.includes(version)) return [];
  return [fieldError.invalid('spec.topology.version', version, 'version must match one of the versions defined in the ClusterClass')];
}

/** Fields of a topology health check besides `enable` (its own definition). */
function hasOwnDefinition(mhc: MachineHealthCheckTopology): boolean {
  const { enable: _enable, ...own } = mhc;
  return Object.values(own).some((v) => v !== undefined);
}

function healthCheckCauses(cluster: Cluster, cc: ClusterClass): StatusCause[] {
  const out: StatusCause[] = [];
  const topology = cluster.spec?.topology;
  const enabledWithout = (path: string) =>
    fieldError.forbidden(`${path}.enable`, 'cannot be set to true as MachineHealthCheck definition is not available in the Cluster topology or the ClusterClass');
  const cp = topology?.controlPlane?.machineHealthCheck;
  if (cp) {
    const path = 'spec.topology.controlPlane.machineHealthCheck';
    if (hasOwnDefinition(cp) && !cc.spec?.controlPlane?.machineInfrastructure) out.push(fieldError.forbidden(path, 'can be set only if spec.controlPlane.machineInfrastructure is set in ClusterClass'));
    if (cp.enable === true && !hasOwnDefinition(cp) && !cc.spec?.controlPlane?.machineHealthCheck) out.push(enabledWithout(path));
  }
  for (const md of topology?.workers?.machineDeployments ?? []) {
    const mhc = md.machineHealthCheck;
    const mdClass = cc.spec?.workers?.machineDeployments?.find((c) => c.class === md.class);
    if (!mhc || !mdClass) continue; // an unknown class is reported by the engine
    if (mhc.enable === true && !hasOwnDefinition(mhc) && !mdClass.machineHealthCheck) out.push(enabledWithout(`spec.topology.workers.machineDeployments[${md.name}].machineHealthCheck`));
  }
  return out;
}

const hasAutoscalerAnnotation = (annotations: Record<string, string> | undefined): boolean =>
  !!annotations && (AUTOSCALER_MIN_SIZE_ANNOTATION in annotations || AUTOSCALER_MAX_SIZE_ANNOTATION in annotations);

/** Replicas set on a MachineDeployment topology whose class carries autoscaler annotations. */
export function autoscalerReplicasCauses(cluster: Cluster, cc: ClusterClass): StatusCause[] {
  const out: StatusCause[] = [];
  for (const md of cluster.spec?.topology?.workers?.machineDeployments ?? []) {
    if (md.replicas === undefined) continue;
    const mdClass = cc.spec?.workers?.machineDeployments?.find((c) => c.class === md.class);
    if (!hasAutoscalerAnnotation(mdClass?.template?.metadata?.annotations)) continue;
    out.push(
      fieldError.invalid(
        `spec.topology.workers.machineDeployments[${md.name}].replicas`,
        md.replicas,
        `cannot be set for cluster ${JSON.stringify(cluster.metadata?.name ?? '')} in namespace ${JSON.stringify(cluster.metadata?.namespace ?? '')} if the source class ${JSON.stringify(md.class)} of this MachineDeploymentTopology has autoscaler annotations`,
      ),
    );
  }
  return out;
}
