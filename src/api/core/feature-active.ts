/**
 * "Is this feature in effect?" for code that a gate guards: admission plugins (reading the object store) and
 * controllers (reading their informer caches). The answer is computed from the Feature's stability and the gate's
 * entry, not from Feature.status, so a write to the FeatureGate takes effect for the very next request.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import { effectiveActivation } from './policy.js';
import { CORE_GROUP, CORE_VERSION, FEATURE_GATE_KIND, FEATURE_KIND, type Feature, type FeatureGate, type FeatureReference } from './types.js';

/** Where features and gates are read from. */
export interface FeatureSource {
  feature(name: string): Promise<Feature | undefined>;
  featureGates(): Promise<FeatureGate[]>;
}

/** The reads of a controller's reader (CachedReader matches this shape). */
export interface ObjectReader {
  get<T extends KubeObject>(kind: { apiVersion: string; kind: string }, namespace: string | undefined, name: string): Promise<T | undefined>;
  list<T extends KubeObject>(kind: { apiVersion: string; kind: string }, namespace: string | undefined): Promise<T[]>;
}

/** The gate entry for `name` and the gate holding it. */
export function findReference(gates: readonly FeatureGate[], name: string): { gate: FeatureGate; ref: FeatureReference } | undefined {
  for (const gate of gates) {
    const ref = gate.spec?.features?.find((f) => f.name === name);
    if (ref) return { gate, ref };
  }
  return undefined;
}

/** Whether the feature is activated; false when no Feature of that name exists. */
export async function featureActive(source: FeatureSource, name: string): Promise<boolean> {
  const feature = await source.feature(name);
  if (!feature?.spec?.stability) return false;
  return effectiveActivation(name, feature.spec.stability, findReference(await source.featureGates(), name)?.ref);
}

/** The refusal text of a gated use: names the gate and how to activate it. */
export function featureRequiredMessage(name: string, what: string): string {
  return `${what} needs feature gate ${name}, which is deactivated (activate it with: slipway feature activate ${name})`;
}

/** Reads through the object store; both reads are reused until the store's revision moves. */
export function storeFeatureSource(objects: ObjectStore): FeatureSource {
  let cached: { revision: number; features: Map<string, Feature>; gates: FeatureGate[] } | undefined;
  const load = async (): Promise<{ features: Map<string, Feature>; gates: FeatureGate[] }> => {
    const revision = objects.store.currentRevision();
    if (cached && cached.revision === revision) return cached;
    const featureInfo = objects.registry.get(CORE_GROUP, CORE_VERSION, 'features');
    const gateInfo = objects.registry.get(CORE_GROUP, CORE_VERSION, 'featuregates');
    const features = new Map<string, Feature>();
    let gates: FeatureGate[] = [];
    if (featureInfo) for (const f of (await objects.list(featureInfo, undefined)).items as Feature[]) features.set(f.metadata?.name ?? '', f);
    if (gateInfo) gates = (await objects.list(gateInfo, undefined)).items as FeatureGate[];
    cached = { revision, features, gates };
    return cached;
  };
  return {
    async feature(name) {
      return (await load()).features.get(name);
    },
    async featureGates() {
      return (await load()).gates;
    },
  };
}

/** Reads through a controller's reader (informer caches when the kinds are cached). */
export function readerFeatureSource(reader: ObjectReader): FeatureSource {
  return {
    feature: (name) => reader.get<Feature>(FEATURE_KIND, undefined, name),
    featureGates: () => reader.list<FeatureGate>(FEATURE_GATE_KIND, undefined),
  };
}
