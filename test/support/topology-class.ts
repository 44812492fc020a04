/**
 * A small ClusterClass on the sim provider for topology-controller tests (independent of the shipped default class):
 * variables `apiServerExtraArgs` (into the control plane's ClusterConfiguration) and `workerLabels` (kubelet
 * node-labels of workers, so a change rotates the worker bootstrap template), worker classes `small` and `large`, and
 * a MachinePool class `pool` (a KubeadmConfigTemplate and a SimMachinePoolTemplate).
 */
export function testClassYaml(name = 'test-class', namespace = 'default'): string {
  const boot = `behaviour:
          provisioningSeconds: 0
          provisioningJitterSeconds: 0
          nodeReadySeconds: 0`;
  const worker = (cls: string, cpus: number) => `---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: ${name}-${cls}
  namespace: ${namespace}
spec:
  template:
    spec:
      numCPUs: ${cpus}
      memoryMiB: 4096
      diskGiB: 20
      ${boot}
---
apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
kind: KubeadmConfigTemplate
metadata:
  name: ${name}-${cls}
  namespace: ${namespace}
spec:
  template:
    spec:
      joinConfiguration:
        nodeRegistration:
          kubeletExtraArgs:
            node-labels: "pool-class=${cls}"
`;
  return `apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimClusterTemplate
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  template:
    spec:
      provisioningSeconds: 0
---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: ${name}-control-plane
  namespace: ${namespace}
spec:
  template:
    spec:
      numCPUs: 4
      memoryMiB: 8192
      diskGiB: 40
      ${boot}
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: KubeadmControlPlaneTemplate
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  template:
    spec:
      kubeadmConfigSpec:
        clusterConfiguration:
          apiServer:
            extraArgs:
              audit-log-maxage: "30"
${worker('small', 2)}${worker('large', 8)}---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachinePoolTemplate
metadata:
  name: ${name}-pool
  namespace: ${namespace}
spec:
  template:
    spec:
      template:
        numCPUs: 4
        memoryMiB: 4096
        behaviour:
          provisioningSeconds: 0
          provisioningJitterSeconds: 0
          nodeReadySeconds: 0
---
apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
kind: KubeadmConfigTemplate
metadata:
  name: ${name}-pool
  namespace: ${namespace}
spec:
  template:
    spec:
      joinConfiguration:
        nodeRegistration:
          kubeletExtraArgs:
            node-labels: "pool-class=pool"
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: ClusterClass
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  infrastructure:
    ref:
      apiVersion: infrastructure.slipway.dev/v1alpha1
      kind: SimClusterTemplate
      name: ${name}
  controlPlane:
    ref:
      apiVersion: controlplane.cluster.x-k8s.io/v1beta1
      kind: KubeadmControlPlaneTemplate
      name: ${name}
    machineInfrastructure:
      ref:
        apiVersion: infrastructure.slipway.dev/v1alpha1
        kind: SimMachineTemplate
        name: ${name}-control-plane
  workers:
    machineDeployments:
${['small', 'large']
  .map(
    (cls) => `    - class: ${cls}
      template:
        bootstrap:
          ref:
            apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
            kind: KubeadmConfigTemplate
            name: ${name}-${cls}
        infrastructure:
          ref:
            apiVersion: infrastructure.slipway.dev/v1alpha1
            kind: SimMachineTemplate
            name: ${name}-${cls}
`,
  )
  .join('')}    machinePools:
    - class: pool
      template:
        bootstrap:
          ref:
            apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
            kind: KubeadmConfigTemplate
            name: ${name}-pool
        infrastructure:
          ref:
            apiVersion: infrastructure.slipway.dev/v1alpha1
            kind: SimMachinePoolTemplate
            name: ${name}-pool
  variables:
  - name: apiServerExtraArgs
    required: false
    schema:
      openAPIV3Schema:
        type: object
        additionalProperties:
          type: string
  - name: brokenPatch
    required: false
    schema:
      openAPIV3Schema:
        type: boolean
        default: false
  - name: workerLabels
    required: false
    schema:
      openAPIV3Schema:
        type: string
        default: ""
  patches:
  - name: apiServerExtraArgs
    enabledIf: '{{ if .apiServerExtraArgs }}true{{ end }}'
    definitions:
    - selector:
        apiVersion: controlplane.cluster.x-k8s.io/v1beta1
        kind: KubeadmControlPlaneTemplate
        matchResources:
          controlPlane: true
      jsonPatches:
      - op: add
        path: /spec/template/spec/kubeadmConfigSpec/clusterConfiguration/apiServer/extraArgs
        valueFrom:
          template: |
            audit-log-maxage: "30"
            {{- range $k, $v := .apiServerExtraArgs }}
            {{ $k }}: {{ $v | quote }}
            {{- end }}
  - name: brokenPatch
    enabledIf: '{{ .brokenPatch }}'
    definitions:
    - selector:
        apiVersion: infrastructure.slipway.dev/v1alpha1
        kind: SimClusterTemplate
        matchResources:
          infrastructureCluster: true
      jsonPatches:
      - op: replace
        path: /spec/template/spec/noSuchField/deeper
        value: 1
  - name: workerLabels
    enabledIf: '{{ if .workerLabels }}true{{ end }}'
    definitions:
    - selector:
        apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
        kind: KubeadmConfigTemplate
        matchResources:
          machineDeploymentClass:
            names: [small, large]
      jsonPatches:
      - op: replace
        path: /spec/template/spec/joinConfiguration/nodeRegistration/kubeletExtraArgs/node-labels
        valueFrom:
          template: 'pool-class={{ .builtin.machineDeployment.class }},{{ .workerLabels }}'
`;
}

/** A Cluster of the test class. */
export function testClusterYaml(o: { name: string; version?: string; cp?: number; workers?: { name: string; class: string; replicas: number }[]; pools?: { name: string; replicas: number }[]; variables?: string; cls?: string }): string {
  const workers = o.workers ?? [{ name: 'md-0', class: 'small', replicas: 1 }];
  return `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: ${o.name}
  namespace: default
spec:
  clusterNetwork:
    pods:
      cidrBlocks: ["192.168.0.0/16"]
    services:
      cidrBlocks: ["10.128.0.0/12"]
  topology:
    class: ${o.cls ?? 'test-class'}
    version: ${o.version ?? 'v1.31.2'}
    controlPlane:
      replicas: ${o.cp ?? 1}
    workers:
      machineDeployments:
${workers.map((w) => `      - name: ${w.name}\n        class: ${w.class}\n        replicas: ${w.replicas}\n`).join('')}${
    o.pools?.length ? `      machinePools:\n${o.pools.map((p) => `      - name: ${p.name}\n        class: pool\n        replicas: ${p.replicas}\n`).join('')}` : ''
  }${o.variables ? `    variables:\n${o.variables}` : ''}`;
}
