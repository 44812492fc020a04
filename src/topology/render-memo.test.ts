/** Memoized template rendering and the fast YAML path: same results as rendering and parsing every time. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goTemplateRenderer } from './index.js';
import { applyPatches, type PatchItem } from './patches.js';
import { parseRenderedValue, parseRenderedValueSlow } from './patch-values.js';
import { templateDeps } from './render-memo.js';

describe('template dependencies', () => {
  const cases: [string, string[] | undefined, string[] | undefined, boolean][] = [
    ['{{ .a.b }}-{{ .c }}', ['a', 'b', 'c'], ['a.b', 'c'], false],
    ['/etc/kubernetes/audit.log {{ .x }}', ['x'], ['x'], false],
    ['{{ "a.b" }}{{ .y }}', ['y'], ['y'], false],
    ['{{ 1.5 }}{{ .z }}', ['z'], ['z'], false],
    ['{{ toJson . }}', undefined, undefined, false],
    ['{{ range . }}{{ end }}', undefined, undefined, false],
    ['{{ $.a.b }}', ['a', 'b'], ['a.b'], false],
    ['{{ template "t" $ }}', undefined, undefined, false],
    ['{{ range .list }}{{ .name }}{{ end }}', ['list', 'name'], ['list', 'name'], false],
    ['{{ $x := .builtin }}{{ $x.cluster.name }}', ['builtin', 'cluster', 'name'], ['builtin'], false],
    ['{{ $_ := set .m "k" 1 }}{{ .m.k }}', ['k', 'm'], ['m', 'm.k'], true],
    ['{{- mergeOverwrite (dict) .a | toJson -}}', ['a'], ['a'], true],
    ['{{ (.a).b }}', ['a', 'b'], ['a'], false],
  ];
  for (const [text, keys, chains, mutates] of cases) {
    it(text, () => {
      const d = templateDeps(text);
      assert.deepEqual(d.keys, keys);
      assert.deepEqual(d.chains?.map((c) => c.join('.')), chains);
      assert.equal(d.mutates, mutates);
    });
  }

  it('a cached result is keyed on the values at the end of each chain', () => {
    const renderer = goTemplateRenderer();
    const sel = { apiVersion: 'a/v1', kind: 'T', matchResources: { infrastructureCluster: true } };
    const mk = (): PatchItem => ({ role: 'infrastructureCluster', object: { apiVersion: 'a/v1', kind: 'T', metadata: { name: 't' }, spec: { template: { spec: {} } } }, variables: {} });
    const patches = [{ name: 'p', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/v', valueFrom: { template: '{{ .builtin.cluster.name }}-{{ with .builtin.cluster }}{{ .namespace }}{{ end }}' } }] }] }];
    const out = (builtin: unknown) => {
      const i = mk();
      applyPatches(patches, [i], { builtin }, renderer);
      return (i.object.spec as { template: { spec: { v: string } } }).template.spec.v;
    };
    assert.equal(out({ cluster: { name: 'a', namespace: 'x' } }), 'a-x');
    assert.equal(out({ cluster: { name: 'a', namespace: 'y' } }), 'a-y');
    assert.equal(out({ cluster: { name: 'b', namespace: 'y' }, other: 1 }), 'b-y');
  });
});

describe('memoized patch rendering', () => {
  const renderer = goTemplateRenderer();
  const sel = { apiVersion: 'a/v1', kind: 'T', matchResources: { infrastructureCluster: true } };
  const item = (): PatchItem => ({ role: 'infrastructureCluster', object: { apiVersion: 'a/v1', kind: 'T', metadata: { name: 't' }, spec: { template: { spec: {} } } }, variables: {} });
  const spec = (i: PatchItem) => (i.object.spec as { template: { spec: Record<string, unknown> } }).template.spec;

  it('equal inputs reuse a result; each template gets its own copy', () => {
    const patches = [{ name: 'p', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/v', valueFrom: { template: 'list: [{{ .n }}, 2]' } }] }] }];
    const a = item();
    const b = item();
    applyPatches(patches, [a], { n: 1 }, renderer);
    applyPatches(patches, [b], { n: 1 }, renderer);
    assert.deepEqual(spec(a).v, { list: [1, 2] });
    (spec(a).v as { list: number[] }).list.push(99);
    assert.deepEqual(spec(b).v, { list: [1, 2] });
    const c = item();
    applyPatches(patches, [c], { n: 3 }, renderer);
    assert.deepEqual(spec(c).v, { list: [3, 2] });
  });

  it('a template that mutates its data does not change the variables', () => {
    const vars = { m: { a: '1' } };
    const patches = [{ name: 'p', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/v', valueFrom: { template: '{{ $_ := set .m "b" "2" }}{{ toJson .m }}' } }] }] }];
    const a = item();
    applyPatches(patches, [a], vars, renderer);
    assert.deepEqual(spec(a).v, { a: '1', b: '2' });
    assert.deepEqual(vars, { m: { a: '1' } });
  });

  it('templates reading the whole data are rendered every time', () => {
    const patches = [{ name: 'p', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/v', valueFrom: { template: '{{ len . }}' } }] }] }];
    const a = item();
    const b = item();
    applyPatches(patches, [a], { x: 1 }, renderer);
    applyPatches(patches, [b], { x: 1, y: 2 }, renderer);
    assert.equal(spec(a).v, 1);
    assert.equal(spec(b).v, 2);
  });
});

describe('fast YAML path agrees with the YAML parser', () => {
  const samples = [
    'imageRepository: kindest\n',
    'local:\n  imageTag: 3.5.6-0\n',
    "host: '10.0.0.1'\nport: 6443\n",
    "devices:\n- networkName: '/dc0/network/VM Network'\n  dhcp4: true\n",
    'path: /etc/x\nowner: root:root\npermissions: "0600"\ncontent: |\n  apiVersion: v1\n  kind: Pod\n\n  spec:\n    a: 1\n',
    '- name: capv\n  sudo: ALL=(ALL) NOPASSWD:ALL\n  sshAuthorizedKeys: ["ssh-ed25519 AAAA x@y"]\n',
    'a:\n- 1\n- 2\nb: yes\nc: ~\nd: 0777\ne: 1e3\nf: 1.5\ng: -3\nh: off\ni: 0x1F\n',
    'content: |-\n  x\n  y\n',
    'k: [a, b, c]\n',
    'k: {"a": 1}\n',
    'x: "quoted: v"\ny: \'it\'\'s\'\n',
    'list:\n  - a\n  -\n    b: 1\n  - - c\n',
    'a: b # comment\n',
    'a: &x 1\nb: *x\n',
    'folded: >\n  a\n  b\n',
    '- a\n- b: c\n  d: e\n- f\n',
    'key: value with spaces\nother: 10.0.0.0/8\n',
    'plain',
    'True',
    'NO',
    '12',
    '',
    '~',
    'a:\n  b:\n    c: |\n      deep\n      text\n  d: 1\n',
  ];
  for (const s of samples) it(JSON.stringify(s), () => assert.deepEqual(parseRenderedValue(s), parseRenderedValueSlow(s)));
  it('invalid YAML fails', () => assert.throws(() => parseRenderedValue('a: [1, 2\nb: }')));
  it('timestamps become strings (JSON has no dates)', () => assert.deepEqual(parseRenderedValue('at: 2001-12-14\n'), { at: '2001-12-14T00:00:00Z' }));
});
