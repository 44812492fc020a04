/** The Store conformance suite through RevisionOffsetStore over an EtcdStore on a real etcd (as a migrated plane runs). */
import { after, before } from 'node:test';
import { startEtcd, type EtcdCluster } from '../../test/support/etcd.js';
import { EtcdStore } from './etcd/etcd-store.js';
import { RevisionOffsetStore } from './revision-offset.js';
import { runStoreConformance } from './store-conformance.js';

let etcd: EtcdCluster | undefined;
let n = 0;

before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

runStoreConformance('RevisionOffsetStore over EtcdStore', async (opts) => {
  const inner = await EtcdStore.open({
    endpoints: etcd!.endpoints,
    prefix: `/offset${process.pid}-${String(++n).padStart(4, '0')}`,
    compactionIntervalMs: 0,
    replayWindow: opts.replayWindow,
    onWarning: () => undefined,
  });
  const store = new RevisionOffsetStore(inner, 5_000_000);
  return { store, baseRevision: store.currentRevision(), issueOrderIsRevisionOrder: false };
});
