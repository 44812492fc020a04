/**
 * The per-request side of auditing: evaluates the policy once per request and writes one
 * event per stage the policy keeps (RequestReceived, ResponseStarted for long-running
 * requests, ResponseComplete or Panic), as kube-apiserver's audit filter does.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { UserInfo } from '../authn.js';
import { systemClock, type Clock } from '../clock.js';
import {
  buildEvent,
  isStatusBody,
  responseStatus,
  type AuditEvent,
  type AuditObjectRef,
  type AuditResponseStatus,
  type StatusBody,
} from './event.js';
import { levelAtLeast, PolicyEvaluator, type AuditConfig, type Level, type Policy, type PolicyAttributes, type Stage } from './policy.js';

/** Where events go (AuditLogWriter, or a test's array). write() must not keep `event` beyond the call unless it copies it. */
export interface AuditSink {
  write(event: AuditEvent): void;
}

export interface AuditRequest {
  method: string;
  /** Path and query as the client sent them. */
  requestURI: string;
  /** Kubernetes verb (get, list, watch, create, ...) or, for non-resource requests, the lower-cased method. */
  verb: string;
  /** The authenticated user (the policy matches on this one, not on an impersonated user). */
  user: UserInfo | undefined;
  impersonatedUser?: UserInfo;
  sourceIPs: readonly string[];
  userAgent?: string;
  /** Resource requests: what is addressed (also what the policy matches on). */
  objectRef?: AuditObjectRef;
  /** The decoded body, if already known (same as calling setRequestObject after begin). */
  requestObject?: unknown;
  resourceRequest: boolean;
  /** URL path without the query, matched against nonResourceURLs. */
  path: string;
  /** A client-supplied Audit-ID header, kept when given. */
  auditID?: string;
  /** Annotations every event of the request carries from the start (e.g. the workload cluster it was sent to). */
  annotations?: Readonly<Record<string, string>>;
}

const STAGE_BIT: Record<Stage, number> = { RequestReceived: 1, ResponseStarted: 2, ResponseComplete: 4, Panic: 8 };

/** Turns a request into events. One per API server; cheap for requests the policy leaves at None. */
export class AuditRecorder {
  private readonly evaluator: PolicyEvaluator;
  private readonly masks = new WeakMap<AuditConfig, number>();
  // Reused for every evaluation: evaluation is synchronous, so nothing else sees it.
  private readonly attrs: PolicyAttributes = { verb: '', resourceRequest: false, path: '' };

  private readonly clock: Clock | undefined;

  /** `clock` is for tests; without one (or with the system clock) timestamps have microseconds. */
  constructor(
    policy: Policy,
    private readonly writer: AuditSink,
    clock?: Clock,
  ) {
    this.evaluator = new PolicyEvaluator(policy);
    this.clock = clock === systemClock ? undefined : clock;
  }

  /** What the policy says for a request (for callers that only need the level). */
  evaluate(req: AuditRequest): AuditConfig {
    const a = this.attrs;
    const ref = req.objectRef;
    a.user = req.user;
    a.verb = req.verb;
    a.resourceRequest = req.resourceRequest;
    a.path = req.path;
    a.namespace = ref?.namespace;
    a.apiGroup = ref?.apiGroup;
    a.resource = ref?.resource;
    a.subresource = ref?.subresource;
    a.name = ref?.name;
    const config = this.evaluator.evaluate(a);
    a.user = undefined;
    return config;
  }

  /** Starts auditing one request; undefined when the policy says None. Writes RequestReceived unless omitted. */
  begin(req: AuditRequest): AuditContext | undefined {
    const config = this.evaluate(req);
    if (config.level === 'None') return undefined;
    let mask = this.masks.get(config);
    if (mask === undefined) {
      mask = 0;
      for (const s of config.omitStages) mask |= STAGE_BIT[s];
      this.masks.set(config, mask);
    }
    const ctx = new AuditContext(req, config, mask, this.writer, this.clock);
    if (req.requestObject !== undefined) ctx.setRequestObject(req.requestObject);
    return ctx;
  }

  /**
   * A request no authenticator accepted, as kube-apiserver's failed-authentication filter audits it: the policy is
   * evaluated without a user (so rules naming users or groups do not match), and the one event is written at stage
   * ResponseStarted (unless omitted) with `user: {}` and a responseStatus of `message` and `code` only. Returns the
   * audit ID (for the Audit-Id response header), or undefined when the policy says None.
   */
  failedAuthentication(req: AuditRequest, message: string, code = 401): string | undefined {
    const config = this.evaluate({ ...req, user: undefined });
    if (config.level === 'None') return undefined;
    const auditID = req.auditID || randomUUID();
    if (config.omitStages.includes('ResponseStarted')) return auditID;
    const at = this.clock ? this.clock.now().getTime() : performance.timeOrigin + performance.now();
    this.writer.write(
      buildEvent({
        level: config.level,
        auditID,
        stage: 'ResponseStarted',
        requestURI: req.requestURI,
        verb: req.verb,
        user: undefined,
        sourceIPs: req.sourceIPs,
        userAgent: req.userAgent,
        objectRef: req.objectRef,
        resourceRequest: req.resourceRequest,
        responseStatus: { metadata: {}, message, code },
        requestReceivedAt: at,
        stageAt: at,
        annotations: req.annotations,
      }),
    );
    return auditID;
  }
}

/** The audit state of one request. Calls after complete() or panic() are ignored. */
export class AuditContext {
  readonly auditID: string;
  readonly level: Level;
  private readonly receivedAt: number;
  private readonly objectRef: AuditObjectRef | undefined;
  private annotations: Record<string, string> | undefined;
  private requestObject: unknown;
  private status: AuditResponseStatus | undefined;
  private impersonatedUser: UserInfo | undefined;
  private done = false;

  /** Made by AuditRecorder.begin. */
  constructor(
    private readonly req: AuditRequest,
    private readonly config: AuditConfig,
    private readonly omitMask: number,
    private readonly writer: AuditSink,
    private readonly clock: Clock | undefined,
  ) {
    this.auditID = req.auditID || randomUUID();
    this.impersonatedUser = req.impersonatedUser;
    this.level = config.level;
    this.receivedAt = this.now();
    this.objectRef = req.objectRef ? { ...req.objectRef } : undefined;
    if (req.annotations) this.annotations = { ...req.annotations };
    this.emit('RequestReceived');
  }

  /** Adds an annotation (authorization.k8s.io/decision, pod-security.kubernetes.io/..., ...). The first value of a key stays. */
  annotate(key: string, value: string): void {
    if (!this.annotations) this.annotations = {};
    if (!(key in this.annotations)) this.annotations[key] = value;
  }

  /**
   * Records the request body (an object, or its JSON text/bytes), as sent and before defaulting
   * or admission: it is copied now. Fills objectRef's empty namespace, name, uid and
   * resourceVersion from the body's metadata, as upstream does.
   */
  setRequestObject(body: unknown): void {
    const obj = decodeBody(body);
    if (obj === undefined) return;
    const meta = (obj as { metadata?: unknown } | null)?.metadata;
    if (this.objectRef && typeof meta === 'object' && meta !== null) {
      const m = meta as Record<string, unknown>;
      const ref = this.objectRef;
      if (!ref.namespace && typeof m.namespace === 'string') ref.namespace = m.namespace;
      if (!ref.name && typeof m.name === 'string') ref.name = m.name;
      if (!ref.uid && typeof m.uid === 'string') ref.uid = m.uid;
      if (!ref.resourceVersion && typeof m.resourceVersion === 'string') ref.resourceVersion = m.resourceVersion;
    }
    if (this.req.resourceRequest && levelAtLeast(this.level, 'Request')) {
      this.requestObject = typeof body === 'object' && body !== null && !(body instanceof Uint8Array) ? JSON.parse(JSON.stringify(obj)) : obj;
    }
  }

  /** The request runs as another user (impersonation): later stages carry it as impersonatedUser. */
  setImpersonatedUser(user: UserInfo): void {
    this.impersonatedUser = user;
  }

  /** Response headers of a long-running request (watch) are out: writes ResponseStarted unless omitted. */
  responseStarted(code = 200): void {
    if (this.done) return;
    this.status = responseStatus(code);
    this.emit('ResponseStarted');
  }

  /**
   * The response is complete: writes ResponseComplete unless omitted. `responseObject` is kept at
   * RequestResponse level; a Status response (or `statusBody`) also fills responseStatus's
   * status, message, reason and details.
   */
  complete(code: number, responseObject?: unknown, statusBody?: StatusBody): void {
    if (this.done) return;
    this.done = true;
    const body = statusBody ?? (isStatusBody(responseObject) ? responseObject : undefined);
    this.status = responseStatus(code, body);
    this.emit('ResponseComplete', responseObject);
  }

  /** The handler failed unexpectedly: writes a Panic event with a 500 InternalError status. */
  panic(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    const text = reason instanceof Error ? reason.message : String(reason);
    this.status = responseStatus(500, { status: 'Failure', message: `APIServer panic'd: ${text}`, reason: 'InternalError' });
    this.emit('Panic');
  }

  private emit(stage: Stage, responseObject?: unknown): void {
    if (this.omitMask & STAGE_BIT[stage]) return;
    const stageAt = stage === 'RequestReceived' ? this.receivedAt : this.now();
    const req = this.req;
    this.writer.write(
      buildEvent({
        level: this.level,
        auditID: this.auditID,
        stage,
        requestURI: req.requestURI,
        verb: req.verb,
        user: req.user,
        impersonatedUser: this.impersonatedUser,
        sourceIPs: req.sourceIPs,
        userAgent: req.userAgent,
        objectRef: this.objectRef,
        resourceRequest: req.resourceRequest,
        responseStatus: this.status,
        requestObject: stage === 'RequestReceived' ? undefined : this.requestObject,
        responseObject,
        omitManagedFields: this.config.omitManagedFields,
        requestReceivedAt: this.receivedAt,
        stageAt,
        annotations: this.annotations,
      }),
    );
  }

  private now(): number {
    return this.clock ? this.clock.now().getTime() : performance.timeOrigin + performance.now();
  }
}

function decodeBody(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
  return body;
}
