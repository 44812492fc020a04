/**
 * Field tables describing Kubernetes protobuf messages, and the hand-written tables of apimachinery's
 * meta/v1 messages (ObjectMeta, LabelSelector, Condition, DeleteOptions, ...), which the generated table of
 * the built-in kinds (./kubernetes-messages.ts) refers to.
 *
 * Field numbers follow k8s.io/apimachinery `generated.proto`; JSON names follow the Go struct tags.
 * Fields are listed in Go struct order so decoded objects keep the key order of the JSON serialisation.
 */

import type { JsonObject, JsonValue } from '../types.js';

/** Leaf encodings that map to one JSON value. */
export type LeafType =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'double'
  /** []byte → base64 string, as encoding/json writes it. */
  | 'bytes'
  /** metav1.Time {seconds=1,nanos=2} → RFC3339 seconds-precision string. */
  | 'time'
  /** metav1.MicroTime {seconds=1,nanos=2} → RFC3339 with 6 fractional digits. */
  | 'microtime'
  /** resource.Quantity {string=1} → string. */
  | 'quantity'
  /** intstr.IntOrString {type=1,intVal=2,strVal=3} → number or string. */
  | 'intorstring'
  /** runtime.RawExtension / apiextensions JSON {raw=1} → parsed JSON value. */
  | 'rawjson'
  /** metav1.FieldsV1 {Raw=1} → parsed JSON object. */
  | 'fieldsv1'
  /** A named []string (authentication's and authorization's ExtraValue {items=1}) → array of strings. */
  | 'stringlist';

export interface FieldSpec {
  /** Protobuf field number. */
  no: number;
  /** JSON property name. */
  json: string;
  /** Leaf type, or the nested message (lazily, so recursive messages work). */
  type: LeafType | (() => MessageSchema);
  /** `repeated` field → JSON array. */
  repeated?: boolean;
  /** `map<string, T>` field → JSON object; `type` is the value type. */
  map?: boolean;
  /**
   * Keep the value even when it is the zero value (false, 0, "", {}). For Go pointer fields
   * (`*bool`, `*int32`, `*T`) presence on the wire is meaningful, and fields without `omitempty`
   * always appear in JSON. Other fields follow `omitempty` and are dropped when zero.
   */
  keepZero?: boolean;
  /** Embedded struct whose fields are inlined into the parent JSON object. */
  inline?: boolean;
}

export interface MessageSchema {
  /** Fully qualified protobuf message name, for error messages. */
  name: string;
  fields: FieldSpec[];
  /** Custom JSON form (Go MarshalJSON), applied to the decoded fields. */
  toJson?: (decoded: JsonObject) => JsonValue;
}

type Opts = Omit<FieldSpec, 'no' | 'json' | 'type'>;
export const f = (no: number, json: string, type: FieldSpec['type'], opts: Opts = {}): FieldSpec => ({ no, json, type, ...opts });
export const msg = (name: string, fields: FieldSpec[], toJson?: MessageSchema['toJson']): MessageSchema => (toJson ? { name, fields, toJson } : { name, fields });

// ---------------------------------------------------------------------------------------------
// k8s.io/apimachinery/pkg/apis/meta/v1

export const OwnerReference: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference', [
  // apiVersion, kind, name and uid have no omitempty in Go: always written.
  f(5, 'apiVersion', 'string', { keepZero: true }),
  f(1, 'kind', 'string', { keepZero: true }),
  f(3, 'name', 'string', { keepZero: true }),
  f(4, 'uid', 'string', { keepZero: true }),
  f(6, 'controller', 'bool', { keepZero: true }),
  f(7, 'blockOwnerDeletion', 'bool', { keepZero: true }),
]);

export const ManagedFieldsEntry: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', [
  f(1, 'manager', 'string'),
  f(2, 'operation', 'string'),
  f(3, 'apiVersion', 'string'),
  f(4, 'time', 'time', { keepZero: true }),
  f(6, 'fieldsType', 'string'),
  f(7, 'fieldsV1', 'fieldsv1', { keepZero: true }),
  f(8, 'subresource', 'string'),
]);

export const ObjectMeta: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta', [
  f(1, 'name', 'string'),
  f(2, 'generateName', 'string'),
  f(3, 'namespace', 'string'),
  f(4, 'selfLink', 'string'),
  f(5, 'uid', 'string'),
  f(6, 'resourceVersion', 'string'),
  f(7, 'generation', 'int64'),
  f(8, 'creationTimestamp', 'time'),
  f(9, 'deletionTimestamp', 'time', { keepZero: true }),
  f(10, 'deletionGracePeriodSeconds', 'int64', { keepZero: true }),
  f(11, 'labels', 'string', { map: true }),
  f(12, 'annotations', 'string', { map: true }),
  f(13, 'ownerReferences', () => OwnerReference, { repeated: true }),
  f(14, 'finalizers', 'string', { repeated: true }),
  f(17, 'managedFields', () => ManagedFieldsEntry, { repeated: true }),
]);

export const Preconditions: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.Preconditions', [
  f(1, 'uid', 'string', { keepZero: true }),
  f(2, 'resourceVersion', 'string', { keepZero: true }),
]);

export const DeleteOptions: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', [
  f(1, 'gracePeriodSeconds', 'int64', { keepZero: true }),
  f(2, 'preconditions', () => Preconditions, { keepZero: true }),
  f(3, 'orphanDependents', 'bool', { keepZero: true }),
  f(4, 'propagationPolicy', 'string', { keepZero: true }),
  f(5, 'dryRun', 'string', { repeated: true }),
]);

export const LabelSelectorRequirement: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement', [
  f(1, 'key', 'string'),
  f(2, 'operator', 'string'),
  f(3, 'values', 'string', { repeated: true }),
]);

export const FieldSelectorRequirement: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement', [
  f(1, 'key', 'string'),
  f(2, 'operator', 'string'),
  f(3, 'values', 'string', { repeated: true }),
]);

export const LabelSelector: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector', [
  f(1, 'matchLabels', 'string', { map: true }),
  f(2, 'matchExpressions', () => LabelSelectorRequirement, { repeated: true }),
]);

export const Condition: MessageSchema = msg('k8s.io.apimachinery.pkg.apis.meta.v1.Condition', [
  f(1, 'type', 'string'),
  f(2, 'status', 'string'),
  f(3, 'observedGeneration', 'int64'),
  f(4, 'lastTransitionTime', 'time'),
  f(5, 'reason', 'string'),
  f(6, 'message', 'string'),
]);

