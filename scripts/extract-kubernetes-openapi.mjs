#!/usr/bin/env node
// Trims Kubernetes' OpenAPI v2 document (swagger.json) to the definitions of the kinds Slipway serves inside
// workload clusters and everything they refer to, and writes them as src/api/kubernetes/openapi/definitions.json.
// Usage: node scripts/extract-kubernetes-openapi.mjs <swagger.json> [out.json]
// The input used is named in src/api/kubernetes/openapi/README.md. Run by hand when moving to a newer Kubernetes.
import { readFileSync, writeFileSync } from 'node:fs';

const ROOTS = [
  'core.v1.Pod', 'core.v1.Binding', 'core.v1.Node', 'core.v1.Service', 'core.v1.Endpoints', 'core.v1.PersistentVolumeClaim',
  'core.v1.PersistentVolume', 'core.v1.ResourceQuota', 'core.v1.LimitRange', 'core.v1.ServiceAccount', 'core.v1.Secret',
  'core.v1.ConfigMap', 'core.v1.Event', 'core.v1.Namespace',
  'apps.v1.Deployment', 'apps.v1.ReplicaSet', 'apps.v1.StatefulSet', 'apps.v1.DaemonSet', 'apps.v1.ControllerRevision',
  'batch.v1.Job', 'batch.v1.CronJob', 'discovery.v1.EndpointSlice',
  'networking.v1.Ingress', 'networking.v1.IngressClass', 'networking.v1.NetworkPolicy',
  'networking.v1.IPAddress', 'networking.v1.ServiceCIDR',
  'policy.v1.PodDisruptionBudget', 'policy.v1.Eviction', 'scheduling.v1.PriorityClass', 'storage.v1.StorageClass',
  'rbac.v1.Role', 'rbac.v1.ClusterRole', 'rbac.v1.RoleBinding', 'rbac.v1.ClusterRoleBinding',
  'autoscaling.v2.HorizontalPodAutoscaler', 'autoscaling.v1.HorizontalPodAutoscaler', 'autoscaling.v1.Scale',
  'authorization.v1.SelfSubjectAccessReview', 'authorization.v1.SubjectAccessReview', 'authorization.v1.LocalSubjectAccessReview',
  'authorization.v1.SelfSubjectRulesReview', 'authentication.v1.TokenReview', 'authentication.v1.SelfSubjectReview',
  'authentication.v1.TokenRequest',
].map((r) => `io.k8s.api.${r}`);

const [input, out = new URL('../src/api/kubernetes/openapi/definitions.json', import.meta.url)] = process.argv.slice(2);
if (!input) {
  console.error('usage: extract-kubernetes-openapi.mjs <swagger.json> [out.json]');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(input, 'utf8'));
const defs = doc.definitions;
const keep = {};
const visit = (name) => {
  if (keep[name]) return;
  const d = defs[name];
  if (!d) throw new Error(`definition ${name} not in ${input}`);
  keep[name] = d;
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (typeof v.$ref === 'string') visit(v.$ref.replace('#/definitions/', ''));
      Object.values(v).forEach(walk);
    }
  };
  walk(d);
};
ROOTS.forEach(visit);
const sorted = Object.fromEntries(Object.keys(keep).sort().map((k) => [k, keep[k]]));
writeFileSync(out, JSON.stringify({ source: doc.info, definitions: sorted }) + '\n');
console.log(`${Object.keys(sorted).length} definitions written to ${out}`);
