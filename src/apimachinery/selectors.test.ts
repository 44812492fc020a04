import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from './errors.js';
import {
  fieldSelectorAllowedFields,
  fieldSelectorExactMatch,
  fieldSelectorRulesFor,
  fieldSelectorToString,
  labelSelectorFromObject,
  labelSelectorFromSet,
  labelSelectorIsEmpty,
  labelSelectorToString,
  matchesFields,
  matchesLabels,
  objectFieldSet,
  parseFieldSelector,
  parseLabelSelector,
  qualifiedNameErrors,
  type LabelSelectorObject,
} from './selectors.js';

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected StatusError, got ${String(e)}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail('expected a BadRequest');
}

const NAME_PART_REGEX =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('parseLabelSelector: canonical string form', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['   ', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a==b'],
    ['a!=b', 'a!=b'],
    ['a = b', 'a=b'],
    ['  x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['a in (y, x , x)', 'a in (x,y)'],
    ['!a', '!a'],
    ['a', 'a'],
    ['b=1,a=2', 'a=2,b=1'],
    ['example.com/app=web', 'example.com/app=web'],
    ['a=', 'a='],
    ['a=,b', 'a=,b'],
    ['x>1', 'x>1'],
    ['x < 10', 'x<10'],
    ['in in (in)', 'in in (in)'],
    ['a notin (notin)', 'a notin (notin)'],
    ['a in (,)', 'a in ()'],
    ['\ta\t=\tb\n', 'a=b'],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(labelSelectorToString(parseLabelSelector(input)), want));
  }
});

describe('parseLabelSelector: errors', () => {
  const cases: [string, string][] = [
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a in (x y)', "unable to parse requirement: found 'y', expected: ',' or ')'"],
    ['a in (x', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['app:web', `unable to parse requirement: <nil>: Invalid value: "app:web": ${NAME_PART_REGEX}`],
    ['-a=b', `unable to parse requirement: <nil>: Invalid value: "-a": ${NAME_PART_REGEX}`],
    [
      'a/b/c=d',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [`${'k'.repeat(64)}=v`, `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`],
    [
      'Example.com/a=b',
      `unable to parse requirement: <nil>: Invalid value: "Example.com/a": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    ['/a=b', 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'],
    [
      'a=-b',
      `unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    [`a=${'v'.repeat(64)}`, `unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`],
    ['x>abc', `unable to parse requirement: values[0]: Invalid value: "abc": for 'Gt', 'Lt' operators, the value must be an integer`],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(badRequestMessage(() => parseLabelSelector(input)), want));
  }

  it('several invalid values aggregate in brackets', () => {
    const msg = badRequestMessage(() => parseLabelSelector('a in (-x,-y)'));
    assert.match(msg, /^unable to parse requirement: \[values\[0\]\[a\]: Invalid value: "-x": .*, values\[1\]\[a\]: Invalid value: "-y": .*\]$/);
  });
});

describe('matchesLabels', () => {
  const labels = { app: 'web', tier: 'front', n: '5', 'example.com/owner': 'me' };
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', labels, true],
    ['', undefined, true],
    ['app=web', labels, true],
    ['app==web', labels, true],
    ['app=db', labels, false],
    ['app!=db', labels, true],
    ['app!=web', labels, false],
    ['missing!=x', labels, true],
    ['app in (db,web)', labels, true],
    ['app in (db)', labels, false],
    ['missing in (x)', labels, false],
    ['app notin (db)', labels, true],
    ['app notin (web)', labels, false],
    ['missing notin (x)', labels, true],
    ['app', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!app', labels, false],
    ['app=web,tier=front', labels, true],
    ['app=web,tier=back', labels, false],
    ['example.com/owner=me', labels, true],
    ['n>4', labels, true],
    ['n>5', labels, false],
    ['n<6', labels, true],
    ['app>1', labels, false],
    ['missing>1', labels, false],
    ['app=', labels, false],
    ['empty=', { empty: '' }, true],
    ['app in ()', { app: '' }, true],
    ['app', undefined, false],
    ['!app', undefined, true],
  ];
  for (const [sel, ls, want] of cases) {
    it(`${JSON.stringify(sel)} on ${JSON.stringify(ls)} → ${want}`, () => assert.equal(matchesLabels(parseLabelSelector(sel), ls), want));
  }
});

describe('labelSelectorFromObject', () => {
  const labels = { app: 'web', tier: 'front' };
  const cases: [string, LabelSelectorObject | null | undefined, string, boolean][] = [
    ['nil selects nothing', undefined, '', false],
    ['null selects nothing', null, '', false],
    ['empty selects everything', {}, '', true],
    ['matchLabels', { matchLabels: { tier: 'front', app: 'web' } }, 'app=web,tier=front', true],
    ['matchLabels miss', { matchLabels: { app: 'db' } }, 'app=db', false],
    ['In', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }, 'app in (db,web)', true],
    ['NotIn', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, 'app notin (web)', false],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, 'tier', true],
    ['DoesNotExist', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, '!tier', false],
    [
      'mixed, sorted by key',
      { matchLabels: { tier: 'front' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
      'app in (web),tier=front',
      true,
    ],
  ];
  for (const [name, obj, str, match] of cases) {
    it(name, () => {
      const sel = labelSelectorFromObject(obj);
      assert.equal(labelSelectorToString(sel), str);
      assert.equal(matchesLabels(sel, labels), match);
    });
  }

  const errors: [string, LabelSelectorObject, string][] = [
    ['bad operator', { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, '"Equals" is not a valid label selector operator'],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: ["x"]: values set must be empty for exists and does not exist'],
    ['bad key', { matchLabels: { 'a b': 'x' } }, `key: Invalid value: "a b": ${NAME_PART_REGEX}`],
  ];
  for (const [name, obj, want] of errors) {
    it(`error: ${name}`, () => assert.equal(badRequestMessage(() => labelSelectorFromObject(obj)), want));
  }
});

describe('label selector helpers', () => {
  it('labelSelectorFromSet', () => {
    const sel = labelSelectorFromSet({ b: '2', a: '1' });
    assert.equal(labelSelectorToString(sel), 'a=1,b=2');
    assert.equal(matchesLabels(sel, { a: '1', b: '2', c: '3' }), true);
    assert.equal(labelSelectorIsEmpty(labelSelectorFromSet(undefined)), true);
  });
  it('labelSelectorIsEmpty', () => {
    assert.equal(labelSelectorIsEmpty(parseLabelSelector('')), true);
    assert.equal(labelSelectorIsEmpty(parseLabelSelector('a')), false);
    assert.equal(labelSelectorIsEmpty(labelSelectorFromObject(undefined)), false);
  });
  it('qualifiedNameErrors accepts valid keys', () => {
    for (const k of ['a', 'A.b-c_d', 'example.com/name', 'kubernetes.io/metadata.name', 'x'.repeat(63)]) assert.deepEqual(qualifiedNameErrors(k), [], k);
  });
});

describe('parseFieldSelector', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['metadata.name=foo', 'metadata.name=foo'],
    ['metadata.name==foo', 'metadata.name=foo'],
    ['metadata.name!=foo', 'metadata.name!=foo'],
    ['metadata.namespace=ns,metadata.name=foo', 'metadata.name=foo,metadata.namespace=ns'],
    ['a=b\\,c', 'a=b\\,c'],
    ['a=b\\=c', 'a=b\\=c'],
    ['a=b\\\\c', 'a=b\\\\c'],
    ['a=', 'a='],
    ['a=b,', 'a=b'],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(fieldSelectorToString(parseFieldSelector(input)), want));
  }

  it('unescapes values', () => {
    assert.deepEqual(parseFieldSelector('a=x\\,y\\=z\\\\').requirements, [{ field: 'a', operator: '=', value: 'x,y=z\\' }]);
  });

  const errors: [string, string][] = [
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b,foo', "invalid selector: 'a=b,foo'; can't understand 'foo'"],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
  ];
  for (const [input, want] of errors) {
    it(`error ${JSON.stringify(input)}`, () => assert.equal(badRequestMessage(() => parseFieldSelector(input)), want));
  }
});

describe('matchesFields', () => {
  const fields = { 'metadata.name': 'foo', 'metadata.namespace': 'default', type: 'Opaque' };
  const cases: [string, boolean][] = [
    ['', true],
    ['metadata.name=foo', true],
    ['metadata.name==foo', true],
    ['metadata.name=bar', false],
    ['metadata.name!=bar', true],
    ['metadata.name!=foo', false],
    ['metadata.name=foo,metadata.namespace=default', true],
    ['metadata.name=foo,metadata.namespace=other', false],
    ['missing=', true],
    ['missing!=x', true],
    ['missing=x', false],
  ];
  for (const [sel, want] of cases) {
    it(`${JSON.stringify(sel)} → ${want}`, () => assert.equal(matchesFields(parseFieldSelector(sel), fields), want));
  }
  it('fieldSelectorExactMatch', () => {
    const sel = parseFieldSelector('metadata.name=foo,metadata.namespace!=x');
    assert.equal(fieldSelectorExactMatch(sel, 'metadata.name'), 'foo');
    assert.equal(fieldSelectorExactMatch(sel, 'metadata.namespace'), undefined);
  });
});

describe('fieldSelectorAllowedFields', () => {
  const ok = (sel: string, allowed?: Parameters<typeof fieldSelectorAllowedFields>[1]): void => fieldSelectorAllowedFields(parseFieldSelector(sel), allowed);
  it('metadata.name and metadata.namespace by default', () => {
    ok('metadata.name=a,metadata.namespace=b');
    assert.equal(badRequestMessage(() => ok('spec.foo=a')), 'field label not supported: spec.foo');
  });
  it('extra fields per kind', () => {
    ok('involvedObject.name=x,type=Warning,reason=Failed,source=kubelet', ['involvedObject.name', 'type', 'reason', 'source']);
    assert.equal(badRequestMessage(() => ok('involvedObject.name=x,spec.foo=y', ['involvedObject.name'])), 'field label not supported: spec.foo');
  });
  it('first offending term in sorted order is reported', () => {
    assert.equal(badRequestMessage(() => ok('zzz=1,aaa=2')), 'field label not supported: aaa');
  });

  const rules: [string, Parameters<typeof fieldSelectorRulesFor>[0], string, string | null][] = [
    ['ConfigMap uses the metav1 default', { group: '', kind: 'ConfigMap', namespaced: true, builtin: true }, 'spec.foo=1', '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['ConfigMap metadata.namespace', { group: '', kind: 'ConfigMap', namespaced: true, builtin: true }, 'metadata.namespace=x', null],
    ['Secret type', { group: '', kind: 'Secret', namespaced: true, builtin: true }, 'type=Opaque', null],
    ['Secret unknown', { group: '', kind: 'Secret', namespaced: true, builtin: true }, 'data=x', 'field label not supported: data'],
    ['Namespace status.phase', { group: '', kind: 'Namespace', namespaced: false, builtin: true }, 'status.phase=Active', null],
    ['Namespace rejects metadata.namespace', { group: '', kind: 'Namespace', namespaced: false, builtin: true }, 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    ['Event involvedObject.uid', { group: '', kind: 'Event', namespaced: true, builtin: true }, 'involvedObject.uid=1,reportingComponent=x', null],
    ['Lease default', { group: 'coordination.k8s.io', kind: 'Lease', namespaced: true, builtin: true }, 'spec.holderIdentity=x', '"spec.holderIdentity" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['namespaced CR', { group: 'example.com', kind: 'Widget', namespaced: true, builtin: false }, 'metadata.namespace=x', null],
    ['cluster CR rejects metadata.namespace', { group: 'example.com', kind: 'Widget', namespaced: false, builtin: false }, 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    ['CR unknown', { group: 'example.com', kind: 'Widget', namespaced: true, builtin: false }, 'spec.color=red', 'field label not supported: spec.color'],
  ];
  for (const [name, res, sel, want] of rules) {
    it(name, () => {
      const r = fieldSelectorRulesFor(res);
      if (want === null) ok(sel, r);
      else assert.equal(badRequestMessage(() => ok(sel, r)), want);
    });
  }
  it('CR selectableFields (jsonPath with leading dot)', () => {
    ok('spec.color=red', fieldSelectorRulesFor({ group: 'example.com', kind: 'Widget', namespaced: true, builtin: false }, ['.spec.color']));
  });
});

describe('objectFieldSet', () => {
  it('namespaced object', () => {
    assert.deepEqual(objectFieldSet({ group: '', kind: 'ConfigMap', namespaced: true }, { metadata: { name: 'a', namespace: 'ns' } }), {
      'metadata.name': 'a',
      'metadata.namespace': 'ns',
    });
  });
  it('Namespace', () => {
    assert.deepEqual(objectFieldSet({ group: '', kind: 'Namespace', namespaced: false }, { metadata: { name: 'ns' }, status: { phase: 'Active' } }), {
      'metadata.name': 'ns',
      'status.phase': 'Active',
    });
  });
  it('Secret', () => {
    assert.equal(objectFieldSet({ group: '', kind: 'Secret', namespaced: true }, { metadata: { name: 's' }, type: 'Opaque' })['type'], 'Opaque');
  });
  it('Event', () => {
    const f = objectFieldSet(
      { group: '', kind: 'Event', namespaced: true },
      { metadata: { name: 'e', namespace: 'ns' }, involvedObject: { kind: 'Pod', name: 'p', uid: 'u1' }, reason: 'Started', type: 'Normal', reportingComponent: 'ctl', source: {} },
    );
    assert.equal(f['involvedObject.kind'], 'Pod');
    assert.equal(f['involvedObject.name'], 'p');
    assert.equal(f['involvedObject.namespace'], '');
    assert.equal(f['source'], 'ctl');
    assert.equal(f['reportingComponent'], 'ctl');
    assert.ok(matchesFields(parseFieldSelector('involvedObject.kind=Pod,type=Normal,source=ctl'), f));
  });
  it('extra paths stringify scalars', () => {
    const f = objectFieldSet({ group: 'x.io', kind: 'W', namespaced: false }, { metadata: { name: 'w' }, spec: { color: 'red', size: 3, on: true } }, ['.spec.color', 'spec.size', '.spec.on', '.spec.none']);
    assert.deepEqual(f, { 'metadata.name': 'w', 'spec.color': 'red', 'spec.size': '3', 'spec.on': 'true', 'spec.none': '' });
  });
});
