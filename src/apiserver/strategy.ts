import type { StatusCause } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import type { NameRule } from '../apimachinery/validation.js';
import type { ResourceInfo } from './resource-info.js';

/** What the generic object store asks of one kind beyond schema validation. */
export interface KindStrategy {
  /** Rule for metadata.name (default: DNS subdomain). */
  nameRule?: NameRule;
  /** Whether metadata.generation is maintained (bumped on spec change). */
  generation?: boolean;
  /** Default deletion propagation when the client gives none. */
  defaultPropagation?: 'Background' | 'Orphan' | 'Foreground';
  /** Mutate a new object before validation (set defaults, normalise). */
  prepareForCreate?(obj: KubeObject, info: ResourceInfo): void;
  /** Mutate an updated object before validation; `old` is the stored object. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, info: ResourceInfo): void;
  /** Kind-specific validation beyond the schema. */
  validate?(obj: KubeObject, old: KubeObject | undefined, info: ResourceInfo): StatusCause[];
  /** Mutate an object that is about to be marked for deletion (e.g. a Namespace becomes Terminating). */
  prepareForDelete?(obj: KubeObject): void;
  /** Whether something other than metadata.finalizers still holds the object's deletion. */
  holdsDeletion?(obj: KubeObject): boolean;
  /**
   * For kinds served in several versions with different shapes: `obj` (its apiVersion names its version) as
   * version `toVersion` of the kind's group, a new object. Without it, versions convert by relabelling.
   */
  convert?(obj: KubeObject, toVersion: string): KubeObject;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: Operation;
  info: ResourceInfo;
  namespace?: string;
  name: string;
  subresource?: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  user?: { name: string; groups: string[] };
  /** Adds an annotation to the request's audit event (when the request is audited). */
  annotate?: (key: string, value: string) => void;
}

/** A validating/mutating admission step; throws a StatusError to refuse. Returns warnings. */
export interface AdmissionPlugin {
  name: string;
  admit(attrs: AdmissionAttributes): Promise<string[] | void> | string[] | void;
  /** Stop background work (watches, timers) when the store it serves goes away (a workload cluster is destroyed). */
  close?(): void;
}
