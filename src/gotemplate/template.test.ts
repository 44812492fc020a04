/** The public API: parse/execute, options, custom functions, the cache, typed errors, fmt helpers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GoFuncError,
  GoInt,
  OMITTED_SPRIG_FUNCTIONS,
  TemplateCache,
  TemplateError,
  cachedTemplate,
  executeTemplate,
  formatFloat,
  parseTemplate,
  sprigFuncs,
  sprintf,
  type GoFunc,
} from './index.js';

test('parse once, execute many times with different data', () => {
  const t = parseTemplate('tpl', '{{ .builtin.cluster.name }}-{{ .builtin.controlPlane.replicas }}');
  assert.equal(t.execute({ builtin: { cluster: { name: 'a' }, controlPlane: { replicas: 1 } } }), 'a-1');
  assert.equal(t.execute({ builtin: { cluster: { name: 'b' }, controlPlane: { replicas: 1000000 } } }), 'b-1e+06');
  assert.equal(executeTemplate('x', '{{ . }}', 3), '3');
});

test('parse errors are TemplateErrors that read like Go', () => {
  assert.throws(
    () => parseTemplate('tpl', 'a\n{{ .x | nope }}'),
    (e: unknown) => e instanceof TemplateError && e.kind === 'parse' && e.template === 'tpl' && e.message === 'template: tpl:2: function "nope" not defined',
  );
});

test('execution errors are TemplateErrors that read like Go', () => {
  const t = parseTemplate('tpl', '{{ .a.b.c }}');
  assert.throws(
    () => t.execute({ a: { b: 'str' } }),
    (e: unknown) => e instanceof TemplateError && e.kind === 'exec' && e.message === 'template: tpl:1:5: executing "tpl" at <.a.b.c>: can\'t evaluate field c in type interface {}',
  );
});

test('missingKey option', () => {
  assert.equal(parseTemplate('t', '{{ .x }}').execute({}), '<no value>');
  assert.equal(parseTemplate('t', '{{ .x }}', { missingKey: 'zero' }).execute({}), '<no value>');
  assert.throws(() => parseTemplate('t', '{{ .x }}', { missingKey: 'error' }).execute({}), /map has no entry for key "x"/);
});

test('custom functions override sprig and builtins, and their errors are reported as Go does', () => {
  const funcs: Record<string, GoFunc> = {
    upper: { params: ['string'], fn: (s) => `<${s as string}>` },
    len: { params: ['any'], fn: () => new GoInt(42n) },
    boom: {
      params: ['string'],
      fn: (s) => {
        throw new GoFuncError(`bad ${s as string}`);
      },
    },
  };
  assert.equal(parseTemplate('t', '{{ upper "a" }} {{ len "abc" }}', { funcs }).execute(null), '<a> 42');
  assert.throws(() => parseTemplate('t', '{{ boom "x" }}', { funcs }).execute(null), {
    message: 'template: t:1:3: executing "t" at <boom "x">: error calling boom: bad x',
  });
  assert.throws(() => parseTemplate('t', '{{ boom 1 }}', { funcs }).execute(null), {
    message: 'template: t:1:8: executing "t" at <1>: expected string; found 1',
  });
});

test('sprig can be switched off; the builtins remain', () => {
  assert.throws(() => parseTemplate('t', '{{ upper "a" }}', { sprig: false }), { message: 'template: t:1: function "upper" not defined' });
  assert.equal(parseTemplate('t', '{{ len "abc" }} {{ slice "abc" 1 }}', { sprig: false }).execute(null), '3 bc');
});

test('custom delimiters', () => {
  assert.equal(parseTemplate('t', '[[ .a ]] {{ .a }}', { leftDelim: '[[', rightDelim: ']]' }).execute({ a: 1 }), '1 {{ .a }}');
});

test('define, block and executeTemplate', () => {
  const t = parseTemplate('root', '{{ define "name" }}{{ .n }}!{{ end }}{{ block "b" . }}B{{ .n }}{{ end }}');
  assert.deepEqual(t.definedTemplates(), ['b', 'name', 'root']);
  assert.equal(t.executeTemplate('name', { n: 'x' }), 'x!');
  assert.equal(t.execute({ n: 'y' }), 'By');
  assert.throws(() => t.executeTemplate('nope', {}), { message: 'template: no template "nope" associated with template "root"' });
});

test('every left-out sprig function is undefined, every kept one is defined', () => {
  for (const name of Object.keys(OMITTED_SPRIG_FUNCTIONS)) {
    assert.ok(!(name in sprigFuncs), name);
    assert.throws(() => parseTemplate('t', `{{ ${name} }}`), { message: `template: t:1: function "${name}" not defined` });
  }
  for (const name of ['semverCompare', 'toJson', 'toYaml', 'nindent', 'default', 'ternary', 'regexReplaceAll', 'merge', 'b64enc', 'dig']) {
    assert.ok(name in sprigFuncs, name);
  }
});

test('cache: one parse per text, parse errors cached, bounded, custom funcs keyed by identity', () => {
  const cache = new TemplateCache(3);
  const a = cache.get('tpl', '{{ .a }}');
  assert.equal(cache.get('tpl', '{{ .a }}'), a);
  assert.notEqual(cache.get('other', '{{ .a }}'), a);
  assert.notEqual(cache.get('tpl', '{{ .a }}', { missingKey: 'error' }), a);
  assert.equal(cache.size, 3);
  cache.get('tpl', '{{ .b }}');
  assert.equal(cache.size, 3);
  assert.notEqual(cache.get('tpl', '{{ .a }}'), a, 'oldest entry was evicted');

  const e1 = (() => {
    try {
      cache.get('tpl', '{{ .a ');
    } catch (e) {
      return e;
    }
  })();
  const e2 = (() => {
    try {
      cache.get('tpl', '{{ .a ');
    } catch (e) {
      return e;
    }
  })();
  assert.ok(e1 instanceof TemplateError);
  assert.equal(e1, e2);

  const f1 = { x: { params: [], fn: () => 'one' } } satisfies Record<string, GoFunc>;
  const f2 = { x: { params: [], fn: () => 'two' } } satisfies Record<string, GoFunc>;
  assert.equal(cache.get('t', '{{ x }}', { funcs: f1 }).execute(null), 'one');
  assert.equal(cache.get('t', '{{ x }}', { funcs: f2 }).execute(null), 'two');

  assert.equal(cachedTemplate('{{ .z }}'), cachedTemplate('{{ .z }}'));
  assert.equal(cachedTemplate('{{ .z }}').name, 'tpl');
});

test('executions do not copy the data; sprig set mutates maps as in Go', () => {
  const data = { m: { a: 1 } };
  parseTemplate('t', '{{ $_ := set .m "b" "x" }}').execute(data);
  assert.deepEqual(data.m, { a: 1, b: 'x' });
});

test('templates are reentrant: one parsed template used inside its own function', () => {
  const inner = parseTemplate('inner', '{{ . }}!');
  const outer = parseTemplate('outer', '{{ range .l }}{{ wrap . }}{{ end }}', { funcs: { wrap: { params: ['any'], fn: (v) => inner.execute(v) } } });
  assert.equal(outer.execute({ l: ['a', 'b'] }), 'a!b!');
});

test('large inputs: long ranges and deep data render without stack trouble', () => {
  const l = Array.from({ length: 20000 }, (_, i) => i);
  assert.equal(parseTemplate('t', '{{ range .l }}{{ if eq . 19999.0 }}{{ . }}{{ end }}{{ end }}').execute({ l }), '19999');
  let deep: Record<string, unknown> = { v: 'bottom' };
  for (let i = 0; i < 500; i++) deep = { d: deep };
  const path = '.d'.repeat(500) + '.v';
  assert.equal(parseTemplate('t', `{{ ${path} }}`).execute(deep), 'bottom');
});

test('recursive templates stop with Go\'s depth error instead of overflowing the stack', () => {
  assert.throws(() => parseTemplate('t', '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}').execute({}), {
    message: 'template: t:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100000)',
  });
});

test('strconv.FormatFloat', () => {
  const cases: [number, string, number, string][] = [
    [1000000, 'g', -1, '1e+06'],
    [100000, 'g', -1, '100000'],
    [0.0001, 'g', -1, '0.0001'],
    [0.00001, 'g', -1, '1e-05'],
    [123456789, 'g', -1, '1.23456789e+08'],
    [3, 'g', -1, '3'],
    [-0, 'g', -1, '-0'],
    [2.5, 'f', 0, '2'],
    [3.5, 'f', 0, '4'],
    [1.005, 'f', 2, '1.00'],
    [0.1, 'f', 20, '0.10000000000000000555'],
    [1234.5678, 'e', 3, '1.235e+03'],
    [1e-300, 'e', -1, '1e-300'],
    [5e-324, 'g', -1, '5e-324'],
    [1.7976931348623157e308, 'g', -1, '1.7976931348623157e+308'],
    [1234567, 'g', 3, '1.23e+06'],
    [100, 'g', 5, '100'],
    [1, 'x', -1, '0x1p+00'],
    [0.5, 'x', 2, '0x1.00p-01'],
    [NaN, 'g', -1, 'NaN'],
    [-Infinity, 'f', 2, '-Inf'],
  ];
  for (const [x, f, p, want] of cases) assert.equal(formatFloat(x, f, p), want, `${x} ${f} ${p}`);
});

test('fmt.Sprintf directly', () => {
  assert.equal(sprintf('%05.1f|%-6s|%x|%v|%d', [3.14159, 'ab', 'hi', { b: [1, 'x'], a: null }, new GoInt(-7n)]), '003.1|ab    |6869|map[a:<nil> b:[1 x]]|-7');
  assert.equal(sprintf('%d %s', [1.5]), '%!d(float64=1.5) %!s(MISSING)');
});
