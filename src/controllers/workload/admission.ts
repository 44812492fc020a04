/**
 * What a hosted workload cluster's API server admits beyond schemas and defaults: Service ClusterIP and NodePort
 * allocation, the default not-ready/unreachable tolerations of Pods (DefaultTolerationSeconds), and Pod Security
 * Admission from the cluster's own kube-apiserver admission configuration.
 */
import type { LogicalClusterRef } from '../../apiserver/logical-clusters.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { AdmissionPlugin } from '../../apiserver/strategy.js';
import { defaultTolerationSecondsAdmission } from './nodelifecycle/index.js';
import { workloadPodSecurityAdmission } from './psa/index.js';
import { workloadServiceAdmission } from './services/index.js';

export function workloadClusterAdmission(ref: LogicalClusterRef, objects: ObjectStore): AdmissionPlugin[] {
  return [...workloadServiceAdmission(ref, objects), defaultTolerationSecondsAdmission(), workloadPodSecurityAdmission({ objects })];
}
