/**
 * Turns a kind's defaulting and validation rules (what upstream's mutating and validating webhooks do) into a
 * KindStrategy for the object store.
 *
 * Upstream registers its webhooks on the main resource only, so writes through /status never run them; here the
 * store asks `validate` on every write, so validation is skipped when an update leaves spec, labels and
 * annotations as they were (status writes, finalizer changes): an object admitted once stays writable by its
 * controllers even if the rules tighten later.
 */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import type { KindStrategy } from '../../apiserver/strategy.js';
import { jsonEqual } from './validation.js';

export interface AdmissionRules<T extends KubeObject> {
  /** Fill defaults in place; `old` is the stored object on update. */
  default?(obj: T, old: T | undefined): void;
  /** Problems with the (defaulted) object; `old` is the stored object on update. */
  validate?(obj: T, old: T | undefined): StatusCause[];
}

/** The KindStrategy that runs `rules` on create and update. */
export function admissionStrategy<T extends KubeObject>(rules: AdmissionRules<T>): KindStrategy {
  return {
    generation: true,
    prepareForCreate(obj) {
      rules.default?.(obj as T, undefined);
    },
    prepareForUpdate(obj, old) {
      rules.default?.(obj as T, old as T);
    },
    validate(obj, old) {
      if (!rules.validate) return [];
      if (old && admissionRelevantUnchanged(obj, old)) return [];
      return rules.validate(obj as T, old as T | undefined);
    },
  };
}

function admissionRelevantUnchanged(obj: KubeObject, old: KubeObject): boolean {
  return jsonEqual(obj.spec, old.spec) && jsonEqual(obj.metadata?.labels, old.metadata?.labels) && jsonEqual(obj.metadata?.annotations, old.metadata?.annotations);
}

/** Sets the cluster-name label to `clusterName` (as every Cluster API webhook does for its kind). */
export function setClusterNameLabel(obj: KubeObject, clusterName: unknown, label: string): void {
  if (typeof clusterName !== 'string') return;
  const meta = (obj.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), [label]: clusterName };
}

/** Fills an object reference's namespace with `namespace` when the reference exists and names none. */
export function defaultRefNamespace(ref: unknown, namespace: string | undefined): void {
  if (isPlainObject(ref) && !ref.namespace && namespace) ref.namespace = namespace;
}

/** `path.namespace: Invalid value: "x": must match metadata.namespace` when a reference points elsewhere. */
export function refNamespaceCauses(path: string, ref: unknown, namespace: string | undefined): StatusCause[] {
  if (!isPlainObject(ref)) return [];
  const ns = ref.namespace ?? '';
  return ns !== (namespace ?? '') ? [fieldError.invalid(`${path}.namespace`, ns, 'must match metadata.namespace')] : [];
}
