/**
 * A served custom kind in one place: its names, scope, schema, subresources, printer columns and admission
 * strategy. `crdFor` turns a definition into the apiextensions.k8s.io/v1 CustomResourceDefinition that serves it.
 */
import type { JSONSchemaProps } from '../apimachinery/schema/types.js';
import type { CustomResourceDefinition } from '../apiserver/crd.js';
import type { PrinterColumn, ScaleSubresource } from '../apiserver/resource-info.js';
import type { KindStrategy } from '../apiserver/strategy.js';

export interface KindDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  scope: 'Namespaced' | 'Cluster';
  /** Schema of the whole object (apiVersion, kind, metadata, spec, status). */
  schema: JSONSchemaProps;
  /** Serve /status (and /scale with these paths). */
  subresources: { status: boolean; scale?: ScaleSubresource };
  printerColumns: PrinterColumn[];
  /** Defaulting and validation beyond the schema. */
  strategy: KindStrategy;
  /** Labels of the CRD (e.g. Cluster API's contract label `cluster.x-k8s.io/v1beta1: v1alpha1`). */
  labels?: Record<string, string>;
}

/** The scale subresource of kinds that scale like Deployments. */
export const REPLICAS_SCALE: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

/** The Age column every kind shows. */
export const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the object was created.' };

/** The CRD name of a definition: `<plural>.<group>`. */
export function crdName(def: Pick<KindDefinition, 'plural' | 'group'>): string {
  return `${def.plural}.${def.group}`;
}

/** The CustomResourceDefinition serving `def` (one served storage version, no conversion). */
export function crdFor(def: KindDefinition): CustomResourceDefinition {
  const names: CustomResourceDefinition['spec']['names'] = {
    kind: def.kind,
    listKind: `${def.kind}List`,
    plural: def.plural,
    singular: def.singular,
    ...(def.shortNames?.length ? { shortNames: [...def.shortNames] } : {}),
    ...(def.categories?.length ? { categories: [...def.categories] } : {}),
  };
  const subresources: NonNullable<CustomResourceDefinition['spec']['versions'][number]['subresources']> = {};
  if (def.subresources.status) subresources.status = {};
  if (def.subresources.scale) subresources.scale = { ...def.subresources.scale };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName(def), ...(def.labels ? { labels: { ...def.labels } } : {}) },
    spec: {
      group: def.group,
      names,
      scope: def.scope,
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: JSON.parse(JSON.stringify(def.schema)) as JSONSchemaProps },
          subresources,
          additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })),
        },
      ],
      conversion: { strategy: 'None' },
    },
  };
}
