/** The real kubectl 1.32 against a real management plane over HTTPS on loopback. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const CRD = readFileSync(new URL('../fixtures/widget-crd.yaml', import.meta.url), 'utf8');

function widget(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}, extraMeta = ''): string {
  const lbl = Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`).join('\n');
  return `apiVersion: example.com/v1
kind: Widget
metadata:
  name: ${name}
  namespace: default
${lbl ? `  labels:\n${lbl}\n` : ''}${extraMeta}spec: ${JSON.stringify(spec)}
`;
}

describe('kubectl against slipway', () => {
  let t: TestPlane;
  const k = (args: string[], input?: string) => t.kubectl(args, { input });
  const ok = async (args: string[], input?: string) => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    t = await startPlane();
    await ok(['apply', '-f', '-'], CRD);
    await ok(['wait', '--for=condition=Established', '--timeout=20s', 'crd/widgets.example.com']);
  });
  after(async () => {
    await t?.close();
  });

  it('serves version, discovery and api-resources', async () => {
    assert.match(await ok(['version', '-o', 'json']), /"serverVersion"/);
    const res = await ok(['api-resources']);
    for (const r of ['configmaps', 'secrets', 'namespaces', 'events', 'serviceaccounts', 'leases', 'customresourcedefinitions', 'widgets']) assert.match(res, new RegExp(`\\b${r}\\b`));
  });

  it('applies objects from YAML and prints the printer-column table, yaml and json', async () => {
    await ok(['apply', '-f', '-'], widget('alpha', { size: 'small', replicas: 2 }, { tier: 'front' }) + '---\n' + widget('beta', { size: 'large' }, { tier: 'back' }));
    const table = await ok(['get', 'widgets']);
    assert.match(table, /NAME\s+SIZE\s+REPLICAS\s+READY\n/);
    assert.match(table, /alpha\s+small\s+2/);
    assert.match(table, /beta\s+large\s+1/, 'replicas defaulted to 1 from the schema');
    const y = await ok(['get', 'widget', 'beta', '-o', 'yaml']);
    assert.match(y, /replicas: 1/);
    assert.match(y, /resourceVersion: "\d+"/);
    const j = JSON.parse(await ok(['get', 'wg', 'alpha', '-o', 'json'])) as { metadata: { uid: string; generation: number; creationTimestamp: string } };
    assert.match(j.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal(j.metadata.generation, 1);
    assert.ok(j.metadata.creationTimestamp);
    const front = await ok(['get', 'widgets', '-l', 'tier=front', '-o', 'name']);
    assert.equal(front.trim(), 'widget.example.com/alpha');
    const notFront = await ok(['get', 'widgets', '-l', 'tier notin (front)', '-o', 'name']);
    assert.equal(notFront.trim(), 'widget.example.com/beta');
  });

  it('patches with json and merge patches', async () => {
    await ok(['patch', 'widget', 'alpha', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
    await ok(['patch', 'widget', 'alpha', '--type=merge', '-p', '{"spec":{"template":{"colour":"red"}}}']);
    const j = JSON.parse(await ok(['get', 'widget', 'alpha', '-o', 'json'])) as { spec: { replicas: number; template: { colour: string } }; metadata: { generation: number } };
    assert.equal(j.spec.replicas, 3);
    assert.equal(j.spec.template.colour, 'red');
    assert.equal(j.metadata.generation, 3, 'generation bumps once per spec change');
    const bad = await k(['patch', 'widget', 'alpha', '--type=merge', '-p', '{"spec":{"template":{"colour":"Red!"}}}']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.template\.colour/);
  });

  it('kubectl apply twice is unchanged, then configured', async () => {
    const doc = widget('gamma', { size: 'medium', replicas: 4 });
    assert.match(await ok(['apply', '-f', '-'], doc), /widget.example.com\/gamma created/);
    const rv1 = (await ok(['get', 'widget', 'gamma', '-o', 'jsonpath={.metadata.resourceVersion}'])).trim();
    assert.match(await ok(['apply', '-f', '-'], doc), /widget.example.com\/gamma unchanged/);
    const rv2 = (await ok(['get', 'widget', 'gamma', '-o', 'jsonpath={.metadata.resourceVersion}'])).trim();
    assert.equal(rv2, rv1, 'an unchanged apply does not write');
    assert.match(await ok(['apply', '-f', '-'], widget('gamma', { size: 'medium', replicas: 5 })), /widget.example.com\/gamma configured/);
    assert.equal((await ok(['get', 'widget', 'gamma', '-o', 'jsonpath={.spec.replicas}'])).trim(), '5');
    // A built-in kind goes through strategic merge patch.
    assert.match(await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n'), /created/);
    assert.match(await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n'), /unchanged/);
    assert.match(await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  b: "2"\n'), /configured/);
    const data = JSON.parse(await ok(['get', 'configmap', 'settings', '-o', 'jsonpath={.data}'])) as Record<string, string>;
    assert.deepEqual(data, { b: '2' }, 'apply removes the key the last applied configuration dropped');
  });

  it('server-side apply reports a conflict and takes ownership with --force-conflicts', async () => {
    await ok(['apply', '--server-side', '--field-manager=team-a', '-f', '-'], widget('delta', { size: 'small' }));
    const conflict = await k(['apply', '--server-side', '--field-manager=team-b', '-f', '-'], widget('delta', { size: 'large' }));
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict/i);
    assert.match(conflict.stderr, /team-a/);
    assert.match(conflict.stderr, /\.spec\.size/);
    await ok(['apply', '--server-side', '--field-manager=team-b', '--force-conflicts', '-f', '-'], widget('delta', { size: 'large' }));
    const j = JSON.parse(await ok(['get', 'widget', 'delta', '-o', 'json', '--show-managed-fields'])) as { spec: { size: string }; metadata: { managedFields: { manager: string; operation: string }[] } };
    assert.equal(j.spec.size, 'large');
    assert.ok(j.metadata.managedFields.some((m) => m.manager === 'team-b' && m.operation === 'Apply'));
  });

  it('refuses an invalid object and names the field and value', async () => {
    const r = await k(['apply', '-f', '-'], widget('bad', { size: 'huge', replicas: 'x' }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.replicas/);
    assert.match(r.stderr, /spec\.size/);
    assert.match(r.stderr, /"huge"/);
    const cel = await k(['apply', '-f', '-'], widget('bad2', { size: 'small', replicas: 20 }));
    assert.notEqual(cel.code, 0);
    assert.match(cel.stderr, /only large widgets may have more than 10 replicas/);
    const unknown = await k(['apply', '-f', '-'], widget('bad3', { size: 'small', colour: 'blue' }));
    assert.notEqual(unknown.code, 0, 'kubectl validates strictly by default');
    assert.match(unknown.stderr, /unknown field "spec.colour"/);
    const missing = await k(['get', 'widget', 'bad']);
    assert.match(missing.stderr, /NotFound|not found/);
  });

  it('get -w sees ADDED, MODIFIED and DELETED', async () => {
    const child = spawn('kubectl', ['--kubeconfig', t.plane.kubeconfigPath, 'get', 'widgets', '-w', '--output-watch-events', '-o', 'json', '--field-selector', 'metadata.name=watched'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 700));
      await ok(['apply', '-f', '-'], widget('watched', { size: 'small' }));
      await ok(['patch', 'widget', 'watched', '--type=merge', '-p', '{"spec":{"replicas":7}}']);
      await ok(['delete', 'widget', 'watched']);
      await eventually(() => /"type": ?"DELETED"/.test(out), 10_000, 'DELETED event');
      assert.match(out, /"type": ?"ADDED"/);
      assert.match(out, /"type": ?"MODIFIED"/);
    } finally {
      child.kill();
    }
  });

  it('delete of an object with a finalizer waits until the finalizer is removed', async () => {
    await ok(['apply', '-f', '-'], widget('held', { size: 'small' }, {}, '  finalizers: ["example.com/hold"]\n'));
    const del = spawn('kubectl', ['--kubeconfig', t.plane.kubeconfigPath, 'delete', 'widget', 'held', '--timeout=30s'], { stdio: 'ignore' });
    const exited = new Promise<number>((r) => del.on('exit', (c) => r(c ?? 1)));
    await eventually(async () => (await ok(['get', 'widget', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).trim() !== '', 10_000, 'deletionTimestamp');
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('waiting'), 800))]);
    assert.equal(early, 'waiting', 'kubectl delete is still waiting for the finalizer');
    await ok(['patch', 'widget', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    assert.equal(await exited, 0);
    const gone = await k(['get', 'widget', 'held']);
    assert.match(gone.stderr, /not found/);
  });

  it('cascades deletion along ownerReferences (background, foreground, orphan)', async () => {
    for (const mode of ['background', 'foreground', 'orphan'] as const) {
      const owner = `owner-${mode}`;
      await ok(['create', 'configmap', owner]);
      const uid = (await ok(['get', 'configmap', owner, '-o', 'jsonpath={.metadata.uid}'])).trim();
      for (const i of [1, 2]) {
        await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${owner}-dep${i}\n  ownerReferences:\n  - apiVersion: v1\n    kind: ConfigMap\n    name: ${owner}\n    uid: ${uid}\n    blockOwnerDeletion: true\n`);
      }
      await ok(['delete', 'configmap', owner, `--cascade=${mode}`]);
      if (mode === 'orphan') {
        await eventually(async () => {
          const refs = await ok(['get', 'configmap', `${owner}-dep1`, `${owner}-dep2`, '-o', 'jsonpath={.items[*].metadata.ownerReferences}']);
          return refs.trim() === '';
        }, 10_000, 'orphaned dependents lose their ownerReferences');
      } else {
        await eventually(async () => (await ok(['get', 'configmaps', '-o', 'name'])).split('\n').every((l) => !l.includes(`${owner}-dep`)), 10_000, `${mode} deletion of dependents`);
      }
    }
  });

  it('explains a nested CRD field and a built-in field', async () => {
    const e = await ok(['explain', 'widgets.spec.template.colour']);
    assert.match(e, /The colour of every part, in lower case/);
    const cm = await ok(['explain', 'configmap.data']);
    assert.match(cm, /FIELD:\s+data/);
  });

  it('kubectl wait --for=condition=Ready returns when the status says so', async () => {
    await ok(['apply', '-f', '-'], widget('ready', { size: 'small' }));
    const wait = t.kubectl(['wait', '--for=condition=Ready', '--timeout=20s', 'widget/ready']);
    await new Promise((r) => setTimeout(r, 500));
    await ok(['patch', 'widget', 'ready', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Done"}]}}']);
    const r = await wait;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /condition met/);
    assert.match(await ok(['get', 'widget', 'ready']), /ready\s+small\s+1\s+True/);
  });

  it('scales through the scale subresource', async () => {
    await ok(['apply', '-f', '-'], widget('scaled', { size: 'large' }));
    await ok(['scale', 'widget', 'scaled', '--replicas=6']);
    assert.equal((await ok(['get', 'widget', 'scaled', '-o', 'jsonpath={.spec.replicas}'])).trim(), '6');
  });

  it('deleting a namespace deletes everything in it, and refuses new content meanwhile', async () => {
    await ok(['create', 'namespace', 'doomed']);
    await ok(['create', 'configmap', 'c1', '-n', 'doomed']);
    await ok(['create', 'secret', 'generic', 's1', '-n', 'doomed', '--from-literal=k=v']);
    await ok(['apply', '-n', 'doomed', '-f', '-'], widget('w1', { size: 'small' }).replace('namespace: default', 'namespace: doomed'));
    await ok(['delete', 'namespace', 'doomed', '--timeout=30s']);
    const r = await k(['get', 'namespace', 'doomed']);
    assert.match(r.stderr, /not found/);
    const missing = await k(['create', 'configmap', 'c2', '-n', 'doomed']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /namespaces "doomed" not found/);
  });

  it('keeps objects and resourceVersions across a restart', async () => {
    const before = JSON.parse(await ok(['get', 'widgets', '-o', 'json'])) as { items: { metadata: { name: string; resourceVersion: string } }[] };
    await t.restart();
    const afterList = JSON.parse(await ok(['get', 'widgets', '-o', 'json'])) as { items: { metadata: { name: string; resourceVersion: string } }[] };
    assert.deepEqual(
      afterList.items.map((i) => [i.metadata.name, i.metadata.resourceVersion]),
      before.items.map((i) => [i.metadata.name, i.metadata.resourceVersion]),
    );
    assert.ok(afterList.items.length >= 4);
  });
});
