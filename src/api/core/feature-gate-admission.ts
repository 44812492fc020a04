/**
 * Validating admission of FeatureGates (what upstream's FeatureGate webhook does, plus the permanence of the voided
 * mark): every entry names an existing Feature, no feature is gated by two FeatureGates, every entry satisfies its
 * feature's stability policy (policy.ts) — entries an update leaves unchanged are not judged again — and an entry whose permanentlyVoidAllSupportGuarantees was set can neither
 * reset the flag, nor be removed, nor be deleted with its gate. Refusals name the field path; nothing is written.
 * Writes that leave a gate voided carry a warning saying so.
 */
import { fieldError, forbidden, invalid, type StatusCause } from '../../apimachinery/errors.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../apiserver/strategy.js';
import { storeFeatureSource, type FeatureSource } from './feature-active.js';
import { jsonEqual } from '../cluster/validation.js';
import { checkReference, deprecationWarning, intentOf, voidedWarning, voidsSupport } from './policy.js';
import { CORE_GROUP, type FeatureGate, type FeatureReference } from './types.js';

export class FeatureGateAdmission implements AdmissionPlugin {
  readonly name = 'FeatureGatePolicy';
  private readonly source: FeatureSource;

  constructor(objects: ObjectStore) {
    this.source = storeFeatureSource(objects);
  }

  async admit(attrs: AdmissionAttributes): Promise<string[]> {
    if (attrs.info.group !== CORE_GROUP || attrs.info.kind !== 'FeatureGate' || attrs.subresource) return [];
    if (attrs.operation === 'DELETE') {
      const voided = voidedEntries(attrs.oldObject as FeatureGate | undefined);
      if (voided.length) {
        throw forbidden(
          `featuregates.${CORE_GROUP} "${attrs.name}" is forbidden: it records that support guarantees were permanently voided (features: ${voided.join(', ')}); a voided FeatureGate cannot be deleted`,
        );
      }
      return [];
    }
    const gate = attrs.object as FeatureGate;
    const old = attrs.operation === 'UPDATE' ? (attrs.oldObject as FeatureGate | undefined) : undefined;
    const { causes, warnings } = await this.check(gate, old);
    if (causes.length) throw invalid('FeatureGate', CORE_GROUP, attrs.name, causes);
    return warnings;
  }

  private async check(gate: FeatureGate, old: FeatureGate | undefined): Promise<{ causes: StatusCause[]; warnings: string[] }> {
    const causes: StatusCause[] = [];
    const warnings: string[] = [];
    const refs = gate.spec?.features ?? [];
    const oldRefs = new Map((old?.spec?.features ?? []).map((r) => [r.name, r] as const));
    const seen = new Set<string>();
    const gateName = gate.metadata?.name ?? '';
    const others = (await this.source.featureGates()).filter((g) => g.metadata?.name !== gateName);
    for (const [i, ref] of refs.entries()) {
      const path = `spec.features[${i}]`;
      if (seen.has(ref.name)) {
        causes.push(fieldError.duplicate(`${path}.name`, ref.name));
        continue;
      }
      seen.add(ref.name);
      // An entry left as it was stays admitted even if an upgrade made it invalid (the controller reports it).
      if (old && jsonEqual(ref, oldRefs.get(ref.name))) continue;
      const feature = await this.source.feature(ref.name);
      if (!feature) {
        causes.push({ reason: 'FieldValueNotFound', field: `${path}.name`, message: `Not found: ${JSON.stringify(ref.name)}: no Feature of that name exists` });
        continue;
      }
      const other = others.find((g) => g.spec?.features?.some((f) => f.name === ref.name));
      if (other) {
        causes.push(fieldError.invalid(`${path}.name`, ref.name, `feature ${ref.name} is already gated by FeatureGate ${other.metadata?.name ?? ''}; a feature can be gated by one FeatureGate only`));
        continue;
      }
      const want = intentOf(ref)!;
      const verdict = checkReference(ref.name, feature.spec.stability, want, intentOf(oldRefs.get(ref.name)));
      if (!verdict.allowed) {
        causes.push(fieldError.forbidden(`${path}.${verdict.field}`, verdict.message));
        continue;
      }
      const deprecated = deprecationWarning(ref.name, feature.spec.stability, want);
      if (deprecated && !intentOf(oldRefs.get(ref.name))?.activate) warnings.push(deprecated);
    }
    const kept = new Set(refs.map((r) => r.name));
    for (const name of voidedEntries(old)) {
      if (!kept.has(name)) {
        causes.push(fieldError.forbidden('spec.features', `the entry of feature ${name} cannot be removed: it records that support guarantees of this environment were permanently voided`));
      }
    }
    const voided = voidedEntries(gate);
    if (!causes.length && voided.length) warnings.push(voidedWarning(voided));
    return { causes, warnings };
  }
}

/** Names of the entries that voided support guarantees. */
export function voidedEntries(gate: FeatureGate | undefined): string[] {
  return (gate?.spec?.features ?? []).filter((r: FeatureReference) => voidsSupport(r)).map((r) => r.name);
}
