/** Table-test helpers for the defaulting core: expected output, idempotence, and no mutation of inputs. */
import assert from 'node:assert/strict';
import { applyKubernetesDefaults } from './index.js';

export interface DefaultingCase {
  name: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Defaults a copy of `input` and returns it. */
export function defaulted(group: string, version: string, kind: string, input: Record<string, unknown>): Record<string, unknown> {
  const obj = clone(input);
  applyKubernetesDefaults(group, version, kind, obj);
  return obj;
}

/** Asserts the defaulted object and that defaulting it again changes nothing. */
export function assertDefaults(group: string, version: string, kind: string, c: DefaultingCase): void {
  const once = defaulted(group, version, kind, c.input);
  assert.deepEqual(once, c.expected, c.name);
  assert.deepEqual(defaulted(group, version, kind, once), once, `${c.name}: idempotent`);
}

/** The pod template defaults upstream's apps and batch tests expect of an empty PodSpec. */
export function defaultedTemplateSpec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
    ...extra,
  };
}
