/**
 * OpenAPI documents, as kube-apiserver publishes them, computed from the served resources:
 *  - /openapi/v3            → index of group/version documents ({"paths": {"apis/G/V": {"serverRelativeURL": ...}}})
 *  - /openapi/v3/apis/G/V   → OpenAPI 3.0 document of one group/version
 *  - /openapi/v2            → one Swagger 2.0 document for everything
 *
 * Definition names follow Kubernetes: io.k8s.api.<group>.<version>.<Kind> for built-in kinds and
 * <reversed group>.<version>.<Kind> for custom resources. Sub-schemas that are registered as
 * named types (see src/api/builtin/meta.ts) become shared components referenced with `$ref`
 * (wrapped in allOf in v3, like kube, so fields keep their own description).
 *
 * kubectl reads these documents: `kubectl explain` (v3 by default), and `kubectl apply`/`create`
 * decide whether the server supports server-side field validation by looking for the
 * `fieldValidation` query parameter on the PATCH operation of the kind (v3, then v2).
 */
import { createHash } from 'node:crypto';
import type { JSONSchemaProps } from '../apimachinery/schema/types.js';
import { deepClone } from '../apimachinery/types.js';
import type { ResourceInfo } from './resource-info.js';
import {
  API_VERSION_DESCRIPTION,
  KIND_DESCRIPTION,
  META_V1,
  METADATA_DESCRIPTION,
  defineNamed,
  int32,
  listMetaSchema,
  namedTypeOf,
  object,
  objectMetaSchema,
  str,
  useNamed,
} from '../api/builtin/meta.js';

type Dialect = 'v3' | 'v2';
type Json = Record<string, unknown>;

/** Kubernetes version the documents claim (info.version). */
export const OPENAPI_INFO_VERSION = 'v1.32.0';

const SPECIAL_BUILTIN_PACKAGES: Record<string, string> = {
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
};

/** OpenAPI definition name of a kind, e.g. io.k8s.api.core.v1.ConfigMap or com.example.v1.Widget. */
export function definitionName(r: Pick<ResourceInfo, 'group' | 'version' | 'builtin'>, kind: string): string {
  if (r.builtin) {
    const special = SPECIAL_BUILTIN_PACKAGES[r.group];
    if (special) return `${special}.${r.version}.${kind}`;
    const pkg = r.group === '' ? 'core' : r.group.split('.')[0];
    return `io.k8s.api.${pkg}.${r.version}.${kind}`;
  }
  const reversed = r.group.split('.').reverse().join('.');
  return `${reversed}.${r.version}.${kind}`;
}

/** URL path prefix of a group/version: /api/v1 or /apis/G/V. */
function gvPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** Key of a group/version in the /openapi/v3 index: api/v1 or apis/G/V. */
export function openapiV3PathKey(group: string, version: string): string {
  return gvPrefix(group, version).slice(1);
}

// ---------------------------------------------------------------------------------------------
// meta/v1 and autoscaling/v1 helper types published alongside the kinds
// ---------------------------------------------------------------------------------------------

function statusSchema(): JSONSchemaProps {
  const cause = defineNamed(
    `${META_V1}.StatusCause`,
    object(
      {
        field: str('Path of the field that caused the problem, e.g. "spec.replicas" or "items[2].name".'),
        message: str('Human-readable description of the cause.'),
        reason: str('Machine-readable description of the cause, e.g. FieldValueInvalid.'),
      },
      'One field-level reason for a failure.',
    ),
  );
  const details = defineNamed(
    `${META_V1}.StatusDetails`,
    object(
      {
        causes: { type: 'array', items: useNamed(cause), description: 'Extended information about the causes of the failure.', 'x-kubernetes-list-type': 'atomic' },
        group: str('Group of the resource the status is about.'),
        kind: str('Kind of the resource the status is about.'),
        name: str('Name of the resource the status is about.'),
        retryAfterSeconds: int32('Seconds the client should wait before retrying, when the operation may be retried.'),
        uid: str('UID of the resource the status is about.'),
      },
      'Additional, reason-specific data about a failure.',
    ),
  );
  return defineNamed(
    `${META_V1}.Status`,
    object(
      {
        apiVersion: str(API_VERSION_DESCRIPTION),
        code: int32('Suggested HTTP status code, 0 if unset.'),
        details: useNamed(details, 'Reason-specific details; may be absent.'),
        kind: str(KIND_DESCRIPTION),
        message: str('Human-readable description of the status.'),
        metadata: useNamed(listMetaSchema(), 'Standard list metadata.', { default: {} }),
        reason: str('Machine-readable CamelCase reason for a failure, e.g. NotFound or Conflict. Empty when no reason is known.'),
        status: str('"Success" or "Failure".'),
      },
      'The result of an operation that does not return an object.',
    ),
  );
}

function deleteOptionsSchema(): JSONSchemaProps {
  const preconditions = defineNamed(
    `${META_V1}.Preconditions`,
    object(
      {
        resourceVersion: str('The object must have this resourceVersion for the operation to proceed.'),
        uid: str('The object must have this UID for the operation to proceed.'),
      },
      'Conditions that must hold before an operation is carried out.',
    ),
  );
  return defineNamed(
    `${META_V1}.DeleteOptions`,
    object(
      {
        apiVersion: str(API_VERSION_DESCRIPTION),
        dryRun: { type: 'array', items: { type: 'string', default: '' }, description: 'When set, the deletion is validated but not persisted. The only valid value is "All".', 'x-kubernetes-list-type': 'atomic' },
        gracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Seconds to wait before deleting the object; 0 means immediately.' },
        ignoreStoreReadErrorWithClusterBreakingPotential: { type: 'boolean', description: 'Delete even when the stored object cannot be read. Dangerous; bypasses finalizers and admission.' },
        kind: str(KIND_DESCRIPTION),
        orphanDependents: { type: 'boolean', description: 'Deprecated: use propagationPolicy. Whether dependents should be orphaned.' },
        preconditions: useNamed(preconditions, 'Must be satisfied for the deletion to proceed.'),
        propagationPolicy: str('Garbage collection mode for dependents: "Orphan", "Background" or "Foreground".'),
      },
      'Options for a delete request; may be sent as the request body.',
    ),
  );
}

function patchSchema(): JSONSchemaProps {
  return defineNamed(`${META_V1}.Patch`, {
    type: 'object',
    description: 'The body of a PATCH request; its format is given by the Content-Type (JSON patch, merge patch, strategic merge patch or apply configuration).',
  });
}

function watchEventSchema(): JSONSchemaProps {
  const raw = defineNamed('io.k8s.apimachinery.pkg.runtime.RawExtension', {
    type: 'object',
    description: 'An embedded object in its serialized form.',
  });
  return defineNamed(
    `${META_V1}.WatchEvent`,
    object(
      {
        object: useNamed(raw, 'The object the event is about (for ERROR events, a Status).'),
        type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.', { default: '' }),
      },
      'One event of a watch stream.',
      { required: ['type', 'object'] },
    ),
  );
}

function scaleSchema(): JSONSchemaProps {
  const spec = defineNamed(
    'io.k8s.api.autoscaling.v1.ScaleSpec',
    object({ replicas: int32('Desired number of instances of the scaled object.') }, 'The desired state of a scale subresource.'),
  );
  const status = defineNamed(
    'io.k8s.api.autoscaling.v1.ScaleStatus',
    object(
      {
        replicas: int32('Observed number of instances of the scaled object.', { default: 0 }),
        selector: str('Label selector of the pods counted in replicas, in serialized string form.'),
      },
      'The observed state of a scale subresource.',
      { required: ['replicas'] },
    ),
  );
  return defineNamed(
    'io.k8s.api.autoscaling.v1.Scale',
    object(
      {
        apiVersion: str(API_VERSION_DESCRIPTION),
        kind: str(KIND_DESCRIPTION),
        metadata: useNamed(objectMetaSchema(), METADATA_DESCRIPTION, { default: {} }),
        spec: useNamed(spec, 'Desired number of replicas.', { default: {} }),
        status: useNamed(status, 'Current number of replicas; read-only.', { default: {} }),
      },
      'Scale is the replica count of a resource, read and written through its /scale subresource.',
    ),
  );
}

const SCALE_GVK = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

// ---------------------------------------------------------------------------------------------
// Schema conversion
// ---------------------------------------------------------------------------------------------

const NESTED_KEYS = new Set(['properties', 'items', 'additionalProperties', 'allOf', 'anyOf', 'oneOf', 'not']);

/** Collects the components of one document while converting JSONSchemaProps to OpenAPI. */
class SchemaEmitter {
  readonly components = new Map<string, Json>();
  private readonly defining = new Set<string>();
  /**
   * Converting a built-in kind (and the named types it defines): its schema marks every field nullable only so the
   * plane accepts JSON nulls; kube-apiserver's v2 definitions of built-in kinds are never nullable, so v2 drops the
   * keyword alone instead of the CRD rule's dropping of the whole field's type.
   */
  builtin = false;

  constructor(readonly dialect: Dialect) {}

  refTo(name: string): string {
    return this.dialect === 'v3' ? `#/components/schemas/${name}` : `#/definitions/${name}`;
  }

  /** Emits the component for a named schema (once) and returns its name. */
  define(name: string, canonical: JSONSchemaProps, extensions?: Json): string {
    if (this.components.has(name) || this.defining.has(name)) return name;
    this.defining.add(name);
    const body = this.body(canonical);
    this.defining.delete(name);
    this.components.set(name, { ...body, ...(extensions ?? {}) });
    return name;
  }

  /** A field schema: a reference when the schema is (a use of) a named type, else converted inline. */
  field(s: JSONSchemaProps): Json {
    const named = namedTypeOf(s);
    if (named) {
      const name = this.define(named.name, named.canonical);
      return this.reference(name, s.description, s.default);
    }
    return this.body(s);
  }

  reference(name: string, description?: string, dflt?: unknown): Json {
    const $ref = this.refTo(name);
    if (this.dialect === 'v2') {
      const out: Json = { $ref };
      if (description) out.description = description;
      return out;
    }
    if (!description && dflt === undefined) return { $ref };
    const out: Json = { allOf: [{ $ref }] };
    if (dflt !== undefined) out.default = deepClone(dflt);
    if (description) out.description = description;
    return out;
  }

  /** Converts a schema's own keywords, recursing into nested schemas through field(). */
  body(s: JSONSchemaProps): Json {
    const out: Json = {};
    for (const [k, v] of Object.entries(s)) {
      if (v === undefined || NESTED_KEYS.has(k)) continue;
      if (this.dialect === 'v2' && k === 'default') continue; // kube prunes defaults from v2
      out[k] = deepClone(v);
    }
    if (s.properties) {
      const props: Json = {};
      for (const [name, p] of Object.entries(s.properties)) props[name] = this.field(p);
      out.properties = props;
    }
    if (s.items) out.items = this.field(s.items);
    if (s.additionalProperties !== undefined) {
      out.additionalProperties = typeof s.additionalProperties === 'boolean' ? s.additionalProperties : this.field(s.additionalProperties);
    }
    if (this.dialect === 'v3') {
      for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
        const list = s[k];
        if (list) out[k] = list.map((x) => this.field(x));
      }
      if (s.not) out.not = this.field(s.not);
    } else {
      this.toV2(s, out);
    }
    return out;
  }

  /** What kube's ToStructuralOpenAPIV2 does: drop what Swagger 2.0 (and kubectl's v2 models) cannot express. */
  private toV2(s: JSONSchemaProps, out: Json): void {
    if (this.builtin) {
      delete out.nullable;
      if (s['x-kubernetes-preserve-unknown-fields']) {
        delete out.items;
        delete out.properties;
      }
      if (out.type === 'array' && out.items === undefined) delete out.type;
      return;
    }
    if (out.nullable) {
      delete out.type;
      delete out.items;
      delete out.properties;
    }
    delete out.nullable;
    if (s['x-kubernetes-preserve-unknown-fields']) {
      delete out.items;
      delete out.properties;
    }
    if (out.type === 'array' && out.items === undefined) delete out.type;
    let required = Array.isArray(out.required) ? (out.required as string[]) : undefined;
    if (required && s.properties) required = required.filter((f) => !s.properties?.[f]?.nullable);
    if (required && typeof s.additionalProperties === 'object' && s.additionalProperties.nullable) required = undefined;
    if (required && required.length) out.required = required;
    else delete out.required;
  }
}

function gvkExt(group: string, version: string, kind: string): Json {
  return { 'x-kubernetes-group-version-kind': [{ group, kind, version }] };
}

/** Emits the kind and list-kind components of a resource; returns their names. */
function emitKind(e: SchemaEmitter, r: ResourceInfo): { kind: string; list: string } {
  const kindName = definitionName(r, r.kind);
  const listName = definitionName(r, r.listKind);
  if (!e.components.has(kindName)) {
    const schema: JSONSchemaProps = r.schema && Object.keys(r.schema).length ? r.schema : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const props: Record<string, JSONSchemaProps> = { ...(schema.properties ?? {}) };
    props.apiVersion = { type: 'string', ...stripNested(props.apiVersion), description: props.apiVersion?.description || API_VERSION_DESCRIPTION };
    props.kind = { type: 'string', ...stripNested(props.kind), description: props.kind?.description || KIND_DESCRIPTION };
    // kube always publishes metadata as a reference to ObjectMeta, whatever the CRD schema says
    props.metadata = useNamed(objectMetaSchema(), props.metadata?.description || METADATA_DESCRIPTION, { default: {} });
    const root: JSONSchemaProps = { ...schema, properties: sortKeys(props) };
    if (!root.type && !root['x-kubernetes-preserve-unknown-fields']) root.type = 'object';
    e.builtin = r.builtin;
    const body = e.body(root);
    e.builtin = false;
    e.components.set(kindName, { ...body, ...gvkExt(r.group, r.version, r.kind) });
  }
  if (!e.components.has(listName)) {
    const itemsRef = e.reference(kindName);
    e.define(`${META_V1}.ListMeta`, listMetaSchema());
    e.components.set(listName, {
      description: `${r.listKind} is a list of ${r.kind} objects.`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
        items: {
          type: 'array',
          description: `List of ${r.plural}. More info: https://kubernetes.io/docs/reference/using-api/api-concepts/#collections`,
          items: itemsRef,
        },
        kind: { type: 'string', description: KIND_DESCRIPTION },
        metadata: e.reference(`${META_V1}.ListMeta`, "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds", e.dialect === 'v3' ? {} : undefined),
      },
      ...gvkExt(r.group, r.version, r.listKind),
    });
  }
  return { kind: kindName, list: listName };
}

/** A scalar schema like apiVersion/kind without any nested keywords (they make no sense there). */
function stripNested(s: JSONSchemaProps | undefined): JSONSchemaProps {
  if (!s) return {};
  const out: JSONSchemaProps = { ...s };
  delete out.properties;
  delete out.items;
  delete out.additionalProperties;
  return out;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths and operations
// ---------------------------------------------------------------------------------------------

interface ParamSpec {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
}

const q = (name: string, type: ParamSpec['type'], description: string): ParamSpec => ({ name, in: 'query', type, description });

const P = {
  pretty: q('pretty', 'string', "If 'true', the output is pretty printed. Defaults to 'false' unless the user agent looks like a browser or a command-line HTTP tool."),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK watch events, which carry only a resourceVersion. Servers may ignore the request; ignored for non-watch requests.'),
  continue: q('continue', 'string', 'Token from a previous limited list response, to fetch the next page of results.'),
  fieldSelector: q('fieldSelector', 'string', 'Restricts the returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'string', 'Restricts the returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'integer', 'Maximum number of items to return in one list response; when more exist, metadata.continue is set.'),
  resourceVersion: q('resourceVersion', 'string', 'Constrains which resource versions a request may be served from. Defaults to unset. Details: https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion is applied to list calls: "Exact" or "NotOlderThan". Only valid with resourceVersion set.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'With watch=true, first send synthetic ADDED events for the current state, followed by a bookmark. Requires resourceVersionMatch=NotOlderThan.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call, regardless of activity.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update and remove notifications.'),
  dryRun: q('dryRun', 'string', 'When present, the request is fully processed but not persisted. The only valid value is "All".'),
  fieldManager: q('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields. At most 128 printable characters. Required for apply patches.'),
  fieldValidation: q('fieldValidation', 'string', 'How the server treats unknown or duplicate fields in the request body: "Ignore" drops them silently, "Warn" (the default) drops them and returns a warning for each, "Strict" fails the request.'),
  force: q('force', 'boolean', 'Force an apply request, taking ownership of fields that other managers own. Must be unset for non-apply patches.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds to wait before deleting the object; 0 means immediately. Defaults to the per-type value when unset.'),
  ignoreStoreReadError: q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete even when the stored object cannot be read or decoded. Dangerous: bypasses finalizers and admission.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Whether dependents are orphaned rather than garbage collected.'),
  propagationPolicy: q('propagationPolicy', 'string', 'Garbage collection of dependents: "Orphan", "Background" or "Foreground".'),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadError, P.orphanDependents, P.propagationPolicy];
const DELETECOLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.ignoreStoreReadError, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];

function renderParam(p: ParamSpec, dialect: Dialect): Json {
  const out: Json = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  if (dialect === 'v3') out.schema = { type: p.type, uniqueItems: true };
  else {
    out.type = p.type;
    out.uniqueItems = true;
  }
  return out;
}

const PATCH_CONTENT_TYPES_CR = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const PATCH_CONTENT_TYPES_BUILTIN = [...PATCH_CONTENT_TYPES_CR, 'application/strategic-merge-patch+json'];

type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist';

interface OpSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  action: Action;
  operationId: string;
  description: string;
  params: ParamSpec[];
  /** Component name of the request body, if any. */
  body?: string;
  bodyRequired?: boolean;
  patch?: boolean;
  /** Response codes → component name. */
  responses: Record<string, string>;
  gvk: { group: string; version: string; kind: string };
  /** Response media types beyond json/yaml (protobuf, streams). */
  stream?: boolean;
}

function pascal(s: string): string {
  return s
    .split(/[.\-_]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function gvWords(group: string, version: string): string {
  const g = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  return pascal(g) + pascal(version);
}

function tagOf(group: string, version: string): string {
  const g = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  const p = pascal(g);
  return `${p[0].toLowerCase()}${p.slice(1)}_${version}`;
}

interface DocContext {
  e: SchemaEmitter;
  paths: Record<string, Json>;
  ensure: (name: string) => void;
}

function renderOp(ctx: DocContext, op: OpSpec, builtin: boolean, tag: string): Json {
  const d = ctx.e.dialect;
  const jsonish = builtin ? ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] : ['application/json', 'application/yaml'];
  const produces = op.stream
    ? [...jsonish, 'application/json;stream=watch', ...(builtin ? ['application/vnd.kubernetes.protobuf;stream=watch'] : [])]
    : jsonish;
  const out: Json = { tags: [tag], description: op.description, operationId: op.operationId };
  const params = op.params.map((p) => renderParam(p, d));
  const patchTypes = builtin ? PATCH_CONTENT_TYPES_BUILTIN : PATCH_CONTENT_TYPES_CR;
  if (op.body) ctx.ensure(op.body);
  if (d === 'v2') {
    out.consumes = op.patch ? patchTypes : ['*/*'];
    out.produces = produces;
    out.schemes = ['https'];
    if (op.body) params.unshift({ name: 'body', in: 'body', required: op.bodyRequired === true, schema: { $ref: ctx.e.refTo(op.body) } });
  }
  out.parameters = params;
  if (d === 'v3' && op.body) {
    const types = op.patch ? patchTypes : ['*/*'];
    const content: Json = {};
    for (const t of types) content[t] = { schema: { $ref: ctx.e.refTo(op.body) } };
    const rb: Json = { content };
    if (op.bodyRequired) rb.required = true;
    out.requestBody = rb;
  }
  const responses: Json = {};
  const codeText: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  for (const [code, schemaName] of Object.entries(op.responses)) {
    ctx.ensure(schemaName);
    if (d === 'v3') {
      const content: Json = {};
      for (const t of produces) content[t] = { schema: { $ref: ctx.e.refTo(schemaName) } };
      responses[code] = { description: codeText[code] ?? 'OK', content };
    } else {
      responses[code] = { description: codeText[code] ?? 'OK', schema: { $ref: ctx.e.refTo(schemaName) } };
    }
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

function addPath(ctx: DocContext, path: string, pathParams: ParamSpec[], ops: OpSpec[], r: ResourceInfo): void {
  const live = ops.filter(Boolean);
  if (!live.length) return;
  const tag = tagOf(r.group, r.version);
  const item: Json = ctx.paths[path] ?? {};
  for (const op of live) item[op.method] = renderOp(ctx, op, r.builtin, tag);
  item.parameters = [...pathParams, P.pretty].map((p) => renderParam(p, ctx.e.dialect));
  ctx.paths[path] = item;
}

function addResourcePaths(ctx: DocContext, r: ResourceInfo): void {
  const { kind: kindDef, list: listDef } = emitKind(ctx.e, r);
  const has = (v: string) => r.verbs.includes(v);
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const gvw = gvWords(r.group, r.version);
  const ns = r.namespaced ? 'Namespaced' : '';
  const prefix = gvPrefix(r.group, r.version);
  const nsParam: ParamSpec = { name: 'namespace', in: 'path', type: 'string', required: true, description: 'Object name and auth scope, such as for teams and projects.' };
  const nameParam = (what: string): ParamSpec => ({ name: 'name', in: 'path', type: 'string', required: true, description: `Name of the ${what}.` });
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const scopeParams = r.namespaced ? [nsParam] : [];
  const status = `${META_V1}.Status`;
  const op = (o: OpSpec | false): OpSpec[] => (o ? [o] : []);

  // collection
  addPath(ctx, base, scopeParams, [
    ...op(has('list') && { method: 'get', action: 'list', operationId: `list${gvw}${ns}${r.kind}`, description: `list or watch objects of kind ${r.kind}`, params: LIST_PARAMS, responses: { '200': listDef }, gvk, stream: true }),
    ...op(has('create') && { method: 'post', action: 'post', operationId: `create${gvw}${ns}${r.kind}`, description: `create a ${r.kind}`, params: WRITE_PARAMS, body: kindDef, bodyRequired: true, responses: { '200': kindDef, '201': kindDef, '202': kindDef }, gvk }),
    ...op(has('deletecollection') && { method: 'delete', action: 'deletecollection', operationId: `deletecollection${gvw}${ns}${r.kind}`, description: `delete collection of ${r.kind}`, params: DELETECOLLECTION_PARAMS, body: `${META_V1}.DeleteOptions`, responses: { '200': status }, gvk }),
  ], r);

  // item
  addPath(ctx, `${base}/{name}`, [nameParam(r.kind), ...scopeParams], [
    ...op(has('get') && { method: 'get', action: 'get', operationId: `read${gvw}${ns}${r.kind}`, description: `read the specified ${r.kind}`, params: [], responses: { '200': kindDef }, gvk }),
    ...op(has('update') && { method: 'put', action: 'put', operationId: `replace${gvw}${ns}${r.kind}`, description: `replace the specified ${r.kind}`, params: WRITE_PARAMS, body: kindDef, bodyRequired: true, responses: { '200': kindDef, '201': kindDef }, gvk }),
    ...op(has('patch') && { method: 'patch', action: 'patch', operationId: `patch${gvw}${ns}${r.kind}`, description: `partially update the specified ${r.kind}`, params: PATCH_PARAMS, body: `${META_V1}.Patch`, bodyRequired: true, patch: true, responses: { '200': kindDef, '201': kindDef }, gvk }),
    ...op(has('delete') && { method: 'delete', action: 'delete', operationId: `delete${gvw}${ns}${r.kind}`, description: `delete a ${r.kind}`, params: DELETE_PARAMS, body: `${META_V1}.DeleteOptions`, responses: { '200': status, '202': status }, gvk }),
  ], r);

  // subresources
  const sub = (name: string, kindName: string, subGvk: OpSpec['gvk'], opSuffix: string) =>
    addPath(ctx, `${base}/{name}/${name}`, [nameParam(subGvk.kind), ...scopeParams], [
      { method: 'get', action: 'get', operationId: `read${gvw}${ns}${r.kind}${opSuffix}`, description: `read ${name} of the specified ${r.kind}`, params: [], responses: { '200': kindName }, gvk: subGvk },
      { method: 'put', action: 'put', operationId: `replace${gvw}${ns}${r.kind}${opSuffix}`, description: `replace ${name} of the specified ${r.kind}`, params: WRITE_PARAMS, body: kindName, bodyRequired: true, responses: { '200': kindName, '201': kindName }, gvk: subGvk },
      { method: 'patch', action: 'patch', operationId: `patch${gvw}${ns}${r.kind}${opSuffix}`, description: `partially update ${name} of the specified ${r.kind}`, params: PATCH_PARAMS, body: `${META_V1}.Patch`, bodyRequired: true, patch: true, responses: { '200': kindName, '201': kindName }, gvk: subGvk },
    ], r);
  if (r.subresources.status) sub('status', kindDef, gvk, 'Status');
  if (r.subresources.scale) sub('scale', 'io.k8s.api.autoscaling.v1.Scale', SCALE_GVK, 'Scale');

  // list across all namespaces
  if (r.namespaced && has('list')) {
    addPath(ctx, `${prefix}/${r.plural}`, [], [
      { method: 'get', action: 'list', operationId: `list${gvw}${r.kind}ForAllNamespaces`, description: `list or watch objects of kind ${r.kind}`, params: LIST_PARAMS, responses: { '200': listDef }, gvk, stream: true },
    ], r);
  }

  // deprecated watch paths
  if (has('watch')) {
    const we = `${META_V1}.WatchEvent`;
    const watchBase = r.namespaced ? `${prefix}/watch/namespaces/{namespace}/${r.plural}` : `${prefix}/watch/${r.plural}`;
    const w = (path: string, pathParams: ParamSpec[], action: Action, id: string, description: string) =>
      addPath(ctx, path, pathParams, [{ method: 'get', action, operationId: id, description, params: LIST_PARAMS, responses: { '200': we }, gvk, stream: true }], r);
    w(watchBase, scopeParams, 'watchlist', `watch${gvw}${ns}${r.kind}List`, `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`);
    w(`${watchBase}/{name}`, [nameParam(r.kind), ...scopeParams], 'watch', `watch${gvw}${ns}${r.kind}`, `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`);
    if (r.namespaced) {
      w(`${prefix}/watch/${r.plural}`, [], 'watchlist', `watch${gvw}${r.kind}ListForAllNamespaces`, `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`);
    }
  }
}

function newContext(dialect: Dialect): DocContext {
  const e = new SchemaEmitter(dialect);
  const helpers: Record<string, () => JSONSchemaProps> = {
    [`${META_V1}.Status`]: statusSchema,
    [`${META_V1}.DeleteOptions`]: deleteOptionsSchema,
    [`${META_V1}.Patch`]: patchSchema,
    [`${META_V1}.WatchEvent`]: watchEventSchema,
    'io.k8s.api.autoscaling.v1.Scale': scaleSchema,
  };
  const ensure = (name: string) => {
    if (e.components.has(name)) return;
    const make = helpers[name];
    if (!make) return; // kinds are emitted by emitKind
    e.define(name, make(), name === 'io.k8s.api.autoscaling.v1.Scale' ? gvkExt(SCALE_GVK.group, SCALE_GVK.version, SCALE_GVK.kind) : undefined);
  };
  return { e, paths: {}, ensure };
}

function sortedResources(resources: readonly ResourceInfo[]): ResourceInfo[] {
  return [...resources].sort((a, b) => {
    const ka = `${a.group}/${a.version}/${a.plural}`;
    const kb = `${b.group}/${b.version}/${b.plural}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

// ---------------------------------------------------------------------------------------------
// Public documents
// ---------------------------------------------------------------------------------------------

/** The OpenAPI 3.0 document of one group/version, or undefined when nothing is served there. */
export function openapiV3Document(resources: readonly ResourceInfo[], group: string, version: string): object | undefined {
  const rs = sortedResources(resources.filter((r) => r.group === group && r.version === version));
  if (!rs.length) return undefined;
  const ctx = newContext('v3');
  for (const r of rs) addResourcePaths(ctx, r);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: OPENAPI_INFO_VERSION },
    paths: sortKeys(ctx.paths),
    components: {
      schemas: sortKeys(Object.fromEntries(ctx.e.components)),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

/** Hash identifying the content of a document (upper-case hex SHA-512, as kube uses in ?hash=). */
export function openapiDocumentHash(doc: object): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/** GET /openapi/v3: one entry per served group/version, each with a content-addressed URL. */
export function openapiV3Index(resources: readonly ResourceInfo[]): object {
  const gvs = new Map<string, { group: string; version: string }>();
  for (const r of resources) gvs.set(openapiV3PathKey(r.group, r.version), { group: r.group, version: r.version });
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of [...gvs.keys()].sort()) {
    const { group, version } = gvs.get(key)!;
    const doc = openapiV3Document(resources, group, version)!;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${openapiDocumentHash(doc)}` };
  }
  return { paths };
}

/** GET /openapi/v2: the Swagger 2.0 document covering every served resource. */
export function openapiV2(resources: readonly ResourceInfo[]): object {
  const ctx = newContext('v2');
  for (const r of sortedResources(resources)) addResourcePaths(ctx, r);
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: OPENAPI_INFO_VERSION },
    paths: sortKeys(ctx.paths),
    definitions: sortKeys(Object.fromEntries(ctx.e.components)),
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
