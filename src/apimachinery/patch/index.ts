/**
 * Patch and server-side-apply machinery of kube-apiserver as pure functions:
 * JSON patch, JSON merge patch, strategic merge patch, field sets with the
 * FieldsV1 encoding, managed fields for updates, and server-side apply.
 */
export { applyJsonPatch, applyMergePatch, applyMergePatchShared, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic.js';
export {
  FieldSet,
  fieldSetToFieldsV1,
  fieldsV1ToFieldSet,
  fieldSetFromPaths,
  pathToString,
  canonicalJson,
  fieldPE,
  keyPE,
  valuePE,
  indexPE,
} from './fieldset.js';
export { compareObjects, toFieldSet, mergeApplied, jsonEqual, type Comparison } from './typed.js';
export { OBJECT_META_SCHEMA, rootSchema, listSemantics } from './schema-nav.js';
export {
  serverSideApply,
  updateManagedFields,
  fieldSetFromObject,
  stripManagedFieldsForApply,
  withoutManagedFields,
  decodeManagedFields,
  encodeManagedFields,
  managerKey,
  applyConflictError,
  LAST_APPLIED_ANNOTATION,
  BEFORE_FIRST_APPLY_MANAGER,
  ANCIENT_CHANGES_MANAGER,
  MAX_UPDATE_MANAGERS,
  type ManagerEntry,
  type UpdateManagedFieldsArgs,
  type ServerSideApplyArgs,
  type ServerSideApplyResult,
} from './managed-fields.js';
