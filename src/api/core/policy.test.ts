/** The activation policy table: every stability × activate × void flag, on create and on update, and the voided mark. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkReference, effectiveActivation, policyOf, STABILITY_POLICIES, type ReferenceIntent } from './policy.js';
import { STABILITY_LEVELS, type Stability } from './types.js';

type Outcome = 'allowed' | 'refused';

/** [stability, activate, void flag] → outcome for a new entry. */
const TABLE: [Stability, boolean, boolean, Outcome][] = [
  ['Work In Progress', true, false, 'refused'],
  ['Work In Progress', true, true, 'allowed'],
  ['Work In Progress', false, false, 'allowed'],
  ['Work In Progress', false, true, 'allowed'],
  ['Experimental', true, false, 'refused'],
  ['Experimental', true, true, 'allowed'],
  ['Experimental', false, false, 'allowed'],
  ['Experimental', false, true, 'allowed'],
  ['Technical Preview', true, false, 'allowed'],
  ['Technical Preview', true, true, 'allowed'],
  ['Technical Preview', false, false, 'allowed'],
  ['Technical Preview', false, true, 'allowed'],
  ['Stable', true, false, 'allowed'],
  ['Stable', true, true, 'allowed'],
  ['Stable', false, false, 'refused'],
  ['Stable', false, true, 'refused'],
  ['Deprecated', true, false, 'allowed'],
  ['Deprecated', true, true, 'allowed'],
  ['Deprecated', false, false, 'allowed'],
  ['Deprecated', false, true, 'allowed'],
];

const intent = (activate: boolean, v: boolean): ReferenceIntent => ({ activate, permanentlyVoidAllSupportGuarantees: v });

describe('feature gate policy', () => {
  it('covers every stability level with all four combinations', () => {
    for (const s of STABILITY_LEVELS) assert.equal(TABLE.filter(([st]) => st === s).length, 4, s);
  });

  for (const [stability, activate, voidFlag, want] of TABLE) {
    it(`${stability}: ${activate ? 'activate' : 'deactivate'}${voidFlag ? ' with' : ' without'} permanentlyVoidAllSupportGuarantees → ${want}`, () => {
      const verdict = checkReference('f', stability, intent(activate, voidFlag));
      assert.equal(verdict.allowed ? 'allowed' : 'refused', want);
      if (!verdict.allowed) {
        assert.equal(verdict.field, 'activate');
        assert.match(verdict.message, new RegExp(`^feature f is ${stability}`));
      }
    });
  }

  it('refusals say what to do', () => {
    const exp = checkReference('exp', 'Experimental', intent(true, false));
    assert.ok(!exp.allowed && /set permanentlyVoidAllSupportGuarantees: true/.test(exp.message));
    const stable = checkReference('st', 'Stable', intent(false, false));
    assert.ok(!stable.allowed && /cannot be deactivated/.test(stable.message));
  });

  it('deactivation after voiding is allowed, and the void flag can never be reset, for every stability', () => {
    for (const s of STABILITY_LEVELS) {
      const voidedOn = intent(true, true);
      // Toggling with the flag kept is judged by the stability alone.
      const off = checkReference('f', s, intent(false, true), voidedOn);
      assert.equal(off.allowed, s !== 'Stable', `${s}: deactivate keeping the flag`);
      for (const activate of [true, false]) {
        const reset = checkReference('f', s, intent(activate, false), voidedOn);
        assert.ok(!reset.allowed, `${s}: resetting the flag must be refused`);
        assert.equal(reset.field, 'permanentlyVoidAllSupportGuarantees');
        assert.match(reset.message, /permanently voided/);
      }
    }
  });

  it('setting the flag on an entry that had none is allowed (it is the act of voiding)', () => {
    assert.ok(checkReference('f', 'Experimental', intent(true, true), intent(false, false)).allowed);
  });

  it('defaults: Stable and Deprecated activated; Work In Progress, Experimental and Technical Preview deactivated', () => {
    assert.deepEqual(
      Object.fromEntries(STABILITY_LEVELS.map((s) => [s, STABILITY_POLICIES[s].defaultActivation])),
      { 'Work In Progress': false, Experimental: false, 'Technical Preview': false, Stable: true, Deprecated: true },
    );
  });

  it('effective activation follows a valid entry and ignores an entry the policy refuses', () => {
    assert.equal(effectiveActivation('f', 'Technical Preview', undefined), false);
    assert.equal(effectiveActivation('f', 'Technical Preview', { name: 'f', activate: true }), true);
    assert.equal(effectiveActivation('f', 'Experimental', { name: 'f', activate: true }), false);
    assert.equal(effectiveActivation('f', 'Experimental', { name: 'f', activate: true, permanentlyVoidAllSupportGuarantees: true }), true);
    assert.equal(effectiveActivation('f', 'Stable', { name: 'f', activate: false }), true);
    assert.equal(effectiveActivation('f', 'Deprecated', undefined), true);
    assert.equal(effectiveActivation('f', 'Deprecated', { name: 'f', activate: false }), false);
  });
});
