import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, JsonValue } from '../types.js';
import { decodeKubernetesProtobuf, decodeProtobufEnvelope, protobufSchemaFor } from './index.js';
import { hasKubectl, startKubectlHarness, type KubectlHarness } from './kubectl-harness.test-util.js';
import { readFields, WIRE_BYTES } from './wire.js';

// Request bodies recorded from kubectl v1.32 against the fake server of kubectl-harness.test-util.ts (the live
// suite at the end re-runs the same commands and checks the decoding still agrees). `create job --from` and
// `autoscale` read the objects below from the fake server first.

/** A CronJob whose Job template is a full Pod template (containers, ports, env, resources, probes, volumes). */
const NIGHTLY_CRONJOB = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly', namespace: 'default', uid: 'cj-uid', resourceVersion: '7' },
  spec: {
    schedule: '0 0 * * *',
    jobTemplate: {
      metadata: { labels: { job: 'nightly' } },
      spec: {
        backoffLimit: 2,
        completions: 1,
        parallelism: 1,
        ttlSecondsAfterFinished: 0,
        template: {
          metadata: { labels: { app: 'full' }, annotations: { a: 'b' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                command: ['nginx'],
                args: ['-g', 'daemon off;'],
                ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { containerPort: 9090, hostPort: 0 }],
                env: [
                  { name: 'MODE', value: 'prod' },
                  { name: 'EMPTY', value: '' },
                  { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'KEY', valueFrom: { secretKeyRef: { name: 's', key: 'a', optional: false } } },
                ],
                resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 5, periodSeconds: 10 },
                readinessProbe: { tcpSocket: { port: 80 }, failureThreshold: 3 },
                startupProbe: { exec: { command: ['true'] } },
                volumeMounts: [{ name: 'cache', mountPath: '/cache', readOnly: true }],
                securityContext: { runAsNonRoot: true, runAsUser: 0, allowPrivilegeEscalation: false },
              },
            ],
            volumes: [{ name: 'cache', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } }],
            terminationGracePeriodSeconds: 0,
            nodeSelector: { disk: 'ssd' },
            tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
            restartPolicy: 'Never',
          },
        },
      },
    },
  },
};

/** The Deployment `kubectl autoscale deployment full` reads. */
const FULL_DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'full', namespace: 'default', uid: 'd-uid', resourceVersion: '5' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'full' } }, template: NIGHTLY_CRONJOB.spec.jobTemplate.spec.template },
};

interface Recorded {
  args: string[];
  /** The request body kubectl sent, base64. */
  body: string;
  expected: JsonObject;
}

const RECORDED: Record<string, Recorded> = {
  deployment: {
    args: ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80'],
    body:
      'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErgBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEoYBCAISDAoK' +
      'CgNhcHASA3dlYhpsChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEkwSLgoFbmdpbngSBW5naW54KgAyCgoAEAAYUCIA' +
      'KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoA' +
      'IgA=',
    expected: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
        },
      },
    },
  },
  serviceClusterIP: {
    args: ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--tcp=443:https'],
    body:
      'azhzAAoNCgJ2MRIHU2VydmljZRKNAQofCgN3ZWISABoAIgAqADIAOABCAFoKCgNhcHASA3dlYhJmChsKBzgwLTgwODASA1RD' +
      'UBhQIgcIABCQPxoAKAAKIgoJNDQzLWh0dHBzEgNUQ1AYuwMiCwgBEAAaBWh0dHBzKAASCgoDYXBwEgN3ZWIaACIJQ2x1c3Rl' +
      'cklQOgBCAFIAWgBgAGgAGgIKABoAIgA=',
    expected: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' },
        ],
        selector: { app: 'web' },
        type: 'ClusterIP',
      },
    },
  },
  serviceNodePort: {
    args: ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
    body:
      'azhzAAoNCgJ2MRIHU2VydmljZRJnCh0KAm5wEgAaACIAKgAyADgAQgBaCQoDYXBwEgJucBJCCh0KBzgwLTgwODASA1RDUBhQ' +
      'IgcIABCQPxoAKIDrARIJCgNhcHASAm5wGgAiCE5vZGVQb3J0OgBCAFIAWgBgAGgAGgIKABoAIgA=',
    expected: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'np', labels: { app: 'np' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
        selector: { app: 'np' },
        type: 'NodePort',
      },
    },
  },
  jobFromCronJob: {
    args: ['create', 'job', 'manual', '--from=cronjob/nightly'],
    body:
      'azhzAAoPCghiYXRjaC92MRIDSm9iEpcFCnsKBm1hbnVhbBIAGgAiACoAMgA4AEIAWg4KA2pvYhIHbmlnaHRseWIrCiFjcm9u' +
      'am9iLmt1YmVybmV0ZXMuaW8vaW5zdGFudGlhdGUSBm1hbnVhbGomCgdDcm9uSm9iGgduaWdodGx5IgZjai11aWQqCGJhdGNo' +
      'L3YxMAESjQQIARABMoIECiUKABIAGgAiACoAMgA4AEIAWgsKA2FwcBIEZnVsbGIGCgFhEgFiEtgDCg0KBWNhY2hlEgQSAgoA' +
      'ChMKA2NmZxIMmgEJCgQKAmNtGKQDEuUCCgN3ZWISCm5naW54OjEuMjcaBW5naW54IgItZyILZGFlbW9uIG9mZjsqADIRCgRo' +
      'dHRwEAAYUCIDVENQKgAyCwoAEAAYgkciACoAOgwKBE1PREUSBHByb2Q6CQoFRU1QVFkSADocCgNQT0QSABoTChEKABINbWV0' +
      'YWRhdGEubmFtZToVCgNLRVkSABoMIgoKAwoBcxIBYRgAQkAKCgoDY3B1EgMKATEKEQoGbWVtb3J5EgcKBTEyOE1pEg0KA2Nw' +
      'dRIGCgQxMDBtEhAKBm1lbW9yeRIGCgQ2NE1pShUKBWNhY2hlEAEaBi9jYWNoZSIAMgBSKAocEhoKCC9oZWFsdGh6EgoIARAA' +
      'GgRodHRwGgAiABAFGAAgCigAMABaGAoMGgoKBggAEFAaABIAEAAYACAAKAAwA2oAcgB6BiAAKAE4AIABAIgBAJABAKIBALIB' +
      'FAoICgYKBHRydWUQABgAIAAoADAAGgVOZXZlciAAMgA6CwoEZGlzaxIDc3NkQgBKAFIAWABgAGgAggEAigEAmgEAsgEZCgFr' +
      'EgZFeGlzdHMaACIKTm9TY2hlZHVsZcIBADgCQAAaCCAAKAAwADoAGgAiAA==',
    expected: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'manual',
        labels: { job: 'nightly' },
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'nightly',
            uid: 'cj-uid',
            controller: true,
          },
        ],
      },
      spec: {
        parallelism: 1,
        completions: 1,
        backoffLimit: 2,
        template: {
          metadata: { labels: { app: 'full' }, annotations: { a: 'b' } },
          spec: {
            volumes: [
              { name: 'cache', emptyDir: {} },
              { name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } },
            ],
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                command: ['nginx'],
                args: ['-g', 'daemon off;'],
                ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { containerPort: 9090 }],
                env: [
                  { name: 'MODE', value: 'prod' },
                  { name: 'EMPTY' },
                  { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  {
                    name: 'KEY',
                    valueFrom: { secretKeyRef: { name: 's', key: 'a', optional: false } },
                  },
                ],
                resources: {
                  limits: { cpu: '1', memory: '128Mi' },
                  requests: { cpu: '100m', memory: '64Mi' },
                },
                volumeMounts: [{ name: 'cache', readOnly: true, mountPath: '/cache' }],
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 'http' },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                },
                readinessProbe: { tcpSocket: { port: 80 }, failureThreshold: 3 },
                startupProbe: { exec: { command: ['true'] } },
                securityContext: { runAsUser: 0, runAsNonRoot: true, allowPrivilegeEscalation: false },
              },
            ],
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 0,
            nodeSelector: { disk: 'ssd' },
            tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
          },
        },
        ttlSecondsAfterFinished: 0,
      },
    },
  },
  job: {
    args: ['create', 'job', 'once', '--image=busybox'],
    body:
      'azhzAAoPCghiYXRjaC92MRIDSm9iEn4KFAoEb25jZRIAGgAiACoAMgA4AEIAElwyWgoQCgASABoAIgAqADIAOABCABJGEiMK' +
      'BG9uY2USB2J1c3lib3gqAEIAagByAIABAIgBAJABAKIBABoFTmV2ZXIyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoIIAAo' +
      'ADAAOgAaACIA',
    expected: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once' },
      spec: {
        template: { spec: { containers: [{ name: 'once', image: 'busybox' }], restartPolicy: 'Never' } },
      },
    },
  },
  cronjob: {
    args: [
      'create',
      'cronjob',
      'tick',
      '--image=busybox',
      '--schedule=*/5 * * * *',
      '--restart=OnFailure',
    ],
    body:
      'azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKkAQoUCgR0aWNrEgAaACIAKgAyADgAQgASiQEKCyovNSAqICogKiAqGgAqeAoU' +
      'CgR0aWNrEgAaACIAKgAyADgAQgASYDJeChAKABIAGgAiACoAMgA4AEIAEkoSIwoEdGljaxIHYnVzeWJveCoAQgBqAHIAgAEA' +
      'iAEAkAEAogEAGglPbkZhaWx1cmUyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoAGgAiAA==',
    expected: {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: {
          metadata: { name: 'tick' },
          spec: {
            template: {
              spec: { containers: [{ name: 'tick', image: 'busybox' }], restartPolicy: 'OnFailure' },
            },
          },
        },
      },
    },
  },
  secretDockerRegistry: {
    args: [
      'create',
      'secret',
      'docker-registry',
      'd',
      '--docker-server=r.io',
      '--docker-username=u',
      '--docker-password=p',
    ],
    body:
      'azhzAAoMCgJ2MRIGU2VjcmV0EooBChEKAWQSABoAIgAqADIAOABCABJVChEuZG9ja2VyY29uZmlnanNvbhJAeyJhdXRocyI6' +
      'eyJyLmlvIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fRoea3ViZXJuZXRlcy5pby9k' +
      'b2NrZXJjb25maWdqc29uGgAiAA==',
    expected: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'd' },
      data: {
        '.dockerconfigjson': 'eyJhdXRocyI6eyJyLmlvIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ==',
      },
      type: 'kubernetes.io/dockerconfigjson',
    },
  },
  configmap: {
    args: [
      'create',
      'configmap',
      'settings',
      '--from-literal=mode=prod',
      '--from-literal=empty=',
      '-n',
      'team-a',
    ],
    body:
      'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjkKHgoIc2V0dGluZ3MSABoGdGVhbS1hIgAqADIAOABCABIJCgVlbXB0eRIAEgwKBG1v' +
      'ZGUSBHByb2QaACIA',
    expected: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'team-a' },
      data: { empty: '', mode: 'prod' },
    },
  },
  pdbMinAvailable: {
    args: ['create', 'pdb', 'p', '--selector=app=web', '--min-available=1'],
    body:
      'azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSNwoRCgFwEgAaACIAKgAyADgAQgASFgoGCAAQARoAEgwK' +
      'CgoDYXBwEgN3ZWIaCggAGAAgACgAMAAaACIA',
    expected: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    },
  },
  pdbMaxUnavailable: {
    args: ['create', 'pdb', 'q', '--selector=app=web', '--max-unavailable=50%'],
    body:
      'azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSOgoRCgFxEgAaACIAKgAyADgAQgASGRIMCgoKA2FwcBID' +
      'd2ViGgkIARAAGgM1MCUaCggAGAAgACgAMAAaACIA',
    expected: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'q' },
      spec: { selector: { matchLabels: { app: 'web' } }, maxUnavailable: '50%' },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    },
  },
  ingress: {
    args: [
      'create',
      'ingress',
      'ing',
      '--class=nginx',
      '--rule=foo.com/bar*=svc:8080,tls=secret1',
      '--annotation=a=b',
    ],
    body:
      'azhzAAofChRuZXR3b3JraW5nLms4cy5pby92MRIHSW5ncmVzcxJtChsKA2luZxIAGgAiACoAMgA4AEIAYgYKAWESAWISShIS' +
      'Cgdmb28uY29tEgdzZWNyZXQxGi0KB2Zvby5jb20SIgogCh4KBC9iYXISDiIMCgNzdmMSBQoAEJA/GgZQcmVmaXgiBW5naW54' +
      'GgIKABoAIgA=',
    expected: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'ing', annotations: { a: 'b' } },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['foo.com'], secretName: 'secret1' }],
        rules: [
          {
            host: 'foo.com',
            http: {
              paths: [
                {
                  path: '/bar',
                  pathType: 'Prefix',
                  backend: { service: { name: 'svc', port: { number: 8080 } } },
                },
              ],
            },
          },
        ],
      },
    },
  },
  hpaV1: {
    args: ['autoscale', 'deployment', 'full', '--min=2', '--max=5', '--cpu-percent=80'],
    body:
      'azhzAAopCg5hdXRvc2NhbGluZy92MRIXSG9yaXpvbnRhbFBvZEF1dG9zY2FsZXISQQoUCgRmdWxsEgAaACIAKgAyADgAQgAS' +
      'IwobCgpEZXBsb3ltZW50EgRmdWxsGgdhcHBzL3YxEAIYBSBQGgQYACAAGgAiAA==',
    expected: {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'full' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'full', apiVersion: 'apps/v1' },
        minReplicas: 2,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 80,
      },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    },
  },
  priorityClass: {
    args: [
      'create',
      'priorityclass',
      'high',
      '--value=1000',
      '--description=high',
      '--preemption-policy=Never',
      '--global-default',
    ],
    body:
      'azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxIoChQKBGhpZ2gSABoAIgAqADIAOABCABDoBxgB' +
      'IgRoaWdoKgVOZXZlchoAIgA=',
    expected: {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'high' },
      value: 1000,
      globalDefault: true,
      description: 'high',
      preemptionPolicy: 'Never',
    },
  },
  role: {
    args: [
      'create',
      'role',
      'r',
      '--verb=get,list',
      '--resource=pods,deployments.apps',
      '--resource-name=x',
    ],
    body:
      'azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEk4KEQoBchIAGgAiACoAMgA4AEIAEhYKA2dldAoE' +
      'bGlzdBIAGgRwb2RzIgF4EiEKA2dldAoEbGlzdBIEYXBwcxoLZGVwbG95bWVudHMiAXgaACIA',
    expected: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r' },
      rules: [
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] },
        {
          verbs: ['get', 'list'],
          apiGroups: ['apps'],
          resources: ['deployments'],
          resourceNames: ['x'],
        },
      ],
    },
  },
  roleBinding: {
    args: [
      'create',
      'rolebinding',
      'rb',
      '--role=r',
      '--user=u',
      '--serviceaccount=default:sa',
      '--group=g',
    ],
    body:
      'azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxKsAQoSCgJyYhIAGgAiACoAMgA4AEIA' +
      'EiYKBFVzZXISGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8aAXUiABInCgVHcm91cBIZcmJhYy5hdXRob3JpemF0aW9uLms4' +
      'cy5pbxoBZyIAEh8KDlNlcnZpY2VBY2NvdW50EgAaAnNhIgdkZWZhdWx0GiQKGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8S' +
      'BFJvbGUaAXIaACIA',
    expected: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' },
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'g' },
        { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    },
  },
  clusterRole: {
    args: ['create', 'clusterrole', 'cr', '--verb=get', '--non-resource-url=/healthz'],
    body:
      'azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtDbHVzdGVyUm9sZRIlChIKAmNyEgAaACIAKgAyADgAQgAS' +
      'DwoDZ2V0KggvaGVhbHRoehoAIgA=',
    expected: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'cr' },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    },
  },
};

const decoded = (r: Recorded): JsonObject => decodeKubernetesProtobuf(Buffer.from(r.body, 'base64')) as unknown as JsonObject;

describe('decodeKubernetesProtobuf: kinds from the generated k8s.io/api table, recorded kubectl bodies', () => {
  for (const [name, r] of Object.entries(RECORDED)) {
    it(`${name}: kubectl ${r.args.join(' ')}`, () => {
      assert.deepEqual(decoded(r), r.expected);
    });
  }

  it('keys come out in Go struct order', () => {
    const job = decoded(RECORDED.jobFromCronJob!);
    assert.deepEqual(Object.keys(job.spec as JsonObject), ['parallelism', 'completions', 'backoffLimit', 'template', 'ttlSecondsAfterFinished']);
    const container = (((job.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[];
    assert.deepEqual(Object.keys(container[0]!).slice(0, 6), ['name', 'image', 'command', 'args', 'ports', 'env']);
  });
});

// ---------------------------------------------------------------------------------------------
// A tiny protobuf writer for hand-made vectors (independent of the decoder under test).

type Bytes = number[];
function varint(n: bigint | number): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const ld = (no: number, payload: Bytes | Uint8Array): Bytes => [...varint((no << 3) | 2), ...varint(payload.length), ...payload];
const str = (no: number, s: string): Bytes => ld(no, [...Buffer.from(s, 'utf8')]);
const int = (no: number, n: bigint | number): Bytes => [...varint(no << 3), ...varint(n)];
const sub = (no: number, ...parts: Bytes[]): Bytes => ld(no, parts.flat());
const entry = (no: number, key: string, value: Bytes): Bytes => sub(no, str(1, key), value);
const quantity = (no: number, q: string): Bytes => sub(no, str(1, q));
const intOrString = (no: number, v: number | string): Bytes => (typeof v === 'number' ? sub(no, int(1, 0), int(2, v)) : sub(no, int(1, 1), str(3, v)));
const time = (no: number, iso: string): Bytes => sub(no, int(1, Date.parse(iso) / 1000));

function envelope(apiVersion: string, kind: string, raw: Bytes): Buffer {
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...sub(1, str(1, apiVersion), str(2, kind)), ...ld(2, raw), ...str(3, ''), ...str(4, '')]);
}

/** The bytes of the first occurrence of field `no` in a message (length-delimited). */
function fieldBytes(message: Uint8Array, no: number): Uint8Array {
  const hit = readFields(message).find((f) => f.field === no);
  assert.ok(hit && hit.data.wireType === WIRE_BYTES, `field ${no}`);
  return hit.data.value;
}

describe('decodeKubernetesProtobuf: hand-made vectors for the generated table', () => {
  it('Deployment with the full Pod template kubectl encoded (spliced from the recorded Job)', () => {
    // JobSpec.template = 6; Job.spec = 2. Reuse kubectl's own PodTemplateSpec bytes inside a Deployment.
    const jobRaw = decodeProtobufEnvelope(Buffer.from(RECORDED.jobFromCronJob!.body, 'base64')).raw;
    const template = fieldBytes(fieldBytes(jobRaw, 2), 6);
    const strategy = sub(4, str(1, 'RollingUpdate'), sub(2, intOrString(1, 0), intOrString(2, '25%')));
    const raw = [
      ...sub(1, str(1, 'full'), str(3, 'default'), entry(11, 'app', str(2, 'full'))),
      ...sub(2, int(1, 3), sub(2, entry(1, 'app', str(2, 'full'))), ld(3, template), strategy, int(5, 0), int(6, 10), int(7, 0), int(9, 600)),
      ...sub(3, int(1, 0), int(2, 0)),
    ];
    const expectedTemplate = ((RECORDED.jobFromCronJob!.expected.spec as JsonObject).template as JsonObject);
    assert.deepEqual(decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', raw)), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'full', namespace: 'default', labels: { app: 'full' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'full' } },
        template: expectedTemplate,
        // a *IntOrString set to 0 is kept; minReadySeconds/paused are omitempty non-pointers
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    });
  });

  it('Deployment: replicas 0 is kept (pointer), an empty status is dropped', () => {
    const raw = [...sub(1, str(1, 'z')), ...sub(2, int(1, 0), sub(3)), ...sub(3)];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', raw)), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'z' },
      // template has no omitempty in Go: written even when empty
      spec: { replicas: 0, template: {} },
    });
  });

  it('autoscaling/v2 HorizontalPodAutoscaler with Resource metrics and behavior', () => {
    const target = sub(2, str(1, 'Utilization'), int(4, 70)); // MetricTarget{type=1, averageValue=3, averageUtilization=4}
    const memTarget = sub(2, str(1, 'AverageValue'), quantity(3, '500Mi'));
    const rules = sub(1, int(3, 300), str(1, 'Max'), sub(2, str(1, 'Pods'), int(2, 4), int(3, 60)));
    const raw = [
      ...sub(1, str(1, 'web'), str(3, 'default')),
      ...sub(
        2,
        sub(1, str(1, 'Deployment'), str(2, 'web'), str(3, 'apps/v1')),
        int(2, 2),
        int(3, 10),
        sub(4, str(1, 'Resource'), sub(4, str(1, 'cpu'), target)),
        sub(4, str(1, 'ContainerResource'), sub(7, str(1, 'memory'), memTarget, str(3, 'app'))),
        sub(5, rules, sub(2, str(1, 'Min'), sub(2, str(1, 'Percent'), int(2, 100), int(3, 15)))),
      ),
      ...sub(
        3,
        int(1, 1),
        time(2, '2026-01-02T03:04:05Z'),
        int(3, 2),
        int(4, 3),
        sub(5, str(1, 'Resource'), sub(4, str(1, 'cpu'), sub(2, quantity(2, '250m'), int(3, 83)))),
        sub(6, str(1, 'AbleToScale'), str(2, 'True'), time(3, '2026-01-02T03:04:05Z'), str(4, 'ReadyForNewScale'), str(5, '')),
      ),
    ];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('autoscaling/v2', 'HorizontalPodAutoscaler', raw)), {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
          { type: 'ContainerResource', containerResource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' }, container: 'app' } },
        ],
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }] },
          scaleDown: { selectPolicy: 'Min', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
        },
      },
      status: {
        observedGeneration: 1,
        lastScaleTime: '2026-01-02T03:04:05Z',
        currentReplicas: 2,
        desiredReplicas: 3,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '250m', averageUtilization: 83 } } }],
        conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'ReadyForNewScale' }],
      },
    });
  });

  it('core/v1 Binding, policy/v1 Eviction with DeleteOptions, autoscaling/v1 Scale', () => {
    const binding = [...sub(1, str(1, 'p1'), str(3, 'default')), ...sub(2, str(1, 'Node'), str(3, 'node-1'))];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Binding', binding)), {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'p1', namespace: 'default' },
      target: { kind: 'Node', name: 'node-1' },
    });
    const eviction = [...sub(1, str(1, 'p1'), str(3, 'default')), ...sub(2, int(1, 0), str(5, 'All'))];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('policy/v1', 'Eviction', eviction)), {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'p1', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 0, dryRun: ['All'] },
    });
    const scale = [...sub(1, str(1, 'web'), str(3, 'default'), str(6, '42')), ...sub(2, int(1, 0)), ...sub(3, int(1, 2), str(2, 'app=web'))];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('autoscaling/v1', 'Scale', scale)), {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default', resourceVersion: '42' },
      // ScaleSpec.replicas is omitempty: 0 is dropped, as encoding/json does; status.replicas is not omitempty
      status: { replicas: 2, selector: 'app=web' },
    });
  });

  it('ControllerRevision data is its raw JSON; PersistentVolume inlines its volume source', () => {
    const cr = [...sub(1, str(1, 'web-1')), ...sub(2, str(1, '{"spec":{"template":{"x":1}}}')), ...int(3, 7)];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('apps/v1', 'ControllerRevision', cr)), {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'web-1' },
      data: { spec: { template: { x: 1 } } },
      revision: 7,
    });
    const pv = [...sub(1, str(1, 'pv1')), ...sub(2, entry(1, 'storage', quantity(2, '10Gi')), sub(2, sub(3, str(1, '/data'), str(2, 'DirectoryOrCreate'))), str(3, 'ReadWriteOnce'))];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'PersistentVolume', pv)), {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      // PersistentVolumeSource is embedded inline in the spec
      spec: { capacity: { storage: '10Gi' }, hostPath: { path: '/data', type: 'DirectoryOrCreate' }, accessModes: ['ReadWriteOnce'] },
    });
  });

  it('unknown fields are ignored', () => {
    const raw = [...sub(1, str(1, 'web')), ...sub(2, int(1, 1), str(999, 'future')), ...str(77, 'x')];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', raw)), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1 },
    });
  });

  it('every served kind, Binding, Eviction and Scale have a table', () => {
    for (const [apiVersion, kind] of [
      ['v1', 'Pod'], ['v1', 'Node'], ['v1', 'Binding'], ['v1', 'PersistentVolumeClaim'], ['v1', 'ResourceQuota'], ['v1', 'LimitRange'], ['v1', 'Endpoints'],
      ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'], ['apps/v1', 'ReplicaSet'], ['discovery.k8s.io/v1', 'EndpointSlice'],
      ['networking.k8s.io/v1', 'NetworkPolicy'], ['networking.k8s.io/v1', 'IngressClass'], ['networking.k8s.io/v1', 'IPAddress'], ['networking.k8s.io/v1', 'ServiceCIDR'],
      ['policy/v1', 'Eviction'], ['storage.k8s.io/v1', 'StorageClass'], ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'], ['autoscaling/v1', 'Scale'],
    ] as const) {
      assert.ok(protobufSchemaFor(apiVersion, kind), `${apiVersion} ${kind}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Live: the same commands against real kubectl. Also compares with kubectl's own JSON of the same typed object
// (`--dry-run=client -o json`), after removing what encoding/json writes for zero values we leave out
// (null, and empty non-pointer structs such as `status: {}` or `resources: {}`).

function withoutEmpty(v: JsonValue): JsonValue | undefined {
  if (v === null) return undefined;
  if (Array.isArray(v)) return v.map((x) => withoutEmpty(x) ?? null);
  if (typeof v !== 'object') return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    const y = withoutEmpty(x);
    if (y === undefined || (typeof y === 'object' && y !== null && !Array.isArray(y) && Object.keys(y).length === 0)) continue;
    out[k] = y;
  }
  return out;
}

describe('real kubectl: generated-table kinds', async () => {
  const available = await hasKubectl();
  let h: KubectlHarness;
  before(async () => {
    if (!available) return;
    h = await startKubectlHarness();
    h.objects.set('/apis/batch/v1/namespaces/default/cronjobs/nightly', NIGHTLY_CRONJOB);
    h.objects.set('/apis/apps/v1/namespaces/default/deployments/full', FULL_DEPLOYMENT);
  });
  after(async () => {
    await h?.close();
  });

  for (const [name, r] of Object.entries(RECORDED)) {
    it(`${name}: kubectl ${r.args.join(' ')}`, { skip: !available && 'kubectl not installed' }, async () => {
      const before = h.requests.length;
      await h.kubectl(r.args);
      const posts = h.requests.slice(before).filter((q) => q.method === 'POST');
      assert.equal(posts.length, 1);
      assert.equal(posts[0]!.contentType, 'application/vnd.kubernetes.protobuf');
      const obj = decodeKubernetesProtobuf(posts[0]!.body) as unknown as JsonObject;
      assert.deepEqual(obj, r.expected);
      if (r.args[0] === 'create') {
        const { stdout } = await h.kubectl([...r.args, '--dry-run=client', '-o', 'json']);
        const goJson = JSON.parse(stdout) as JsonObject;
        assert.deepEqual(withoutEmpty(obj), withoutEmpty(goJson));
      }
    });
  }
});
