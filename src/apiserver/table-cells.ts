/**
 * Shared pieces of the meta.k8s.io Table printers: column/cell types, the common Name and Age columns,
 * kube's age formatting (duration.HumanDuration) and small readers for unstructured objects.
 */
import type { KubeObject } from '../apimachinery/types.js';
import { isPlainObject } from '../apimachinery/types.js';
import { labelSelectorFromObject, labelSelectorToString, type LabelSelectorObject } from '../apimachinery/selectors.js';

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  /** OpenAPI format, e.g. "name" for the object-name column. */
  format: string;
  description: string;
  /** 0 = shown by default; >0 = only with `kubectl get -o wide`. */
  priority: number;
}

export type TableCell = string | number | boolean | null;

/**
 * A built-in kind's printer: its columns and how a row's cells are computed (always the wide form).
 * `list` is the whole list when a list is converted (kube's printXList), absent for a single object.
 */
export interface TablePrinter {
  readonly columns: readonly TableColumnDefinition[];
  cells(obj: KubeObject, now: Date, list?: readonly KubeObject[]): TableCell[];
}

// ---------------------------------------------------------------------------------------------
// HumanDuration
// ---------------------------------------------------------------------------------------------

/**
 * k8s.io/apimachinery/pkg/util/duration.HumanDuration: succinct, limited precision
 * ("0s", "119s", "2m", "9m59s", "10m", "179m", "3h", "7h59m", "8h", "47h", "2d", "7d23h", "8d", "729d", "2y", "2y1d", "8y").
 * Up to 1s in the future reads as "0s"; further in the future is "<invalid>".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parse an RFC 3339 timestamp as metav1.Time does; undefined when malformed. */
export function parseTimestamp(s: string): Date | undefined {
  if (!RFC3339.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Go's zero time.Time (0001-01-01T00:00:00Z); Date.UTC would map year 1 to 1901. */
export const ZERO_TIME = ((): number => {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  return d.getTime();
})();

/** A metav1.Time field that is absent, empty or Go's zero time. */
export function isZeroTime(v: unknown): boolean {
  return typeof v !== 'string' || v === '' || v === 'null' || (parseTimestamp(v)?.getTime() ?? ZERO_TIME) === ZERO_TIME;
}

/** translateTimestampSince: "<unknown>" for a missing/zero time, else HumanDuration(now - t). */
export function ageSince(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string' || timestamp === '' || timestamp === 'null') return '<unknown>';
  const t = parseTimestamp(timestamp);
  if (!t || t.getTime() === ZERO_TIME) return '<unknown>';
  return humanDuration(now.getTime() - t.getTime());
}

// ---------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
export const CONTAINERS_DESCRIPTION = 'Names of each container in the template.';
export const IMAGES_DESCRIPTION = 'Images referenced by each container in the template.';

export function col(name: string, type: string, description: string, extra: { format?: string; priority?: number } = {}): TableColumnDefinition {
  return { name, type, format: extra.format ?? '', description, priority: extra.priority ?? 0 };
}

export const nameColumn = (): TableColumnDefinition => col('Name', 'string', NAME_DESCRIPTION, { format: 'name' });
export const ageColumn = (): TableColumnDefinition => col('Age', 'string', CREATION_DESCRIPTION);

// ---------------------------------------------------------------------------------------------
// Readers for unstructured objects
// ---------------------------------------------------------------------------------------------

/** The value at a path of object keys, or undefined. */
export function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A string value, or "" for anything else (Go's zero string). */
export const s = (v: unknown): string => (typeof v === 'string' ? v : '');
/** An integer value, or 0 (Go's zero int). */
export const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
/** Entries of a list or map. */
export const count = (v: unknown): number => (Array.isArray(v) ? v.length : isPlainObject(v) ? Object.keys(v).length : 0);
/** The plain-object items of a list field. */
export const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);
/** A map of strings (labels, selectors); non-string values are dropped. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export const nameOf = (o: KubeObject): string => o.metadata?.name ?? '';
export const created = (o: KubeObject, now: Date): string => ageSince(o.metadata?.creationTimestamp, now);

/** The default convertor's "Created At" cell: creation time in UTC, RFC 3339, second precision. */
export function createdAtRFC3339(o: KubeObject): string {
  const t = typeof o.metadata?.creationTimestamp === 'string' ? parseTimestamp(o.metadata.creationTimestamp) : undefined;
  return (t ?? new Date(ZERO_TIME)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** rest.NewDefaultTableConvertor: Name, Created At (kinds without a printer of their own). */
export const defaultTablePrinter: TablePrinter = {
  columns: [nameColumn(), col('Created At', 'date', CREATION_DESCRIPTION)],
  cells: (o) => [nameOf(o), createdAtRFC3339(o)],
};

// ---------------------------------------------------------------------------------------------
// Cell formats shared by several printers
// ---------------------------------------------------------------------------------------------

/** labels.FormatLabels: sorted "k=v" pairs joined by ",", "<none>" when empty. */
export function formatLabels(v: unknown): string {
  const m = stringMap(v);
  const keys = Object.keys(m).sort();
  return keys.length ? keys.map((k) => `${k}=${m[k]}`).join(',') : '<none>';
}

/** metav1.LabelSelectorAsSelector(...).String(); undefined when the selector is invalid. */
export function labelSelectorString(v: unknown): string | undefined {
  try {
    return labelSelectorToString(labelSelectorFromObject(isPlainObject(v) ? (v as LabelSelectorObject) : null));
  } catch {
    return undefined;
  }
}

/** metav1.FormatLabelSelector: "<none>" when it selects everything or nothing, "<error>" when invalid. */
export function formatLabelSelector(v: unknown): string {
  const str = labelSelectorString(v);
  if (str === undefined) return '<error>';
  return str === '' ? '<none>' : str;
}

/** layoutContainerCells: container names and images, each joined by ",". */
export function containerCells(podTemplate: unknown): [string, string] {
  const containers = records(get(podTemplate, 'spec', 'containers'));
  return [containers.map((c) => s(c['name'])).join(','), containers.map((c) => s(c['image'])).join(',')];
}

/** listWithMoreString: the first `max` items, "+ N more..." past them, "<unset>" when there are none. */
export function listWithMore(items: readonly string[], max: number): string {
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.length ? items.join(',') : '<unset>';
}

/** IntOrString.String(). */
export function intOrString(v: unknown): string {
  if (typeof v === 'number') return String(Math.trunc(v));
  return s(v);
}

/** A load balancer's ingress points (IP, else hostname): sorted, de-duplicated, joined by ",". */
export function loadBalancerIngress(status: unknown): string {
  const points = new Set<string>();
  for (const i of records(get(status, 'ingress'))) {
    const point = s(i['ip']) || s(i['hostname']);
    if (point) points.add(point);
  }
  return [...points].sort().join(',');
}
