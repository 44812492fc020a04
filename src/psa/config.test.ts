/** Table tests: PodSecurityConfiguration parsing, defaulting and validation. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { causeMessage } from '../apimachinery/errors.js';
import { formatLevelVersion } from './api.js';
import { loadPodSecurityConfiguration, parsePodSecurityConfiguration, PodSecurityConfigError } from './config.js';

const HEAD = { apiVersion: 'pod-security.admission.config.k8s.io/v1', kind: 'PodSecurityConfiguration' };

function errorsOf(input: unknown): string[] {
  try {
    parsePodSecurityConfiguration(input);
  } catch (e) {
    assert.ok(e instanceof PodSecurityConfigError, String(e));
    return e.causes.map(causeMessage);
  }
  return [];
}

describe('PodSecurityConfiguration', () => {
  it('defaults everything to privileged:latest with no exemptions', () => {
    const c = parsePodSecurityConfiguration(HEAD);
    assert.deepEqual(
      [c.defaults.enforce, c.defaults.audit, c.defaults.warn].map(formatLevelVersion),
      ['privileged:latest', 'privileged:latest', 'privileged:latest'],
    );
    assert.deepEqual(c.exemptions, { usernames: [], namespaces: [], runtimeClasses: [] });
  });

  it('reads a full configuration (YAML, as TKG writes it)', () => {
    const c = loadPodSecurityConfiguration(`
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: baseline
  enforce-version: v1.26
  audit: restricted
  audit-version: latest
  warn: restricted
exemptions:
  usernames: [system:serviceaccount:kube-system:replicaset-controller]
  runtimeClasses: [kata]
  namespaces: [kube-system, tanzu-system]
`);
    assert.deepEqual(
      [c.defaults.enforce, c.defaults.audit, c.defaults.warn].map(formatLevelVersion),
      ['baseline:v1.26', 'restricted:latest', 'restricted:latest'],
    );
    assert.deepEqual(c.exemptions, { usernames: ['system:serviceaccount:kube-system:replicaset-controller'], namespaces: ['kube-system', 'tanzu-system'], runtimeClasses: ['kata'] });
  });

  it('accepts the v1beta1 and v1alpha1 versions', () => {
    for (const v of ['v1beta1', 'v1alpha1']) assert.deepEqual(errorsOf({ ...HEAD, apiVersion: `pod-security.admission.config.k8s.io/${v}` }), []);
  });

  const bad: [string, unknown, string[]][] = [
    ['not an object', 'text', ['Invalid value: "text": must be a PodSecurityConfiguration object']],
    ['wrong kind and version', { apiVersion: 'v1', kind: 'ConfigMap' }, [
      'apiVersion: Unsupported value: "v1": supported values: "pod-security.admission.config.k8s.io/v1", "pod-security.admission.config.k8s.io/v1beta1", "pod-security.admission.config.k8s.io/v1alpha1"',
      'kind: Unsupported value: "ConfigMap": supported values: "PodSecurityConfiguration"',
    ]],
    ['missing kind', { apiVersion: HEAD.apiVersion }, ['kind: Required value: must be PodSecurityConfiguration']],
    ['bad level and version', { ...HEAD, defaults: { enforce: 'strict', 'warn-version': 'v1.3.0' } }, [
      'defaults.enforce: Invalid value: "strict": must be one of privileged, baseline, restricted',
      'defaults.warn-version: Invalid value: "v1.3.0": must be "latest" or "v1.x"',
    ]],
    ['level of the wrong type', { ...HEAD, defaults: { audit: 3 } }, ['defaults.audit: Invalid value: 3: must be a string']],
    ['unknown fields', { ...HEAD, extra: 1, defaults: { enforced: 'baseline' }, exemptions: { users: [] } }, [
      'extra: unknown field "extra"',
      'defaults.enforced: unknown field "defaults.enforced"',
      'exemptions.users: unknown field "exemptions.users"',
    ]],
    ['bad exemptions', { ...HEAD, exemptions: { usernames: ['alice', '', 'alice'], namespaces: ['Kube_System'], runtimeClasses: ['a/b'] } }, [
      'exemptions.usernames[1]: Invalid value: "": username must not be empty',
      'exemptions.usernames[2]: Duplicate value: "alice"',
      "exemptions.namespaces[0]: Invalid value: \"Kube_System\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      "exemptions.runtimeClasses[0]: Invalid value: \"a/b\": may not contain '/'",
    ]],
    ['exemptions not a list', { ...HEAD, exemptions: { namespaces: 'kube-system' } }, ['exemptions.namespaces: Invalid value: "kube-system": must be a list of strings']],
  ];
  for (const [name, input, want] of bad) {
    it(`refuses ${name}, naming each field`, () => {
      assert.deepEqual(errorsOf(input), want);
    });
  }

  it('names the line of a YAML syntax error', () => {
    assert.throws(() => loadPodSecurityConfiguration('kind: PodSecurityConfiguration\ndefaults: [\n'), (e: unknown) => e instanceof PodSecurityConfigError && /line \d+/.test(e.message));
  });
});
