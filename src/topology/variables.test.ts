/** Variable definitions, values, defaulting and CEL rules: Cluster API's semantics and wording. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { causeMessage } from '../apimachinery/errors.js';
import type { ClusterClassVariable, ClusterVariable, VariableSchemaProps } from './types.js';
import { validateClusterClassVariables } from './variable-definitions.js';
import { defaultClusterVariables, validateClusterVariables } from './variable-values.js';

const def = (name: string, schema: VariableSchemaProps, required = false): ClusterClassVariable => ({ name, required, schema: { openAPIV3Schema: schema } });
const lines = (cs: { field: string; message: string; reason: string }[]) => cs.map(causeMessage);

const proxy = def(
  'proxy',
  {
    type: 'object',
    required: ['httpProxy'],
    properties: { httpProxy: { type: 'string', pattern: '^https?://' }, noProxy: { type: 'array', items: { type: 'string' } } },
  },
  true,
);

describe('ClusterClass variable definitions', () => {
  const cases: { name: string; vars: ClusterClassVariable[]; want: string[] }[] = [
    { name: 'valid definitions', vars: [proxy, def('cpu', { type: 'integer', minimum: 1, default: 2 })], want: [] },
    {
      name: 'duplicate names',
      vars: [def('cpu', { type: 'integer' }), def('cpu', { type: 'integer' })],
      want: ['spec.variables[cpu].name: Invalid value: "cpu": variable name must be unique. Variable with name "cpu" is defined more than once'],
    },
    { name: 'reserved name', vars: [def('builtin', { type: 'string' })], want: ['spec.variables[builtin].name: Invalid value: "builtin": "builtin" is a reserved variable name'] },
    { name: 'dot in name', vars: [def('a.b', { type: 'string' })], want: ['spec.variables[a.b].name: Invalid value: "a.b": variable name cannot contain "."'] },
    { name: 'empty name', vars: [def('', { type: 'string' })], want: ['spec.variables[0].name: Required value: variable name must be defined'] },
    { name: 'missing type', vars: [def('x', {})], want: ['spec.variables[x].schema.openAPIV3Schema.type: Required value: type cannot be empty'] },
    {
      name: 'unknown type',
      vars: [def('x', { type: 'map' as 'object' })],
      want: ['spec.variables[x].schema.openAPIV3Schema.type: Unsupported value: "map": supported values: "array", "boolean", "integer", "number", "object", "string"'],
    },
    {
      name: 'properties and additionalProperties',
      vars: [def('x', { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } })],
      want: ['spec.variables[x].schema.openAPIV3Schema.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive'],
    },
    {
      name: 'default must validate',
      vars: [def('x', { type: 'object', properties: { port: { type: 'integer', default: 'http' } } })],
      want: ['spec.variables[x].schema.openAPIV3Schema.properties[port].default: Invalid value: "http":  in body must be of type integer: "string"'],
    },
    {
      name: 'nested field without type',
      vars: [def('x', { type: 'object', properties: { a: {} } })],
      want: ['spec.variables[x].schema.openAPIV3Schema.properties[a].type: Required value: must not be empty for specified object fields'],
    },
    { name: 'uniqueItems is allowed (unlike CRDs)', vars: [def('x', { type: 'array', items: { type: 'string' }, uniqueItems: true })], want: [] },
    {
      name: 'example must validate',
      vars: [def('x', { type: 'integer', maximum: 10, example: 11 })],
      want: ['spec.variables[x].schema.openAPIV3Schema.example: Invalid value: 11: invalid value in example: Invalid value: 11: should be less than or equal to 10'],
    },
    {
      name: 'enum values must validate',
      vars: [def('x', { type: 'string', enum: ['a', 1] })],
      want: ['spec.variables[x].schema.openAPIV3Schema.enum[1]: Invalid value: 1: invalid value in enum: Invalid value: 1: must be of type string: "integer"'],
    },
    {
      name: 'CEL rule must compile',
      vars: [def('x', { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >' }] })],
      want: ['spec.variables[x].schema.openAPIV3Schema.x-kubernetes-validations[0].rule'],
    },
    { name: 'x-metadata and description are accepted', vars: [def('x', { type: 'string', description: 'd', 'x-metadata': { labels: { a: 'b' } } })], want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = lines(validateClusterClassVariables(c.vars));
      if (c.name === 'CEL rule must compile') {
        assert.equal(got.length, 1);
        assert.ok(got[0]!.startsWith(c.want[0]!), got[0]);
        assert.match(got[0]!, /compilation failed/);
      } else assert.deepEqual(got, c.want);
    });
  }
});

describe('Cluster variable values', () => {
  const defs = [
    proxy,
    def('cpu', { type: 'integer', minimum: 1, maximum: 10 }),
    def('location', { type: 'string', enum: ['us-east-1', 'us-east-2'] }),
    def('zones', { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 2 }),
    def('labels', { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 }),
    def('open', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
    def('port', { 'x-kubernetes-int-or-string': true }),
  ];
  const v = (name: string, value: unknown): ClusterVariable => ({ name, value });
  const base = [v('proxy', { httpProxy: 'http://p:3128' })];
  const cases: { name: string; values: ClusterVariable[]; want: string[] }[] = [
    { name: 'valid values', values: [...base, v('cpu', 4), v('location', 'us-east-1'), v('zones', ['a']), v('labels', { a: 'b' }), v('open', { any: { thing: 1 } }), v('port', 'http')], want: [] },
    { name: 'nested required field', values: [v('proxy', { noProxy: [] })], want: ['spec.topology.variables[proxy].value.httpProxy: Required value'] },
    { name: 'required variable missing', values: [v('cpu', 1)], want: ['spec.topology.variables: Required value: required variable "proxy" must be set'] },
    { name: 'undefined variable', values: [...base, v('nope', 'x')], want: ['spec.topology.variables[nope]: Invalid value: "\\"x\\"": variable is not defined'] },
    { name: 'set twice', values: [...base, v('cpu', 1), v('cpu', 2)], want: ['spec.topology.variables[cpu]: Invalid value: "2": variable "cpu" is set more than once'] },
    {
      name: 'definitionFrom is deprecated',
      values: [...base, { name: 'cpu', value: 1, definitionFrom: 'inline' }],
      want: ['spec.topology.variables[cpu]: Invalid value: "1": variable "cpu" has DefinitionFrom set. DefinitionFrom is deprecated, must not be set anymore and is going to be removed in the next apiVersion'],
    },
    { name: 'maximum', values: [...base, v('cpu', 99)], want: ['spec.topology.variables[cpu].value: Invalid value: "99": should be less than or equal to 10'] },
    { name: 'type at the root', values: [...base, v('cpu', '1')], want: ['spec.topology.variables[cpu].value: Invalid value: "\\"1\\"": must be of type integer: "string"'] },
    {
      name: 'nested type',
      values: [v('proxy', { httpProxy: 5 })],
      want: ['spec.topology.variables[proxy].value.httpProxy: Invalid value: "{\\"httpProxy\\":5}": httpProxy in body must be of type string: "integer"'],
    },
    {
      name: 'pattern',
      values: [v('proxy', { httpProxy: 'ftp://x' })],
      want: ["spec.topology.variables[proxy].value.httpProxy: Invalid value: \"{\\\"httpProxy\\\":\\\"ftp://x\\\"}\": httpProxy in body should match '^https?://'"],
    },
    {
      name: 'enum',
      values: [...base, v('location', 'mars')],
      want: ['spec.topology.variables[location].value: Unsupported value: "\\"mars\\"": supported values: "us-east-1", "us-east-2"'],
    },
    {
      name: 'array item enum',
      values: [...base, v('zones', ['a', 'z'])],
      want: ['spec.topology.variables[zones].value.[1]: Unsupported value: "[\\"a\\",\\"z\\"]": supported values: "a", "b"'],
    },
    { name: 'maxItems', values: [...base, v('zones', ['a', 'b', 'a'])], want: ['spec.topology.variables[zones].value: Too many: "[\\"a\\",\\"b\\",\\"a\\"]": must have at most 2 items'] },
    {
      name: 'unknown fields',
      values: [v('proxy', { httpProxy: 'http://p', extra: 1, more: { x: 1 } })],
      want: ['spec.topology.variables[proxy]: Invalid value: "{\\"extra\\":1,\\"httpProxy\\":\\"http://p\\",\\"more\\":{\\"x\\":1}}": failed validation: "extra,more" field(s) are not specified in the variable schema of variable "proxy"'],
    },
    { name: 'int-or-string accepts numbers', values: [...base, v('port', 8080)], want: [] },
    { name: 'null value of an object', values: [v('proxy', null)], want: ['spec.topology.variables[proxy].value: Invalid value: "null": must be of type object: "null"'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(lines(validateClusterVariables(c.values, defs, { validateRequired: true })), c.want));
  }

  it('overrides do not need required variables and use their own path', () => {
    const got = lines(validateClusterVariables([v('cpu', 0)], defs, { path: 'spec.topology.workers.machineDeployments[md-0].variables.overrides' }));
    assert.deepEqual(got, ['spec.topology.workers.machineDeployments[md-0].variables.overrides[cpu].value: Invalid value: "0": should be greater than or equal to 1']);
  });
});

describe('CEL rules on variables', () => {
  const rotation = def('rotation', {
    type: 'object',
    properties: { activate: { type: 'boolean' }, daysBefore: { type: 'integer' } },
    'x-kubernetes-validations': [{ rule: '!self.activate || self.daysBefore >= 7', message: 'daysBefore must be at least 7 when rotation is active' }],
  });
  const grow = def('size', { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', messageExpression: "'size may not shrink from ' + string(oldSelf)" }] });
  const immutable = def('family', { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'family is immutable' }] });
  const defs = [rotation, grow, immutable];

  it('message of a failing rule, with the raw value', () => {
    const got = lines(validateClusterVariables([{ name: 'rotation', value: { activate: true, daysBefore: 3 } }], defs));
    assert.deepEqual(got, ['spec.topology.variables[rotation].value: Invalid value: "{\\"activate\\":true,\\"daysBefore\\":3}": daysBefore must be at least 7 when rotation is active']);
    assert.deepEqual(validateClusterVariables([{ name: 'rotation', value: { activate: false, daysBefore: 3 } }], defs), []);
  });

  it('transition rules use the old value (oldSelf) and messageExpression', () => {
    const old = [{ name: 'size', value: 5 }];
    assert.deepEqual(validateClusterVariables([{ name: 'size', value: 6 }], defs, { oldValues: old }), []);
    assert.deepEqual(lines(validateClusterVariables([{ name: 'size', value: 4 }], defs, { oldValues: old })), ['spec.topology.variables[size].value: Invalid value: "4": size may not shrink from 5']);
    // No old value: transition rules do not run (create).
    assert.deepEqual(validateClusterVariables([{ name: 'size', value: 1 }], defs), []);
    assert.deepEqual(lines(validateClusterVariables([{ name: 'family', value: 'ipv6' }], defs, { oldValues: [{ name: 'family', value: 'ipv4' }] })), [
      'spec.topology.variables[family].value: Invalid value: "\\"ipv6\\"": family is immutable',
    ]);
  });

  it('CEL does not run while the OpenAPI schema fails', () => {
    assert.deepEqual(lines(validateClusterVariables([{ name: 'rotation', value: { activate: 'yes' } }], defs)), [
      'spec.topology.variables[rotation].value.activate: Invalid value: "{\\"activate\\":\\"yes\\"}": activate in body must be of type boolean: "string"',
    ]);
  });
});

describe('variable defaulting', () => {
  const defs = [
    def('cpu', { type: 'integer', default: 2 }),
    def('pss', { type: 'object', default: {}, properties: { enforce: { type: 'string', default: 'baseline' }, audit: { type: 'string', default: 'restricted' } } }),
    def('proxy', { type: 'object', properties: { httpProxy: { type: 'string' }, port: { type: 'integer', default: 3128 } } }),
    def('noDefault', { type: 'string' }),
  ];

  it('creates top-level variables only when the schema has a top-level default', () => {
    assert.deepEqual(defaultClusterVariables([], defs), [
      { name: 'cpu', value: 2 },
      { name: 'pss', value: { enforce: 'baseline', audit: 'restricted' } },
    ]);
  });

  it('fills nested defaults of existing values and keeps their order', () => {
    const got = defaultClusterVariables(
      [
        { name: 'proxy', value: { httpProxy: 'http://p' } },
        { name: 'pss', value: { enforce: 'restricted' } },
      ],
      defs,
    );
    assert.deepEqual(got, [
      { name: 'proxy', value: { httpProxy: 'http://p', port: 3128 } },
      { name: 'pss', value: { enforce: 'restricted', audit: 'restricted' } },
      { name: 'cpu', value: 2 },
    ]);
  });

  it('never creates overrides, but defaults their nested fields', () => {
    assert.deepEqual(defaultClusterVariables([], defs, false), []);
    assert.deepEqual(defaultClusterVariables([{ name: 'pss', value: {} }], defs, false), [{ name: 'pss', value: { enforce: 'baseline', audit: 'restricted' } }]);
  });

  it('a null value of a defaulted variable becomes the default; input is not mutated', () => {
    const input = [{ name: 'cpu', value: null }];
    assert.deepEqual(defaultClusterVariables(input, defs), [{ name: 'cpu', value: 2 }, { name: 'pss', value: { enforce: 'baseline', audit: 'restricted' } }]);
    assert.deepEqual(input, [{ name: 'cpu', value: null }]);
  });
});
