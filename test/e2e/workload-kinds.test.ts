/**
 * The built-in kinds a workload cluster serves, met with the real kubectl against the cluster's own endpoint:
 * api-resources with kube-apiserver's names, short names and the `all` category; `kubectl explain` with upstream's
 * field documentation; a typical application's manifests (Deployment, Service, ConfigMap, Ingress, HPA, PDB) applied
 * and re-applied; strategic merge patches that merge containers by name; refusals that name the field.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { startPlane, type TestPlane } from '../support/plane.js';
import { kube, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

const APP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example/web:1.4.2
        ports:
        - containerPort: 8080
          name: http
        envFrom:
        - configMapRef: {name: web-config}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {memory: 256Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
      - name: sidecar
        image: registry.example/proxy:2.0
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: web.example
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port: {name: http}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 70}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
`;

describe('built-in kinds in a workload cluster (kubectl)', () => {
  let t: TestPlane;
  let kb: Kube;
  let wl: Awaited<ReturnType<typeof workloadKubectl>>;

  before(async () => {
    t = await startPlane();
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'k', workerReplicas: 0 }));
    await waitFor(kb, ['get', 'kcp', 'k-control-plane'], (o: { status?: { initialized?: boolean } }) => o.status?.initialized === true, 90_000, 'control plane initialized');
    wl = await workloadKubectl(kb, 'k');
  });
  after(async () => {
    await t?.close();
  });

  it('lists the kinds with kube-apiserver\'s names, short names and namespacing', async () => {
    const out = await wl.ok(['api-resources', '--no-headers']);
    for (const [name, short, version, namespaced, kind] of [
      ['pods', 'po', 'v1', 'true', 'Pod'],
      ['services', 'svc', 'v1', 'true', 'Service'],
      ['persistentvolumes', 'pv', 'v1', 'false', 'PersistentVolume'],
      ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
      ['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet'],
      ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'],
      ['endpointslices', '', 'discovery.k8s.io/v1', 'true', 'EndpointSlice'],
      ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress'],
      ['poddisruptionbudgets', 'pdb', 'policy/v1', 'true', 'PodDisruptionBudget'],
      ['priorityclasses', 'pc', 'scheduling.k8s.io/v1', 'false', 'PriorityClass'],
      ['storageclasses', 'sc', 'storage.k8s.io/v1', 'false', 'StorageClass'],
      ['clusterroles', '', 'rbac.authorization.k8s.io/v1', 'false', 'ClusterRole'],
      ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler'],
    ]) {
      const re = new RegExp(`^${name}\\s+${short ? `${short}\\s+` : ''}${version.replace('/', '\\/')}\\s+${namespaced}\\s+${kind}$`, 'm');
      assert.match(out, re, `${name} in\n${out}`);
    }
  });

  it('explains fields with upstream\'s documentation', async () => {
    const surge = await wl.ok(['explain', 'deployment.spec.strategy.rollingUpdate.maxSurge']);
    assert.match(surge, /KIND:\s+Deployment/);
    assert.match(surge, /FIELD:\s+maxSurge <IntOrString>/);
    assert.match(surge, /The maximum number of pods that can be scheduled above the desired number of\s+pods\./);
    const tolerations = await wl.ok(['explain', 'pods.spec.tolerations']);
    assert.match(tolerations, /FIELD:\s+tolerations <\[\]Toleration>/);
    assert.match(tolerations, /effect\s+<string>/);
  });

  it('applies a typical application\'s manifests, and re-applies them unchanged', async () => {
    const controllers = t.plane.workloadControllers!;
    assert.deepEqual(controllers.active, [], 'an idle cluster runs no workload controllers');
    const first = await wl.ok(['apply', '-f', '-'], APP);
    assert.deepEqual(controllers.active, ['default/k'], 'the first workload starts them');
    for (const line of ['configmap/web-config created', 'deployment.apps/web created', 'service/web created', 'ingress.networking.k8s.io/web created', 'horizontalpodautoscaler.autoscaling/web created', 'poddisruptionbudget.policy/web created']) {
      assert.ok(first.includes(line), `${line} in\n${first}`);
    }
    const again = await wl.ok(['apply', '-f', '-'], APP);
    assert.equal(again.match(/unchanged/g)?.length, 6, again);
    const d = parse(await wl.ok(['get', 'deploy', 'web', '-o', 'yaml'])) as { metadata: { generation: number }; spec: { template: { spec: { containers: { name: string; ports?: unknown[] }[] } } } };
    assert.deepEqual(d.spec.template.spec.containers.map((c) => c.name), ['web', 'sidecar']);
    assert.equal(d.metadata.generation, 1);
  });

  it('fills kube-apiserver\'s defaults, visible in -o yaml, and prints kubectl\'s columns', async () => {
    const d = parse(await wl.ok(['get', 'deploy', 'web', '-o', 'yaml'])) as {
      spec: { strategy: { type: string; rollingUpdate: { maxSurge: string; maxUnavailable: string } }; revisionHistoryLimit: number; progressDeadlineSeconds: number; template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
    };
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    const pod = d.spec.template.spec;
    assert.equal(pod.restartPolicy, 'Always');
    assert.equal(pod.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.schedulerName, 'default-scheduler');
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    const web = pod.containers[0]!;
    assert.equal(web.imagePullPolicy, 'IfNotPresent');
    assert.equal(web.terminationMessagePath, '/dev/termination-log');
    assert.deepEqual((web.ports as Record<string, unknown>[])[0], { containerPort: 8080, name: 'http', protocol: 'TCP' });
    assert.deepEqual((web.readinessProbe as Record<string, unknown>).timeoutSeconds, 1);
    const svc = parse(await wl.ok(['get', 'svc', 'web', '-o', 'yaml'])) as { spec: { type: string; sessionAffinity: string; ports: Record<string, unknown>[] } };
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.equal(svc.spec.ports[0]!.protocol, 'TCP');
    const header = (await wl.ok(['get', 'deploy'])).split('\n')[0]!.trim().split(/\s{2,}/);
    assert.deepEqual(header, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    const wide = (await wl.ok(['get', 'deploy', 'web', '-o', 'wide', '--no-headers'])).trim().split(/\s{2,}/);
    assert.deepEqual([wide[0], wide[1], wide[5], wide[6], wide[7]], ['web', '0/3', 'web,sidecar', 'registry.example/web:1.4.2,registry.example/proxy:2.0', 'app=web']);
    const pdb = (await wl.ok(['get', 'pdb'])).split('\n')[0]!.trim().split(/\s{2,}/);
    assert.deepEqual(pdb, ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
  });

  it('strategic merge patch merges containers by name; set image changes one container', async () => {
    await wl.ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"registry.example/proxy:2.1"}]}}}}']);
    await wl.ok(['set', 'image', 'deploy/web', 'web=registry.example/web:1.5.0']);
    const d = parse(await wl.ok(['get', 'deploy', 'web', '-o', 'yaml'])) as { spec: { template: { spec: { containers: { name: string; image: string; ports?: unknown[] }[] } } } };
    assert.deepEqual(d.spec.template.spec.containers.map((c) => [c.name, c.image]), [['web', 'registry.example/web:1.5.0'], ['sidecar', 'registry.example/proxy:2.1']]);
    assert.equal(d.spec.template.spec.containers[0]!.ports?.length, 1, 'the web container kept its ports');
  });

  it('refuses a Deployment without containers and a Service port out of range, naming the field', async () => {
    const noContainers = await wl.k(['create', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: empty}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {}\n');
    assert.notEqual(noContainers.code, 0);
    assert.match(noContainers.stderr, /spec\.template\.spec\.containers: Required value/);
    const badPort = await wl.k(['create', 'service', 'clusterip', 'bad', '--tcp=70000:80']);
    assert.notEqual(badPort.code, 0);
    assert.match(badPort.stderr, /70000/);
  });
});
