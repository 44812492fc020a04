/**
 * Test support for Cluster API end-to-end tests: a workload cluster's YAML as a user writes it (one multi-document
 * file, upstream's quick-start shape on the sim provider), waits on objects through kubectl, and kubectl against the
 * workload cluster with the kubeconfig from its Secret.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { inProcessClient } from '../../src/client/index.js';
import type { Watch } from '../../src/client/types.js';
import type { KubectlResult, TestPlane } from './plane.js';
import { eventually } from './plane.js';

export interface QuickStartOptions {
  name: string;
  namespace?: string;
  version?: string;
  controlPlaneReplicas?: number;
  workerReplicas?: number;
  /** Seconds a sim machine takes to boot (default 0). */
  provisioningSeconds?: number;
  nodeReadySeconds?: number;
  /** Extra YAML under the MachineDeployment's spec.strategy. */
  strategy?: string;
  /** Extra YAML under KubeadmControlPlane.spec (indented by the caller as a spec child). */
  kcpExtra?: string;
  /** Extra YAML lines under the MachineDeployment's spec (e.g. `minReadySeconds: 5`). */
  mdExtra?: string;
  nodeDrainTimeout?: string;
}

/** The quick-start cluster: Cluster, SimCluster, KubeadmControlPlane with its SimMachineTemplate, one MachineDeployment. */
export function quickStartYaml(o: QuickStartOptions): string {
  const ns = o.namespace ?? 'default';
  const version = o.version ?? 'v1.31.2';
  const boot = `behaviour:
          provisioningSeconds: ${o.provisioningSeconds ?? 0}
          provisioningJitterSeconds: 0
          nodeReadySeconds: ${o.nodeReadySeconds ?? 0}`;
  return `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: ${o.name}
  namespace: ${ns}
spec:
  clusterNetwork:
    pods:
      cidrBlocks: ["192.168.0.0/16"]
    services:
      cidrBlocks: ["10.128.0.0/12"]
    serviceDomain: cluster.local
  controlPlaneRef:
    apiVersion: controlplane.cluster.x-k8s.io/v1beta1
    kind: KubeadmControlPlane
    name: ${o.name}-control-plane
  infrastructureRef:
    apiVersion: infrastructure.slipway.dev/v1alpha1
    kind: SimCluster
    name: ${o.name}
---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimCluster
metadata:
  name: ${o.name}
  namespace: ${ns}
spec:
  provisioningSeconds: 0
---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: ${o.name}-control-plane
  namespace: ${ns}
spec:
  template:
    spec:
      numCPUs: 4
      memoryMiB: 8192
      diskGiB: 40
      ${boot}
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: KubeadmControlPlane
metadata:
  name: ${o.name}-control-plane
  namespace: ${ns}
spec:
  replicas: ${o.controlPlaneReplicas ?? 1}
  version: ${version}
  machineTemplate:
    infrastructureRef:
      apiVersion: infrastructure.slipway.dev/v1alpha1
      kind: SimMachineTemplate
      name: ${o.name}-control-plane
${o.nodeDrainTimeout ? `    nodeDrainTimeout: ${o.nodeDrainTimeout}\n` : ''}  kubeadmConfigSpec:
    clusterConfiguration:
      apiServer:
        extraArgs:
          audit-log-maxage: "30"
          enable-admission-plugins: NodeRestriction,EventRateLimit
      controllerManager:
        extraArgs:
          bind-address: 0.0.0.0
    initConfiguration:
      nodeRegistration:
        kubeletExtraArgs:
          node-labels: "tier=control"
    joinConfiguration:
      nodeRegistration:
        kubeletExtraArgs:
          node-labels: "tier=control"
    files:
    - path: /etc/slipway/motd
      content: "welcome to ${o.name}"
      permissions: "0644"
    preKubeadmCommands:
    - echo pre
    postKubeadmCommands:
    - echo post
${o.kcpExtra ?? ''}---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: ${o.name}-md-0
  namespace: ${ns}
spec:
  template:
    spec:
      numCPUs: 2
      memoryMiB: 4096
      diskGiB: 20
      ${boot}
---
apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
kind: KubeadmConfigTemplate
metadata:
  name: ${o.name}-md-0
  namespace: ${ns}
spec:
  template:
    spec:
      joinConfiguration:
        nodeRegistration:
          kubeletExtraArgs:
            node-labels: "tier=app,pool=md-0"
          taints:
          - key: dedicated
            value: apps
            effect: PreferNoSchedule
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineDeployment
metadata:
  name: ${o.name}-md-0
  namespace: ${ns}
spec:
  clusterName: ${o.name}
  replicas: ${o.workerReplicas ?? 1}
${o.strategy ? `  strategy:\n${o.strategy}\n` : ''}${o.mdExtra ?? ''}  selector:
    matchLabels: null
  template:
    spec:
      clusterName: ${o.name}
      version: ${version}
${o.nodeDrainTimeout ? `      nodeDrainTimeout: ${o.nodeDrainTimeout}\n` : ''}      bootstrap:
        configRef:
          apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
          kind: KubeadmConfigTemplate
          name: ${o.name}-md-0
      infrastructureRef:
        apiVersion: infrastructure.slipway.dev/v1alpha1
        kind: SimMachineTemplate
        name: ${o.name}-md-0
`;
}

export interface Kube {
  k(args: string[], input?: string): Promise<KubectlResult>;
  ok(args: string[], input?: string): Promise<string>;
  json<T = Record<string, unknown>>(args: string[]): Promise<T>;
}

export function kube(t: TestPlane): Kube {
  const k = (args: string[], input?: string) => t.kubectl(args, { input });
  const ok = async (args: string[], input?: string) => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const json = async <T>(args: string[]) => JSON.parse(await ok([...args, '-o', 'json'])) as T;
  return { k, ok, json };
}

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function conditionOf(obj: { status?: { conditions?: Cond[] } }, type: string): Cond | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** Wait until `kubectl get <what> -o json` satisfies pred (which may itself look elsewhere, async); returns the object. */
export async function waitFor<T = Record<string, unknown>>(kb: Kube, what: string[], pred: (o: T) => boolean | Promise<boolean>, timeoutMs = 60_000, label = what.join(' ')): Promise<T> {
  let last: T | undefined;
  try {
    return await eventually(async () => {
      const r = await kb.k([...what, '-o', 'json']);
      if (r.code !== 0) return undefined;
      last = JSON.parse(r.stdout) as T;
      return (await pred(last)) ? last : undefined;
    }, timeoutMs, label);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast seen: ${JSON.stringify(last, null, 1)?.slice(0, 4000)}`);
  }
}

/** Items of a list, for predicates. */
export function itemsOf<T = Record<string, unknown>>(list: unknown): T[] {
  return ((list as { items?: T[] }).items ?? []) as T[];
}

/** The workload cluster's kubeconfig from Secret `<name>-kubeconfig`, written to a file; kubectl against it. */
export async function workloadKubectl(kb: Kube, name: string, namespace = 'default'): Promise<{ path: string; k(args: string[], input?: string): Promise<KubectlResult>; ok(args: string[], input?: string): Promise<string> }> {
  const b64 = (await kb.ok(['get', 'secret', `${name}-kubeconfig`, '-n', namespace, '-o', 'jsonpath={.data.value}'])).trim();
  const dir = mkdtempSync(join(tmpdir(), 'slipway-wl-'));
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, Buffer.from(b64, 'base64'), { mode: 0o600 });
  const k = (args: string[], input?: string): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', path, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, HOME: dir } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      child.stdin!.end(input ?? '');
    });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `workload kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  return { path, k, ok };
}

export interface RecordedMachine {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { version?: string; infrastructureRef: { name: string } };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** Every event of the Machines a label selector picks (seen through a watch), with the counts after each. */
export class MachineRecorder {
  readonly machines = new Map<string, RecordedMachine>();
  maxActive = 0;
  maxTotal = 0;
  minReady = Infinity;
  private watch: Watch | undefined;
  private started = false;

  constructor(
    private readonly t: TestPlane,
    private readonly selector: string,
  ) {}

  get active(): RecordedMachine[] {
    return [...this.machines.values()].filter((m) => !m.metadata.deletionTimestamp);
  }

  async start(): Promise<void> {
    const client = inProcessClient(this.t.plane.objects);
    this.watch = await client.watch(
      { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine' },
      { namespace: 'default', labelSelector: this.selector },
      {
        onEvent: (e) => {
          const m = e.object as unknown as RecordedMachine;
          if (e.type === 'DELETED') this.machines.delete(m.metadata.name);
          else this.machines.set(m.metadata.name, m);
          const active = this.active;
          this.maxActive = Math.max(this.maxActive, active.length);
          this.maxTotal = Math.max(this.maxTotal, this.machines.size);
          if (this.started) this.minReady = Math.min(this.minReady, active.filter((x) => conditionOf(x, 'Ready')?.status === 'True').length);
        },
        onClose: () => undefined,
      },
    );
  }

  /** From now on, track the fewest Ready Machines. */
  trackReady(): void {
    this.started = true;
    this.minReady = Infinity;
  }

  reset(): void {
    this.maxActive = this.active.length;
    this.maxTotal = this.machines.size;
  }

  stop(): void {
    this.watch?.stop();
  }
}

