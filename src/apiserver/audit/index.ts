/** Audit logging: policy, events, the per-request recorder and the JSON Lines log backend. */
import type { Clock } from '../clock.js';
import { AuditLogWriter } from './log-writer.js';
import { loadPolicyFile } from './policy.js';
import { AuditRecorder } from './recorder.js';

export * from './policy.js';
export * from './event.js';
export * from './recorder.js';
export * from './log-writer.js';
export * from './source-ips.js';
export * from './failed-authentication.js';

/** The annotation naming the workload cluster (`<namespace>/<name>`) a request was sent to. */
export const CLUSTER_ANNOTATION = 'slipway.dev/cluster';

/** kube-apiserver's audit flags. */
export interface AuditFlags {
  /** --audit-policy-file */
  policyFile?: string;
  /** --audit-log-path ("-" = stdout) */
  logPath?: string;
  /** --audit-log-maxsize (MB) */
  maxSizeMB?: number;
  /** --audit-log-maxbackup */
  maxBackups?: number;
  /** --audit-log-maxage (days) */
  maxAgeDays?: number;
  clock?: Clock;
}

/**
 * A recorder writing to the log, or undefined when auditing is off (as upstream: both a
 * policy file and a log path are needed). Throws AuditPolicyError for a bad policy file.
 * Call writer.close() on shutdown.
 */
export function createAuditLog(flags: AuditFlags): { recorder: AuditRecorder; writer: AuditLogWriter } | undefined {
  const bad = auditFlagErrors(flags);
  if (bad.length > 0) throw new Error(bad.join('; '));
  if (!flags.policyFile || !flags.logPath) return undefined;
  const policy = loadPolicyFile(flags.policyFile);
  const writer = new AuditLogWriter({
    path: flags.logPath,
    maxSizeMB: flags.maxSizeMB,
    maxBackups: flags.maxBackups,
    maxAgeDays: flags.maxAgeDays,
    clock: flags.clock,
  });
  return { recorder: new AuditRecorder(policy, writer, flags.clock), writer };
}

/** kube-apiserver's checks of the log flags, in its words. */
export function auditFlagErrors(flags: AuditFlags): string[] {
  const errs: string[] = [];
  const check = (name: string, v: number | undefined): void => {
    if (v === undefined) return;
    if (v < 0) errs.push(`--${name} ${v} can't be a negative number`);
    else if (!Number.isInteger(v)) errs.push(`--${name} ${v} must be a whole number`);
  };
  check('audit-log-maxage', flags.maxAgeDays);
  check('audit-log-maxbackup', flags.maxBackups);
  check('audit-log-maxsize', flags.maxSizeMB);
  return errs;
}
