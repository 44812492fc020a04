/**
 * `kubectl create -f` of the create-only review kinds with kubectl's default validation (no --validate=false).
 * Their OpenAPI has no PATCH operation, so kubectl cannot use server-side field validation and validates on the
 * client against /openapi/v2 in protobuf, as it does against kube-apiserver: valid reviews are answered, a bogus
 * field is refused by that validation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startPlane, type TestPlane } from '../support/plane.js';

describe('kubectl create -f of review kinds with default validation', () => {
  let t: TestPlane;

  before(async () => {
    t = await startPlane({ clusterApi: false });
  });

  after(async () => {
    await t?.close();
  });

  it('answers a SelfSubjectAccessReview from a file (-o yaml)', async () => {
    const ssar = 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec:\n  resourceAttributes:\n    namespace: default\n    verb: create\n    resource: configmaps\n';
    const r = await t.kubectl(['create', '-f', '-', '-o', 'yaml'], { input: ssar });
    assert.equal(r.code, 0, r.stderr);
    const out = parse(r.stdout) as { kind: string; status: { allowed: boolean } };
    assert.equal(out.kind, 'SelfSubjectAccessReview');
    assert.equal(out.status.allowed, true);
  });

  it('answers a SubjectAccessReview and a TokenReview', async () => {
    const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'nobody', resourceAttributes: { namespace: 'default', verb: 'get', resource: 'secrets' } } };
    const r = await t.kubectl(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(sar) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { status: { allowed: boolean } }).status.allowed, false);
    const tr = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'not-a-token' } };
    const review = await t.kubectl(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(tr) });
    assert.equal(review.code, 0, review.stderr);
    assert.notEqual((JSON.parse(review.stdout) as { status: { authenticated?: boolean } }).status.authenticated, true);
  });

  it('refuses a bogus field, as strict validation does for other kinds', async () => {
    const bogus = 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec:\n  bogus: 1\n  resourceAttributes:\n    verb: get\n    resource: pods\n';
    const r = await t.kubectl(['create', '-f', '-'], { input: bogus });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error validating data: ValidationError\(SelfSubjectAccessReview\.spec\): unknown field "bogus" in io\.k8s\.api\.authorization\.v1\.SelfSubjectAccessReviewSpec; if you choose to ignore these errors, turn validation off with --validate=false/);
    // A kind with a PATCH operation is validated by the server instead, with the same verdict.
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\nbogus: 1\n';
    const other = await t.kubectl(['create', '-f', '-'], { input: cm });
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /unknown field "bogus"/);
  });

  it('serves a v2 document kubectl parses whole (explain from OpenAPI v2)', async () => {
    const r = await t.kubectl(['explain', 'configmap.data', '--output=plaintext-openapiv2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+ConfigMap/);
    assert.match(r.stdout, /FIELD:\s+data/);
  });
});
