import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditFlagErrors, createAuditLog, type AuditEvent } from './index.js';

describe('createAuditLog', () => {
  it('is off unless both a policy file and a log path are given', () => {
    assert.equal(createAuditLog({}), undefined);
    assert.equal(createAuditLog({ logPath: '-' }), undefined);
    assert.equal(createAuditLog({ policyFile: '/nonexistent/policy.yaml' }), undefined);
  });

  it('checks the log flags as kube-apiserver does', () => {
    assert.deepEqual(auditFlagErrors({ maxAgeDays: -1, maxBackups: -2, maxSizeMB: 1.5 }), [
      "--audit-log-maxage -1 can't be a negative number",
      "--audit-log-maxbackup -2 can't be a negative number",
      '--audit-log-maxsize 1.5 must be a whole number',
    ]);
    assert.throws(() => createAuditLog({ maxSizeMB: -1 }), /--audit-log-maxsize -1 can't be a negative number/);
  });

  it('records requests to the log file by the policy file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-setup-'));
    try {
      const policyFile = join(dir, 'policy.yaml');
      writeFileSync(policyFile, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n');
      const logPath = join(dir, 'log', 'audit.log');
      const audit = createAuditLog({ policyFile, logPath, maxSizeMB: 1, maxBackups: 3, maxAgeDays: 7 })!;
      const ctx = audit.recorder.begin({ method: 'GET', requestURI: '/api/v1/namespaces', verb: 'list', user: { name: 'admin', groups: ['system:masters'] }, sourceIPs: ['127.0.0.1'], objectRef: { resource: 'namespaces', apiVersion: 'v1' }, resourceRequest: true, path: '/api/v1/namespaces' })!;
      ctx.complete(200, { kind: 'NamespaceList', items: [] });
      await audit.writer.close();
      const lines = readFileSync(logPath, 'utf8').trim().split('\n');
      assert.equal(lines.length, 1);
      const ev = JSON.parse(lines[0]!) as AuditEvent;
      assert.equal(ev.stage, 'ResponseComplete');
      assert.equal(ev.verb, 'list');
      assert.deepEqual(ev.objectRef, { resource: 'namespaces', apiVersion: 'v1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
