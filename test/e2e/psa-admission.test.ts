/**
 * The PodSecurity admission plugin in a real management plane, over real HTTPS and with the real
 * kubectl: 403 bodies for enforce, `Warning:` headers that kubectl prints for warn, audit
 * annotations for audit, exemptions, namespace label validation and existing-pod warnings.
 *
 * The plane has no Pod kind yet, so the test registers Pod-like custom resources
 * (`pods.psa-test.slipway.dev`, `deployments.psa-test.slipway.dev`) and configures the plugin to
 * treat any kind named Pod as a pod and any kind named Deployment as a workload with a template.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/apimachinery/types.js';
import { AUDIT_ENFORCE_POLICY, AUDIT_EXEMPT, AUDIT_VIOLATIONS, loadPodSecurityConfiguration, PodSecurityAdmission, type PsaAuditRecord } from '../../src/psa/index.js';
import { httpClient, type HttpResult } from '../support/http.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const GROUP = 'psa-test.slipway.dev';
const TOKEN = 'psa-test-token-0123456789';

function crd(plural: string, kind: string): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }],
    },
  };
}

const CONFIG = loadPodSecurityConfiguration(`
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: privileged
exemptions:
  namespaces: [exempt]
  usernames: [ci-bot]
  runtimeClasses: [kata]
`);

/** A pod that fails restricted (no securityContext at all) but passes baseline. */
function loosePod(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: `${GROUP}/v1`, kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...extra } };
}

const RESTRICTED_VIOLATIONS =
  'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe('PodSecurity admission through the API server', () => {
  let t: TestPlane;
  let http: ReturnType<typeof httpClient>;
  let dir: string;
  const audits: PsaAuditRecord[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-psa-'));
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, `${TOKEN},ci-bot,1001,"ci"\n`);
    let plane: TestPlane | undefined;
    const objects = () => plane!.plane.objects;
    const psa = new PodSecurityAdmission({
      config: CONFIG,
      podKinds: [{ kind: 'Pod' }],
      templateKinds: [{ kind: 'Deployment' }],
      onAudit: (r) => audits.push(r),
      namespaces: {
        getNamespace: (name) => objects().tryGet(objects().registry.get('', 'v1', 'namespaces')!, undefined, name),
        listPods: async (ns) => (await objects().list(objects().registry.get(GROUP, 'v1', 'pods')!, ns)).items,
      },
    });
    plane = t = await startPlane({ storage: 'memory', admission: [psa], tokenFile });
    http = httpClient(t);
    // ci-bot (group ci) may do anything: this suite is about Pod Security, not RBAC.
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ci-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'ci' }] };
    const bound = await http('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { method: 'POST', body: binding });
    assert.equal(bound.status, 201, bound.text);
    for (const [plural, kind] of [['pods', 'Pod'], ['deployments', 'Deployment']] as const) {
      const r = await http('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: crd(plural, kind) });
      assert.equal(r.status, 201, r.text);
      await eventually(() => t.plane.registry.get(GROUP, 'v1', plural), 10_000, `${plural} served`);
    }
    const namespaces: [string, Record<string, string>][] = [
      ['enforced', { 'pod-security.kubernetes.io/enforce': 'restricted' }],
      ['warned', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'v1.30' }],
      ['audited', { 'pod-security.kubernetes.io/audit': 'restricted' }],
      ['exempt', { 'pod-security.kubernetes.io/enforce': 'restricted' }],
      ['plain', {}],
    ];
    for (const [name, labels] of namespaces) {
      const r = await http('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } });
      assert.equal(r.status, 201, r.text);
    }
  });

  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (ns: string, plural: string, body: KubeObject, auth?: { token: string }): Promise<HttpResult> =>
    http(`/apis/${GROUP}/v1/namespaces/${ns}/${plural}`, { method: 'POST', body, auth });

  it('enforce: 403 Forbidden with the upstream Status body, nothing stored', async () => {
    audits.length = 0;
    const r = await post('enforced', 'pods', loosePod('web'));
    assert.equal(r.status, 403, r.text);
    const status = r.json();
    assert.deepEqual(status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `pods.${GROUP} "web" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`,
      reason: 'Forbidden',
      details: { name: 'web', group: GROUP, kind: 'pods' },
      code: 403,
    });
    const get = await http(`/apis/${GROUP}/v1/namespaces/enforced/pods/web`);
    assert.equal(get.status, 404);
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.allowed, false);
    assert.equal(audits[0]!.annotations[AUDIT_ENFORCE_POLICY], 'restricted:latest');
    assert.equal(audits[0]!.annotations[AUDIT_VIOLATIONS], undefined, 'audit is privileged in this namespace');
  });

  it('enforce: kubectl prints the refusal and exits non-zero; a compliant pod is created', async () => {
    const bad = await t.kubectl(['create', '-n', 'enforced', '-f', '-'], { input: JSON.stringify(loosePod('via-kubectl')) });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, new RegExp(`Error from server \\(Forbidden\\): .*pods\\.${GROUP.replace(/\./g, '\\.')} "via-kubectl" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false`));
    const ok = loosePod('hardened', {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: 'nginx', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    });
    const good = await t.kubectl(['create', '-n', 'enforced', '-f', '-'], { input: JSON.stringify(ok) });
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stderr, '');
  });

  it('warn: Warning headers over HTTP, printed by kubectl, and the pod is created', async () => {
    const r = await post('warned', 'pods', loosePod('loose'));
    assert.equal(r.status, 201, r.text);
    const warning = r.headers['warning'];
    const expected = `would violate PodSecurity "restricted:v1.30": ${RESTRICTED_VIOLATIONS}`;
    assert.deepEqual(Array.isArray(warning) ? warning : [warning], [`299 - ${JSON.stringify(expected)}`]);

    const k = await t.kubectl(['apply', '-n', 'warned', '-f', '-'], { input: JSON.stringify(loosePod('loose-kubectl')) });
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stdout, /pod\.psa-test\.slipway\.dev\/loose-kubectl created/);
    assert.ok(k.stderr.includes(`Warning: ${expected}`), k.stderr);

    // Baseline is still enforced in that namespace.
    const priv = await post('warned', 'pods', loosePod('priv', { hostNetwork: true }));
    assert.equal(priv.status, 403);
    assert.match(priv.json<{ message: string }>().message, /violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)$/);
    assert.equal(priv.headers['warning'], undefined, 'no warnings on a request that is refused');
  });

  it('audit: records audit-violations without refusing or warning', async () => {
    audits.length = 0;
    const r = await post('audited', 'pods', loosePod('audited-pod'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['warning'], undefined);
    assert.equal(audits.length, 1);
    const rec = audits[0]!;
    assert.equal(rec.allowed, true);
    assert.equal(rec.namespace, 'audited');
    assert.equal(rec.name, 'audited-pod');
    assert.equal(rec.resource, 'pods');
    assert.equal(rec.user, 'slipway-admin');
    assert.deepEqual(rec.annotations, {
      [AUDIT_ENFORCE_POLICY]: 'privileged:latest',
      [AUDIT_VIOLATIONS]: `would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`,
    });
  });

  it('workload templates get warn and audit only, never enforce', async () => {
    audits.length = 0;
    const deploy: KubeObject = { apiVersion: `${GROUP}/v1`, kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } } };
    const r = await post('enforced', 'deployments', deploy);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['warning'], `299 - ${JSON.stringify(`would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`)}`);
    assert.equal(audits.length, 0, 'warn only: no audit annotations');
    const audited = await post('audited', 'deployments', deploy);
    assert.equal(audited.status, 201, audited.text);
    assert.equal(audited.headers['warning'], undefined);
    assert.equal(audits.length, 1);
    assert.deepEqual(audits[0]!.annotations, { [AUDIT_VIOLATIONS]: `would violate PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}` }, 'no enforce-policy: templates are not enforced');
    const k = await t.kubectl(['apply', '-n', 'enforced', '-f', '-'], { input: JSON.stringify({ ...deploy, metadata: { name: 'web2' } }) });
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stderr, /Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });

  it('exemptions: namespace, user and runtime class', async () => {
    audits.length = 0;
    const ns = await post('exempt', 'pods', loosePod('a'));
    assert.equal(ns.status, 201, ns.text);
    const user = await post('enforced', 'pods', loosePod('b'), { token: TOKEN });
    assert.equal(user.status, 201, user.text);
    const rc = await post('enforced', 'pods', loosePod('c', { runtimeClassName: 'kata' }));
    assert.equal(rc.status, 201, rc.text);
    assert.deepEqual(audits.map((a) => a.annotations[AUDIT_EXEMPT]), ['namespace', 'user', 'runtimeClass']);
    const other = await post('enforced', 'pods', loosePod('d', { runtimeClassName: 'runc' }));
    assert.equal(other.status, 403);
  });

  it('updates: relabelling a pod is not re-checked, changing its spec is', async () => {
    const created = await post('plain', 'pods', loosePod('old'));
    assert.equal(created.status, 201, created.text);
    const label = await http('/api/v1/namespaces/plain', { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
    assert.equal(label.status, 200, label.text);
    const meta = await http(`/apis/${GROUP}/v1/namespaces/plain/pods/old`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { tier: 'web' } } } });
    assert.equal(meta.status, 200, meta.text);
    const spec = await http(`/apis/${GROUP}/v1/namespaces/plain/pods/old`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { hostPID: true } } });
    assert.equal(spec.status, 403, spec.text);
    assert.match(spec.json<{ message: string }>().message, /violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(.*\), unrestricted capabilities \(.*\), host namespaces \(hostPID=true\), runAsNonRoot/);
  });

  it('namespaces: invalid PodSecurity labels are refused with 422', async () => {
    const r = await http('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'typo', labels: { 'pod-security.kubernetes.io/enforce': 'restrcited' } } } });
    assert.equal(r.status, 422, r.text);
    assert.equal(
      r.json<{ message: string }>().message,
      'Namespace "typo" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "restrcited": must be one of privileged, baseline, restricted',
    );
    const k = await t.kubectl(['label', 'namespace', 'plain', 'pod-security.kubernetes.io/warn-version=1.30', '--overwrite']);
    assert.notEqual(k.code, 0);
    assert.match(k.stderr, /metadata\.labels\[pod-security\.kubernetes\.io\/warn-version\]: Invalid value: "1\.30": must be "latest" or "v1\.x"/);
  });

  it('namespaces: tightening enforce warns about existing pods that would violate it', async () => {
    for (const name of ['x1', 'x2', 'x3']) assert.equal((await post('audited', 'pods', loosePod(name, name === 'x3' ? { hostIPC: true } : {}))).status, 201);
    const k = await t.kubectl(['label', 'namespace', 'audited', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.equal(k.code, 0, k.stderr);
    const warnings = k.stderr.split('\n').filter((l) => l.startsWith('Warning: ')).map((l) => l.slice('Warning: '.length));
    assert.deepEqual(warnings, [
      'existing pods in namespace "audited" violate the new PodSecurity enforce level "restricted:latest"',
      'audited-pod (and 2 other pods): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
      'x3: allowPrivilegeEscalation != false, unrestricted capabilities, host namespaces, runAsNonRoot != true, seccompProfile',
    ]);
  });
});
