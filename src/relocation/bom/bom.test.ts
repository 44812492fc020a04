import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../apimachinery/errors.js';
import { loadBomFile, validateBom } from './bom.js';
import { releaseBom } from './release.js';

describe('release BOM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bom-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the shipped BOM of this release is valid and has unique images', () => {
    const bom = validateBom(releaseBom('0.1.0'));
    assert.ok(bom.images.length >= 20);
    assert.ok(bom.images.some((i) => i.repository === 'kubernetes/kube-apiserver'));
    assert.ok(bom.images.some((i) => i.repository === 'slipway/slipway-server' && i.tag === 'v0.1.0'));
  });

  it('loads YAML and rejects bad fields naming each one', () => {
    const f = join(dir, 'bom.yaml');
    writeFileSync(f, 'apiVersion: slipway.dev/v1alpha1\nkind: ReleaseBOM\nrelease: "1.2"\nimages:\n- repository: a/b\n  tag: v1\n  digest: sha256:' + 'c'.repeat(64) + '\n');
    assert.equal(loadBomFile(f).images[0]!.digest, 'sha256:' + 'c'.repeat(64));
    try {
      validateBom({ apiVersion: 'v1', kind: 'ReleaseBOM', release: '1', images: [{ repository: 'A/b', tag: 'v1' }, { repository: 'x', tag: 'bad tag', digest: 'nope', extra: 1 }, { repository: 'x', tag: 'bad tag' }] }, 'f.yaml');
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 422);
      const fields = e.details!.causes!.map((c) => c.field);
      assert.deepEqual(fields, ['apiVersion', 'images[0].repository', 'images[1].extra', 'images[1].tag', 'images[1].digest', 'images[2].tag', 'images[2]']);
      assert.match(e.message, /^ReleaseBOM "f\.yaml" is invalid: \[apiVersion: Unsupported value: "v1"/);
    }
    assert.throws(() => loadBomFile(join(dir, 'missing.yaml')), /--bom .*missing\.yaml: no such file/);
  });
});
