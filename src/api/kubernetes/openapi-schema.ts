/**
 * Structural schemas of Kubernetes' built-in kinds from upstream's OpenAPI v2 definitions (openapi/definitions.json):
 * `$ref`s are inlined (each use of a named type keeps the definition name, so the published OpenAPI refers to
 * `io.k8s.api.core.v1.PodSpec` as kube-apiserver's does), the list and patch extensions that drive strategic merge
 * patch and server-side apply are kept, and apimachinery's special types take their structural form: IntOrString and
 * Quantity are int-or-string, Time and MicroTime date-time strings, RawExtension any object, ObjectMeta the
 * plane's own ObjectMeta schema. Every field is nullable: kube-apiserver decodes a JSON null in a built-in object as
 * the field's zero value, so clients send them freely (`lastProbeTime: null`, `creationTimestamp: null`).
 */
import { readFileSync } from 'node:fs';
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import { defineNamed, microTimeSchema, objectMetaSchema, timeSchema, useNamed } from '../builtin/meta.js';

/** One OpenAPI v2 definition (the subset of Swagger's schema object upstream's document uses). */
export interface OpenAPIDefinition {
  description?: string;
  type?: string;
  format?: string;
  properties?: Record<string, OpenAPIDefinition>;
  items?: OpenAPIDefinition;
  additionalProperties?: OpenAPIDefinition | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  $ref?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  [extension: `x-kubernetes-${string}`]: unknown;
}

export interface OpenAPIDocument {
  source?: { title?: string; version?: string };
  definitions: Record<string, OpenAPIDefinition>;
}

const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Extensions copied onto the structural schema. */
const KEPT_EXTENSIONS = [
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-unions',
] as const;

let loaded: OpenAPIDocument | undefined;

/** The definitions shipped with Slipway (read once). */
export function kubernetesDefinitions(): OpenAPIDocument {
  if (loaded) return loaded;
  const candidates = [new URL('./openapi/definitions.json', import.meta.url), new URL('../../../../src/api/kubernetes/openapi/definitions.json', import.meta.url)];
  for (const url of candidates) {
    try {
      loaded = JSON.parse(readFileSync(url, 'utf8')) as OpenAPIDocument;
      return loaded;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error('src/api/kubernetes/openapi/definitions.json not found beside the code or in the source tree');
}

/** Converts definitions to structural schemas, sharing one schema object per named type. */
export class OpenAPISchemaConverter {
  private readonly cache = new Map<string, JSONSchemaProps>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly doc: OpenAPIDocument = kubernetesDefinitions()) {}

  /** The schema of the named definition (e.g. `io.k8s.api.apps.v1.Deployment`). */
  named(name: string): JSONSchemaProps {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const special = this.special(name);
    if (special) {
      this.cache.set(name, special);
      return special;
    }
    const def = this.doc.definitions[name];
    if (!def) throw new Error(`OpenAPI definition ${name} is not in the shipped definitions`);
    if (this.inProgress.has(name)) throw new Error(`OpenAPI definition ${name} refers to itself; built-in schemas must be structural`);
    this.inProgress.add(name);
    try {
      const schema = defineNamed(name, this.convert(def));
      this.cache.set(name, schema);
      return schema;
    } finally {
      this.inProgress.delete(name);
    }
  }

  private special(name: string): JSONSchemaProps | undefined {
    switch (name) {
      case 'io.k8s.apimachinery.pkg.util.intstr.IntOrString':
        return defineNamed(name, { 'x-kubernetes-int-or-string': true, description: this.doc.definitions[name]?.description });
      case 'io.k8s.apimachinery.pkg.api.resource.Quantity':
        return defineNamed(name, { 'x-kubernetes-int-or-string': true, description: this.doc.definitions[name]?.description });
      case `${META_V1}.Time`:
        return timeSchema();
      case `${META_V1}.MicroTime`:
        return microTimeSchema();
      case `${META_V1}.ObjectMeta`:
        return objectMetaSchema();
      case 'io.k8s.apimachinery.pkg.runtime.RawExtension':
        return defineNamed(name, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: this.doc.definitions[name]?.description });
      default:
        return undefined;
    }
  }

  private convert(def: OpenAPIDefinition): JSONSchemaProps {
    if (def.$ref) {
      const target = this.named(def.$ref.replace('#/definitions/', ''));
      const extra: Partial<JSONSchemaProps> = { nullable: true };
      this.copyExtensions(def, extra);
      if (def.default !== undefined) extra.default = def.default;
      return useNamed(target, def.description, extra);
    }
    const out: JSONSchemaProps = { nullable: true };
    if (def.description) out.description = def.description;
    if (def.type) out.type = def.type as JSONSchemaProps['type'];
    if (def.format) out.format = def.format;
    if (def.enum) out.enum = [...def.enum];
    if (def.default !== undefined) out.default = def.default;
    if (def.required?.length) out.required = [...def.required];
    if (def.properties) {
      out.type ??= 'object';
      out.properties = {};
      for (const [k, v] of Object.entries(def.properties)) out.properties[k] = this.convert(v);
    }
    if (def.items) out.items = this.convert(def.items);
    if (def.additionalProperties !== undefined) {
      out.additionalProperties = typeof def.additionalProperties === 'boolean' ? def.additionalProperties : this.convert(def.additionalProperties);
    }
    // An object with neither properties nor additionalProperties keeps whatever is sent (upstream decodes it as-is).
    if (out.type === 'object' && !out.properties && out.additionalProperties === undefined) out['x-kubernetes-preserve-unknown-fields'] = true;
    this.copyExtensions(def, out);
    return out;
  }

  private copyExtensions(def: OpenAPIDefinition, out: Partial<JSONSchemaProps>): void {
    const target = out as Record<string, unknown>;
    for (const k of KEPT_EXTENSIONS) if (def[k] !== undefined) target[k] = structuredClone(def[k]);
  }
}

/** The GroupVersionKind a definition declares (the first one), if it is a kind. */
export function kindOfDefinition(doc: OpenAPIDocument, name: string): { group: string; version: string; kind: string } | undefined {
  return doc.definitions[name]?.['x-kubernetes-group-version-kind']?.[0];
}
