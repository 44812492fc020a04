import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildKubernetesMessages, kubernetesMessages, type MessagesDocument } from './kubernetes-messages.js';
import { decodeMessage } from './decode.js';
import { ObjectMeta } from './schema.js';

const FLAGS = { repeated: 1, map: 2, keepZero: 4, inline: 8 };

describe('buildKubernetesMessages', () => {
  it('turns rows into field tables: flags, scalars, apimachinery leaves and hand tables, recursion', () => {
    const doc: MessagesDocument = {
      source: 'test',
      fieldFlags: FLAGS,
      externals: [],
      kinds: [['example/v1', 'Thing', 'x.Thing']],
      messages: {
        'x.Thing': [
          [1, 'metadata', 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta', 0],
          [2, 'when', 'k8s.io.apimachinery.pkg.apis.meta.v1.Time', 0],
          [3, 'size', 'k8s.io.apimachinery.pkg.api.resource.Quantity', FLAGS.keepZero],
          [4, 'children', 'x.Thing', FLAGS.repeated],
          [5, 'labels', 'string', FLAGS.map],
          [6, 'base', 'x.Base', FLAGS.inline],
        ],
        'x.Base': [[1, 'name', 'string', FLAGS.keepZero]],
      },
    };
    const built = buildKubernetesMessages(doc);
    assert.equal(built.kinds.length, 1);
    const thing = built.kinds[0]!.schema;
    assert.equal(thing.name, 'x.Thing');
    const [meta, when, size, children, labels, base] = thing.fields;
    assert.equal((meta!.type as () => unknown)(), ObjectMeta);
    assert.equal(when!.type, 'time');
    assert.deepEqual([size!.type, size!.keepZero], ['quantity', true]);
    assert.equal((children!.type as () => unknown)(), thing);
    assert.deepEqual([children!.repeated, labels!.map, base!.inline], [true, true, true]);
    // child Thing {base {name ""}} inside Thing {size "1Gi"}: inline merges, keepZero keeps ""
    const bytes = Uint8Array.of(0x1a, 0x05, 0x0a, 0x03, 0x31, 0x47, 0x69, 0x22, 0x04, 0x32, 0x02, 0x0a, 0x00);
    assert.deepEqual(decodeMessage(thing, bytes), { size: '1Gi', children: [{ name: '' }] });
  });

  it('refuses a table that names a message it does not hold', () => {
    const doc: MessagesDocument = { source: 't', fieldFlags: FLAGS, externals: [], kinds: [], messages: { 'x.A': [[1, 'b', 'x.Missing', 0]] } };
    assert.throws(() => buildKubernetesMessages(doc), /x\.Missing/);
  });

  it('the shipped table loads and names its k8s.io/api source', () => {
    const m = kubernetesMessages();
    assert.match(m.source, /^k8s\.io\/api [0-9a-f]{40} \(release-1\.36\)/);
    assert.ok(m.kinds.length >= 38);
    assert.ok(m.kinds.some((k) => k.apiVersion === 'apps/v1' && k.kind === 'Deployment' && k.schema.name === 'k8s.io.api.apps.v1.Deployment'));
  });
});
