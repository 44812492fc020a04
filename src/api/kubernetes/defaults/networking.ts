/** Defaults of networking.k8s.io/v1 kinds (upstream pkg/apis/networking/v1). Ingress has none. */
import { child, defaultValue, hasItems, objects, type Obj } from './fields.js';

export function defaultNetworkPolicy(policy: Obj): void {
  const spec = child(policy, 'spec');
  if (!spec) {
    policy['spec'] = { policyTypes: ['Ingress'] };
    return;
  }
  for (const rule of [...objects(spec, 'ingress'), ...objects(spec, 'egress')]) {
    for (const port of objects(rule, 'ports')) defaultValue(port, 'protocol', 'TCP');
  }
  if (!hasItems(spec, 'policyTypes')) {
    spec['policyTypes'] = hasItems(spec, 'egress') ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

export function defaultIngressClass(ingressClass: Obj): void {
  const parameters = child(child(ingressClass, 'spec') ?? {}, 'parameters');
  if (parameters) defaultValue(parameters, 'scope', 'Cluster');
}
