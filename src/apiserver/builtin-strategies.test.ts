import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { secretTypeCauses } from './builtin-strategies.js';
import type { KubeObject } from '../apimachinery/types.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const secret = (type: string, data: Record<string, string> = {}, annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns', ...(annotations ? { annotations } : {}) }, type, data });

describe('Secret types (kube-apiserver ValidateSecret)', () => {
  const cases: Array<[string, KubeObject, Array<[string, string]>]> = [
    ['Opaque without data', secret('Opaque'), []],
    ['an unknown type', secret('example.com/custom'), []],
    ['service-account-token without its ServiceAccount name', secret('kubernetes.io/service-account-token'), [['FieldValueRequired', 'metadata.annotations[kubernetes.io/service-account.name]']]],
    ['service-account-token with the name only (the token comes later)', secret('kubernetes.io/service-account-token', {}, { 'kubernetes.io/service-account.name': 'ci' }), []],
    ['dockerconfigjson without .dockerconfigjson', secret('kubernetes.io/dockerconfigjson'), [['FieldValueRequired', 'data[.dockerconfigjson]']]],
    ['dockerconfigjson that is not JSON', secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{nope') }), [['FieldValueInvalid', 'data[.dockerconfigjson]']]],
    ['dockerconfigjson that is JSON', secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":{}}') }), []],
    ['dockercfg without .dockercfg', secret('kubernetes.io/dockercfg', { '.dockerconfigjson': b64('{}') }), [['FieldValueRequired', 'data[.dockercfg]']]],
    ['basic-auth without username and password', secret('kubernetes.io/basic-auth'), [['FieldValueRequired', 'data[username]'], ['FieldValueRequired', 'data[password]']]],
    ['basic-auth with an empty password only', secret('kubernetes.io/basic-auth', { password: '' }), []],
    ['ssh-auth with an empty key', secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': '' }), [['FieldValueRequired', 'data[ssh-privatekey]']]],
    ['tls without its key', secret('kubernetes.io/tls', { 'tls.crt': b64('c') }), [['FieldValueRequired', 'data[tls.key]']]],
    ['tls with both (possibly empty)', secret('kubernetes.io/tls', { 'tls.crt': '', 'tls.key': '' }), []],
  ];
  for (const [name, obj, want] of cases) {
    it(name, () => {
      assert.deepEqual(secretTypeCauses(obj).map((c) => [c.reason, c.field]), want);
    });
  }
});
