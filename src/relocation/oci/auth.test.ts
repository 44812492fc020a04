import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basicAuthHeader, credentialsFromDockerConfig, defaultDockerConfigPath, parseChallenges } from './auth.js';

describe('registry auth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-auth-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses Bearer and Basic challenges, quoted values with commas and escapes', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull,push' } },
    ]);
    assert.deepEqual(parseChallenges('Basic realm="Registry \\"Realm\\""'), [{ scheme: 'basic', params: { realm: 'Registry "Realm"' } }]);
    assert.deepEqual(parseChallenges('Basic realm=simple, Bearer realm="https://t/x", error="insufficient_scope"'), [
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', error: 'insufficient_scope' } },
    ]);
    assert.deepEqual(parseChallenges(''), []);
  });

  it('reads credentials from a docker config.json (auth or username/password, with or without scheme)', () => {
    const f = join(dir, 'config.json');
    writeFileSync(f, JSON.stringify({ auths: { 'https://reg.example.com:5000/v1/': { auth: Buffer.from('bob:pa:ss').toString('base64') }, 'other.io': { username: 'u', password: 'p' } } }));
    assert.deepEqual(credentialsFromDockerConfig(f, 'reg.example.com:5000'), { username: 'bob', password: 'pa:ss' });
    assert.deepEqual(credentialsFromDockerConfig(f, 'other.io'), { username: 'u', password: 'p' });
    assert.equal(credentialsFromDockerConfig(f, 'missing.io'), undefined);
    assert.equal(credentialsFromDockerConfig(join(dir, 'none.json'), 'x'), undefined);
    assert.throws(() => credentialsFromDockerConfig(join(dir, 'none.json'), 'x', true), /registry config .*none\.json: no such file/);
    assert.equal(defaultDockerConfigPath({ DOCKER_CONFIG: '/etc/dc' }), '/etc/dc/config.json');
    assert.equal(basicAuthHeader({ username: 'a', password: 'b' }), 'Basic YTpi');
  });
});
