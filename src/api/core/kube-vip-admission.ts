/**
 * The kube-vip-load-balancer gate at admission: while the feature is deactivated, a Cluster topology cannot turn the
 * class's `kubeVipLoadBalancerProvider` variable on (a Cluster that already has it on keeps it: turning the gate off
 * does not break running clusters).
 */
import { fieldError, invalid } from '../../apimachinery/errors.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../apiserver/strategy.js';
import type { Cluster } from '../cluster/types.js';
import { featureActive, featureRequiredMessage, storeFeatureSource, type FeatureSource } from './feature-active.js';
import { KUBE_VIP_LOAD_BALANCER } from './features.js';

/** The class variable that turns kube-vip's Service load balancing on. */
export const KUBE_VIP_VARIABLE = 'kubeVipLoadBalancerProvider';

function variableIndex(c: Cluster | undefined): number {
  return (c?.spec?.topology?.variables ?? []).findIndex((v) => v.name === KUBE_VIP_VARIABLE && v.value === true);
}

export class KubeVipAdmission implements AdmissionPlugin {
  readonly name = 'KubeVipLoadBalancerFeatureGate';
  private readonly source: FeatureSource;

  constructor(objects: ObjectStore) {
    this.source = storeFeatureSource(objects);
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource || attrs.operation === 'DELETE' || attrs.info.group !== 'cluster.x-k8s.io' || attrs.info.kind !== 'Cluster') return;
    const i = variableIndex(attrs.object as Cluster);
    if (i < 0 || variableIndex(attrs.oldObject as Cluster | undefined) >= 0) return;
    if (await featureActive(this.source, KUBE_VIP_LOAD_BALANCER)) return;
    throw invalid('Cluster', 'cluster.x-k8s.io', attrs.name, [fieldError.forbidden(`spec.topology.variables[${i}].value`, featureRequiredMessage(KUBE_VIP_LOAD_BALANCER, 'kube-vip Service load balancers (kubeVipLoadBalancerProvider: true)'))]);
  }
}
