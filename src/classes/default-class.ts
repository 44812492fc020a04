/**
 * The shipped default ClusterClass `slipway-default` (namespace `default`) on the sim provider: its YAML (class and
 * templates, in ./slipway-default/) loaded at run time. Each template's name gets a hash of its content appended, and
 * the class's references follow: a template that changes between Slipway versions is a new object under a new name,
 * so the class changes and the topology controller rotates every cluster's templates to it (templates are never
 * edited in place under a name clusters were built from).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../apimachinery/types.js';
import { parseDocuments } from '../topology/documents.js';
import { isClusterClass, type ClusterClass, type ObjectReference } from '../topology/index.js';

export const DEFAULT_CLASS_NAME = 'slipway-default';
export const DEFAULT_CLASS_NAMESPACE = 'default';
/** On every object the installer writes: the shipped class it belongs to. */
export const SHIPPED_CLASS_LABEL = 'classes.slipway.dev/shipped';
/** On each template: its name in the source files, before the content hash. */
export const BASE_NAME_ANNOTATION = 'classes.slipway.dev/base-name';

export interface ShippedClass {
  clusterClass: ClusterClass;
  /** Every template the class refers to, named `<base name>-<hash>`. */
  templates: KubeObject[];
}

/**
 * The YAML sits next to this module in the source tree. `tsc` does not copy it into dist/, so the compiled module
 * (dist/src/classes/) reads it from the source tree it was built from (../../../src/classes/).
 */
function sourceDir(): URL {
  const beside = new URL('./slipway-default/', import.meta.url);
  if (existsSync(new URL('class.yaml', beside))) return beside;
  const fromDist = new URL('../../../src/classes/slipway-default/', import.meta.url);
  if (existsSync(new URL('class.yaml', fromDist))) return fromDist;
  throw new Error(`the default ClusterClass's YAML is missing: looked in ${fileURLToPath(beside)} and ${fileURLToPath(fromDist)}`);
}

/** JSON with object keys sorted: the same content always hashes the same. */
function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The first 8 hex digits of the SHA-256 of a template's apiVersion, kind and spec. */
export function templateContentHash(t: KubeObject): string {
  return createHash('sha256')
    .update(canonicalJSON({ apiVersion: t.apiVersion, kind: t.kind, spec: t.spec ?? null }))
    .digest('hex')
    .slice(0, 8);
}

/** Build the shipped class from its documents (the class plus its templates under their base names). */
export function shipClass(documents: readonly KubeObject[], source = 'slipway-default'): ShippedClass {
  const classes = documents.filter(isClusterClass) as ClusterClass[];
  if (classes.length !== 1) throw new Error(`${source}: expected one ClusterClass, found ${classes.length}`);
  const clusterClass = structuredClone(classes[0]!);
  const namespace = clusterClass.metadata?.namespace ?? DEFAULT_CLASS_NAMESPACE;
  const className = clusterClass.metadata?.name ?? '';
  const renamed = new Map<string, KubeObject>();
  for (const doc of documents) {
    if (isClusterClass(doc)) continue;
    const t = structuredClone(doc);
    const base = t.metadata?.name ?? '';
    const name = `${base}-${templateContentHash(t)}`;
    t.metadata = {
      ...t.metadata,
      name,
      namespace,
      labels: { ...t.metadata?.labels, [SHIPPED_CLASS_LABEL]: className },
      annotations: { ...t.metadata?.annotations, [BASE_NAME_ANNOTATION]: base },
    };
    renamed.set(`${t.kind}/${base}`, t);
  }
  const used = new Set<KubeObject>();
  const follow = (ref: ObjectReference | undefined, field: string): void => {
    if (!ref) return;
    const t = renamed.get(`${ref.kind}/${ref.name}`);
    if (!t) throw new Error(`${source}: ${field} names ${ref.kind} ${JSON.stringify(ref.name)}, which is not among the templates`);
    ref.name = t.metadata!.name!;
    used.add(t);
  };
  const spec = clusterClass.spec!;
  follow(spec.infrastructure?.ref, 'spec.infrastructure.ref');
  follow(spec.controlPlane?.ref, 'spec.controlPlane.ref');
  follow(spec.controlPlane?.machineInfrastructure?.ref, 'spec.controlPlane.machineInfrastructure.ref');
  (spec.workers?.machineDeployments ?? []).forEach((md, i) => {
    follow(md.template?.bootstrap?.ref, `spec.workers.machineDeployments[${i}].template.bootstrap.ref`);
    follow(md.template?.infrastructure?.ref, `spec.workers.machineDeployments[${i}].template.infrastructure.ref`);
  });
  clusterClass.metadata = { ...clusterClass.metadata, namespace, labels: { ...clusterClass.metadata?.labels, [SHIPPED_CLASS_LABEL]: className } };
  return { clusterClass, templates: [...renamed.values()].filter((t) => used.has(t)) };
}

let loaded: ShippedClass | undefined;

/** The default class and its templates, read once from the YAML next to this module. A fresh copy each call. */
export function loadDefaultClass(): ShippedClass {
  if (!loaded) {
    const docs: KubeObject[] = [];
    const dir = sourceDir();
    for (const file of ['class.yaml', 'templates.yaml']) {
      const url = new URL(file, dir);
      docs.push(...parseDocuments(readFileSync(url, 'utf8'), `slipway-default/${file}`));
    }
    loaded = shipClass(docs);
  }
  return structuredClone(loaded);
}
