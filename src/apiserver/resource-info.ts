import type { JSONSchemaProps } from '../apimachinery/schema/types.js';

/** apiextensions.k8s.io/v1 CustomResourceColumnDefinition. */
export interface PrinterColumn {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** One served group/version/resource, as discovery, OpenAPI and the REST handlers see it. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural resource name used in URLs, e.g. "configmaps". */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Schema of the whole object for this version (apiVersion, kind, metadata, spec, status, ...). */
  schema: JSONSchemaProps;
  printerColumns: PrinterColumn[];
  subresources: { status: boolean; scale?: ScaleSubresource };
  /** Built-in kinds accept strategic merge patch; custom resources do not. */
  builtin: boolean;
  /** The version objects of this group/resource are stored in. */
  storageVersion: string;
  /** Preferred version of the group (first served, by Kubernetes version priority). */
  deprecated?: boolean;
}
