/**
 * Table tests against Go: every case in testdata/golden.json was rendered by Go's text/template with
 * sprig's HermeticTxtFuncMap (see testdata/README.md); Slipway must produce the same output and the
 * same error text, byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTemplate, TemplateError, type TemplateOptions } from './index.js';

interface GoldenCase {
  group: string;
  t: string;
  d?: unknown;
  ds?: string;
  opt?: string;
  name?: string;
  out?: string;
  err?: string;
  note?: string;
}
interface Golden {
  datasets: Record<string, unknown>;
  cases: GoldenCase[];
}

const golden = JSON.parse(readFileSync(new URL('./testdata/golden.json', import.meta.url), 'utf8')) as Golden;

function render(c: GoldenCase): { out?: string; err?: string } {
  const data = c.ds ? golden.datasets[c.ds] : c.d;
  const opts: TemplateOptions = {};
  if (c.opt) opts.missingKey = c.opt.split('=')[1] as TemplateOptions['missingKey'];
  let t;
  try {
    t = parseTemplate(c.name ?? 't', c.t, opts);
  } catch (e) {
    assert.ok(e instanceof TemplateError, `parse threw a non-TemplateError: ${String(e)}`);
    assert.equal(e.kind, 'parse');
    return { err: e.message };
  }
  try {
    return { out: t.execute(data) };
  } catch (e) {
    assert.ok(e instanceof TemplateError, `execute threw a non-TemplateError: ${String(e)}`);
    assert.equal(e.kind, 'exec');
    return { err: e.message };
  }
}

const groups = new Map<string, GoldenCase[]>();
for (const c of golden.cases) {
  if (!groups.has(c.group)) groups.set(c.group, []);
  groups.get(c.group)!.push(c);
}

test('golden cases cover every area', () => {
  for (const g of ['text', 'vars', 'control', 'define', 'pipes', 'builtins', 'printf', 'parse-errors', 'exec-errors', 'missingkey', 'positions', 'ints', 'capi', 'toYaml']) {
    assert.ok((groups.get(g)?.length ?? 0) > 0, `no cases for ${g}`);
  }
  for (const g of ['strings', 'math', 'lists', 'dicts', 'defaults', 'encoding', 'semver', 'regex']) {
    assert.ok((groups.get('sprig-' + g)?.length ?? 0) > 0, `no cases for sprig-${g}`);
  }
});

for (const [group, cases] of groups) {
  test(`Go text/template + sprig: ${group}`, async (t) => {
    for (const c of cases) {
      await t.test(`${c.t}${c.opt ? ` [${c.opt}]` : ''}`, () => {
        const got = render(c);
        if (c.err !== undefined) {
          assert.equal(got.err, c.err);
        } else {
          assert.equal(got.err, undefined, `unexpected error`);
          assert.equal(got.out, c.out);
        }
      });
    }
  });
}
