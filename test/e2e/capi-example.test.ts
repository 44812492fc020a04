/** The README's example cluster (examples/quick-start.yaml), applied verbatim: machines take their default boot time and come up. */
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, waitFor, type Kube } from '../support/capi.js';

const EXAMPLE = readFileSync(new URL('../../examples/quick-start.yaml', import.meta.url), 'utf8');

describe('examples/quick-start.yaml', () => {
  let t: TestPlane;
  let kb: Kube;
  before(async () => {
    t = await startPlane();
    kb = kube(t);
  });
  after(async () => {
    await t?.close();
  });

  it('applies as written and every machine boots within its default time', async () => {
    await kb.ok(['apply', '-f', '-'], EXAMPLE);
    await waitFor(kb, ['get', 'cluster', 'dev'], (c: { status?: { conditions?: { type: string; status: string }[] } }) => conditionOf(c, 'Ready')?.status === 'True', 120_000);
    await waitFor(kb, ['get', 'md', 'dev-md-0'], (o: { status?: { readyReplicas?: number } }) => o.status?.readyReplicas === 2, 120_000);
    const sims = itemsOf<{ status?: { provisioningStartedAt?: string; bootedAt?: string } }>(await kb.json(['get', 'simmachines']));
    assert.equal(sims.length, 3);
    for (const s of sims) {
      const took = (Date.parse(s.status!.bootedAt!) - Date.parse(s.status!.provisioningStartedAt!)) / 1000;
      assert.ok(took >= 7 && took <= 14, `boot took ${took}s (default 8 s + up to 4 s jitter)`);
    }
  });
});
