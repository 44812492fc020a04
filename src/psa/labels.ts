/**
 * The policy of a namespace from its `pod-security.kubernetes.io/{enforce,audit,warn}[-version]`
 * labels, with upstream's defaulting: unset labels take the configured defaults; an invalid
 * enforce level means restricted, an invalid audit or warn level means privileged, an invalid
 * version means latest; warn follows enforce (level, and version unless set) when warn is unset
 * and a valid enforce level is stricter.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import {
  AUDIT_LEVEL_LABEL,
  AUDIT_VERSION_LABEL,
  compareLevels,
  ENFORCE_LEVEL_LABEL,
  ENFORCE_VERSION_LABEL,
  isLevel,
  LATEST,
  LEVEL_ERROR,
  parseVersion,
  privilegedPolicy,
  WARN_LEVEL_LABEL,
  WARN_VERSION_LABEL,
  type Level,
  type Policy,
  type Version,
} from './api.js';

export interface NamespacePolicy {
  policy: Policy;
  /** One cause per invalid label, field `metadata.labels[KEY]`. */
  errors: StatusCause[];
}

function labelField(key: string): string {
  return `metadata.labels[${key}]`;
}

export function policyFromLabels(labels: Record<string, string> | undefined, defaults: Policy = privilegedPolicy()): NamespacePolicy {
  const policy: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: StatusCause[] = [];
  if (!labels) return { policy, errors };

  const level = (key: string, onError: Level): Level | undefined => {
    if (!(key in labels)) return undefined;
    const v = labels[key]!;
    if (isLevel(v)) return v;
    errors.push(fieldError.invalid(labelField(key), v, LEVEL_ERROR));
    return onError;
  };
  const version = (key: string): Version | undefined => {
    if (!(key in labels)) return undefined;
    const v = labels[key]!;
    try {
      return parseVersion(v);
    } catch (e) {
      errors.push(fieldError.invalid(labelField(key), v, (e as Error).message));
      return LATEST;
    }
  };

  const enforceLevel = level(ENFORCE_LEVEL_LABEL, 'restricted');
  const enforceLevelValid = enforceLevel !== undefined && labels[ENFORCE_LEVEL_LABEL] === enforceLevel;
  if (enforceLevel) policy.enforce.level = enforceLevel;
  const enforceVersion = version(ENFORCE_VERSION_LABEL);
  if (enforceVersion) policy.enforce.version = enforceVersion;

  const auditLevel = level(AUDIT_LEVEL_LABEL, 'privileged');
  if (auditLevel) policy.audit.level = auditLevel;
  const auditVersion = version(AUDIT_VERSION_LABEL);
  if (auditVersion) policy.audit.version = auditVersion;

  const warnLevel = level(WARN_LEVEL_LABEL, 'privileged');
  if (warnLevel) policy.warn.level = warnLevel;
  const warnVersion = version(WARN_VERSION_LABEL);
  if (warnVersion) policy.warn.version = warnVersion;

  if (warnLevel === undefined && enforceLevelValid && compareLevels(policy.enforce.level, policy.warn.level) > 0) {
    policy.warn.level = policy.enforce.level;
    if (warnVersion === undefined) policy.warn.version = policy.enforce.version;
  }
  return { policy, errors };
}
