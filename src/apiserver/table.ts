/**
 * meta.k8s.io/v1 Table conversion, as kube-apiserver answers
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` asks for).
 *
 * - Built-in kinds use the columns of kube's printers (pkg/printers/internalversion); the server
 *   always generates the wide form, so priority>0 columns carry cells too and kubectl hides them
 *   unless `-o wide`.
 * - Custom resources use the CRD's additionalPrinterColumns behind a leading Name column
 *   (apiextensions-apiserver tableconvertor); with none declared, kube serves a single `Age`
 *   date column.
 * - Other built-ins fall back to the default convertor: Name, Created At.
 * - Rows carry the object per `includeObject`: kube's default (and what kubectl sends unless
 *   --sort-by is used) is Metadata → PartialObjectMetadata.
 */
import type { KubeObject } from '../apimachinery/types.js';
import { apiVersionOf, isPlainObject } from '../apimachinery/types.js';
import { compileJsonPath, evaluateJsonPath, type JsonPathProgram } from '../apimachinery/jsonpath.js';
import type { PrinterColumn, ResourceInfo } from './resource-info.js';
import {
  ageColumn,
  ageSince,
  col,
  count,
  CREATION_DESCRIPTION,
  created,
  createdAtRFC3339,
  defaultTablePrinter,
  get,
  humanDuration,
  NAME_DESCRIPTION,
  nameColumn,
  nameOf,
  parseTimestamp,
  s,
  ZERO_TIME,
  type TableCell,
  type TableColumnDefinition,
  type TablePrinter,
} from './table-cells.js';
import { APPS_PRINTERS } from './table-printers-apps.js';
import { BATCH_PRINTERS } from './table-printers-batch.js';
import { CORE_PRINTERS } from './table-printers-core.js';
import { NETWORKING_PRINTERS } from './table-printers-networking.js';
import { POLICY_PRINTERS } from './table-printers-policy.js';
import { RBAC_PRINTERS } from './table-printers-rbac.js';
import { STORAGE_PRINTERS } from './table-printers-storage.js';

export { ageSince, defaultTablePrinter, humanDuration, parseTimestamp };
export type { TableCell, TableColumnDefinition, TablePrinter };

export interface PartialObjectMetadata {
  apiVersion: 'meta.k8s.io/v1';
  kind: 'PartialObjectMetadata';
  metadata: NonNullable<KubeObject['metadata']>;
}

export interface TableRow {
  cells: TableCell[];
  /** Absent for includeObject=None. */
  object?: KubeObject | PartialObjectMetadata;
}

export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface TableObject {
  apiVersion: 'meta.k8s.io/v1';
  kind: 'Table';
  metadata: TableListMeta;
  /** Empty when noHeaders was requested. */
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObjectPolicy = 'None' | 'Object' | 'Metadata';

export interface ToTableOptions {
  includeObject: IncludeObjectPolicy;
  listMeta?: TableListMeta;
  /** Clock for Age/date cells (defaults to the current time). */
  now?: Date;
  /** metav1.TableOptions.noHeaders: omit columnDefinitions. */
  noHeaders?: boolean;
  /**
   * The objects are one object (a GET or a watch event), not a list. A few printers differ: a list
   * marks only its effective default StorageClass "(default)", a single StorageClass never.
   */
  single?: boolean;
}

/** core/v1 Event row (printEvent, wide form). */
function eventCells(o: KubeObject, now: Date): TableCell[] {
  const zero = (v: unknown): boolean => typeof v !== 'string' || v === '' || parseTimestamp(v)?.getTime() === ZERO_TIME;
  let first = ageSince(o['firstTimestamp'], now);
  if (zero(o['firstTimestamp'])) first = ageSince(o['eventTime'], now);
  let last = ageSince(o['lastTimestamp'], now);
  if (zero(o['lastTimestamp'])) last = first;
  let n = typeof o['count'] === 'number' ? o['count'] : 0;
  const series = o['series'];
  if (isPlainObject(series)) {
    last = ageSince(series['lastObservedTime'], now);
    n = typeof series['count'] === 'number' ? series['count'] : 0;
  } else if (n === 0) {
    n = 1; // singleton events of the events.k8s.io API carry no count
  }
  const involvedKind = s(get(o, 'involvedObject', 'kind')).toLowerCase();
  const involvedName = s(get(o, 'involvedObject', 'name'));
  const target = involvedName ? `${involvedKind}/${involvedName}` : involvedKind;
  const component = s(get(o, 'source', 'component')) || s(o['reportingComponent']);
  const host = s(get(o, 'source', 'host')) || s(o['reportingInstance']);
  const source = host ? `${component}, ${host}` : component;
  return [last, s(o['type']), s(o['reason']), target, s(get(o, 'involvedObject', 'fieldPath')), source, s(o['message']).trim(), first, n, nameOf(o)];
}

/** core/v1 Node row (printNode, wide form). */
function nodeCells(o: KubeObject, now: Date): TableCell[] {
  const conditions = Array.isArray(get(o, 'status', 'conditions')) ? (get(o, 'status', 'conditions') as unknown[]) : [];
  const ready = conditions.find((c) => isPlainObject(c) && c['type'] === 'Ready') as Record<string, unknown> | undefined;
  const statuses: string[] = [];
  if (!ready) statuses.push('Unknown');
  else if (ready['status'] === 'True') statuses.push('Ready');
  else statuses.push('NotReady');
  if (get(o, 'spec', 'unschedulable') === true) statuses.push('SchedulingDisabled');
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  const addresses = Array.isArray(get(o, 'status', 'addresses')) ? (get(o, 'status', 'addresses') as Record<string, unknown>[]) : [];
  const address = (type: string): string => s(addresses.find((a) => isPlainObject(a) && a['type'] === type)?.['address']) || '<none>';
  const info = (k: string): string => s(get(o, 'status', 'nodeInfo', k)) || '<unknown>';
  return [
    nameOf(o),
    statuses.join(','),
    roles.size ? [...roles].sort().join(',') : '<none>',
    created(o, now),
    s(get(o, 'status', 'nodeInfo', 'kubeletVersion')),
    address('InternalIP'),
    address('ExternalIP'),
    info('osImage'),
    // Since 1.35 the kernel column carries the architecture too: "6.8.0-51-generic (amd64)".
    s(get(o, 'status', 'nodeInfo', 'architecture')) ? `${info('kernelVersion')} (${s(get(o, 'status', 'nodeInfo', 'architecture'))})` : info('kernelVersion'),
    info('containerRuntimeVersion'),
  ];
}

/** core/v1 Pod row (printPod, wide form). */
function podCells(o: KubeObject, now: Date): TableCell[] {
  const containers = Array.isArray(get(o, 'spec', 'containers')) ? (get(o, 'spec', 'containers') as unknown[]) : [];
  const statuses = Array.isArray(get(o, 'status', 'containerStatuses')) ? (get(o, 'status', 'containerStatuses') as Record<string, unknown>[]) : [];
  let reason = s(get(o, 'status', 'reason')) || s(get(o, 'status', 'phase'));
  let restarts = 0;
  let ready = 0;
  let lastRestart: string | undefined;
  let hasRunning = false;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i]!;
    restarts += typeof c['restartCount'] === 'number' ? c['restartCount'] : 0;
    const finished = s(get(c, 'lastState', 'terminated', 'finishedAt'));
    if (finished && (!lastRestart || finished > lastRestart)) lastRestart = finished;
    const waiting = s(get(c, 'state', 'waiting', 'reason'));
    const terminated = get(c, 'state', 'terminated');
    if (waiting) reason = waiting;
    else if (isPlainObject(terminated)) {
      reason = s(terminated['reason']) || (typeof terminated['signal'] === 'number' && terminated['signal'] ? `Signal:${terminated['signal']}` : `ExitCode:${typeof terminated['exitCode'] === 'number' ? terminated['exitCode'] : 0}`);
    } else if (isPlainObject(get(c, 'state', 'running')) && c['ready'] === true) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (o.metadata?.deletionTimestamp) reason = s(get(o, 'status', 'reason')) === 'NodeLost' ? 'Unknown' : 'Terminating';
  const restartCell = lastRestart ? `${restarts} (${ageSince(lastRestart, now)} ago)` : restarts;
  const ips = Array.isArray(get(o, 'status', 'podIPs')) ? (get(o, 'status', 'podIPs') as Record<string, unknown>[]).map((x) => s(x['ip'])).filter(Boolean) : [];
  const ip = ips[0] ?? (s(get(o, 'status', 'podIP')) || '<none>');
  const gates = Array.isArray(get(o, 'spec', 'readinessGates')) ? (get(o, 'spec', 'readinessGates') as unknown[]).length : 0;
  return [nameOf(o), `${ready}/${containers.length}`, reason, restartCell, created(o, now), ip, s(get(o, 'spec', 'nodeName')) || '<none>', s(get(o, 'status', 'nominatedNodeName')) || '<none>', gates ? `0/${gates}` : '<none>'];
}

const BUILTIN_PRINTERS: Record<string, TablePrinter> = {
  '/Namespace': {
    columns: [nameColumn(), col('Status', 'string', 'The status of the namespace'), ageColumn()],
    cells: (o, now) => [nameOf(o), s(get(o, 'status', 'phase')), created(o, now)],
  },
  '/ConfigMap': {
    columns: [nameColumn(), col('Data', 'string', 'Data contains the configuration data.'), ageColumn()],
    cells: (o, now) => [nameOf(o), count(o['data']) + count(o['binaryData']), created(o, now)],
  },
  '/Secret': {
    columns: [nameColumn(), col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), ageColumn()],
    cells: (o, now) => [nameOf(o), s(o['type']), count(o['data']), created(o, now)],
  },
  // Since 1.35 (kubernetes#117160) a ServiceAccount prints no Secrets count: the field is legacy.
  '/ServiceAccount': {
    columns: [nameColumn(), ageColumn()],
    cells: (o, now) => [nameOf(o), created(o, now)],
  },
  '/Event': {
    columns: [
      col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
      col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
      col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
      col('Object', 'string', 'The object that this event is about.'),
      col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', { priority: 1 }),
      col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
      col('Message', 'string', 'A human-readable description of the status of this operation.'),
      col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
      col('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
      col('Name', 'string', NAME_DESCRIPTION, { format: 'name', priority: 1 }),
    ],
    cells: eventCells,
  },
  '/Node': {
    columns: [
      nameColumn(),
      col('Status', 'string', 'The status of the node'),
      col('Roles', 'string', 'The roles of the node'),
      ageColumn(),
      col('Version', 'string', 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', { priority: 1 }),
      col('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', { priority: 1 }),
      col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
      col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
      col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
    ],
    cells: nodeCells,
  },
  '/Pod': {
    columns: [
      nameColumn(),
      col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'string', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      ageColumn(),
      col('IP', 'string', 'The IP address assigned to the pod', { priority: 1 }),
      col('Node', 'string', 'The name of the node the pod is assigned to', { priority: 1 }),
      col('Nominated Node', 'string', 'The name of the node where the pod is nominated for scheduling', { priority: 1 }),
      col('Readiness Gates', 'string', 'The readiness gates of the pod', { priority: 1 }),
    ],
    cells: podCells,
  },
  'coordination.k8s.io/Lease': {
    columns: [nameColumn(), col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn()],
    cells: (o, now) => [nameOf(o), s(get(o, 'spec', 'holderIdentity')), created(o, now)],
  },
  'apiextensions.k8s.io/CustomResourceDefinition': {
    columns: [nameColumn(), col('Created At', 'date', CREATION_DESCRIPTION)],
    cells: (o) => [nameOf(o), createdAtRFC3339(o)],
  },
  ...CORE_PRINTERS,
  ...STORAGE_PRINTERS,
  ...APPS_PRINTERS,
  ...BATCH_PRINTERS,
  ...NETWORKING_PRINTERS,
  ...POLICY_PRINTERS,
  ...RBAC_PRINTERS,
};

/** kube's printer for a built-in kind (keyed by group and kind; core group is ""), if Slipway knows it. */
export function builtinTablePrinter(group: string, kind: string): TablePrinter | undefined {
  return Object.prototype.hasOwnProperty.call(BUILTIN_PRINTERS, `${group}/${kind}`) ? BUILTIN_PRINTERS[`${group}/${kind}`] : undefined;
}

/** Column definitions kube-apiserver serves for a built-in kind, if Slipway knows it. */
export function builtinTableColumns(group: string, kind: string): TableColumnDefinition[] | undefined {
  return builtinTablePrinter(group, kind)?.columns.map((c) => ({ ...c }));
}

/** The column a CRD gets when it declares no additionalPrinterColumns. */
export const DEFAULT_CRD_PRINTER_COLUMNS: readonly PrinterColumn[] = Object.freeze([
  { name: 'Age', type: 'date', description: CREATION_DESCRIPTION, jsonPath: '.metadata.creationTimestamp' },
]);

// ---------------------------------------------------------------------------------------------
// Custom resources
// ---------------------------------------------------------------------------------------------

/** Go's %v for a float64 (strconv 'g', shortest): exponent form when exp < -4 || exp >= 6. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mant, expStr] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  // Plain decimal with the shortest digits.
  const digits = mant.replace('-', '').replace('.', '');
  const sign = n < 0 ? '-' : '';
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's encoding/json: object keys sorted, <, >, & escaped. */
function goJson(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (isPlainObject(x)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) out[k] = norm(x[k]);
      return out;
    }
    return x;
  };
  return (JSON.stringify(norm(v)) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How client-go's jsonpath prints one result (a `string` printer column). */
export function formatJsonPathValue(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    // Unstructured JSON decodes integral numbers to int64, the rest to float64.
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return BigInt(v).toString();
    return goFloat(v);
  }
  return goJson(v);
}

/** apiextensions tableconvertor cellForJSONValue (non-string columns). */
function typedCell(type: string, value: unknown, now: Date): TableCell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (value === '' || value === 'null') return '<unknown>';
      const t = parseTimestamp(value);
      if (!t) return '<invalid>';
      return t.getTime() === ZERO_TIME ? '<unknown>' : humanDuration(now.getTime() - t.getTime());
    }
    default:
      return null;
  }
}

interface CompiledColumn {
  def: TableColumnDefinition;
  prog: JsonPathProgram;
}

/** Columns for a CRD version; like kube, a column with an unparsable path ends the list. */
function compileCrdColumns(columns: readonly PrinterColumn[]): CompiledColumn[] {
  const out: CompiledColumn[] = [];
  for (const c of columns) {
    let prog: JsonPathProgram;
    try {
      prog = compileJsonPath(c.jsonPath);
    } catch {
      break;
    }
    out.push({
      prog,
      def: col(c.name, c.type, c.description ? c.description : `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, { format: c.format ?? '', priority: c.priority ?? 0 }),
    });
  }
  return out;
}

/** A printer for a custom resource version (additionalPrinterColumns, or the default Age column). */
export function crdTablePrinter(printerColumns: readonly PrinterColumn[]): TablePrinter {
  const cols = compileCrdColumns(printerColumns.length ? printerColumns : DEFAULT_CRD_PRINTER_COLUMNS);
  return {
    columns: [nameColumn(), ...cols.map((c) => c.def)],
    cells(o, now) {
      const cells: TableCell[] = [nameOf(o)];
      for (const c of cols) {
        const results = evaluateJsonPath(c.prog, o);
        if (results.length === 0) {
          cells.push(null);
          continue;
        }
        const v = results[0];
        cells.push(c.def.type === 'string' ? formatJsonPathValue(v) : typedCell(c.def.type, v, now));
      }
      return cells;
    },
  };
}

/** Which printer kube-apiserver would use for a resource. */
export function tablePrinterFor(info: ResourceInfo): TablePrinter {
  if (info.builtin) {
    const p = builtinTablePrinter(info.group, info.kind);
    if (p) return p;
    if (info.printerColumns.length === 0) return defaultTablePrinter;
  }
  return crdTablePrinter(info.printerColumns);
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

function rowObject(info: ResourceInfo, o: KubeObject, include: IncludeObjectPolicy): KubeObject | PartialObjectMetadata | undefined {
  switch (include) {
    case 'None':
      return undefined;
    case 'Object': {
      const { apiVersion, kind, ...rest } = o;
      return { apiVersion: apiVersion ?? apiVersionOf(info.group, info.version), kind: kind ?? info.kind, ...rest };
    }
    case 'Metadata':
    default:
      return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: o.metadata ?? {} };
  }
}

/** Convert objects (a list, or a single object as a one-element array) into a meta.k8s.io/v1 Table. */
export function toTable(info: ResourceInfo, objects: KubeObject[], opts: ToTableOptions): TableObject {
  const printer = tablePrinterFor(info);
  const now = opts.now ?? new Date();
  const metadata: TableListMeta = {};
  if (opts.listMeta?.resourceVersion) metadata.resourceVersion = opts.listMeta.resourceVersion;
  if (opts.listMeta?.continue) metadata.continue = opts.listMeta.continue;
  if (opts.listMeta?.remainingItemCount !== undefined && opts.listMeta.remainingItemCount !== null) metadata.remainingItemCount = opts.listMeta.remainingItemCount;
  const rows = objects.map((o): TableRow => {
    const row: TableRow = { cells: printer.cells(o, now, opts.single ? undefined : objects) };
    const obj = rowObject(info, o, opts.includeObject);
    if (obj) row.object = obj;
    return row;
  });
  return {
    apiVersion: 'meta.k8s.io/v1',
    kind: 'Table',
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}

/** Parse the `includeObject` query parameter; undefined for an unrecognised value (kube: 400 `unrecognized includeObject value: "x"`). */
export function parseIncludeObject(v: string | null | undefined): IncludeObjectPolicy | undefined {
  if (v === null || v === undefined || v === '') return 'Metadata';
  return v === 'None' || v === 'Object' || v === 'Metadata' ? v : undefined;
}
