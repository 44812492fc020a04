/** The cluster's root CA as the kube-root-ca.crt ConfigMaps carry it, read from kube-public/cluster-info (pure). */
import YAML from 'yaml';
import type { KubeObject } from '../../../apimachinery/types.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** kube-controller-manager's description of the ConfigMap (its root-ca-cert-publisher sets it). */
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** The PEM of the first cluster's certificate-authority-data in cluster-info's kubeconfig; undefined when absent or unreadable. */
export function caFromClusterInfo(clusterInfo: KubeObject | undefined): string | undefined {
  const text = (clusterInfo as { data?: Record<string, string> } | undefined)?.data?.kubeconfig;
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch {
    return undefined;
  }
  const clusters = (parsed as { clusters?: { cluster?: Record<string, unknown> }[] } | null)?.clusters;
  const data = Array.isArray(clusters) ? clusters[0]?.cluster?.['certificate-authority-data'] : undefined;
  if (typeof data !== 'string' || data === '') return undefined;
  const pem = Buffer.from(data, 'base64').toString('utf8');
  return pem === '' ? undefined : pem;
}

/** What to write so `cm` carries `ca` (undefined: nothing to do): data is exactly ca.crt and the description is set. */
export function rootCAConfigMapUpdate(cm: KubeObject, ca: string): KubeObject | undefined {
  const data = (cm as { data?: Record<string, string> }).data ?? {};
  const annotations = cm.metadata?.annotations ?? {};
  if (Object.keys(data).length === 1 && data['ca.crt'] === ca && (annotations[DESCRIPTION_ANNOTATION] ?? '') !== '') return undefined;
  return { ...cm, metadata: { ...cm.metadata, annotations: { ...annotations, [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } }, data: { 'ca.crt': ca } } as KubeObject;
}

export function newRootCAConfigMap(namespace: string, ca: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } }, data: { 'ca.crt': ca } } as KubeObject;
}
