/**
 * Serving the feature gates on a plane, in two steps around the CRD controller's start:
 *  1. `installFeatureGateKinds` (before): strategies, the admission plugins and the Feature/FeatureGate CRDs;
 *  2. `installBuiltinFeatures` (after the kinds are served): the built-in Features, with their descriptions and
 *     stabilities re-applied on upgrade, and the `slipway-system` FeatureGate, created once; a built-in feature no gate
 *     lists yet gets an entry at its default activation. Existing entries (a user's activation, a voided mark) are
 *     never changed.
 */
import type { Logger } from 'pino';
import { StatusError } from '../../apimachinery/errors.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import { applyCrd, crdInfo } from '../install.js';
import { crdFor } from '../kind-definition.js';
import { coreKinds } from './definitions.js';
import { FeatureGateAdmission } from './feature-gate-admission.js';
import { BUILTIN_FEATURES } from './features.js';
import { policyOf } from './policy.js';
import { ManagementPlaneIpamAdmission } from './ipam-admission.js';
import { KubeVipAdmission } from './kube-vip-admission.js';
import { WindowsWorkersAdmission } from './windows-workers-admission.js';
import { CORE_API_VERSION, CORE_GROUP, CORE_VERSION, DEFAULT_FEATURE_GATE, type Feature, type FeatureGate, type FeatureSpec } from './types.js';

/** Field manager of the objects the plane installs. */
export const FEATURE_GATES_FIELD_MANAGER = 'slipway-feature-gates';

/** Registers strategies and admission plugins, and stores the current CRDs of Feature and FeatureGate. */
export async function installFeatureGateKinds(objects: ObjectStore, log: Logger): Promise<void> {
  const kinds = coreKinds();
  for (const def of kinds) objects.setStrategy(def.group, def.kind, def.strategy);
  // The plugin list may be an array the caller reuses across plane restarts: replace plugins bound to an older store.
  const plugins = [new FeatureGateAdmission(objects), new WindowsWorkersAdmission(objects), new KubeVipAdmission(objects), new ManagementPlaneIpamAdmission(objects)];
  for (const plugin of plugins) {
    const i = objects.admission.findIndex((p) => p.name === plugin.name);
    if (i >= 0) objects.admission.splice(i, 1, plugin);
    else objects.admission.push(plugin);
  }
  const info = crdInfo(objects);
  for (const def of kinds) {
    const result = await applyCrd(objects, info, crdFor(def));
    if (result !== 'unchanged') log.info({ crd: `${def.plural}.${def.group}` }, `feature gate crd ${result}`);
  }
}

function served(objects: ObjectStore, plural: string): ResourceInfo {
  const info = objects.registry.get(CORE_GROUP, CORE_VERSION, plural);
  if (!info) throw new Error(`cannot install the built-in features: ${plural}.${CORE_GROUP} is not served (did installFeatureGateKinds run before the CRD controller started?)`);
  return info;
}

async function createIfAbsent(objects: ObjectStore, info: ResourceInfo, obj: Feature | FeatureGate): Promise<boolean> {
  try {
    await objects.create(info, undefined, obj, { fieldManager: FEATURE_GATES_FIELD_MANAGER });
    return true;
  } catch (e) {
    if (e instanceof StatusError && e.reason === 'AlreadyExists') return false;
    throw e;
  }
}

/** Makes the built-in Features match this release and makes the default FeatureGate list each of them. */
export async function installBuiltinFeatures(objects: ObjectStore, log: Logger, features: Readonly<Record<string, FeatureSpec>> = BUILTIN_FEATURES): Promise<void> {
  const featureInfo = served(objects, 'features');
  const gateInfo = served(objects, 'featuregates');
  for (const [name, spec] of Object.entries(features)) {
    const want: Feature = { apiVersion: CORE_API_VERSION, kind: 'Feature', metadata: { name }, spec: { ...spec } };
    if (await createIfAbsent(objects, featureInfo, want)) {
      log.info({ feature: name }, 'feature created');
      continue;
    }
    await objects.guaranteedUpdate(featureInfo, undefined, name, (current) => {
      const cur = (current as Feature).spec;
      if (cur?.description === spec.description && cur?.stability === spec.stability) return undefined;
      log.info({ feature: name, stability: spec.stability }, 'feature updated');
      current.spec = { ...(current.spec as object), description: spec.description, stability: spec.stability };
      return current;
    });
  }
  const gates = (await objects.list(gateInfo, undefined)).items as FeatureGate[];
  const gated = new Set(gates.flatMap((g) => (g.spec?.features ?? []).map((f) => f.name)));
  const missing = Object.keys(features).filter((name) => !gated.has(name));
  if (!missing.length) return;
  const entries = missing.map((name) => ({ name, activate: policyOf(features[name]!.stability).defaultActivation }));
  const gate: FeatureGate = { apiVersion: CORE_API_VERSION, kind: 'FeatureGate', metadata: { name: DEFAULT_FEATURE_GATE }, spec: { features: entries } };
  try {
    if (await createIfAbsent(objects, gateInfo, gate)) return;
    await objects.guaranteedUpdate(gateInfo, undefined, DEFAULT_FEATURE_GATE, (current) => {
      const g = current as FeatureGate;
      const have = new Set((g.spec?.features ?? []).map((f) => f.name));
      const add = entries.filter((e) => !have.has(e.name));
      if (!add.length) return undefined;
      g.spec = { ...(g.spec ?? {}), features: [...(g.spec?.features ?? []), ...add] };
      return g;
    });
  } catch (e) {
    // Features without an entry still take their stability's default: a plane starts even if the gate refuses.
    if (!(e instanceof StatusError)) throw e;
    log.warn({ err: e, features: missing }, `cannot list the built-in features in FeatureGate ${DEFAULT_FEATURE_GATE}`);
  }
}
