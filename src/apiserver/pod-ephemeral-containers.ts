/**
 * The `pods/ephemeralcontainers` subresource (what `kubectl debug` writes): an update of a Pod in which only
 * spec.ephemeralContainers may change, and only by adding containers — as kube-apiserver's
 * ValidatePodEphemeralContainersUpdate: existing ones may be neither removed nor changed, names are unique among
 * all the Pod's containers, each needs a name and an image, and a targetContainerName names a regular container.
 */
import { isDeepStrictEqual } from 'node:util';
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { deepClone, isPlainObject, type KubeObject } from '../apimachinery/types.js';

export const EPHEMERAL_CONTAINERS_SUBRESOURCE = 'ephemeralcontainers';

type Container = Record<string, unknown> & { name?: unknown };

function containersAt(pod: KubeObject | undefined, key: string): Container[] {
  const spec = pod?.spec;
  if (!isPlainObject(spec)) return [];
  const list = (spec as Record<string, unknown>)[key];
  return Array.isArray(list) ? list.filter(isPlainObject) as Container[] : [];
}

/** `old` with the ephemeral containers of `input` (everything else as stored). */
export function withEphemeralContainers(old: KubeObject, input: KubeObject): KubeObject {
  const next = deepClone(old);
  const spec = (isPlainObject(next.spec) ? next.spec : {}) as Record<string, unknown>;
  const wanted = isPlainObject(input.spec) ? (input.spec as Record<string, unknown>).ephemeralContainers : undefined;
  if (wanted === undefined || wanted === null) delete spec.ephemeralContainers;
  else spec.ephemeralContainers = wanted;
  next.spec = spec;
  return next;
}

/** What is wrong with going from `old`'s ephemeral containers to `next`'s. */
export function validateEphemeralContainersUpdate(next: KubeObject, old: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const path = 'spec.ephemeralContainers';
  const raw = isPlainObject(next.spec) ? (next.spec as Record<string, unknown>).ephemeralContainers : undefined;
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) return [fieldError.typeInvalid(path, raw, 'must be an array')];
  const now = containersAt(next, 'ephemeralContainers');
  const before = containersAt(old, 'ephemeralContainers');
  const byName = new Map(now.map((c) => [c.name, c]));
  for (const c of before) {
    const still = byName.get(c.name);
    if (!still) causes.push(fieldError.forbidden(path, `existing ephemeral containers "${String(c.name)}" may not be removed`));
    else if (!isDeepStrictEqual(still, c)) causes.push(fieldError.forbidden(path, `existing ephemeral containers "${String(c.name)}" may not be changed`));
  }
  const regular = new Set(containersAt(old, 'containers').map((c) => c.name));
  const taken = new Set([...regular, ...containersAt(old, 'initContainers').map((c) => c.name)]);
  now.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (typeof c.name !== 'string' || !c.name) causes.push(fieldError.required(`${p}.name`));
    else if (taken.has(c.name)) causes.push(fieldError.duplicate(`${p}.name`, c.name));
    else taken.add(c.name);
    if (typeof c.image !== 'string' || !c.image) causes.push(fieldError.required(`${p}.image`));
    const target = c.targetContainerName;
    if (typeof target === 'string' && target && !regular.has(target)) causes.push({ reason: 'FieldValueNotFound', field: `${p}.targetContainerName`, message: `Not found: ${JSON.stringify(target)}` });
  });
  return causes;
}
