import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDefaults, defaulted, defaultedTemplateSpec } from './defaults.test-util.js';
import { imageTag, defaultPullPolicy } from './image.js';

const pod = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const podSpecDefaults = (extra: Record<string, unknown> = {}) => defaultedTemplateSpec({ enableServiceLinks: true, ...extra });
const containerDefaults = (extra: Record<string, unknown>) => ({
  imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', ...extra,
});

describe('image pull policy from the image reference (upstream ParseImageName tag rule)', () => {
  const cases: [string, string, 'Always' | 'IfNotPresent'][] = [
    ['nginx', 'latest', 'Always'],
    ['nginx:latest', 'latest', 'Always'],
    ['nginx:1.25', '1.25', 'IfNotPresent'],
    ['docker.io/library/nginx:1.25.3-alpine', '1.25.3-alpine', 'IfNotPresent'],
    ['localhost:5000/nginx', 'latest', 'Always'],
    ['localhost:5000/nginx:v1', 'v1', 'IfNotPresent'],
    ['registry.example.com:443/team/app:latest', 'latest', 'Always'],
    [`nginx@sha256:${'a'.repeat(64)}`, '', 'IfNotPresent'],
    [`nginx:latest@sha256:${'b'.repeat(64)}`, 'latest', 'Always'],
    ['Nginx', '', 'IfNotPresent'],
    ['', '', 'IfNotPresent'],
    ['nginx:bad tag', '', 'IfNotPresent'],
  ];
  for (const [image, tag, policy] of cases) {
    it(`${JSON.stringify(image)} → tag ${JSON.stringify(tag)}, ${policy}`, () => {
      assert.equal(imageTag(image), tag);
      assert.equal(defaultPullPolicy(image), policy);
    });
  }
  it('an image that is not a string gets IfNotPresent', () => assert.equal(defaultPullPolicy(undefined), 'IfNotPresent'));
});

describe('Pod defaults (upstream SetDefaults_Pod, _PodSpec, _Container, _Probe, _Volume)', () => {
  it('an empty pod spec gets the PodSpec defaults and enableServiceLinks', () => {
    assertDefaults('', 'v1', 'Pod', { name: 'empty', input: pod({}), expected: pod(podSpecDefaults()) });
  });

  it('containers, init containers and ephemeral containers get container defaults', () => {
    const probe = { httpGet: { port: 8080 } };
    const input = pod({
      containers: [{
        name: 'web', image: 'nginx', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        livenessProbe: probe, readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
        startupProbe: { grpc: { port: 9090 } },
        lifecycle: { preStop: { httpGet: { port: 80, path: '/quit' } }, postStart: { exec: { command: ['true'] } } },
      }],
      initContainers: [{ name: 'init', image: 'busybox:1.36' }],
      ephemeralContainers: [{ name: 'debug', image: 'busybox:latest' }],
    });
    const expected = pod(podSpecDefaults({
      containers: [containerDefaults({
        name: 'web', image: 'nginx', imagePullPolicy: 'Always',
        ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }],
        livenessProbe: { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        startupProbe: { grpc: { port: 9090, service: '' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        lifecycle: { preStop: { httpGet: { port: 80, path: '/quit', scheme: 'HTTP' } }, postStart: { exec: { command: ['true'] } } },
      })],
      initContainers: [containerDefaults({ name: 'init', image: 'busybox:1.36' })],
      ephemeralContainers: [containerDefaults({ name: 'debug', image: 'busybox:latest', imagePullPolicy: 'Always' })],
    }));
    assertDefaults('', 'v1', 'Pod', { name: 'containers', input, expected });
  });

  it('requests default from limits for containers and init containers, keeping set requests (TestSetDefaultRequestsPod)', () => {
    const input = pod({
      containers: [
        { name: 'a', image: 'x:1', resources: { limits: { cpu: '100m', memory: '1Gi' }, requests: { memory: '512Mi' } } },
        { name: 'b', image: 'x:1', resources: { requests: { cpu: '1' } } },
        { name: 'c', image: 'x:1', resources: { limits: {} } },
      ],
      initContainers: [{ name: 'i', image: 'x:1', resources: { limits: { cpu: '2' } } }],
    });
    const out = defaulted('', 'v1', 'Pod', input) as { spec: { containers: { resources: unknown }[]; initContainers: { resources: unknown }[] } };
    assert.deepEqual(out.spec.containers[0]!.resources, { limits: { cpu: '100m', memory: '1Gi' }, requests: { memory: '512Mi', cpu: '100m' } });
    assert.deepEqual(out.spec.containers[1]!.resources, { requests: { cpu: '1' } });
    assert.deepEqual(out.spec.containers[2]!.resources, { limits: {} });
    assert.deepEqual(out.spec.initContainers[0]!.resources, { limits: { cpu: '2' }, requests: { cpu: '2' } });
  });

  it('host network: container ports default their hostPort to the containerPort (TestSetDefaultPodSpecHostNetwork)', () => {
    const input = pod({
      hostNetwork: true,
      containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 12345 }, { containerPort: 80, hostPort: 80 }] }],
      initContainers: [{ name: 'i', image: 'x:1', ports: [{ containerPort: 23456 }] }],
    });
    const out = defaulted('', 'v1', 'Pod', input) as { spec: { containers: { ports: unknown[] }[]; initContainers: { ports: unknown[] }[] } };
    assert.deepEqual(out.spec.containers[0]!.ports, [
      { containerPort: 12345, hostPort: 12345, protocol: 'TCP' }, { containerPort: 80, hostPort: 80, protocol: 'TCP' },
    ]);
    assert.deepEqual(out.spec.initContainers[0]!.ports, [{ containerPort: 23456, hostPort: 23456, protocol: 'TCP' }]);
  });

  it('volume sources get their defaults (TestWorkloadDefaults / TestPodDefaults volume paths)', () => {
    const input = pod({
      volumes: [
        { name: 'none' },
        { name: 'secret', secret: { secretName: 's' } },
        { name: 'cm', configMap: { name: 'c', defaultMode: 0o400 } },
        { name: 'down', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        {
          name: 'proj', projected: {
            sources: [
              { serviceAccountToken: { path: 'token' } },
              { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } },
            ],
          },
        },
        { name: 'host', hostPath: { path: '/var' } },
        { name: 'iscsi', iscsi: { targetPortal: 't', iqn: 'q', lun: 0 } },
        { name: 'rbd', rbd: { monitors: ['m'], image: 'i' } },
        { name: 'azure', azureDisk: { diskName: 'd', diskURI: 'u' } },
        { name: 'scaleio', scaleIO: { gateway: 'g', system: 's', secretRef: { name: 'x' } } },
        { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } } },
        { name: 'img', image: { reference: 'quay.io/crio/artifact:v1' } },
      ],
    });
    const out = defaulted('', 'v1', 'Pod', input) as { spec: { volumes: Record<string, unknown>[] } };
    assert.deepEqual(out.spec.volumes, [
      { name: 'none', emptyDir: {} },
      { name: 'secret', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'cm', configMap: { name: 'c', defaultMode: 0o400 } },
      { name: 'down', downwardAPI: { defaultMode: 420, items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels', apiVersion: 'v1' } }] } },
      {
        name: 'proj', projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
            { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } }] } },
          ],
        },
      },
      { name: 'host', hostPath: { path: '/var', type: '' } },
      { name: 'iscsi', iscsi: { targetPortal: 't', iqn: 'q', lun: 0, iscsiInterface: 'default' } },
      { name: 'rbd', rbd: { monitors: ['m'], image: 'i', pool: 'rbd', user: 'admin', keyring: '/etc/ceph/keyring' } },
      { name: 'azure', azureDisk: { diskName: 'd', diskURI: 'u', cachingMode: 'ReadWrite', fsType: 'ext4', readOnly: false, kind: 'Shared' } },
      { name: 'scaleio', scaleIO: { gateway: 'g', system: 's', secretRef: { name: 'x' }, storageMode: 'ThinProvisioned', fsType: 'xfs' } },
      { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' } } } },
      { name: 'img', image: { reference: 'quay.io/crio/artifact:v1', pullPolicy: 'IfNotPresent' } },
    ]);
  });

  it('values the user set are kept', () => {
    const spec = {
      dnsPolicy: 'Default', restartPolicy: 'Never', securityContext: { runAsUser: 1000 }, terminationGracePeriodSeconds: 0,
      schedulerName: 'mine', enableServiceLinks: false,
      containers: [{
        name: 'a', image: 'nginx', imagePullPolicy: 'Never', terminationMessagePath: '/tmp/t', terminationMessagePolicy: 'FallbackToLogsOnError',
        ports: [{ containerPort: 1, protocol: 'SCTP' }],
        livenessProbe: { exec: { command: ['x'] }, timeoutSeconds: 5, periodSeconds: 7, successThreshold: 1, failureThreshold: 9 },
      }],
    };
    assertDefaults('', 'v1', 'Pod', { name: 'user values', input: pod(spec), expected: pod(spec) });
  });
});

describe('pod templates: PodSpec defaults without the Pod-only ones', () => {
  it('PodTemplate gets template defaults, not enableServiceLinks or requests from limits (TestDefaultRequestIsNotSetForReplicaSet)', () => {
    const input = {
      kind: 'PodTemplate', metadata: { name: 't' },
      template: { spec: { containers: [{ name: 'a', image: 'x:1', resources: { limits: { cpu: '100m' } } }] } },
    };
    const expected = {
      kind: 'PodTemplate', metadata: { name: 't' },
      template: { spec: defaultedTemplateSpec({ containers: [containerDefaults({ name: 'a', image: 'x:1', resources: { limits: { cpu: '100m' } } })] }) },
    };
    assertDefaults('', 'v1', 'PodTemplate', { name: 'pod template', input, expected });
  });
});
