/**
 * The ClusterClass controller on a real plane (its admission included) with only this controller running:
 * status.variables, VariablesReady, RefVersionsUpToDate (true, outdated, a missing template), owner references on the
 * templates, and observedGeneration following the spec only when everything succeeded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { inProcessClient } from '../../client/index.js';
import type { Client } from '../../client/types.js';
import { Manager } from '../../runtime/manager.js';
import { getCondition } from '../../runtime/conditions.js';
import type { ClusterClass } from '../../api/cluster/clusterclass.js';
import { CLUSTER_CLASS_KIND } from '../../api/cluster/types.js';
import { ClusterCache } from '../shared/cluster-cache.js';
import type { ControllerContext } from '../shared/context.js';
import { CachedReader } from '../shared/reader.js';
import { eventually, startPlane, type TestPlane } from '../../../test/support/plane.js';
import { setupClusterClassController } from './reconciler.js';

const SIM = 'infrastructure.slipway.dev/v1alpha1';
const KCP = 'controlplane.cluster.x-k8s.io/v1beta1';
const BOOT = 'bootstrap.cluster.x-k8s.io/v1beta1';
const WIDGETS = 'infra.example.com';

let t: TestPlane;
let client: Client;
let manager: Manager;
let clusterCache: ClusterCache;
let seq = 0;

before(async () => {
  t = await startPlane({ storage: 'memory', clusterApi: false });
  client = inProcessClient(t.plane.objects, { fieldManager: 'clusterclass-test' });
  manager = new Manager({ client: inProcessClient(t.plane.objects, { fieldManager: 'clusterclass-controller' }), processMetrics: false, component: 'clusterclass-test' });
  clusterCache = new ClusterCache({ connect: async () => undefined });
  const ctx: ControllerContext = { manager, reader: new CachedReader(manager.client, manager.informers), clusterCache };
  setupClusterClassController(ctx);
  await manager.start();
  // A provider CRD serving two versions; the contract label names both, so v1alpha2 is the one to use.
  await client.create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgettemplates.${WIDGETS}`, labels: { 'cluster.x-k8s.io/v1beta1': 'v1alpha1_v1alpha2' } },
    spec: {
      group: WIDGETS,
      scope: 'Namespaced',
      names: { plural: 'widgettemplates', singular: 'widgettemplate', kind: 'WidgetTemplate', listKind: 'WidgetTemplateList' },
      versions: ['v1alpha1', 'v1alpha2'].map((name) => ({ name, served: true, storage: name === 'v1alpha2', schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } })),
    },
  });
  await eventually(async () => !!(await client.list({ apiVersion: `${WIDGETS}/v1alpha1`, kind: 'WidgetTemplate' }, { namespace: 'default' })), 15_000, 'WidgetTemplate served');
});

after(async () => {
  await manager?.stop();
  await clusterCache?.stop();
  await t?.close();
});

type Obj = Record<string, any>;
const ref = (apiVersion: string, kind: string, name: string): Obj => ({ apiVersion, kind, name });

async function template(apiVersion: string, kind: string, name: string, spec: Obj = { template: { spec: {} } }): Promise<KubeObject> {
  return client.create({ apiVersion, kind, metadata: { name, namespace: 'default' }, spec });
}

/** A class and all its templates (the infrastructure template's ref is `infra`, created by the caller when given). */
async function classWithTemplates(name: string, infra?: Obj): Promise<ClusterClass> {
  await template(KCP, 'KubeadmControlPlaneTemplate', `${name}-cp`, { template: { spec: { kubeadmConfigSpec: {} } } });
  await template(SIM, 'SimMachineTemplate', `${name}-machine`);
  await template(BOOT, 'KubeadmConfigTemplate', `${name}-bootstrap`);
  if (!infra) await template(SIM, 'SimClusterTemplate', `${name}-cluster`);
  return client.create<ClusterClass>({
    ...CLUSTER_CLASS_KIND,
    metadata: { name, namespace: 'default' },
    spec: {
      infrastructure: { ref: (infra ?? ref(SIM, 'SimClusterTemplate', `${name}-cluster`)) as never },
      controlPlane: { ref: ref(KCP, 'KubeadmControlPlaneTemplate', `${name}-cp`), machineInfrastructure: { ref: ref(SIM, 'SimMachineTemplate', `${name}-machine`) } },
      workers: {
        machineDeployments: [
          // Two classes sharing templates: each template is owned once.
          { class: 'linux', template: { bootstrap: { ref: ref(BOOT, 'KubeadmConfigTemplate', `${name}-bootstrap`) }, infrastructure: { ref: ref(SIM, 'SimMachineTemplate', `${name}-machine`) } } },
          { class: 'windows', template: { bootstrap: { ref: ref(BOOT, 'KubeadmConfigTemplate', `${name}-bootstrap`) }, infrastructure: { ref: ref(SIM, 'SimMachineTemplate', `${name}-machine`) } } },
        ],
      },
      variables: [
        { name: 'zone', required: true, schema: { openAPIV3Schema: { type: 'string', description: 'Where the machines run.' } } },
        { name: 'cni', required: false, metadata: { labels: { 'example.com/kind': 'network' } }, schema: { openAPIV3Schema: { type: 'string', enum: ['antrea', 'calico'], default: 'antrea' } } },
      ],
    },
  });
}

const getClass = (name: string): Promise<ClusterClass> => client.get<ClusterClass>(CLUSTER_CLASS_KIND, { namespace: 'default', name });

/** `status | reason | message` of a condition ('<none>' when absent). */
function condition(cc: ClusterClass, type: string): string {
  const c = getCondition(cc, type);
  return c ? [c.status, c.reason, c.message].filter(Boolean).join(' | ') : '<none>';
}

/** Wait until the class is reconciled at its generation and `pred` holds. */
async function reconciled(name: string, pred: (cc: ClusterClass) => boolean = () => true): Promise<ClusterClass> {
  let last: ClusterClass | undefined;
  try {
    return await eventually(async () => {
      last = await getClass(name);
      return last.status?.observedGeneration === last.metadata?.generation && pred(last) ? last : undefined;
    }, 15_000);
  } catch (e) {
    throw new Error(`ClusterClass ${name}: ${String(e)}; last status ${JSON.stringify(last?.status)}`);
  }
}

describe('ClusterClass controller', () => {
  test('publishes status.variables (inline definitions, by name) and sets VariablesReady and RefVersionsUpToDate', async () => {
    const name = `cc-${++seq}`;
    await classWithTemplates(name);
    const cc = await reconciled(name, (c) => !!c.status?.variables);
    assert.deepEqual(cc.status?.variables, [
      { name: 'cni', definitionsConflict: false, definitions: [{ from: 'inline', required: false, metadata: { labels: { 'example.com/kind': 'network' } }, schema: { openAPIV3Schema: { type: 'string', enum: ['antrea', 'calico'], default: 'antrea' } } }] },
      { name: 'zone', definitionsConflict: false, definitions: [{ from: 'inline', required: true, schema: { openAPIV3Schema: { type: 'string', description: 'Where the machines run.' } } }] },
    ]);
    assert.equal(condition(cc, 'VariablesReady'), 'True');
    assert.equal(condition(cc, 'VariablesReconciled'), 'True');
    assert.equal(condition(cc, 'RefVersionsUpToDate'), 'True');
    assert.equal(cc.status?.observedGeneration, 1);

    // Every template is owned by the class (once, even when two worker classes share it).
    for (const [apiVersion, kind, tpl] of [
      [SIM, 'SimClusterTemplate', `${name}-cluster`],
      [KCP, 'KubeadmControlPlaneTemplate', `${name}-cp`],
      [SIM, 'SimMachineTemplate', `${name}-machine`],
      [BOOT, 'KubeadmConfigTemplate', `${name}-bootstrap`],
    ] as const) {
      const owners = (await client.get({ apiVersion, kind }, { namespace: 'default', name: tpl })).metadata?.ownerReferences ?? [];
      assert.deepEqual(
        owners.map((o) => `${o.kind}/${o.name}/${o.uid === cc.metadata?.uid}`),
        [`ClusterClass/${name}/true`],
        `${kind} ${tpl} owners`,
      );
    }

    // A new variable reaches status at the next generation.
    await client.patch(CLUSTER_CLASS_KIND, { namespace: 'default', name }, { type: 'json', ops: [{ op: 'add', path: '/spec/variables/-', value: { name: 'audit', required: false, schema: { openAPIV3Schema: { type: 'boolean' } } } }] });
    const next = await reconciled(name, (c) => c.metadata?.generation === 2);
    assert.deepEqual(next.status?.variables?.map((v) => v.name), ['audit', 'cni', 'zone']);
  });

  test('a reference older than its contract\'s newest version is reported, not rewritten; fixing it turns the condition true', async () => {
    const name = `cc-${++seq}`;
    await template(`${WIDGETS}/v1alpha1`, 'WidgetTemplate', `${name}-widgets`);
    await classWithTemplates(name, ref(`${WIDGETS}/v1alpha1`, 'WidgetTemplate', `${name}-widgets`));
    const cc = await reconciled(name, (c) => getCondition(c, 'RefVersionsUpToDate')?.status === 'False');
    assert.equal(
      condition(cc, 'RefVersionsUpToDate'),
      `False | OutdatedRefVersions | * Ref "${WIDGETS}/v1alpha1, Kind=WidgetTemplate default/${name}-widgets" should be "${WIDGETS}/v1alpha2, Kind=WidgetTemplate default/${name}-widgets"`,
    );
    assert.equal(getCondition(cc, 'RefVersionsUpToDate')?.severity, 'Warning');
    assert.equal(cc.spec?.infrastructure?.ref?.apiVersion, `${WIDGETS}/v1alpha1`, 'the class is left as written');
    // Only the version changes: admission allows it, and the condition follows.
    await client.patch(CLUSTER_CLASS_KIND, { namespace: 'default', name }, { type: 'merge', body: { spec: { infrastructure: { ref: { apiVersion: `${WIDGETS}/v1alpha2` } } } } });
    const fixed = await reconciled(name, (c) => c.metadata?.generation === 2);
    assert.equal(condition(fixed, 'RefVersionsUpToDate'), 'True');
  });

  test('a missing template leaves the generation unobserved until the template is created', async () => {
    const name = `cc-${++seq}`;
    await classWithTemplates(name, ref(SIM, 'SimClusterTemplate', `${name}-late`));
    const waiting = await eventually(async () => {
      const c = await getClass(name);
      return getCondition(c, 'RefVersionsUpToDate')?.status === 'Unknown' ? c : undefined;
    }, 15_000);
    assert.equal(condition(waiting, 'RefVersionsUpToDate'), `Unknown | InternalError | SimClusterTemplate default/${name}-late (${SIM}) referenced by ClusterClass default/${name} not found`);
    assert.notEqual(waiting.status?.observedGeneration, waiting.metadata?.generation, 'not reconciled while a template is missing');
    // The variables are published anyway.
    assert.equal(condition(waiting, 'VariablesReady'), 'True');
    // Creating the template reconciles the class (a watch, not a timer).
    await template(SIM, 'SimClusterTemplate', `${name}-late`);
    const done = await reconciled(name);
    assert.equal(condition(done, 'RefVersionsUpToDate'), 'True');
  });
});
