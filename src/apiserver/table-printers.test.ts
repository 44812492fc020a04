/**
 * Built-in printers of the workload kinds, with the cases of kube's printers_test.go
 * (pkg/printers/internalversion) rewritten as v1 objects. The server always prints the wide form, so a
 * case's normal and wide rows from upstream are one row here, the priority-1 cells at the end.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/types.js';
import type { ResourceInfo } from './resource-info.js';
import { builtinTableColumns, toTable, type ToTableOptions } from './table.js';
import { formatQuantity } from './table-quantity.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const YEAR = 365 * 24 * HOUR;

function info(group: string, kind: string): ResourceInfo {
  return {
    group,
    version: 'v1',
    kind,
    listKind: `${kind}List`,
    plural: `${kind.toLowerCase()}s`,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list'],
    schema: {},
    printerColumns: [],
    subresources: { status: false },
    builtin: true,
    storageVersion: 'v1',
  };
}

/** The cells of each object's row (a list unless `single`). */
function rows(group: string, kind: string, objects: KubeObject[], opts: Partial<ToTableOptions> = {}): unknown[][] {
  return toTable(info(group, kind), objects, { includeObject: 'None', now, ...opts }).rows.map((r) => r.cells);
}
const row = (group: string, kind: string, o: KubeObject): unknown[] => rows(group, kind, [o], { single: true })[0]!;

/** Column headers as [name, type, priority]. */
const headers = (group: string, kind: string): unknown[] => builtinTableColumns(group, kind)!.map((c) => [c.name, c.type, c.priority]);

const meta = (name: string, extra: Record<string, unknown> = {}): KubeObject['metadata'] => ({ name, namespace: 'default', creationTimestamp: ago(5 * MIN), ...extra });
const containers = [
  { name: 'fake-container1', image: 'fake-image1' },
  { name: 'fake-container2', image: 'fake-image2' },
];

describe('column definitions', () => {
  const cases: [string, string, unknown[]][] = [
    ['', 'Service', [['Name', 'string', 0], ['Type', 'string', 0], ['Cluster-IP', 'string', 0], ['External-IP', 'string', 0], ['Port(s)', 'string', 0], ['Age', 'string', 0], ['Selector', 'string', 1]]],
    ['', 'Endpoints', [['Name', 'string', 0], ['Endpoints', 'string', 0], ['Age', 'string', 0]]],
    [
      '',
      'PersistentVolumeClaim',
      [['Name', 'string', 0], ['Status', 'string', 0], ['Volume', 'string', 0], ['Capacity', 'string', 0], ['Access Modes', 'string', 0], ['StorageClass', 'string', 0], ['VolumeAttributesClass', 'string', 0], ['Age', 'string', 0], ['VolumeMode', 'string', 1]],
    ],
    [
      '',
      'PersistentVolume',
      [['Name', 'string', 0], ['Capacity', 'string', 0], ['Access Modes', 'string', 0], ['Reclaim Policy', 'string', 0], ['Status', 'string', 0], ['Claim', 'string', 0], ['StorageClass', 'string', 0], ['VolumeAttributesClass', 'string', 0], ['Reason', 'string', 0], ['Age', 'string', 0], ['VolumeMode', 'string', 1]],
    ],
    ['', 'ResourceQuota', [['Name', 'string', 0], ['Request', 'string', 0], ['Limit', 'string', 0], ['Age', 'string', 0]]],
    ['', 'LimitRange', [['Name', 'string', 0], ['Created At', 'date', 0]]],
    ['apps', 'Deployment', [['Name', 'string', 0], ['Ready', 'string', 0], ['Up-to-date', 'string', 0], ['Available', 'string', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]]],
    ['apps', 'ReplicaSet', [['Name', 'string', 0], ['Desired', 'integer', 0], ['Current', 'integer', 0], ['Ready', 'integer', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]]],
    ['apps', 'StatefulSet', [['Name', 'string', 0], ['Ready', 'string', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1]]],
    [
      'apps',
      'DaemonSet',
      [['Name', 'string', 0], ['Desired', 'integer', 0], ['Current', 'integer', 0], ['Ready', 'integer', 0], ['Up-to-date', 'integer', 0], ['Available', 'integer', 0], ['Node Selector', 'string', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    ],
    ['apps', 'ControllerRevision', [['Name', 'string', 0], ['Controller', 'string', 0], ['Revision', 'string', 0], ['Age', 'string', 0]]],
    ['batch', 'Job', [['Name', 'string', 0], ['Status', 'string', 0], ['Completions', 'string', 0], ['Duration', 'string', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]]],
    [
      'batch',
      'CronJob',
      [['Name', 'string', 0], ['Schedule', 'string', 0], ['Timezone', 'string', 0], ['Suspend', 'boolean', 0], ['Active', 'integer', 0], ['Last Schedule', 'string', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    ],
    ['discovery.k8s.io', 'EndpointSlice', [['Name', 'string', 0], ['AddressType', 'string', 0], ['Ports', 'string', 0], ['Endpoints', 'string', 0], ['Age', 'string', 0]]],
    ['networking.k8s.io', 'Ingress', [['Name', 'string', 0], ['Class', 'string', 0], ['Hosts', 'string', 0], ['Address', 'string', 0], ['Ports', 'string', 0], ['Age', 'string', 0]]],
    ['networking.k8s.io', 'IngressClass', [['Name', 'string', 0], ['Controller', 'string', 0], ['Parameters', 'string', 0], ['Age', 'string', 0]]],
    ['networking.k8s.io', 'NetworkPolicy', [['Name', 'string', 0], ['Pod-Selector', 'string', 0], ['Age', 'string', 0]]],
    ['policy', 'PodDisruptionBudget', [['Name', 'string', 0], ['Min Available', 'string', 0], ['Max Unavailable', 'string', 0], ['Allowed Disruptions', 'integer', 0], ['Age', 'string', 0]]],
    ['scheduling.k8s.io', 'PriorityClass', [['Name', 'string', 0], ['Value', 'integer', 0], ['Global-Default', 'boolean', 0], ['Age', 'string', 0], ['PreemptionPolicy', 'string', 0]]],
    ['storage.k8s.io', 'StorageClass', [['Name', 'string', 0], ['Provisioner', 'string', 0], ['ReclaimPolicy', 'string', 0], ['VolumeBindingMode', 'string', 0], ['AllowVolumeExpansion', 'string', 0], ['Age', 'string', 0]]],
    ['rbac.authorization.k8s.io', 'Role', [['Name', 'string', 0], ['Created At', 'date', 0]]],
    ['rbac.authorization.k8s.io', 'ClusterRole', [['Name', 'string', 0], ['Created At', 'date', 0]]],
    ['rbac.authorization.k8s.io', 'RoleBinding', [['Name', 'string', 0], ['Role', 'string', 0], ['Age', 'string', 0], ['Users', 'string', 1], ['Groups', 'string', 1], ['ServiceAccounts', 'string', 1]]],
    ['rbac.authorization.k8s.io', 'ClusterRoleBinding', [['Name', 'string', 0], ['Role', 'string', 0], ['Age', 'string', 0], ['Users', 'string', 1], ['Groups', 'string', 1], ['ServiceAccounts', 'string', 1]]],
    ['autoscaling', 'HorizontalPodAutoscaler', [['Name', 'string', 0], ['Reference', 'string', 0], ['Targets', 'string', 0], ['MinPods', 'string', 0], ['MaxPods', 'string', 0], ['Replicas', 'string', 0], ['Age', 'string', 0]]],
  ];
  for (const [group, kind, want] of cases) {
    it(`${group || 'core'}/${kind}`, () => assert.deepEqual(headers(group, kind), want));
  }

  it('the Name column has format "name"; every column has a description', () => {
    for (const [group, kind] of cases) {
      const cols = builtinTableColumns(group, kind)!;
      assert.equal(cols[0]!.format, 'name', kind);
      for (const c of cols) assert.ok(c.description.length > 0, `${kind} ${c.name}`);
    }
  });
});

describe('Deployment (TestPrintDeployment)', () => {
  it('READY ready/desired, up-to-date, available; wide: containers, images, selector', () => {
    const d: KubeObject = {
      metadata: meta('test1'),
      spec: { replicas: 5, template: { spec: { containers } }, selector: { matchLabels: { foo: 'bar' } } },
      status: { replicas: 10, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 4 },
    };
    assert.deepEqual(row('apps', 'Deployment', d), ['test1', '0/5', 2, 1, '5m', 'fake-container1,fake-container2', 'fake-image1,fake-image2', 'foo=bar']);
  });
  it('"2/3" and a selector with expressions', () => {
    const d: KubeObject = {
      metadata: meta('web'),
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } }, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(row('apps', 'Deployment', d), ['web', '2/3', 3, 2, '5m', 'nginx', 'nginx:1.27', 'app=web,tier in (edge,front)']);
  });
  it('an invalid selector reads <invalid>', () => {
    const d: KubeObject = { metadata: meta('x'), spec: { replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } } };
    assert.equal(row('apps', 'Deployment', d)[7], '<invalid>');
  });
});

describe('ReplicaSet (TestPrintReplicaSet)', () => {
  it('desired, current, ready; wide: containers, images, selector', () => {
    const rs: KubeObject = { metadata: meta('test1'), spec: { replicas: 5, template: { spec: { containers } }, selector: { matchLabels: { foo: 'bar' } } }, status: { replicas: 5, readyReplicas: 2 } };
    assert.deepEqual(row('apps', 'ReplicaSet', rs), ['test1', 5, 5, 2, '5m', 'fake-container1,fake-container2', 'fake-image1,fake-image2', 'foo=bar']);
  });
  it('list (TestPrintReplicaSetList): no containers, no selector → "", "", <none>', () => {
    const list: KubeObject[] = [
      { metadata: meta('replicaset1'), spec: { replicas: 5, template: { spec: { containers } } }, status: { replicas: 5, readyReplicas: 2 } },
      { metadata: meta('replicaset2'), spec: { replicas: 4, template: {}, selector: { matchLabels: { foo: 'bar' } } }, status: { replicas: 3, readyReplicas: 1 } },
    ];
    assert.deepEqual(rows('apps', 'ReplicaSet', list), [
      ['replicaset1', 5, 5, 2, '5m', 'fake-container1,fake-container2', 'fake-image1,fake-image2', '<none>'],
      ['replicaset2', 4, 3, 1, '5m', '', '', 'foo=bar'],
    ]);
  });
});

describe('StatefulSet (TestPrintStatefulSet)', () => {
  it('READY ready/desired; wide: containers, images', () => {
    const ss: KubeObject = { metadata: meta('test1'), spec: { replicas: 5, template: { spec: { containers } } }, status: { replicas: 5, readyReplicas: 2 } };
    assert.deepEqual(row('apps', 'StatefulSet', ss), ['test1', '2/5', '5m', 'fake-container1,fake-container2', 'fake-image1,fake-image2']);
  });
});

describe('DaemonSet (TestPrintDaemonSet, TestPrintDaemonSetList)', () => {
  it('counts, node selector <none>; wide: containers, images, selector', () => {
    const ds: KubeObject = {
      metadata: meta('test1'),
      spec: { template: { spec: { containers } }, selector: { matchLabels: { foo: 'bar' } } },
      status: { currentNumberScheduled: 2, desiredNumberScheduled: 3, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 0 },
    };
    assert.deepEqual(row('apps', 'DaemonSet', ds), ['test1', 3, 2, 1, 2, 0, '<none>', '5m', 'fake-container1,fake-container2', 'fake-image1,fake-image2', 'foo=bar']);
  });
  it('node selector as sorted k=v pairs', () => {
    const ds: KubeObject = { metadata: meta('agent'), spec: { template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux', arch: 'amd64' } } } }, status: {} };
    assert.deepEqual(row('apps', 'DaemonSet', ds).slice(0, 8), ['agent', 0, 0, 0, 0, 0, 'arch=amd64,kubernetes.io/os=linux', '5m']);
  });
});

describe('ControllerRevision (TestPrintControllerRevision)', () => {
  const cr = (name: string, revision: number, ownerReferences?: unknown[]): KubeObject => ({ metadata: meta(name, ownerReferences ? { ownerReferences } : {}), revision });
  it('controller as kind.group/name', () => {
    assert.deepEqual(row('apps', 'ControllerRevision', cr('test1', 1, [{ controller: true, apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'foo', uid: 'u' }])), ['test1', 'daemonset.apps/foo', 1, '5m']);
  });
  it('no controller owner → <none>', () => {
    assert.deepEqual(row('apps', 'ControllerRevision', cr('test2', 2, [{ controller: false, kind: 'ABC', name: 'foo' }])), ['test2', '<none>', 2, '5m']);
    assert.deepEqual(row('apps', 'ControllerRevision', cr('test3', 3, [])), ['test3', '<none>', 3, '5m']);
    assert.deepEqual(row('apps', 'ControllerRevision', cr('test4', 4)), ['test4', '<none>', 4, '5m']);
  });
  it('core-group owner → kind/name', () => {
    assert.deepEqual(row('apps', 'ControllerRevision', cr('test5', 5, [{ controller: true, apiVersion: 'v1', kind: 'Pod', name: 'p' }]))[1], 'pod/p');
  });
});

describe('Job (TestPrintJob)', () => {
  const job = (name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}, extraMeta: Record<string, unknown> = {}): KubeObject => ({ metadata: meta(name, extraMeta), spec, status });
  const template = { spec: { containers: [{ name: 'fake-job-container1', image: 'fake-job-image1' }, { name: 'fake-job-container2', image: 'fake-job-image2' }] } };
  it('completions set; wide: containers, images, selector', () => {
    const j = job('job1', { completions: 2, template, selector: { matchLabels: { 'job-label': 'job-label-value' } } }, { succeeded: 1 });
    assert.deepEqual(row('batch', 'Job', j), ['job1', 'Running', '1/2', '', '5m', 'fake-job-container1,fake-job-container2', 'fake-job-image1,fake-job-image2', 'job-label=job-label-value']);
  });
  it('ten-year age, no completions → 0/1', () => {
    const j: KubeObject = { metadata: { name: 'job2', creationTimestamp: ago(10 * YEAR + HOUR) }, spec: {}, status: { succeeded: 0 } };
    assert.deepEqual(row('batch', 'Job', j).slice(0, 5), ['job2', 'Running', '0/1', '', '10y']);
  });
  it('duration from start to completion', () => {
    const j = job('job3', {}, { startTime: ago(31 * MIN), completionTime: ago(MIN) });
    assert.deepEqual(row('batch', 'Job', j).slice(0, 4), ['job3', 'Running', '0/1', '30m']);
  });
  it('running duration from start to now', () => {
    assert.equal(row('batch', 'Job', job('job4', {}, { startTime: ago(20 * MIN) }))[3], '20m');
  });
  it('parallel work queue: "n/1 of p"', () => {
    assert.equal(row('batch', 'Job', job('q', { parallelism: 3 }, { succeeded: 1 }))[2], '1/1 of 3');
    assert.equal(row('batch', 'Job', job('q', { parallelism: 1 }, { succeeded: 1 }))[2], '1/1');
  });
  const statuses: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
    ['Complete', { conditions: [{ type: 'Complete', status: 'True' }] }, {}, 'Complete'],
    ['Failed', { conditions: [{ type: 'Failed', status: 'True' }] }, {}, 'Failed'],
    ['Suspended', { conditions: [{ type: 'Suspended', status: 'True' }] }, {}, 'Suspended'],
    ['FailureTarget', { conditions: [{ type: 'FailureTarget', status: 'True' }] }, {}, 'FailureTarget'],
    ['SuccessCriteriaMet', { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] }, {}, 'SuccessCriteriaMet'],
    ['deleting', {}, { deletionTimestamp: ago(0) }, 'Terminating'],
    ['Complete wins over deletion', { conditions: [{ type: 'Complete', status: 'True' }] }, { deletionTimestamp: ago(0) }, 'Complete'],
    ['deletion wins over Suspended', { conditions: [{ type: 'Suspended', status: 'True' }] }, { deletionTimestamp: ago(0) }, 'Terminating'],
    ['a False condition does not count', { conditions: [{ type: 'Complete', status: 'False' }] }, {}, 'Running'],
  ];
  for (const [title, status, extraMeta, want] of statuses) {
    it(`status: ${title} → ${want}`, () => assert.equal(row('batch', 'Job', job('j', {}, status, extraMeta))[1], want));
  }
});

describe('CronJob (TestPrintCronJob)', () => {
  const jobTemplate = { spec: { completions: 2, template: { spec: { containers: [{ name: 'fake-job-container1', image: 'fake-job-image1' }, { name: 'fake-job-container2', image: 'fake-job-image2' }] } }, selector: { matchLabels: { a: 'b' } } } };
  it('schedule, no time zone, suspend False, last schedule; wide: containers, images, selector', () => {
    const cj: KubeObject = { metadata: meta('cronjob1'), spec: { schedule: '0/5 * * * ?', suspend: false, jobTemplate }, status: { lastScheduleTime: ago(30 * SEC) } };
    assert.deepEqual(row('batch', 'CronJob', cj), ['cronjob1', '0/5 * * * ?', '<none>', 'False', 0, '30s', '5m', 'fake-job-container1,fake-job-container2', 'fake-job-image1,fake-job-image2', 'a=b']);
  });
  it('time zone and active jobs', () => {
    const cj: KubeObject = { metadata: meta('cronjob1'), spec: { schedule: '0/5 * * * ?', timeZone: 'LOCAL', suspend: true, jobTemplate }, status: { active: [{ name: 'a' }, { name: 'b' }], lastScheduleTime: ago(20 * MIN) } };
    assert.deepEqual(row('batch', 'CronJob', cj).slice(0, 7), ['cronjob1', '0/5 * * * ?', 'LOCAL', 'True', 2, '20m', '5m']);
  });
  it('never scheduled → <none>; unset suspend → <unset>; no job template → "", "", <none>', () => {
    const cj: KubeObject = { metadata: meta('cronjob3'), spec: { schedule: '0/5 * * * ?' }, status: {} };
    assert.deepEqual(row('batch', 'CronJob', cj), ['cronjob3', '0/5 * * * ?', '<none>', '<unset>', 0, '<none>', '5m', '', '', '<none>']);
  });
});

describe('Service (TestPrintService)', () => {
  const svc = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({ metadata: { name }, spec, ...(status ? { status } : {}) });
  const cases: [string, KubeObject, unknown[]][] = [
    ['ClusterIP with selector', svc('test1', { type: 'ClusterIP', ports: [{ protocol: 'tcp', port: 2233 }], clusterIPs: ['10.9.8.7'], selector: { foo: 'bar' } }), ['test1', 'ClusterIP', '10.9.8.7', '<none>', '2233/tcp', '<unknown>', 'foo=bar']],
    ['NodePort', svc('test2', { type: 'NodePort', ports: [{ protocol: 'tcp', port: 8888, nodePort: 9999 }], clusterIPs: ['10.9.8.7'] }), ['test2', 'NodePort', '10.9.8.7', '<none>', '8888:9999/tcp', '<unknown>', '<none>']],
    ['LoadBalancer pending', svc('test3', { type: 'LoadBalancer', ports: [{ protocol: 'tcp', port: 8888 }], clusterIPs: ['10.9.8.7'] }), ['test3', 'LoadBalancer', '10.9.8.7', '<pending>', '8888/tcp', '<unknown>', '<none>']],
    [
      'LoadBalancer with an external IP and no status',
      svc('test4', { type: 'LoadBalancer', ports: [{ protocol: 'tcp', port: 8888 }], clusterIPs: ['10.9.8.7'], externalIPs: ['80.11.12.10'] }),
      ['test4', 'LoadBalancer', '10.9.8.7', '80.11.12.10', '8888/tcp', '<unknown>', '<none>'],
    ],
    [
      'LoadBalancer with status and an external IP',
      svc('test5', { type: 'LoadBalancer', ports: [{ protocol: 'tcp', port: 8888 }], clusterIPs: ['10.9.8.7'], externalIPs: ['80.11.12.10'] }, { loadBalancer: { ingress: [{ ip: '3.4.5.6', hostname: 'test.cluster.com' }] } }),
      ['test5', 'LoadBalancer', '10.9.8.7', '3.4.5.6,80.11.12.10', '8888/tcp', '<unknown>', '<none>'],
    ],
    [
      'LoadBalancer with two ingress points and two external IPs',
      svc('test6', { type: 'LoadBalancer', ports: [{ protocol: 'tcp', port: 8888 }], clusterIPs: ['10.9.8.7'], externalIPs: ['80.11.12.10', '80.11.12.11'] }, { loadBalancer: { ingress: [{ ip: '3.4.5.6', hostname: 'test.cluster.com' }, { ip: '2.3.4.5', hostname: 'test.cluster.local' }] } }),
      ['test6', 'LoadBalancer', '10.9.8.7', '2.3.4.5,3.4.5.6,80.11.12.10,80.11.12.11', '8888/tcp', '<unknown>', '<none>'],
    ],
    [
      'LoadBalancer: hostnames, sorted and de-duplicated, never clipped (wide)',
      svc('lb', { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80, nodePort: 30080 }], clusterIPs: ['10.96.0.20'] }, { loadBalancer: { ingress: [{ hostname: 'a-very-long-load-balancer.example.com' }, { ip: '1.2.3.4' }, { ip: '1.2.3.4' }] } }),
      ['lb', 'LoadBalancer', '10.96.0.20', '1.2.3.4,a-very-long-load-balancer.example.com', '80:30080/TCP', '<unknown>', '<none>'],
    ],
    ['ExternalName', svc('test7', { type: 'ExternalName', externalName: 'my.database.example.com' }), ['test7', 'ExternalName', '<none>', 'my.database.example.com', '<none>', '<unknown>', '<none>']],
    [
      'headless, several ports',
      svc('db', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }, { port: 9187, protocol: 'TCP' }], selector: { app: 'db', role: 'primary' } }),
      ['db', 'ClusterIP', 'None', '<none>', '5432/TCP,9187/TCP', '<unknown>', 'app=db,role=primary'],
    ],
    ['clusterIP without clusterIPs', svc('old', { type: 'ClusterIP', clusterIP: '10.0.0.1', ports: [{ port: 443, protocol: 'TCP' }] }), ['old', 'ClusterIP', '10.0.0.1', '<none>', '443/TCP', '<unknown>', '<none>']],
    ['ClusterIP with external IPs', svc('ext', { type: 'ClusterIP', clusterIPs: ['10.0.0.2'], externalIPs: ['1.1.1.1', '2.2.2.2'] }), ['ext', 'ClusterIP', '10.0.0.2', '1.1.1.1,2.2.2.2', '<none>', '<unknown>', '<none>']],
    ['unknown type', svc('odd', { clusterIPs: ['10.0.0.3'] }), ['odd', '', '10.0.0.3', '<unknown>', '<none>', '<unknown>', '<none>']],
  ];
  for (const [title, o, want] of cases) {
    it(title, () => assert.deepEqual(row('', 'Service', o), want));
  }
});

describe('Endpoints (printEndpoints)', () => {
  const ep = (subsets: unknown[] | undefined): KubeObject => ({ metadata: meta('svc'), ...(subsets ? { subsets } : {}) });
  const cases: [string, KubeObject, string][] = [
    ['no subsets', ep(undefined), '<none>'],
    ['one address, one port', ep([{ addresses: [{ ip: '10.1.2.3' }], ports: [{ port: 8080 }] }]), '10.1.2.3:8080'],
    ['headless: no ports', ep([{ addresses: [{ ip: '10.1.2.3' }, { ip: '10.1.2.4' }] }]), '10.1.2.3,10.1.2.4'],
    ['IPv6 in brackets', ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 443 }] }]), '[fd00::1]:443'],
    ['address × port, three at most', ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }]), '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...'],
    ['counts past the limit across subsets', ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }], ports: [{ port: 80 }] }, { addresses: [{ ip: '10.0.1.1' }, { ip: '10.0.1.2' }], ports: [{ port: 80 }] }]), '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...'],
    ['only not-ready addresses', ep([{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }]), ''],
  ];
  for (const [title, o, want] of cases) {
    it(title, () => assert.deepEqual(row('', 'Endpoints', o), ['svc', want, '5m']));
  }
});

describe('EndpointSlice (printEndpointSlice)', () => {
  const slice = (ports: unknown[] | undefined, endpoints: unknown[] | undefined, addressType = 'IPv4'): KubeObject => ({ metadata: meta('web-abc12'), addressType, ...(ports ? { ports } : {}), ...(endpoints ? { endpoints } : {}) });
  const cases: [string, KubeObject, unknown[]][] = [
    ['one port, two endpoints', slice([{ name: 'http', port: 80, protocol: 'TCP' }], [{ addresses: ['10.1.2.3'] }, { addresses: ['10.1.2.4'] }]), ['web-abc12', 'IPv4', '80', '10.1.2.3,10.1.2.4', '5m']],
    ['port by name, "*" without either', slice([{ name: 'metrics' }, {}], [{ addresses: ['fd00::1'] }], 'IPv6'), ['web-abc12', 'IPv6', 'metrics,*', 'fd00::1', '5m']],
    ['more than three', slice([{ port: 80 }, { port: 443 }, { port: 8080 }, { port: 9090 }], [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3', '10.0.0.4', '10.0.0.5'] }]), ['web-abc12', 'IPv4', '80,443,8080 + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...', '5m']],
    ['nothing yet → <unset>', slice(undefined, undefined), ['web-abc12', 'IPv4', '<unset>', '<unset>', '5m']],
  ];
  for (const [title, o, want] of cases) {
    it(title, () => assert.deepEqual(row('discovery.k8s.io', 'EndpointSlice', o), want));
  }
});

describe('PersistentVolume (TestPrintPersistentVolume)', () => {
  const claimRef = { name: 'test', namespace: 'default' };
  const pv = (name: string, spec: Record<string, unknown>, phase: string, extraMeta: Record<string, unknown> = {}): KubeObject => ({ metadata: { name, ...extraMeta }, spec: { claimRef, ...spec }, status: { phase } });
  const cases: [string, KubeObject, unknown[]][] = [
    ['bound', pv('test1', { accessModes: ['ReadOnlyMany'], capacity: { storage: '4Gi' } }, 'Bound'), ['test1', '4Gi', 'ROX', '', 'Bound', 'default/test', '', '<unset>', '', '<unknown>', '<unset>']],
    ['failed', pv('test2', { accessModes: ['ReadOnlyMany'], capacity: { storage: '4Gi' } }, 'Failed'), ['test2', '4Gi', 'ROX', '', 'Failed', 'default/test', '', '<unset>', '', '<unknown>', '<unset>']],
    ['pending', pv('test3', { accessModes: ['ReadWriteMany'], capacity: { storage: '10Gi' } }, 'Pending'), ['test3', '10Gi', 'RWX', '', 'Pending', 'default/test', '', '<unset>', '', '<unknown>', '<unset>']],
    ['storage class', pv('test4', { storageClassName: 'my-scn', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } }, 'Pending'), ['test4', '10Gi', 'RWO', '', 'Pending', 'default/test', 'my-scn', '<unset>', '', '<unknown>', '<unset>']],
    [
      'volume attributes class',
      pv('test4', { storageClassName: 'my-scn', volumeAttributesClassName: 'my-vacn', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } }, 'Pending'),
      ['test4', '10Gi', 'RWO', '', 'Pending', 'default/test', 'my-scn', 'my-vacn', '', '<unknown>', '<unset>'],
    ],
    ['available', pv('test5', { storageClassName: 'my-scn', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } }, 'Available'), ['test5', '10Gi', 'RWO', '', 'Available', 'default/test', 'my-scn', '<unset>', '', '<unknown>', '<unset>']],
    ['released', pv('test6', { storageClassName: 'my-scn', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } }, 'Released'), ['test6', '10Gi', 'RWO', '', 'Released', 'default/test', 'my-scn', '<unset>', '', '<unknown>', '<unset>']],
    [
      'deleting, reclaim policy, volume mode, modes in fixed order, canonical capacity',
      pv('pv7', { accessModes: ['ReadWriteOncePod', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'], capacity: { storage: '1024Mi' }, persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Block' }, 'Bound', { deletionTimestamp: ago(0) }),
      ['pv7', '1Gi', 'RWO,RWX,RWOP', 'Retain', 'Terminating', 'default/test', '', '<unset>', '', '<unknown>', 'Block'],
    ],
    [
      'beta class annotation wins; no claim; no capacity → 0',
      { metadata: { name: 'pv8', annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } }, spec: { storageClassName: 'new' }, status: { phase: 'Available', reason: 'Why' } },
      ['pv8', '0', '', '', 'Available', '', 'old', '<unset>', 'Why', '<unknown>', '<unset>'],
    ],
  ];
  for (const [title, o, want] of cases) {
    it(title, () => assert.deepEqual(row('', 'PersistentVolume', o), want));
  }
});

describe('PersistentVolumeClaim (TestPrintPersistentVolumeClaim)', () => {
  const pvc = (name: string, spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject => ({ metadata: { name }, spec, status });
  const cases: [string, KubeObject, unknown[]][] = [
    ['bound', pvc('test1', { volumeName: 'my-volume', volumeMode: 'Filesystem' }, { phase: 'Bound', accessModes: ['ReadOnlyMany'], capacity: { storage: '4Gi' } }), ['test1', 'Bound', 'my-volume', '4Gi', 'ROX', '', '<unset>', '<unknown>', 'Filesystem']],
    ['lost: no volume, no capacity or modes', pvc('test2', { volumeMode: 'Filesystem' }, { phase: 'Lost', accessModes: ['ReadOnlyMany'], capacity: { storage: '4Gi' } }), ['test2', 'Lost', '', '', '', '', '<unset>', '<unknown>', 'Filesystem']],
    ['pending', pvc('test3', { volumeName: 'my-volume', volumeMode: 'Filesystem' }, { phase: 'Pending', accessModes: ['ReadWriteMany'], capacity: { storage: '10Gi' } }), ['test3', 'Pending', 'my-volume', '10Gi', 'RWX', '', '<unset>', '<unknown>', 'Filesystem']],
    [
      'storage class',
      pvc('test4', { volumeName: 'my-volume', storageClassName: 'my-scn', volumeMode: 'Filesystem' }, { phase: 'Pending', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } }),
      ['test4', 'Pending', 'my-volume', '10Gi', 'RWO', 'my-scn', '<unset>', '<unknown>', 'Filesystem'],
    ],
    ['no volume mode', pvc('test5', { volumeName: 'my-volume', storageClassName: 'my-scn' }, { phase: 'Pending', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } }), ['test5', 'Pending', 'my-volume', '10Gi', 'RWO', 'my-scn', '<unset>', '<unknown>', '<unset>']],
    [
      'volume attributes class',
      pvc('test5', { volumeName: 'my-volume', storageClassName: 'my-scn', volumeAttributesClassName: 'my-vacn' }, { phase: 'Pending', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } }),
      ['test5', 'Pending', 'my-volume', '10Gi', 'RWO', 'my-scn', 'my-vacn', '<unknown>', '<unset>'],
    ],
  ];
  for (const [title, o, want] of cases) {
    it(title, () => assert.deepEqual(row('', 'PersistentVolumeClaim', o), want));
  }
  it('deleting → Terminating', () => {
    const o: KubeObject = { metadata: { name: 'd', deletionTimestamp: ago(0) }, spec: {}, status: { phase: 'Bound' } };
    assert.equal(row('', 'PersistentVolumeClaim', o)[1], 'Terminating');
  });
});

describe('StorageClass (TestPrintStorageClass, TestPrintStorageClassListEffectiveDefault)', () => {
  const sc = (name: string, extra: Record<string, unknown> = {}, created = ago(5 * MIN), annotations?: Record<string, string>): KubeObject => ({ metadata: { name, creationTimestamp: created, ...(annotations ? { annotations } : {}) }, provisioner: 'kubernetes.io/nfs', ...extra });
  const cases: [KubeObject, unknown[]][] = [
    [sc('sc2'), ['sc2', 'kubernetes.io/nfs', 'Delete', 'Immediate', false, '5m']],
    [sc('sc3', { reclaimPolicy: 'Delete' }), ['sc3', 'kubernetes.io/nfs', 'Delete', 'Immediate', false, '5m']],
    [sc('sc4', { reclaimPolicy: 'Retain', volumeBindingMode: 'Immediate' }), ['sc4', 'kubernetes.io/nfs', 'Retain', 'Immediate', false, '5m']],
    [sc('sc5', { reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' }), ['sc5', 'kubernetes.io/nfs', 'Retain', 'WaitForFirstConsumer', false, '5m']],
    [sc('sc6', { reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true }), ['sc6', 'kubernetes.io/nfs', 'Retain', 'WaitForFirstConsumer', true, '5m']],
  ];
  for (const [o, want] of cases) {
    it(`${o.metadata!.name}`, () => assert.deepEqual(row('storage.k8s.io', 'StorageClass', o), want));
  }
  const isDefault = { 'storageclass.kubernetes.io/is-default-class': 'true' };
  const names = (list: KubeObject[], opts: Partial<ToTableOptions> = {}): unknown[] => rows('storage.k8s.io', 'StorageClass', list, opts).map((r) => r[0]);
  it('a single object never carries "(default)"', () => {
    assert.deepEqual(names([sc('standard', {}, ago(0), isDefault)], { single: true }), ['standard']);
  });
  it('list: the one default', () => {
    assert.deepEqual(names([sc('standard', {}, ago(0), isDefault), sc('fast', {}, ago(HOUR))]), ['standard (default)', 'fast']);
  });
  it('list: several defaults, the newest wins', () => {
    assert.deepEqual(names([sc('standard', {}, ago(HOUR), isDefault), sc('fast', {}, ago(0), isDefault)]), ['standard', 'fast (default)']);
  });
  it('list: same creation time, the first name wins; the beta annotation counts', () => {
    assert.deepEqual(names([sc('zeta', {}, ago(0), isDefault), sc('alpha', {}, ago(0), { 'storageclass.beta.kubernetes.io/is-default-class': 'true' })]), ['zeta', 'alpha (default)']);
  });
  it('list: "false" is not a default', () => {
    assert.deepEqual(names([sc('standard', {}, ago(0), { 'storageclass.kubernetes.io/is-default-class': 'false' })]), ['standard']);
  });
});

describe('ResourceQuota (printResourceQuota)', () => {
  it('requests and limits split, sorted, canonical quantities, missing usage reads 0', () => {
    const rq: KubeObject = {
      metadata: meta('compute'),
      status: {
        hard: { 'requests.cpu': '1', 'requests.memory': '1024Mi', pods: '10', 'limits.cpu': '2000m', 'limits.memory': '2Gi' },
        used: { 'requests.cpu': '500m', 'requests.memory': '256Mi', pods: '3', 'limits.cpu': '1' },
      },
    };
    assert.deepEqual(row('', 'ResourceQuota', rq), ['compute', 'pods: 3/10, requests.cpu: 500m/1, requests.memory: 256Mi/1Gi', 'limits.cpu: 1/2, limits.memory: 0/2Gi', '5m']);
  });
  it('no status → empty cells', () => {
    assert.deepEqual(row('', 'ResourceQuota', { metadata: meta('empty'), spec: { hard: { pods: '1' } } }), ['empty', '', '', '5m']);
  });
});

describe('Ingress (printIngress)', () => {
  const ing = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({ metadata: meta('web'), spec, ...(status ? { status } : {}) });
  const cases: [string, KubeObject, unknown[]][] = [
    ['no class, no host, no address', ing({ defaultBackend: { service: { name: 'web', port: { number: 80 } } } }), ['web', '<none>', '*', '', '80', '5m']],
    [
      'class, hosts, TLS, addresses (sorted, not clipped)',
      ing({ ingressClassName: 'nginx', rules: [{ host: 'foo.bar.com' }, { host: 'bar.baz.com' }], tls: [{ hosts: ['foo.bar.com'] }] }, { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.1' }] } }),
      ['web', 'nginx', 'foo.bar.com,bar.baz.com', '10.0.0.1,10.0.0.2,lb.example.com', '80, 443', '5m'],
    ],
    ['more than three rules', ing({ rules: [{ host: 'a.com' }, {}, { host: 'b.com' }, { host: 'c.com' }, { host: 'd.com' }] }), ['web', '<none>', 'a.com,b.com,c.com + 2 more...', '', '80', '5m']],
    ['rules without hosts', ing({ rules: [{ http: { paths: [] } }] }), ['web', '<none>', '*', '', '80', '5m']],
  ];
  for (const [title, o, want] of cases) {
    it(title, () => assert.deepEqual(row('networking.k8s.io', 'Ingress', o), want));
  }
});

describe('IngressClass (printIngressClass)', () => {
  it('parameters as Kind.group/name; none → <none>', () => {
    assert.deepEqual(row('networking.k8s.io', 'IngressClass', { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx' } }), ['nginx', 'k8s.io/ingress-nginx', '<none>', '5m']);
    assert.deepEqual(row('networking.k8s.io', 'IngressClass', { metadata: meta('ext'), spec: { controller: 'example.com/ctl', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } }), [
      'ext',
      'example.com/ctl',
      'IngressParameters.k8s.example.com/external-lb',
      '5m',
    ]);
    assert.equal(row('networking.k8s.io', 'IngressClass', { metadata: meta('core'), spec: { controller: 'c', parameters: { kind: 'ConfigMap', name: 'cm' } } })[2], 'ConfigMap/cm');
  });
  it('the default class is marked', () => {
    assert.equal(row('networking.k8s.io', 'IngressClass', { metadata: meta('nginx', { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }), spec: { controller: 'c' } })[0], 'nginx (default)');
  });
});

describe('NetworkPolicy (TestPrintNetworkPolicy)', () => {
  it('empty pod selector → <none>; labels → foo=bar', () => {
    assert.deepEqual(row('networking.k8s.io', 'NetworkPolicy', { metadata: meta('policy1'), spec: {} }), ['policy1', '<none>', '5m']);
    assert.deepEqual(row('networking.k8s.io', 'NetworkPolicy', { metadata: meta('policy2'), spec: { podSelector: { matchLabels: { foo: 'bar' } } } }), ['policy2', 'foo=bar', '5m']);
    assert.deepEqual(row('networking.k8s.io', 'NetworkPolicy', { metadata: meta('policy3'), spec: { podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['db'] }, { key: 'canary', operator: 'DoesNotExist' }, { key: 'app', operator: 'Exists' }] } } }), [
      'policy3',
      'app,!canary,role notin (db)',
      '5m',
    ]);
  });
});

describe('PodDisruptionBudget (TestPrintPodDisruptionBudget)', () => {
  it('min available set, no max unavailable', () => {
    assert.deepEqual(row('policy', 'PodDisruptionBudget', { metadata: meta('pdb1'), spec: { minAvailable: 22 }, status: { disruptionsAllowed: 5 } }), ['pdb1', '22', 'N/A', 5, '5m']);
  });
  it('max unavailable set, no min available', () => {
    assert.deepEqual(row('policy', 'PodDisruptionBudget', { metadata: meta('pdb2'), spec: { maxUnavailable: 11 }, status: { disruptionsAllowed: 5 } }), ['pdb2', 'N/A', '11', 5, '5m']);
  });
  it('percentages, no status', () => {
    assert.deepEqual(row('policy', 'PodDisruptionBudget', { metadata: meta('pdb3'), spec: { maxUnavailable: '25%' } }), ['pdb3', 'N/A', '25%', 0, '5m']);
  });
});

describe('PriorityClass (printPriorityClass)', () => {
  it('value, global default, preemption policy', () => {
    assert.deepEqual(row('scheduling.k8s.io', 'PriorityClass', { metadata: meta('high'), value: 1000000, globalDefault: true, preemptionPolicy: 'Never' }), ['high', 1000000, true, '5m', 'Never']);
    assert.deepEqual(row('scheduling.k8s.io', 'PriorityClass', { metadata: meta('low'), value: -5 }), ['low', -5, false, '5m', '']);
  });
});

describe('RoleBinding, ClusterRoleBinding (TestPrintRoleBinding, TestPrintClusterRoleBinding)', () => {
  for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
    it(`${kind}: role ref; wide: users, groups, service accounts`, () => {
      const basic: KubeObject = { metadata: meta('binding1'), subjects: [{ kind: 'User', name: 'system:kube-controller-manager' }], roleRef: { kind: 'Role', name: 'extension-apiserver-authentication-reader' } };
      assert.deepEqual(row('rbac.authorization.k8s.io', kind, basic), ['binding1', 'Role/extension-apiserver-authentication-reader', '5m', 'system:kube-controller-manager', '', '']);
      const wide: KubeObject = {
        metadata: meta('binding2'),
        subjects: [
          { kind: 'User', name: 'user-name' },
          { kind: 'Group', name: 'group-name' },
          { kind: 'ServiceAccount', name: 'service-account-name', namespace: 'service-account-namespace' },
          { kind: 'User', name: 'second-user' },
        ],
        roleRef: { kind: 'Role', name: 'role-name' },
      };
      assert.deepEqual(row('rbac.authorization.k8s.io', kind, wide), ['binding2', 'Role/role-name', '5m', 'user-name, second-user', 'group-name', 'service-account-namespace/service-account-name']);
    });
  }
  it('Role and ClusterRole: Name, Created At', () => {
    assert.deepEqual(row('rbac.authorization.k8s.io', 'Role', { metadata: { name: 'r', creationTimestamp: '2024-05-01T11:55:00Z' }, rules: [] }), ['r', '2024-05-01T11:55:00Z']);
    assert.deepEqual(row('rbac.authorization.k8s.io', 'ClusterRole', { metadata: { name: 'cr', creationTimestamp: '2024-05-01T11:55:00.5Z' } }), ['cr', '2024-05-01T11:55:00Z']);
  });
  it('LimitRange: Name, Created At', () => {
    assert.deepEqual(row('', 'LimitRange', { metadata: { name: 'limits', creationTimestamp: '2024-05-01T11:55:00Z' } }), ['limits', '2024-05-01T11:55:00Z']);
  });
});

describe('HorizontalPodAutoscaler (TestPrintHPA)', () => {
  const hpa = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'some-hpa' },
    spec: { scaleTargetRef: { kind: 'ReplicationController', name: 'some-rc' }, minReplicas: 2, maxReplicas: 10, ...spec },
    status: { currentReplicas: 4, desiredReplicas: 5, ...status },
  });
  const selector = { matchLabels: { label: 'value' } };
  const ext = (target: Record<string, unknown>) => [{ type: 'External', external: { metric: { name: 'some-external-metric', selector }, target } }];
  const extStatus = (current: Record<string, unknown>) => ({ currentMetrics: [{ type: 'External', external: { metric: { name: 'some-external-metric' }, current } }] });
  const pods = [{ type: 'Pods', pods: { metric: { name: 'some-pods-metric' }, target: { type: 'AverageValue', averageValue: '100m' } } }];
  const podsStatus = { currentMetrics: [{ type: 'Pods', pods: { metric: { name: 'some-pods-metric' }, current: { averageValue: '50m' } } }] };
  const obj = [{ type: 'Object', object: { describedObject: { kind: 'Service', name: 'some-service' }, metric: { name: 'some-service-metric' }, target: { type: 'Value', value: '100m' } } }];
  const objStatus = { currentMetrics: [{ type: 'Object', object: { describedObject: { kind: 'Service', name: 'some-service' }, metric: { name: 'some-service-metric' }, current: { value: '50m' } } }] };
  const res = (target: Record<string, unknown>) => [{ type: 'Resource', resource: { name: 'cpu', target } }];
  const resStatus = { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50, averageValue: '40m' } } }] };
  const resValueStatus = { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '50m' } } }] };
  const cres = (target: Record<string, unknown>) => [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'application', target } }];
  const cresStatus = (current: Record<string, unknown>) => ({ currentMetrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'application', current } }] });
  const cases: [string, KubeObject, string][] = [
    ['external, average value, no current', hpa({ metrics: ext({ type: 'AverageValue', averageValue: '100m' }) }), '<unknown>/100m (avg)'],
    ['external, average value', hpa({ metrics: ext({ type: 'AverageValue', averageValue: '100m' }) }, extStatus({ averageValue: '50m' })), '50m/100m (avg)'],
    ['external, value, no current', hpa({ metrics: ext({ type: 'Value', value: '100m' }) }), '<unknown>/100m'],
    ['external, value', hpa({ metrics: ext({ type: 'Value', value: '100m' }) }, extStatus({ value: '50m' })), '50m/100m'],
    ['pods, no current', hpa({ metrics: pods }), '<unknown>/100m'],
    ['pods', hpa({ metrics: pods }, podsStatus), '50m/100m'],
    ['object, no current', hpa({ metrics: obj }), '<unknown>/100m'],
    ['object', hpa({ metrics: obj }, objStatus), '50m/100m'],
    ['resource, average value, no current', hpa({ metrics: res({ type: 'AverageValue', averageValue: '100m' }) }), 'cpu: <unknown>/100m'],
    ['resource, average value', hpa({ metrics: res({ type: 'AverageValue', averageValue: '100m' }) }, resValueStatus), 'cpu: 50m/100m'],
    ['resource, utilization, no current', hpa({ metrics: res({ type: 'Utilization', averageUtilization: 80 }) }), 'cpu: <unknown>/80%'],
    ['resource, utilization', hpa({ metrics: res({ type: 'Utilization', averageUtilization: 80 }) }, resStatus), 'cpu: 50%/80%'],
    ['resource, no target utilization → <auto>', hpa({ metrics: res({ type: 'Utilization' }) }, resStatus), 'cpu: 50%/<auto>'],
    ['container resource, average value, no current', hpa({ metrics: cres({ type: 'AverageValue', averageValue: '100m' }) }), 'cpu: <unknown>/100m'],
    ['container resource, average value', hpa({ metrics: cres({ type: 'AverageValue', averageValue: '100m' }) }, cresStatus({ averageValue: '50m' })), 'cpu: 50m/100m'],
    ['container resource, utilization, no current', hpa({ metrics: cres({ type: 'Utilization', averageUtilization: 80 }) }), 'cpu: <unknown>/80%'],
    ['container resource, utilization', hpa({ metrics: cres({ type: 'Utilization', averageUtilization: 80 }) }, cresStatus({ averageUtilization: 50, averageValue: '40m' })), 'cpu: 50%/80%'],
    [
      'multiple specs: two, then "+ N more..."',
      hpa(
        { metrics: [...pods, ...res({ type: 'Utilization', averageUtilization: 80 }), { type: 'Pods', pods: { metric: { name: 'other-pods-metric' }, target: { type: 'AverageValue', averageValue: '400m' } } }] },
        { currentMetrics: [...podsStatus.currentMetrics, ...resStatus.currentMetrics] },
      ),
      '50m/100m, cpu: 50%/80% + 1 more...',
    ],
    ['unknown metric type', hpa({ metrics: [{ type: 'Bogus' }] }), '<unknown type>'],
  ];
  it('minReplicas unset, no metrics', () => {
    const o: KubeObject = { metadata: { name: 'some-hpa' }, spec: { scaleTargetRef: { kind: 'ReplicationController', name: 'some-rc' }, maxReplicas: 10 }, status: { currentReplicas: 4, desiredReplicas: 5 } };
    assert.deepEqual(row('autoscaling', 'HorizontalPodAutoscaler', o), ['some-hpa', 'ReplicationController/some-rc', '<none>', '<unset>', 10, 4, '<unknown>']);
  });
  for (const [title, o, targets] of cases) {
    it(title, () => assert.deepEqual(row('autoscaling', 'HorizontalPodAutoscaler', o), ['some-hpa', 'ReplicationController/some-rc', targets, '2', 10, 4, '<unknown>']));
  }
  it('Deployment target with a fresh age', () => {
    const o: KubeObject = { metadata: meta('web'), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: res({ type: 'Utilization', averageUtilization: 60 }) }, status: { currentReplicas: 2 } };
    assert.deepEqual(row('autoscaling', 'HorizontalPodAutoscaler', o), ['web', 'Deployment/web', 'cpu: <unknown>/60%', '1', 5, 2, '5m']);
  });
});

describe('Quantity.String (resource.Quantity canonical form)', () => {
  const cases: [unknown, string][] = [
    [undefined, '0'],
    ['0', '0'],
    ['4Gi', '4Gi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['1000Ki', '1000Ki'],
    ['100m', '100m'],
    ['0.1', '100m'],
    ['1000m', '1'],
    ['2000m', '2'],
    ['2000', '2k'],
    ['1500', '1500'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['129e6', '129e6'],
    ['128974848', '128974848'],
    ['10G', '10G'],
    ['0.1m', '100u'],
    ['1n', '1n'],
    ['-1.5', '-1500m'],
    [3, '3'],
    [0.25, '250m'],
  ];
  for (const [v, want] of cases) {
    it(`${String(v)} → ${want}`, () => assert.equal(formatQuantity(v), want));
  }
});
