/**
 * audit.k8s.io/v1 Event objects, shaped and ordered as kube-apiserver serialises them
 * (fields in the Go struct's order, empty optional fields left out).
 */
import type { UserInfo } from '../authn.js';
import { levelAtLeast, type Level, type Stage } from './policy.js';

/** authentication.k8s.io/v1 UserInfo as it appears in an event. */
export interface AuditUserInfo {
  /** Left out for a request nobody authenticated (upstream's empty UserInfo serialises as `{}`). */
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  /** "" (left out) for the core group. */
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** The bounded part of a meta/v1 Status kept in responseStatus. */
export interface AuditResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code: number;
}

/** A Status-like response body (the fields kube-apiserver copies into responseStatus). */
export interface StatusBody {
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code?: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: AuditUserInfo;
  impersonatedUser?: AuditUserInfo;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  responseStatus?: AuditResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  /** RFC 3339 with microseconds, UTC. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Everything known about a request at one stage; buildEvent applies the level. */
export interface EventParts {
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: UserInfo | undefined;
  impersonatedUser?: UserInfo;
  sourceIPs?: readonly string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  /** Resource requests only carry request/response objects. */
  resourceRequest: boolean;
  responseStatus?: AuditResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  omitManagedFields?: boolean;
  /** Epoch milliseconds (fractions are kept to the microsecond). */
  requestReceivedAt: number;
  stageAt: number;
  annotations?: Readonly<Record<string, string>>;
}

/** Builds the event for one stage: objects are kept only at Request (request) and RequestResponse (both). */
export function buildEvent(p: EventParts): AuditEvent {
  // Built in upstream's field order; the timestamps follow the objects.
  const ev = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: p.level,
    auditID: p.auditID,
    stage: p.stage,
    requestURI: p.requestURI,
    verb: p.verb,
    user: auditUser(p.user),
  } as AuditEvent;
  if (p.impersonatedUser) ev.impersonatedUser = auditUser(p.impersonatedUser);
  if (p.sourceIPs && p.sourceIPs.length > 0) ev.sourceIPs = [...p.sourceIPs];
  if (p.userAgent) ev.userAgent = p.userAgent;
  if (p.objectRef) {
    const ref = compactObjectRef(p.objectRef);
    if (ref) ev.objectRef = ref;
  }
  if (p.responseStatus) ev.responseStatus = p.responseStatus;
  if (p.resourceRequest && levelAtLeast(p.level, 'Request') && p.requestObject !== undefined) {
    ev.requestObject = p.omitManagedFields ? withoutManagedFields(p.requestObject) : p.requestObject;
  }
  if (p.resourceRequest && p.level === 'RequestResponse' && p.responseObject !== undefined) {
    ev.responseObject = p.omitManagedFields ? withoutManagedFields(p.responseObject) : p.responseObject;
  }
  ev.requestReceivedTimestamp = microTime(p.requestReceivedAt);
  ev.stageTimestamp = microTime(p.stageAt);
  if (p.annotations) {
    for (const _ in p.annotations) {
      ev.annotations = { ...p.annotations };
      break;
    }
  }
  return ev;
}

/** Slipway's UserInfo in the authentication.k8s.io/v1 shape (empty fields left out; no user: `{}`). */
export function auditUser(u: UserInfo | undefined): AuditUserInfo {
  if (!u) return {};
  const out: AuditUserInfo = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length > 0) out.groups = [...u.groups];
  // Extra values (a ServiceAccount token's credential id, Impersonate-Extra-*), as upstream records them.
  if (u.extra && Object.keys(u.extra).length > 0) out.extra = structuredClone(u.extra);
  return out;
}

const REF_KEYS = ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'] as const;

/** objectRef with upstream's field order and without empty fields; undefined when nothing is left. */
export function compactObjectRef(ref: AuditObjectRef): AuditObjectRef | undefined {
  const out: AuditObjectRef = {};
  let any = false;
  for (const k of REF_KEYS) {
    const v = ref[k];
    if (v) {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

/**
 * responseStatus for an HTTP status code and, for Status responses, the body's bounded fields.
 * A plain success is `{metadata: {}, code}`.
 */
export function responseStatus(code: number, body?: StatusBody): AuditResponseStatus {
  const s = { metadata: {} } as AuditResponseStatus;
  if (body) {
    if (body.status) s.status = body.status;
    if (body.message) s.message = body.message;
    if (body.reason) s.reason = body.reason;
    if (body.details !== undefined && body.details !== null) s.details = body.details;
  }
  s.code = body?.code || code;
  return s;
}

/** Whether a response body is a meta/v1 Status. */
export function isStatusBody(v: unknown): v is StatusBody {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of an object (or of each item of a list) without metadata.managedFields; others unchanged. */
export function withoutManagedFields(obj: unknown): unknown {
  if (!isRecord(obj)) return obj;
  let out = obj;
  const meta = obj.metadata;
  if (isRecord(meta) && 'managedFields' in meta) {
    const { managedFields: _dropped, ...rest } = meta;
    out = { ...obj, metadata: rest };
  }
  if (Array.isArray(obj.items)) {
    const items = obj.items.map(withoutManagedFields);
    if (items.some((it, i) => it !== (obj.items as unknown[])[i])) out = { ...out, items };
  }
  return out;
}

/** metav1.MicroTime: RFC 3339 in UTC with exactly six fractional digits (to the nearest microsecond). */
export function microTime(epochMs: number): string {
  const micros = Math.round(epochMs * 1000);
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2026-12-07T12:51:01.123Z
  const sub = String(micros - ms * 1000).padStart(3, '0');
  return `${iso.slice(0, 23)}${sub}Z`;
}
