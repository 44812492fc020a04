/**
 * `PodSecurityConfiguration` (pod-security.admission.config.k8s.io/v1, also v1beta1 and v1alpha1):
 * the defaults for namespaces without labels, and the exempt usernames, namespaces and runtime
 * classes. Parsed strictly: wrong types, unknown fields, invalid levels/versions, invalid names and
 * duplicates are each reported with their field path.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { causeMessage, fieldError, type StatusCause } from '../apimachinery/errors.js';
import { dns1123LabelErrors, pathSegmentErrors } from '../apimachinery/validation.js';
import { isLevel, LATEST, LEVEL_ERROR, parseVersion, type Level, type Policy, type Version } from './api.js';
import { isMap } from './pod.js';

export const CONFIG_GROUP = 'pod-security.admission.config.k8s.io';
export const CONFIG_KIND = 'PodSecurityConfiguration';
const VERSIONS = ['v1', 'v1beta1', 'v1alpha1'];

export interface PodSecurityExemptions {
  usernames: string[];
  namespaces: string[];
  runtimeClasses: string[];
}

export interface PodSecurityConfig {
  defaults: Policy;
  exemptions: PodSecurityExemptions;
}

export class PodSecurityConfigError extends Error {
  override name = 'PodSecurityConfigError';
  constructor(readonly causes: StatusCause[]) {
    super(`invalid ${CONFIG_KIND}: ${causes.map(causeMessage).join('; ')}`);
  }
}

/** Everything privileged at latest, nothing exempt: upstream's defaults. */
export function defaultPodSecurityConfig(): PodSecurityConfig {
  return {
    defaults: {
      enforce: { level: 'privileged', version: LATEST },
      audit: { level: 'privileged', version: LATEST },
      warn: { level: 'privileged', version: LATEST },
    },
    exemptions: { usernames: [], namespaces: [], runtimeClasses: [] },
  };
}

const DEFAULT_FIELDS = ['enforce', 'enforce-version', 'audit', 'audit-version', 'warn', 'warn-version'] as const;
const EXEMPTION_FIELDS = ['usernames', 'namespaces', 'runtimeClasses'] as const;

/** Validate and default an already-decoded configuration object. */
export function parsePodSecurityConfiguration(input: unknown): PodSecurityConfig {
  const causes: StatusCause[] = [];
  const out = defaultPodSecurityConfig();
  if (!isMap(input)) throw new PodSecurityConfigError([fieldError.typeInvalid('', input, `must be a ${CONFIG_KIND} object`)]);

  const apiVersion = input.apiVersion;
  const allowed = VERSIONS.map((v) => `${CONFIG_GROUP}/${v}`);
  if (apiVersion === undefined) causes.push(fieldError.required('apiVersion', `must be ${allowed[0]}`));
  else if (typeof apiVersion !== 'string' || !allowed.includes(apiVersion)) causes.push(fieldError.notSupported('apiVersion', apiVersion, allowed));
  if (input.kind === undefined) causes.push(fieldError.required('kind', `must be ${CONFIG_KIND}`));
  else if (input.kind !== CONFIG_KIND) causes.push(fieldError.notSupported('kind', input.kind, [CONFIG_KIND]));
  for (const k of Object.keys(input)) if (!['apiVersion', 'kind', 'defaults', 'exemptions'].includes(k)) causes.push(fieldError.unknown(k));

  const defaults = input.defaults;
  if (defaults !== undefined && defaults !== null) {
    if (!isMap(defaults)) causes.push(fieldError.typeInvalid('defaults', defaults, 'must be an object'));
    else {
      for (const k of Object.keys(defaults)) if (!(DEFAULT_FIELDS as readonly string[]).includes(k)) causes.push(fieldError.unknown(`defaults.${k}`));
      for (const mode of ['enforce', 'audit', 'warn'] as const) {
        const lv = defaults[mode];
        if (lv !== undefined) {
          if (typeof lv !== 'string') causes.push(fieldError.typeInvalid(`defaults.${mode}`, lv, 'must be a string'));
          else if (!isLevel(lv)) causes.push(fieldError.invalid(`defaults.${mode}`, lv, LEVEL_ERROR));
          else out.defaults[mode].level = lv as Level;
        }
        const vv = defaults[`${mode}-version`];
        if (vv !== undefined) {
          if (typeof vv !== 'string') causes.push(fieldError.typeInvalid(`defaults.${mode}-version`, vv, 'must be a string'));
          else {
            try {
              out.defaults[mode].version = parseVersion(vv) as Version;
            } catch (e) {
              causes.push(fieldError.invalid(`defaults.${mode}-version`, vv, (e as Error).message));
            }
          }
        }
      }
    }
  }

  const ex = input.exemptions;
  if (ex !== undefined && ex !== null) {
    if (!isMap(ex)) causes.push(fieldError.typeInvalid('exemptions', ex, 'must be an object'));
    else {
      for (const k of Object.keys(ex)) if (!(EXEMPTION_FIELDS as readonly string[]).includes(k)) causes.push(fieldError.unknown(`exemptions.${k}`));
      for (const field of EXEMPTION_FIELDS) {
        const l = ex[field];
        if (l === undefined || l === null) continue;
        const path = `exemptions.${field}`;
        if (!Array.isArray(l)) {
          causes.push(fieldError.typeInvalid(path, l, 'must be a list of strings'));
          continue;
        }
        const seen = new Set<string>();
        l.forEach((item, i) => {
          const p = `${path}[${i}]`;
          if (typeof item !== 'string') {
            causes.push(fieldError.typeInvalid(p, item, 'must be a string'));
            return;
          }
          const msgs = field === 'usernames' ? (item === '' ? ['username must not be empty'] : []) : field === 'namespaces' ? dns1123LabelErrors(item) : pathSegmentErrors(item);
          if (field === 'runtimeClasses' && item === '') msgs.push('runtime class name must not be empty');
          for (const m of msgs) causes.push(fieldError.invalid(p, item, m));
          if (seen.has(item)) causes.push(fieldError.duplicate(p, item));
          seen.add(item);
          if (!msgs.length) out.exemptions[field].push(item);
        });
      }
    }
  }
  if (causes.length) throw new PodSecurityConfigError(causes);
  return out;
}

/** Parse a configuration file's text (YAML or JSON). */
export function loadPodSecurityConfiguration(text: string): PodSecurityConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const line = e instanceof YAMLParseError ? e.linePos?.[0]?.line : undefined;
    throw new PodSecurityConfigError([{ reason: 'FieldValueInvalid', field: '', message: `not valid YAML${line ? ` (line ${line})` : ''}: ${(e as Error).message.split('\n')[0]}` }]);
  }
  return parsePodSecurityConfiguration(doc);
}
