/** CustomResourceDefinitions: validation, the resources they serve, and their status conditions. */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { checkStructural, compileRules } from '../apimachinery/schema/index.js';
import type { JSONSchemaProps } from '../apimachinery/schema/types.js';
import { isPlainObject, type KubeObject } from '../apimachinery/types.js';
import { dns1123LabelErrors, dns1123SubdomainErrors } from '../apimachinery/validation.js';
import type { PrinterColumn, ResourceInfo, ScaleSubresource } from './resource-info.js';
import type { KindStrategy } from './strategy.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: ScaleSubresource };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CustomResourceDefinition extends KubeObject {
  spec: {
    group: string;
    names: CrdNames;
    scope: 'Namespaced' | 'Cluster';
    versions: CrdVersion[];
    preserveUnknownFields?: boolean;
    conversion?: { strategy?: string };
  };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    acceptedNames?: CrdNames;
    storedVersions?: string[];
  };
}

const VERB_SET = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Kubernetes version priority: GA > beta > alpha, higher numbers first, others last alphabetically. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const major = Number(m[1]);
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, -major, -(Number(m[3] ?? 0)), v];
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  return pa[3] < pb[3] ? -1 : pa[3] > pb[3] ? 1 : 0;
}

/** The resources a CRD serves: one ResourceInfo per served version. */
export function crdResources(crd: CustomResourceDefinition): ResourceInfo[] {
  const { spec } = crd;
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name ?? 'v1';
  return spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const base = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      const schema: JSONSchemaProps = {
        ...base,
        type: 'object',
        properties: {
          apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
          kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
          metadata: { type: 'object', description: "Standard object's metadata." },
          ...(base.properties ?? {}),
        },
      };
      if (spec.preserveUnknownFields) schema['x-kubernetes-preserve-unknown-fields'] = true;
      const info: ResourceInfo = {
        group: spec.group,
        version: v.name,
        kind: spec.names.kind,
        listKind: spec.names.listKind ?? `${spec.names.kind}List`,
        plural: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        namespaced: spec.scope !== 'Cluster',
        shortNames: spec.names.shortNames ?? [],
        categories: spec.names.categories ?? [],
        verbs: VERB_SET,
        schema,
        printerColumns: v.additionalPrinterColumns ?? [],
        subresources: { status: !!v.subresources?.status, ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}) },
        builtin: false,
        storageVersion: storage,
        deprecated: v.deprecated,
      };
      return info;
    });
}

export function validateCrd(crd: CustomResourceDefinition, old: CustomResourceDefinition | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = crd.spec as CustomResourceDefinition['spec'] | undefined;
  if (!isPlainObject(spec)) return [fieldError.required('spec')];
  const group = spec.group;
  if (!group) causes.push(fieldError.required('spec.group'));
  else {
    for (const e of dns1123SubdomainErrors(group)) causes.push(fieldError.invalid('spec.group', group, e));
    if (group.split('.').length < 2) causes.push(fieldError.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  const names = spec.names;
  if (!isPlainObject(names)) causes.push(fieldError.required('spec.names'));
  else {
    if (!names.plural) causes.push(fieldError.required('spec.names.plural'));
    else for (const e of dns1123LabelErrors(names.plural)) causes.push(fieldError.invalid('spec.names.plural', names.plural, e));
    if (names.singular) for (const e of dns1123LabelErrors(names.singular)) causes.push(fieldError.invalid('spec.names.singular', names.singular, e));
    if (!names.kind) causes.push(fieldError.required('spec.names.kind'));
    for (const [i, s] of (names.shortNames ?? []).entries()) for (const e of dns1123LabelErrors(s)) causes.push(fieldError.invalid(`spec.names.shortNames[${i}]`, s, e));
    if (names.plural && group && crd.metadata?.name !== `${names.plural}.${group}`) {
      causes.push(fieldError.invalid('metadata.name', crd.metadata?.name ?? '', `must be spec.names.plural+"."+spec.group`));
    }
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') causes.push(fieldError.notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) {
    causes.push(fieldError.invalid('spec.versions', spec.versions ?? null, 'must have exactly one version marked as storage version'));
    return causes;
  }
  const storageCount = spec.versions.filter((v) => v.storage).length;
  if (storageCount !== 1) causes.push(fieldError.invalid('spec.versions', spec.versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  spec.versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!v.name) causes.push(fieldError.required(`${p}.name`));
    else {
      for (const e of dns1123LabelErrors(v.name)) causes.push(fieldError.invalid(`${p}.name`, v.name, e));
      if (seen.has(v.name)) causes.push(fieldError.duplicate(`${p}.name`, v.name));
      seen.add(v.name);
    }
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) causes.push(fieldError.required(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
    else {
      causes.push(...checkStructural(schema, `${p}.schema.openAPIV3Schema`));
      causes.push(...compileRules(schema, `${p}.schema.openAPIV3Schema`));
    }
    for (const [j, c] of (v.additionalPrinterColumns ?? []).entries()) {
      if (!c.name) causes.push(fieldError.required(`${p}.additionalPrinterColumns[${j}].name`));
      if (!c.jsonPath) causes.push(fieldError.required(`${p}.additionalPrinterColumns[${j}].jsonPath`));
      if (!['integer', 'number', 'string', 'boolean', 'date'].includes(c.type)) causes.push(fieldError.notSupported(`${p}.additionalPrinterColumns[${j}].type`, c.type, ['boolean', 'date', 'integer', 'number', 'string']));
    }
  });
  if (old) {
    if (old.spec.group !== spec.group) causes.push(fieldError.invalid('spec.group', spec.group, 'field is immutable'));
    if (old.spec.names.plural !== spec.names?.plural) causes.push(fieldError.invalid('spec.names.plural', spec.names?.plural, 'field is immutable'));
    if (old.spec.scope !== spec.scope) causes.push(fieldError.invalid('spec.scope', spec.scope, 'field is immutable'));
    const stored = old.status?.storedVersions ?? [];
    for (const sv of stored) {
      if (!spec.versions.some((v) => v.name === sv)) causes.push(fieldError.invalid('status.storedVersions', stored, `must appear in spec.versions`));
    }
  }
  return causes;
}

export const crdStrategy: KindStrategy = {
  generation: true,
  prepareForCreate(obj) {
    const crd = obj as CustomResourceDefinition;
    const fin = (crd.metadata!.finalizers ??= []);
    if (!fin.includes(CRD_CLEANUP_FINALIZER)) fin.push(CRD_CLEANUP_FINALIZER);
    crd.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
    defaultCrd(crd);
  },
  prepareForUpdate(obj) {
    defaultCrd(obj as CustomResourceDefinition);
  },
  validate(obj, old) {
    return validateCrd(obj as CustomResourceDefinition, old as CustomResourceDefinition | undefined);
  },
};

function defaultCrd(crd: CustomResourceDefinition): void {
  const spec = crd.spec;
  if (!isPlainObject(spec)) return;
  if (isPlainObject(spec.names) && spec.names.kind) {
    spec.names.singular ??= spec.names.kind.toLowerCase();
    spec.names.listKind ??= `${spec.names.kind}List`;
  }
  if (!spec.conversion) spec.conversion = { strategy: 'None' };
}

/** The status the CRD controller writes once the CRD is served. */
export function establishedStatus(crd: CustomResourceDefinition, now: string): NonNullable<CustomResourceDefinition['status']> {
  const prev = crd.status ?? {};
  const conds = prev.conditions ?? [];
  const cond = (type: string, reason: string, message: string) => {
    const existing = conds.find((c) => c.type === type);
    return { type, status: 'True', reason, message, lastTransitionTime: existing?.status === 'True' ? existing.lastTransitionTime ?? now : now };
  };
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  const stored = [...(prev.storedVersions ?? [])];
  if (storage && !stored.includes(storage)) stored.push(storage);
  const names = crd.spec.names;
  return {
    conditions: [cond('NamesAccepted', 'NoConflicts', 'no conflicts found'), cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
    acceptedNames: { plural: names.plural, singular: names.singular, kind: names.kind, listKind: names.listKind, ...(names.shortNames ? { shortNames: names.shortNames } : {}), ...(names.categories ? { categories: names.categories } : {}) },
    storedVersions: stored,
  };
}
