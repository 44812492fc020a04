/** ClusterResourceSet and ClusterResourceSetBinding defaulting and validation (upstream's addons webhooks). */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { labelSelectorIsEmpty } from '../../apimachinery/selectors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { admissionStrategy } from '../cluster/admission.js';
import { ensureObject, jsonEqual, parseSelector } from '../cluster/validation.js';
import { DEFAULT_STRATEGY, type ClusterResourceSet, type ClusterResourceSetBinding } from './types.js';

export function defaultClusterResourceSet(crs: ClusterResourceSet): void {
  const spec = ensureObject(crs, 'spec');
  if (!spec.strategy) spec.strategy = DEFAULT_STRATEGY;
}

export function validateClusterResourceSet(crs: ClusterResourceSet, old: ClusterResourceSet | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = (isPlainObject(crs.spec) ? crs.spec : {}) as unknown as Record<string, unknown>;
  const parsed = parseSelector('spec.clusterSelector', spec.clusterSelector);
  causes.push(...parsed.causes);
  if (parsed.selector && labelSelectorIsEmpty(parsed.selector)) causes.push(fieldError.invalid('spec.clusterSelector', spec.clusterSelector, 'selector must not be empty'));
  if (old) {
    if (old.spec?.strategy && old.spec.strategy !== spec.strategy) causes.push(fieldError.invalid('spec.strategy', spec.strategy, 'field is immutable'));
    if (!jsonEqual(old.spec?.clusterSelector ?? null, spec.clusterSelector ?? null)) causes.push(fieldError.invalid('spec.clusterSelector', spec.clusterSelector, 'field is immutable'));
  }
  return causes;
}

export function validateClusterResourceSetBinding(b: ClusterResourceSetBinding, old: ClusterResourceSetBinding | undefined): StatusCause[] {
  if (old && old.spec?.clusterName && old.spec.clusterName !== b.spec?.clusterName) return [fieldError.invalid('spec.clusterName', b.spec?.clusterName, 'field is immutable')];
  return [];
}

export const clusterResourceSetStrategy = admissionStrategy<ClusterResourceSet>({ default: defaultClusterResourceSet, validate: validateClusterResourceSet });
export const clusterResourceSetBindingStrategy = admissionStrategy<ClusterResourceSetBinding>({ validate: validateClusterResourceSetBinding });
