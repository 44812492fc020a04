import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyKubernetesDefaults, defaultedKinds, podStatusOnCreate } from './index.js';
import { defaulted } from './defaults.test-util.js';

type Obj = Record<string, unknown>;

/** A typical web app's manifests, each as a user would write them. */
const webApp: { group: string; version: string; kind: string; obj: Obj }[] = [
  {
    group: 'apps', version: 'v1', kind: 'Deployment', obj: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 3, selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{
              name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, name: 'http' }],
              envFrom: [{ configMapRef: { name: 'web-config' } }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
            }],
            volumes: [{ name: 'config', configMap: { name: 'web-config' } }, { name: 'cache' }],
          },
        },
      },
    },
  },
  {
    group: '', version: 'v1', kind: 'Service', obj: {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    },
  },
  { group: '', version: 'v1', kind: 'ConfigMap', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { MODE: 'prod' } } },
  {
    group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', obj: {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' },
      spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    },
  },
  {
    group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', obj: {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10 },
    },
  },
  {
    group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', obj: {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    },
  },
  {
    group: '', version: 'v1', kind: 'Pod', obj: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'job-runner' },
      spec: { containers: [{ name: 'run', image: 'busybox', resources: { limits: { cpu: '1', memory: '1Gi' } } }] },
    },
  },
  { group: 'batch', version: 'v1', kind: 'CronJob', obj: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], restartPolicy: 'OnFailure' } } } } } } },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', obj: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } } },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', obj: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:2' }] } } } } },
];

/** Every path to a leaf value (including empty objects/arrays) with its JSON value. */
function leaves(value: unknown, path = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) for (const [p, v] of leaves(inner, `${path}/${key}`)) out.set(p, v);
  } else out.set(path, JSON.stringify(value));
  return out;
}

describe('applyKubernetesDefaults', () => {
  it('defaultedKinds lists every kind with its group and version, once', () => {
    const kinds = defaultedKinds();
    const keys = kinds.map((k) => `${k.group}/${k.version}/${k.kind}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const expected of [
      '/v1/Pod', '/v1/Service', '/v1/Endpoints', '/v1/PersistentVolumeClaim', '/v1/PersistentVolume', '/v1/Secret', '/v1/Namespace',
      '/v1/LimitRange', '/v1/Node', 'apps/v1/Deployment', 'apps/v1/ReplicaSet', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'batch/v1/Job',
      'batch/v1/CronJob', 'discovery.k8s.io/v1/EndpointSlice', 'networking.k8s.io/v1/NetworkPolicy', 'scheduling.k8s.io/v1/PriorityClass',
      'storage.k8s.io/v1/StorageClass', 'rbac.authorization.k8s.io/v1/RoleBinding', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'autoscaling/v2/HorizontalPodAutoscaler',
    ]) assert.ok(keys.includes(expected), expected);
    // Callers get copies.
    kinds[0]!.kind = 'Changed';
    assert.notEqual(defaultedKinds()[0]!.kind, 'Changed');
  });

  it('leaves unknown kinds, other versions and other groups alone', () => {
    for (const [group, version, kind] of [['', 'v1', 'ConfigMap'], ['apps', 'v1beta1', 'Deployment'], ['example.com', 'v1', 'Pod'], ['', 'v1', 'pod']]) {
      const obj = { spec: {}, metadata: { name: 'x' } };
      applyKubernetesDefaults(group!, version!, kind!, obj);
      assert.deepEqual(obj, { spec: {}, metadata: { name: 'x' } }, `${group}/${version}/${kind}`);
    }
  });

  for (const { group, version, kind, obj } of webApp) {
    it(`${kind} of a web app: idempotent, and no value the user set changes`, () => {
      const once = defaulted(group, version, kind, obj);
      assert.deepEqual(defaulted(group, version, kind, once), once);
      const after = leaves(once);
      for (const [path, value] of leaves(obj)) {
        // An empty object or array may have gained children; anything else must be unchanged.
        if (value === '{}' || value === '[]') continue;
        assert.equal(after.get(path), value, `${kind}${path}`);
      }
    });
  }

  it('the web app Pod gets requests from its limits and so is Guaranteed', () => {
    const pod = defaulted('', 'v1', 'Pod', webApp.find((m) => m.kind === 'Pod')!.obj);
    assert.deepEqual(podStatusOnCreate(pod), { phase: 'Pending', qosClass: 'Guaranteed' });
    const container = ((pod['spec'] as Obj)['containers'] as Obj[])[0]!;
    assert.equal(container['imagePullPolicy'], 'Always');
  });

  it('the web app Deployment template gets the shared pod-spec defaults', () => {
    const deployment = defaulted('apps', 'v1', 'Deployment', webApp[0]!.obj);
    const podSpec = ((deployment['spec'] as Obj)['template'] as Obj)['spec'] as Obj;
    assert.equal(podSpec['enableServiceLinks'], undefined);
    assert.deepEqual(podSpec['volumes'], [{ name: 'config', configMap: { name: 'web-config', defaultMode: 420 } }, { name: 'cache', emptyDir: {} }]);
    const container = (podSpec['containers'] as Obj[])[0]!;
    assert.deepEqual(container['resources'], { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    assert.deepEqual(container['readinessProbe'], { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });
});
