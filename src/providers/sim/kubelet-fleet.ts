/**
 * The kubelets of every booted sim machine: each renews its node Lease in `kube-node-lease` of its workload cluster
 * (every 10 s by default, as the kubelet does), on the injectable clock. All kubelets renew on one shared tick, so the
 * store commits a tick's renewals together (a few fsyncs per tick instead of one per Node). A machine whose kubelet
 * "stopped" (the node-not-ready failure) is taken off the roll and its Lease goes stale.
 */
import type { Logger } from 'pino';
import { StatusError } from '../../apimachinery/errors.js';
import { rfc3339 } from '../../apiserver/clock.js';
import type { LogicalClusterHost, LogicalClusterRef } from '../../apiserver/logical-clusters.js';
import type { Clock, Timer } from '../../runtime/clock.js';

interface Kubelet {
  cluster: LogicalClusterRef;
  nodeName: string;
  nodeUid: string;
}

export interface KubeletFleetOptions {
  host: LogicalClusterHost;
  clock: Clock;
  log: Logger;
  /** Lease renewal period (default 10 s). */
  renewMs?: number;
}

export class KubeletFleet {
  private readonly kubelets = new Map<string, Kubelet>();
  private readonly renewMs: number;
  private stopped = false;
  private tick: Timer | undefined;
  /** A tick is armed or running: exactly one renewal chain at a time. */
  private ticking = false;

  constructor(private readonly opts: KubeletFleetOptions) {
    this.renewMs = opts.renewMs ?? 10_000;
  }

  get size(): number {
    return this.kubelets.size;
  }

  /** Start (or keep) the kubelet of a machine; its Lease is renewed at once and then periodically. */
  run(machineKey: string, cluster: LogicalClusterRef, nodeName: string, nodeUid: string): void {
    if (this.stopped) return;
    const known = this.kubelets.get(machineKey);
    if (known && known.nodeName === nodeName && known.nodeUid === nodeUid && known.cluster.name === cluster.name && known.cluster.namespace === cluster.namespace) return;
    const k: Kubelet = { cluster, nodeName, nodeUid };
    this.kubelets.set(machineKey, k);
    void this.renew(k);
    if (!this.ticking) {
      this.ticking = true;
      this.tick = this.opts.clock.setTimer(this.renewMs, () => void this.renewAll());
    }
  }

  /** Stop a machine's kubelet (its VM is gone or its kubelet hangs). */
  halt(machineKey: string): void {
    this.kubelets.delete(machineKey);
  }

  isRunning(machineKey: string): boolean {
    return this.kubelets.has(machineKey);
  }

  /** One tick: every running kubelet renews its Lease (concurrently, so the store commits them together). */
  private async renewAll(): Promise<void> {
    this.tick = undefined;
    if (this.stopped) return;
    await Promise.all([...this.kubelets.values()].map((k) => this.renew(k)));
    if (!this.stopped && this.kubelets.size) this.tick = this.opts.clock.setTimer(this.renewMs, () => void this.renewAll());
    else this.ticking = false;
  }

  private async renew(k: Kubelet): Promise<void> {
    if (this.stopped) return;
    const objects = this.opts.host.objects(k.cluster);
    const info = objects.registry.get('coordination.k8s.io', 'v1', 'leases');
    const now = rfc3339(this.opts.clock.now());
    try {
      if (info) {
        try {
          await objects.patch(info, 'kube-node-lease', k.nodeName, 'merge', { spec: { renewTime: now, holderIdentity: k.nodeName, leaseDurationSeconds: 40 } }, { fieldManager: 'kubelet' });
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
          await objects.create(info, 'kube-node-lease', {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: k.nodeName, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: k.nodeName, uid: k.nodeUid }] },
            spec: { holderIdentity: k.nodeName, leaseDurationSeconds: 40, renewTime: now },
          }, { fieldManager: 'kubelet' });
        }
      }
    } catch (err) {
      this.opts.log.debug({ err, node: k.nodeName, cluster: `${k.cluster.namespace}/${k.cluster.name}` }, 'kubelet: cannot renew the node lease');
    }
  }

  stop(): void {
    this.stopped = true;
    this.tick?.cancel();
    this.tick = undefined;
    this.ticking = false;
    this.kubelets.clear();
  }
}
