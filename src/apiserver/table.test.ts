import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/types.js';
import type { PrinterColumn, ResourceInfo } from './resource-info.js';
import { ageSince, builtinTableColumns, formatJsonPathValue, humanDuration, parseIncludeObject, toTable } from './table.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

describe('humanDuration (duration.HumanDuration)', () => {
  const cases: [number, string][] = [
    [-3 * SEC, '<invalid>'],
    [-2 * SEC, '<invalid>'],
    [-1999, '0s'],
    [-1 * SEC, '0s'],
    [-500, '0s'],
    [0, '0s'],
    [999, '0s'],
    [59 * SEC, '59s'],
    [60 * SEC, '60s'],
    [119 * SEC, '119s'],
    [120 * SEC, '2m'],
    [121 * SEC, '2m1s'],
    [9 * MIN + 59 * SEC, '9m59s'],
    [10 * MIN, '10m'],
    [10 * MIN + 30 * SEC, '10m'],
    [179 * MIN, '179m'],
    [180 * MIN, '3h'],
    [3 * HOUR + 5 * MIN, '3h5m'],
    [7 * HOUR + 59 * MIN, '7h59m'],
    [8 * HOUR, '8h'],
    [8 * HOUR + 30 * MIN, '8h'],
    [47 * HOUR, '47h'],
    [48 * HOUR, '2d'],
    [2 * DAY + 3 * HOUR, '2d3h'],
    [7 * DAY + 23 * HOUR, '7d23h'],
    [8 * DAY, '8d'],
    [8 * DAY + 5 * HOUR, '8d'],
    [729 * DAY, '729d'],
    [730 * DAY, '2y'],
    [2 * YEAR + DAY, '2y1d'],
    [7 * YEAR + 364 * DAY, '7y364d'],
    [8 * YEAR, '8y'],
    [30 * YEAR, '30y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('ageSince', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  const cases: [unknown, string][] = [
    [undefined, '<unknown>'],
    ['', '<unknown>'],
    ['0001-01-01T00:00:00Z', '<unknown>'],
    ['2024-05-01T11:55:00Z', '5m'],
    ['2024-05-01T13:55:00+02:00', '5m'],
    ['2024-05-01T11:59:59.5Z', '0s'],
    ['2024-04-28T09:00:00Z', '3d3h'],
  ];
  for (const [ts, want] of cases) {
    it(`${String(ts)} → ${want}`, () => assert.equal(ageSince(ts, now), want));
  }
});

describe('formatJsonPathValue', () => {
  const cases: [unknown, string][] = [
    ['text', 'text'],
    [3, '3'],
    [-7, '-7'],
    [1.5, '1.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [123456.5, '123456.5'],
    [1234567.5, '1.2345675e+06'],
    [true, 'true'],
    [false, 'false'],
    [null, '<no value>'],
    [{ b: 1, a: '<x>' }, '{"a":"\\u003cx\\u003e","b":1}'],
    [['x', 2], '["x",2]'],
  ];
  for (const [v, want] of cases) {
    it(`${JSON.stringify(v)} → ${want}`, () => assert.equal(formatJsonPathValue(v), want));
  }
});

function info(over: Partial<ResourceInfo>): ResourceInfo {
  return {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    listKind: 'WidgetList',
    plural: 'widgets',
    singular: 'widget',
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list'],
    schema: {},
    printerColumns: [],
    subresources: { status: false },
    builtin: false,
    storageVersion: 'v1',
    ...over,
  };
}

const now = new Date('2024-05-01T12:00:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}): KubeObject['metadata'] => ({
  name,
  namespace: 'default',
  uid: `uid-${name}`,
  resourceVersion: '7',
  creationTimestamp: '2024-05-01T11:55:00Z',
  labels: { app: 'web' },
  ...extra,
});

describe('toTable: custom resources', () => {
  const widget: KubeObject = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: meta('w1'),
    spec: { replicas: 3, ratio: 0.5, enabled: true, color: 'red', items: [{ name: 'a' }, { name: 'b' }], selector: { app: 'web' }, since: '2024-05-01T10:00:00Z' },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };

  it('no printer columns: Name + Age (date)', () => {
    const t = toTable(info({}), [widget], { includeObject: 'None', now });
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.equal(t.kind, 'Table');
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Age', 'date', '', 0],
      ],
    );
    assert.deepEqual(t.rows, [{ cells: ['w1', '5m'] }]);
  });

  const columns: PrinterColumn[] = [
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio', priority: 1 },
    { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled' },
    { name: 'Color', type: 'string', jsonPath: '.spec.color', description: 'the colour' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Items', type: 'string', jsonPath: '.spec.items[*].name' },
    { name: 'Selector', type: 'string', jsonPath: '.spec.selector' },
    { name: 'Count', type: 'string', jsonPath: '.spec.replicas' },
    { name: 'Missing', type: 'string', jsonPath: '.spec.missing' },
    { name: 'Since', type: 'date', jsonPath: '.spec.since' },
    { name: 'WrongType', type: 'integer', jsonPath: '.spec.color' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];

  it('printer columns: definitions', () => {
    const t = toTable(info({ printerColumns: columns }), [widget], { includeObject: 'None', now });
    assert.deepEqual(t.columnDefinitions[0], {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: t.columnDefinitions[0].description,
      priority: 0,
    });
    assert.deepEqual(t.columnDefinitions[1], { name: 'Replicas', type: 'integer', format: '', description: 'Custom resource definition column (in JSONPath format): .spec.replicas', priority: 0 });
    assert.equal(t.columnDefinitions[2].priority, 1);
    assert.equal(t.columnDefinitions[4].description, 'the colour');
    assert.equal(t.columnDefinitions.length, columns.length + 1);
  });

  it('printer columns: cells', () => {
    const t = toTable(info({ printerColumns: columns }), [widget], { includeObject: 'None', now });
    assert.deepEqual(t.rows[0].cells, ['w1', 3, 0.5, true, 'red', 'True', 'a', '{"app":"web"}', '3', null, '120m', null, '5m']);
  });

  it('date columns: invalid and empty timestamps', () => {
    const cols: PrinterColumn[] = [{ name: 'When', type: 'date', jsonPath: '.spec.when' }];
    const cells = (when: unknown): unknown => toTable(info({ printerColumns: cols }), [{ metadata: { name: 'x' }, spec: { when } }], { includeObject: 'None', now }).rows[0].cells[1];
    assert.equal(cells('yesterday'), '<invalid>');
    assert.equal(cells(''), '<unknown>');
    assert.equal(cells(5), null);
    assert.equal(cells('2024-05-01T11:00:00Z'), '60m');
  });

  it('a column with an unparsable path ends the column list', () => {
    const cols: PrinterColumn[] = [
      { name: 'A', type: 'string', jsonPath: '.spec.color' },
      { name: 'Bad', type: 'string', jsonPath: '.spec[' },
      { name: 'C', type: 'string', jsonPath: '.spec.color' },
    ];
    const t = toTable(info({ printerColumns: cols }), [widget], { includeObject: 'None', now });
    assert.deepEqual(
      t.columnDefinitions.map((c) => c.name),
      ['Name', 'A'],
    );
    assert.deepEqual(t.rows[0].cells, ['w1', 'red']);
  });

  it('includeObject=Metadata → PartialObjectMetadata', () => {
    const t = toTable(info({}), [widget], { includeObject: 'Metadata', now });
    assert.deepEqual(t.rows[0].object, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: widget.metadata });
  });

  it('includeObject=Object → the full object, apiVersion/kind filled in', () => {
    const bare: KubeObject = { metadata: meta('w2'), spec: {} };
    const t = toTable(info({}), [widget, bare], { includeObject: 'Object', now });
    assert.deepEqual(t.rows[0].object, widget);
    assert.deepEqual(t.rows[1].object, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: bare.metadata, spec: {} });
    assert.equal(bare.apiVersion, undefined, 'input not mutated');
  });

  it('includeObject=None omits object', () => {
    const t = toTable(info({}), [widget], { includeObject: 'None', now });
    assert.equal('object' in t.rows[0], false);
  });

  it('list metadata and noHeaders', () => {
    const t = toTable(info({}), [], { includeObject: 'Metadata', now, noHeaders: true, listMeta: { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 } });
    assert.deepEqual(t.metadata, { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 });
    assert.deepEqual(t.columnDefinitions, []);
    assert.deepEqual(t.rows, []);
  });

  it('empty continue is omitted', () => {
    const t = toTable(info({}), [], { includeObject: 'Metadata', now, listMeta: { resourceVersion: '42', continue: '' } });
    assert.deepEqual(t.metadata, { resourceVersion: '42' });
  });
});

describe('toTable: built-in kinds', () => {
  const core = (kind: string, over: Partial<ResourceInfo> = {}): ResourceInfo => info({ group: '', kind, builtin: true, ...over });
  const names = (t: ReturnType<typeof toTable>): string[] => t.columnDefinitions.map((c) => c.name);

  it('Namespace', () => {
    const t = toTable(core('Namespace', { namespaced: false }), [{ metadata: meta('kube-system'), status: { phase: 'Active' } }], { includeObject: 'None', now });
    assert.deepEqual(names(t), ['Name', 'Status', 'Age']);
    assert.deepEqual(t.rows[0].cells, ['kube-system', 'Active', '5m']);
  });

  it('ConfigMap counts data and binaryData', () => {
    const t = toTable(core('ConfigMap'), [{ metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, { metadata: meta('empty') }], { includeObject: 'None', now });
    assert.deepEqual(names(t), ['Name', 'Data', 'Age']);
    assert.deepEqual(t.rows[0].cells, ['cm', 3, '5m']);
    assert.deepEqual(t.rows[1].cells, ['empty', 0, '5m']);
  });

  it('Secret', () => {
    const t = toTable(core('Secret'), [{ metadata: meta('s'), type: 'Opaque', data: { a: 'eA==' } }], { includeObject: 'None', now });
    assert.deepEqual(names(t), ['Name', 'Type', 'Data', 'Age']);
    assert.deepEqual(t.rows[0].cells, ['s', 'Opaque', 1, '5m']);
  });

  it('ServiceAccount', () => {
    const t = toTable(core('ServiceAccount'), [{ metadata: meta('default') }], { includeObject: 'None', now });
    assert.deepEqual(names(t), ['Name', 'Age']);
    assert.deepEqual(t.rows[0].cells, ['default', '5m']);
  });

  it('Event (wide cells, priority>0 columns)', () => {
    const ev: KubeObject = {
      metadata: meta('pod.1'),
      involvedObject: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{app}' },
      reason: 'Started',
      message: ' Started container app \n',
      type: 'Normal',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2024-05-01T11:00:00Z',
      lastTimestamp: '2024-05-01T11:58:00Z',
      count: 4,
    };
    const t = toTable(core('Event'), [ev], { includeObject: 'None', now });
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.priority]),
      [
        ['Last Seen', 0],
        ['Type', 0],
        ['Reason', 0],
        ['Object', 0],
        ['Subobject', 1],
        ['Source', 1],
        ['Message', 0],
        ['First Seen', 1],
        ['Count', 1],
        ['Name', 1],
      ],
    );
    assert.deepEqual(t.rows[0].cells, ['2m', 'Normal', 'Started', 'pod/web-0', 'spec.containers{app}', 'kubelet, node-1', 'Started container app', '60m', 4, 'pod.1']);
  });

  it('Event from the events.k8s.io shape (eventTime, series, no count)', () => {
    const single: KubeObject = { metadata: meta('e1'), involvedObject: { kind: 'Node' }, eventTime: '2024-05-01T11:59:30.000000Z', reportingComponent: 'ctl', type: 'Warning', reason: 'X', message: 'm' };
    const series: KubeObject = { ...single, metadata: meta('e2'), series: { count: 9, lastObservedTime: '2024-05-01T11:59:50.000000Z' } };
    const t = toTable(core('Event'), [single, series], { includeObject: 'None', now });
    assert.deepEqual(t.rows[0].cells, ['30s', 'Warning', 'X', 'node', '', 'ctl', 'm', '30s', 1, 'e1']);
    assert.deepEqual(t.rows[1].cells, ['10s', 'Warning', 'X', 'node', '', 'ctl', 'm', '30s', 9, 'e2']);
  });

  it('Lease', () => {
    const t = toTable(info({ group: 'coordination.k8s.io', kind: 'Lease', builtin: true }), [{ metadata: meta('l'), spec: { holderIdentity: 'me' } }, { metadata: meta('free'), spec: {} }], {
      includeObject: 'None',
      now,
    });
    assert.deepEqual(names(t), ['Name', 'Holder', 'Age']);
    assert.deepEqual(t.rows.map((r) => r.cells), [
      ['l', 'me', '5m'],
      ['free', '', '5m'],
    ]);
  });

  it('CustomResourceDefinition: Name, Created At (RFC 3339 UTC)', () => {
    const t = toTable(info({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', builtin: true, namespaced: false }), [{ metadata: meta('widgets.example.com', { creationTimestamp: '2024-05-01T13:55:00+02:00' }) }], {
      includeObject: 'None',
      now,
    });
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Created At', 'date'],
      ],
    );
    assert.deepEqual(t.rows[0].cells, ['widgets.example.com', '2024-05-01T11:55:00Z']);
  });

  it('other built-ins fall back to Name, Created At', () => {
    const t = toTable(info({ group: 'rbac.authorization.k8s.io', kind: 'Role', builtin: true }), [{ metadata: meta('r') }], { includeObject: 'None', now });
    assert.deepEqual(names(t), ['Name', 'Created At']);
  });

  it('builtinTableColumns', () => {
    assert.deepEqual(
      builtinTableColumns('', 'Secret')?.map((c) => c.name),
      ['Name', 'Type', 'Data', 'Age'],
    );
    assert.deepEqual(builtinTableColumns('', 'Pod')?.map((c) => [c.name, c.priority]), [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]]);
    assert.deepEqual(builtinTableColumns('', 'Node')?.map((c) => c.name), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    assert.equal(builtinTableColumns('', 'PodTemplate'), undefined);
    assert.equal(builtinTableColumns('example.com', 'Widget'), undefined);
  });
});

describe('Node and Pod rows (kubectl get nodes / pods)', () => {
  const now = new Date('2030-01-01T01:00:00Z');
  const nodeInfo = { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, builtin: true } as never;
  const podInfo = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, builtin: true } as never;
  it('Node: Ready/NotReady, SchedulingDisabled, roles from labels, version and addresses', () => {
    const node = (ready: string, labels: Record<string, string>, unschedulable = false) => ({
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: '2030-01-01T00:00:00Z', labels },
      spec: { unschedulable },
      status: { conditions: [{ type: 'Ready', status: ready }], addresses: [{ type: 'InternalIP', address: '10.0.0.5' }], nodeInfo: { kubeletVersion: 'v1.31.2', osImage: 'Ubuntu', kernelVersion: '5.15', containerRuntimeVersion: 'containerd://1.7.13' } },
    });
    const t = toTable(nodeInfo, [node('True', { 'node-role.kubernetes.io/control-plane': '' }), node('Unknown', {}, true)], { includeObject: 'None', now });
    assert.deepEqual(t.rows[0]!.cells, ['n1', 'Ready', 'control-plane', '60m', 'v1.31.2', '10.0.0.5', '<none>', 'Ubuntu', '5.15', 'containerd://1.7.13']);
    assert.deepEqual(t.rows[1]!.cells.slice(1, 3), ['NotReady,SchedulingDisabled', '<none>']);
  });
  it('Node: the kernel column carries the architecture when reported', () => {
    const kernel = (system: Record<string, string>): unknown => toTable(nodeInfo, [{ metadata: { name: 'n2' }, status: { nodeInfo: system } }], { includeObject: 'None', now }).rows[0]!.cells[8];
    assert.equal(kernel({ kernelVersion: '6.8.0-51-generic', architecture: 'arm64' }), '6.8.0-51-generic (arm64)');
    assert.equal(kernel({ architecture: 'amd64' }), '<unknown> (amd64)');
    assert.equal(kernel({ kernelVersion: '5.15' }), '5.15');
  });
  it('Pod: ready containers, waiting reason as status, restarts, IP and node', () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', creationTimestamp: '2030-01-01T00:59:00Z' },
      spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] },
      status: { phase: 'Running', podIP: '192.168.0.7', containerStatuses: [{ name: 'a', ready: true, restartCount: 1, state: { running: {} } }, { name: 'b', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
    };
    const t = toTable(podInfo, [pod], { includeObject: 'None', now });
    assert.deepEqual(t.rows[0]!.cells, ['p', '1/2', 'CrashLoopBackOff', 3, '60s', '192.168.0.7', 'n1', '<none>', '<none>']);
  });
});

describe('parseIncludeObject', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, 'Metadata'],
    ['', 'Metadata'],
    ['Metadata', 'Metadata'],
    ['Object', 'Object'],
    ['None', 'None'],
    ['object', undefined],
  ];
  for (const [v, want] of cases) {
    it(`${String(v)} → ${String(want)}`, () => assert.equal(parseIncludeObject(v), want));
  }
});
