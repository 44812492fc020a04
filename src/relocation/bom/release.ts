/**
 * The BOM of this Slipway release: every image a management and workload cluster of this release
 * runs, relative to the release's image repository (upstream names; tags as published for the
 * Kubernetes version this release ships). `slipway isolated-cluster download-bundle` uses it when
 * no `--bom` is given.
 */
import type { ReleaseBOM } from './bom.js';
import { BOM_API_VERSION, BOM_KIND } from './bom.js';

export const RELEASE_KUBERNETES_VERSION = 'v1.24.9';

export function releaseBom(release: string): ReleaseBOM {
  return {
    apiVersion: BOM_API_VERSION,
    kind: BOM_KIND,
    release,
    images: [
      // Slipway itself
      { repository: 'slipway/slipway-server', tag: `v${release}` },
      { repository: 'slipway/slipway-controllers', tag: `v${release}` },
      { repository: 'slipway/slipway-console', tag: `v${release}` },
      // Cluster API and providers
      { repository: 'cluster-api/cluster-api-controller', tag: 'v1.2.8' },
      { repository: 'cluster-api/kubeadm-bootstrap-controller', tag: 'v1.2.8' },
      { repository: 'cluster-api/kubeadm-control-plane-controller', tag: 'v1.2.8' },
      { repository: 'cluster-api/cluster-api-vsphere-controller', tag: 'v1.5.1' },
      { repository: 'cluster-api/cluster-api-ipam-in-cluster-controller', tag: 'v0.1.0' },
      // Kubernetes control plane and node
      { repository: 'kubernetes/kube-apiserver', tag: RELEASE_KUBERNETES_VERSION },
      { repository: 'kubernetes/kube-controller-manager', tag: RELEASE_KUBERNETES_VERSION },
      { repository: 'kubernetes/kube-scheduler', tag: RELEASE_KUBERNETES_VERSION },
      { repository: 'kubernetes/kube-proxy', tag: RELEASE_KUBERNETES_VERSION },
      { repository: 'kubernetes/pause', tag: '3.7' },
      { repository: 'kubernetes/etcd', tag: '3.5.6-0' },
      { repository: 'kubernetes/coredns', tag: 'v1.8.6' },
      { repository: 'kubernetes/kube-vip', tag: 'v0.5.7' },
      // networking, storage, certificates
      { repository: 'antrea/antrea-ubuntu', tag: 'v1.7.2' },
      { repository: 'cloud-provider-vsphere/cpi-manager', tag: 'v1.24.3' },
      { repository: 'csi-vsphere/driver', tag: 'v2.6.2' },
      { repository: 'csi-vsphere/syncer', tag: 'v2.6.2' },
      { repository: 'sig-storage/csi-provisioner', tag: 'v3.2.1' },
      { repository: 'sig-storage/csi-attacher', tag: 'v3.5.0' },
      { repository: 'sig-storage/csi-resizer', tag: 'v1.5.0' },
      { repository: 'sig-storage/csi-node-driver-registrar', tag: 'v2.5.1' },
      { repository: 'sig-storage/livenessprobe', tag: 'v2.7.0' },
      { repository: 'jetstack/cert-manager-controller', tag: 'v1.10.1' },
      { repository: 'jetstack/cert-manager-cainjector', tag: 'v1.10.1' },
      { repository: 'jetstack/cert-manager-webhook', tag: 'v1.10.1' },
      { repository: 'metrics-server/metrics-server', tag: 'v0.6.2' },
    ],
  };
}
