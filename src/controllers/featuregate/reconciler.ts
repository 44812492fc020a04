/**
 * Feature gate controllers:
 *  - FeatureGate: fills status.featureReferences (Applied or Invalid with the reason, and the resulting activation),
 *    status.voidedFeatures (names are only ever added) and the Ready and SupportGuaranteesVoided conditions;
 *  - Feature: fills status.activated and status.featureGate from the gates and the stability policy.
 * Admission (api/core/feature-gate-admission.ts) keeps bad intent out; the controller still reports entries that
 * became invalid later (a Feature removed, or its stability changed by an upgrade).
 */
import { effectiveActivation, checkReference, intentOf, voidedWarning } from '../../api/core/policy.js';
import { findReference, readerFeatureSource, type FeatureSource } from '../../api/core/feature-active.js';
import {
  FEATURE_GATE_CONDITIONS,
  FEATURE_GATE_KIND,
  FEATURE_GATE_REASONS,
  FEATURE_KIND,
  type Feature,
  type FeatureGate,
  type FeatureReferenceResult,
} from '../../api/core/types.js';
import { setCondition } from '../../runtime/conditions.js';
import type { Controller } from '../../runtime/controller.js';
import type { Manager } from '../../runtime/manager.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request } from '../../runtime/reconciler.js';
import { mutable, type CachedReader } from '../shared/reader.js';

export interface FeatureGateControllerContext {
  manager: Manager;
  reader: CachedReader;
}

/** The result of every entry of `gate` against the Features that exist and the other gates. */
export function featureReferenceResults(gate: FeatureGate, features: ReadonlyMap<string, Feature>, otherGates: readonly FeatureGate[]): FeatureReferenceResult[] {
  return (gate.spec?.features ?? []).map((ref): FeatureReferenceResult => {
    const feature = features.get(ref.name);
    if (!feature) return { name: ref.name, status: 'Invalid', activated: false, message: `Feature ${ref.name} does not exist` };
    const stability = feature.spec.stability;
    const other = otherGates.find((g) => g.spec?.features?.some((f) => f.name === ref.name));
    if (other) return { name: ref.name, status: 'Invalid', activated: effectiveActivation(ref.name, stability, undefined), message: `feature ${ref.name} is also gated by FeatureGate ${other.metadata?.name ?? ''}` };
    const verdict = checkReference(ref.name, stability, intentOf(ref)!);
    if (!verdict.allowed) return { name: ref.name, status: 'Invalid', activated: effectiveActivation(ref.name, stability, undefined), message: verdict.message };
    return { name: ref.name, status: 'Applied', activated: ref.activate === true };
  });
}

class FeatureGateReconciler {
  constructor(private readonly reader: CachedReader) {}

  async reconcile(ctx: ReconcileContext, req: Request): Promise<void> {
    const cached = await this.reader.get<FeatureGate>(FEATURE_GATE_KIND, undefined, req.name);
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const gate = mutable(cached);
    const helper = new PatchHelper(ctx.client, gate);
    const features = new Map((await this.reader.list<Feature>(FEATURE_KIND, undefined)).map((f) => [f.metadata?.name ?? '', f] as const));
    const others = (await this.reader.list<FeatureGate>(FEATURE_GATE_KIND, undefined)).filter((g) => g.metadata?.name !== req.name);
    const results = featureReferenceResults(gate, features, others);
    const status = (gate.status ??= {});
    status.featureReferences = results;
    const voided = new Set(status.voidedFeatures ?? []);
    for (const ref of gate.spec?.features ?? []) if (ref.permanentlyVoidAllSupportGuarantees) voided.add(ref.name);
    if (voided.size) status.voidedFeatures = [...voided].sort();
    const invalid = results.filter((r) => r.status === 'Invalid');
    if (invalid.length) {
      setCondition(gate, { type: FEATURE_GATE_CONDITIONS.ready, status: 'False', severity: 'Warning', reason: FEATURE_GATE_REASONS.invalidFeatureReferences, message: invalid.map((r) => r.message).join('; ') }, ctx.clock);
    } else {
      setCondition(gate, { type: FEATURE_GATE_CONDITIONS.ready, status: 'True' }, ctx.clock);
    }
    if (voided.size) {
      setCondition(gate, { type: FEATURE_GATE_CONDITIONS.supportGuaranteesVoided, status: 'True', reason: FEATURE_GATE_REASONS.permanentlyVoided, message: voidedWarning([...voided].sort()) }, ctx.clock);
    }
    if (gate.metadata?.generation !== undefined) status.observedGeneration = gate.metadata.generation;
    await helper.patch(gate);
  }
}

class FeatureReconciler {
  constructor(private readonly reader: CachedReader) {}

  async reconcile(ctx: ReconcileContext, req: Request): Promise<void> {
    const cached = await this.reader.get<Feature>(FEATURE_KIND, undefined, req.name);
    if (!cached?.spec?.stability) return;
    const feature = mutable(cached);
    const helper = new PatchHelper(ctx.client, feature);
    const found = findReference(await this.reader.list<FeatureGate>(FEATURE_GATE_KIND, undefined), req.name);
    const status = (feature.status ??= {});
    status.activated = effectiveActivation(req.name, feature.spec.stability, found?.ref);
    if (found) status.featureGate = found.gate.metadata?.name ?? '';
    else delete status.featureGate;
    await helper.patch(feature);
  }
}

/** Sets up both controllers on `ctx.manager`; a change to any Feature or gate re-reconciles every gate and feature (there are few). */
export function setupFeatureGateControllers(ctx: FeatureGateControllerContext): Controller[] {
  const features = ctx.reader.cache(FEATURE_KIND);
  const gates = ctx.reader.cache(FEATURE_GATE_KIND);
  const allGates = (): Request[] => gates.lister.list().map((g) => ({ name: g.metadata?.name ?? '' }));
  const allFeatures = (): Request[] => features.lister.list().map((f) => ({ name: f.metadata?.name ?? '' }));
  const gateController = ctx.manager.add({
    name: 'featuregate',
    for: FEATURE_GATE_KIND,
    reconciler: new FeatureGateReconciler(ctx.reader),
    watches: [
      { type: FEATURE_KIND, map: allGates },
      { type: FEATURE_GATE_KIND, map: allGates },
    ],
  });
  const featureController = ctx.manager.add({
    name: 'feature',
    for: FEATURE_KIND,
    reconciler: new FeatureReconciler(ctx.reader),
    watches: [{ type: FEATURE_GATE_KIND, map: allFeatures }],
  });
  return [gateController, featureController];
}

/**
 * The feature source a controller uses to ask `featureActive`: Features and FeatureGates read from the manager's
 * shared informers (registered here), so a check costs two cache reads.
 */
export function cachedFeatureSource(reader: CachedReader): FeatureSource {
  reader.cache(FEATURE_KIND);
  reader.cache(FEATURE_GATE_KIND);
  return readerFeatureSource(reader);
}
