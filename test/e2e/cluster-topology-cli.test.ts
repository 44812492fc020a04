/**
 * `slipway cluster create|list|scale|upgrade|delete` against a real plane over HTTPS: the CLI (from the sources in the
 * tree, as a child process with no terminal) builds and patches managed-topology Clusters; the test reads back what
 * the API stored with kubectl and the client. The default class is present (the plane installs it; the test applies
 * the shipped one when it does not).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { Cluster, Machine } from '../../src/api/cluster/types.js';
import { loadDefaultClass } from '../../src/classes/default-class.js';
import { isNotFound, kubeconfigClient, type Client } from '../../src/client/index.js';
import { DEFAULT_KUBERNETES_VERSION } from '../../src/cli/cluster-spec.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const RUNNER = new URL('../support/slipway-source.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const NS = 'team-a';
const CLUSTER = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI from the working tree's sources; stdin is a closed pipe (not a terminal), no KUBECONFIG, no colours. */
function slipway(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<Run> {
  const base = { ...process.env };
  delete base.KUBECONFIG;
  delete base.NO_COLOR;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', RUNNER, ...args], { cwd: ROOT, timeout: 120_000, env: { ...base, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

/** The CLI on a pseudo-terminal (util-linux `script`), `input` typed at it; output is what the terminal showed. */
function slipwayOnTerminal(args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base = { ...process.env };
  delete base.KUBECONFIG;
  delete base.NO_COLOR;
  const command = [process.execPath, '--import', 'tsx', RUNNER, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = execFile('script', ['-qec', command, '/dev/null'], { cwd: ROOT, timeout: 120_000, env: { ...base, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

describe('slipway cluster create|list|scale|upgrade|delete', () => {
  let t: TestPlane;
  let client: Client;
  let kc: string;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-topology-cli-'));

  const get = (name: string, namespace = NS): Promise<Cluster> => client.get(CLUSTER, { namespace, name }) as Promise<Cluster>;
  const run = (args: string[], input?: string): Promise<Run> => slipway([...args, '--kubeconfig', kc], {}, input);

  before(async () => {
    t = await startPlane();
    kc = t.plane.kubeconfigPath;
    client = await kubeconfigClient(kc, { fieldManager: 'topology-cli-test' });
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const shipped = loadDefaultClass();
    try {
      await client.get({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'ClusterClass' }, { namespace: 'default', name: 'slipway-default' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      for (const o of [...shipped.templates, shipped.clusterClass]) await client.apply(o, { force: true });
    }
  });

  after(async () => {
    client?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('create --dry-run -o yaml prints the Cluster and stores nothing', async () => {
    const r = await run(['cluster', 'create', 'dev', '-n', NS, '--control-plane-replicas', '3', '--worker-pool', 'md-0=linux:2', '--worker-pool', 'win=windows:1', '--set', 'controlPlane.machine.numCPUs=4', '--set', 'controlPlane.machine.memoryMiB=8192', '--set', 'ntpServers=[time1, time2]', '--set-string', 'apiServerExtraArgs.audit-log-maxage=30', '--dry-run', '-o', 'yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(parse(r.stdout), {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'dev', namespace: NS },
      spec: {
        topology: {
          class: 'slipway-default',
          classNamespace: 'default',
          version: DEFAULT_KUBERNETES_VERSION,
          controlPlane: { replicas: 3 },
          workers: { machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 2 }, { class: 'windows', name: 'win', replicas: 1 }] },
          variables: [
            { name: 'controlPlane', value: { machine: { numCPUs: 4, memoryMiB: 8192 } } },
            { name: 'ntpServers', value: ['time1', 'time2'] },
            { name: 'apiServerExtraArgs', value: { 'audit-log-maxage': '30' } },
          ],
        },
      },
    });
    await assert.rejects(get('dev'), (e: unknown) => isNotFound(e));

    // the API server's dry run: admission defaults and checks the Cluster, nothing is stored
    const [server, refused] = await Promise.all([
      run(['cluster', 'create', 'dev', '-n', NS, '--dry-run=server', '-o', 'yaml']),
      run(['cluster', 'create', 'dev', '-n', NS, '--dry-run=server', '--set', 'cni=flannel']),
    ]);
    assert.equal(server.code, 0, server.stderr);
    const echoed = parse(server.stdout) as Cluster;
    assert.ok(echoed.metadata?.uid, 'the server filled in the object');
    assert.ok((echoed.spec?.topology?.variables ?? []).some((v) => v.name === 'cni'), 'the class default for cni was added by admission');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: .*spec\.topology\.variables\[cni\].*flannel.*\n$/);
    await assert.rejects(get('dev'), (e: unknown) => isNotFound(e));

    // without any management plane to reach, a client-side dry run still prints the object
    const offline = await slipway(['cluster', 'create', 'solo', '--dry-run', '-o', 'json'], { KUBECONFIG: join(dir, 'missing.kubeconfig') });
    assert.equal(offline.code, 0, offline.stderr);
    const solo = JSON.parse(offline.stdout) as Cluster;
    assert.equal(solo.metadata?.namespace, 'default');
    assert.deepEqual(solo.spec?.topology?.workers, { machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 1 }] });
  });

  it('create stores the Cluster with the topology of the flags; -f is the starting point', async () => {
    const r = await run(['cluster', 'create', 'alpha', '-n', NS, '--kubernetes-version', '1.31.2', '--workers', '2', '--set', 'cni=calico', '--set', 'nodePoolLabels=[{key: tier, value: gold}]']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'cluster.cluster.x-k8s.io/alpha created\n');
    const alpha = await get('alpha');
    assert.equal(alpha.spec?.topology?.class, 'slipway-default');
    assert.equal(alpha.spec?.topology?.classNamespace, 'default');
    assert.equal(alpha.spec?.topology?.version, 'v1.31.2');
    assert.equal(alpha.spec?.topology?.controlPlane?.replicas, 1);
    assert.deepEqual(alpha.spec?.topology?.workers?.machineDeployments?.map((p) => [p.name, p.class, p.replicas]), [['md-0', 'linux', 2]]);
    const vars = Object.fromEntries((alpha.spec?.topology?.variables ?? []).map((v) => [v.name, v.value]));
    assert.equal(vars.cni, 'calico');
    assert.deepEqual(vars.nodePoolLabels, [{ key: 'tier', value: 'gold' }]);

    const file = join(dir, 'beta.yaml');
    writeFileSync(
      file,
      `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: beta
  namespace: ${NS}
  labels: {env: staging}
spec:
  clusterNetwork:
    pods: {cidrBlocks: ["192.168.0.0/16"]}
  topology:
    class: slipway-default
    classNamespace: default
    version: v1.31.2
    workers:
      machineDeployments:
        - {class: linux, name: md-0, replicas: 1}
        - {class: linux, name: md-1, replicas: 1}
    variables:
      - name: controlPlane
        value: {machine: {numCPUs: 2, memoryMiB: 4096}}
`,
    );
    const fromFile = await run(['cluster', 'create', '-f', file, '--worker-pool', 'md-1=linux:3', '--set', 'controlPlane.machine.numCPUs=8']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const beta = await get('beta');
    assert.equal(beta.metadata?.labels?.env, 'staging');
    assert.deepEqual(beta.spec?.clusterNetwork?.pods?.cidrBlocks, ['192.168.0.0/16']);
    assert.deepEqual(beta.spec?.topology?.workers?.machineDeployments?.map((p) => [p.name, p.replicas]), [['md-0', 1], ['md-1', 3]]);
    // the file's value with the --set merged in (the API may add the class's defaults for fields neither gave)
    const machine = (beta.spec?.topology?.variables?.find((v) => v.name === 'controlPlane')?.value as { machine?: Record<string, unknown> } | undefined)?.machine;
    assert.equal(machine?.numCPUs, 8);
    assert.equal(machine?.memoryMiB, 4096);
  });

  it('errors: usage exits 2 before anything is sent; refusals by the API exit 1 in one line naming the field', async () => {
    const usage: [string[], RegExp][] = [
      [['cluster', 'create', 'x', '--workers', 'two'], /^error: --workers "two": must be a whole number/],
      [['cluster', 'create', 'x', '--set', 'cni'], /^error: --set "cni": use VARIABLE\.PATH=VALUE/],
      [['cluster', 'create', 'x', '--set', 'a=[1'], /^error: --set "a=\[1": the value is not valid YAML/],
      [['cluster', 'create', 'x', '--kubernetes-version', 'latest'], /^error: --kubernetes-version "latest"/],
      [['cluster', 'create', 'x', '-f', join(dir, 'nope.yaml')], /^error: -f .*nope\.yaml: no such file/],
      [['cluster', 'create', 'x', '--no-such-flag'], /unknown option '--no-such-flag'/],
      [['cluster', 'scale', 'alpha', '-n', NS], /^error: nothing to scale/],
      [['cluster', 'upgrade', 'alpha', '-n', NS], /^error: --kubernetes-version is required/],
    ];
    const results = await Promise.all(usage.map(([args]) => run(args)));
    usage.forEach(([args, pattern], i) => {
      assert.equal(results[i]!.code, 2, `${args.join(' ')}: ${results[i]!.stderr}`);
      assert.match(results[i]!.stderr, pattern);
    });
    await assert.rejects(get('x'), (e: unknown) => isNotFound(e));

    const again = await run(['cluster', 'create', 'alpha', '-n', NS]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: .*"alpha" already exists\n$/);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata: {name: badnet}\nspec:\n  clusterNetwork: {pods: {cidrBlocks: ["not-a-cidr"]}}\n');
    const refused = await run(['cluster', 'create', '-n', NS, '-f', bad]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stderr.split('\n').filter(Boolean).length, 1, refused.stderr);
    assert.match(refused.stderr, /^error: .*spec\.clusterNetwork\.pods\.cidrBlocks.*not-a-cidr/);
    await assert.rejects(get('badnet'), (e: unknown) => isNotFound(e));

    // the class's variable schema, enforced by the API's topology admission
    const badVariable = await run(['cluster', 'create', 'badvar', '-n', NS, '--set', 'cni=flannel']);
    assert.equal(badVariable.code, 1, badVariable.stderr);
    assert.equal(badVariable.stderr.split('\n').filter(Boolean).length, 1, badVariable.stderr);
    assert.match(badVariable.stderr, /^error: .*spec\.topology\.variables\[cni\].*flannel/);
    await assert.rejects(get('badvar'), (e: unknown) => isNotFound(e));

    const missing = await run(['cluster', 'scale', 'ghost', '-n', NS, '--workers', '1']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `error: cluster ${NS}/ghost not found\n`);
  });

  it('list: a kubectl-style table of every cluster; wide, -A, yaml and json', async () => {
    const r = await run(['cluster', 'list', '-n', NS]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME +CLASS +VERSION +CONTROL PLANE +WORKERS +PHASE +AGE$/);
    const alpha = lines.find((l) => l.startsWith('alpha '));
    assert.ok(alpha, r.stdout);
    assert.match(alpha, /^alpha +slipway-default +v1\.31\.2 +\d+\/1 +\d+\/2 +\S+ +\d+[smhd]/);
    assert.match(lines.find((l) => l.startsWith('beta '))!, /^beta +slipway-default +v1\.31\.2 +\d+\/1 +\d+\/4 /);

    const wide = await run(['cluster', 'list', '-n', NS, '-o', 'wide']);
    assert.match(wide.stdout.split('\n')[0]!, /^NAME .* AGE +READY +TOPOLOGY +POOLS$/);
    assert.match(wide.stdout, /md-0\(linux\)=\d+\/1,md-1\(linux\)=\d+\/3/);

    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
    const other = await run(['cluster', 'create', 'gamma', '-n', 'team-b']);
    assert.equal(other.code, 0, other.stderr);
    const all = await run(['cluster', 'list', '-A']);
    assert.match(all.stdout.split('\n')[0]!, /^NAMESPACE +NAME +CLASS/);
    assert.match(all.stdout, /\nteam-a +alpha +/);
    assert.match(all.stdout, /\nteam-b +gamma +/);
    const onlyA = await run(['cluster', 'list', '-n', NS]);
    assert.doesNotMatch(onlyA.stdout, /gamma/);

    const json = await run(['cluster', 'list', '-n', NS, '-o', 'json']);
    const list = JSON.parse(json.stdout) as { kind: string; items: Cluster[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((c) => c.metadata?.name).sort(), ['alpha', 'beta']);
    assert.equal(list.items[0]!.metadata?.managedFields, undefined);
    const yaml = parse((await run(['cluster', 'list', '-n', NS, '-o', 'yaml'])).stdout) as { items: Cluster[] };
    assert.equal(yaml.items.length, 2);

    const empty = await run(['cluster', 'list', '-n', 'default']);
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, '');
    assert.equal(empty.stderr, 'No clusters found in default namespace.\n');
  });

  it('scale patches replicas in the topology; an unknown pool or an ambiguous --workers changes nothing', async () => {
    const cp = await run(['cluster', 'scale', 'beta', '-n', NS, '--control-plane-replicas', '3', '--worker-pool', 'md-1=0']);
    assert.equal(cp.code, 0, cp.stderr);
    assert.equal(cp.stdout, 'cluster.cluster.x-k8s.io/beta scaled (control plane 3; workers md-0=1, md-1=0)\n');
    let beta = await get('beta');
    assert.equal(beta.spec?.topology?.controlPlane?.replicas, 3);
    assert.deepEqual(beta.spec?.topology?.workers?.machineDeployments?.map((p) => [p.name, p.replicas]), [['md-0', 1], ['md-1', 0]]);
    const before = beta.spec?.topology;

    const unknown = await run(['cluster', 'scale', 'beta', '-n', NS, '--worker-pool', 'md-9=2']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, `error: --worker-pool md-9=2: cluster ${NS}/beta has no worker pool "md-9" (pools: md-0, md-1)\n`);
    const ambiguous = await run(['cluster', 'scale', 'beta', '-n', NS, '--workers', '2']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /^error: --workers 2: cluster team-a\/beta has 2 worker pools \(md-0, md-1\)/);
    beta = await get('beta');
    assert.deepEqual(beta.spec?.topology, before, 'the topology is unchanged (controllers may write status meanwhile)');

    const one = await run(['cluster', 'scale', 'alpha', '-n', NS, '--workers', '5']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal((await get('alpha')).spec?.topology?.workers?.machineDeployments?.[0]?.replicas, 5);
  });

  it('scale patches the pool by name even when the list changed since it was read', async () => {
    // another writer inserts a pool in front of md-1: the pool's index moves, the patch still scales md-1 only
    await client.patch(CLUSTER, { namespace: NS, name: 'beta' }, { type: 'json', ops: [{ op: 'add', path: '/spec/topology/workers/machineDeployments/0', value: { class: 'linux', name: 'md-x', replicas: 1 } }] });
    const r = await run(['cluster', 'scale', 'beta', '-n', NS, '--worker-pool', 'md-1=2']);
    assert.equal(r.code, 0, r.stderr);
    const beta = await get('beta');
    assert.deepEqual(beta.spec?.topology?.workers?.machineDeployments?.map((p) => [p.name, p.replicas]), [['md-x', 1], ['md-0', 1], ['md-1', 2]]);
  });

  it('upgrade sets the topology version; the same version is a no-op', async () => {
    const r = await run(['cluster', 'upgrade', 'alpha', '-n', NS, '--kubernetes-version', 'v1.32.0']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'cluster.cluster.x-k8s.io/alpha upgrading v1.31.2 → v1.32.0\n');
    const alpha = await get('alpha');
    assert.equal(alpha.spec?.topology?.version, 'v1.32.0');
    const same = await run(['cluster', 'upgrade', 'alpha', '-n', NS, '--kubernetes-version', '1.32.0']);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, 'cluster.cluster.x-k8s.io/alpha is already at v1.32.0\n');
    assert.deepEqual((await get('alpha')).spec?.topology, alpha.spec?.topology);
  });

  it('--wait prints plain progress lines without a terminal and times out with what it waited for', async () => {
    const file = join(dir, 'paused.yaml');
    writeFileSync(file, `apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata: {name: frozen}\nspec: {paused: true}\n`);
    const r = await run(['cluster', 'create', '-n', NS, '-f', file, '--wait', '--timeout', '2s']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, 'cluster.cluster.x-k8s.io/frozen created\n');
    const lines = r.stderr.trimEnd().split('\n');
    assert.ok(lines.length >= 2, r.stderr);
    assert.doesNotMatch(r.stderr, /\x1b|\r/, 'no terminal control codes');
    for (const l of lines.slice(0, -1)) assert.match(l, /^team-a\/frozen: .*control plane 0\/1 ready, workers 0\/1 ready/);
    assert.match(lines.at(-1)!, /^error: timed out after 2s waiting for the cluster to be Ready; last: .*control plane 0\/1 ready, workers 0\/1 ready/);

    const quiet = await run(['cluster', 'upgrade', 'frozen', '-n', NS, '--kubernetes-version', 'v1.32.1', '--wait', '--timeout', '1s', '--no-progress']);
    assert.equal(quiet.code, 1);
    assert.match(quiet.stderr, /^error: timed out after 1s waiting for every Machine to run v1\.32\.1 and be ready; last: /);
    assert.equal(quiet.stderr.split('\n').filter(Boolean).length, 1, quiet.stderr);
  });

  it('create --wait: the topology controller and the sim provider bring the cluster to Ready; its kubeconfig lists the Nodes; upgrade --wait rolls every Machine', async () => {
    const instant = 'simulation={provisioningSeconds: 0, provisioningJitterSeconds: 0, nodeReadySeconds: 0, clusterProvisioningSeconds: 0}';
    const r = await run(['cluster', 'create', 'live', '-n', NS, '--set', instant, '--wait', '--timeout', '5m']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^cluster\.cluster\.x-k8s\.io\/live created\n✓ cluster team-a\/live is Ready \(Ready: control plane 1\/1 ready, workers 1\/1 ready\)\n$/);
    const steps = r.stderr.trimEnd().split('\n');
    for (const l of steps) assert.match(l, /^team-a\/live: /);
    assert.match(steps.at(-1)!, /^team-a\/live: Ready: control plane 1\/1 ready, workers 1\/1 ready$/);
    assert.ok(steps.length >= 2, `progress went through steps before Ready: ${r.stderr}`);

    const file = join(dir, 'live.kubeconfig');
    const kcGet = await run(['cluster', 'kubeconfig', 'get', 'live', '-n', NS, '--export-file', file]);
    assert.equal(kcGet.code, 0, kcGet.stderr);
    const nodes = await new Promise<Run>((resolve) => {
      execFile('kubectl', ['--kubeconfig', file, 'get', 'nodes', '-o', 'json'], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    });
    assert.equal(nodes.code, 0, nodes.stderr);
    const items = (JSON.parse(nodes.stdout) as { items: { metadata: { labels?: Record<string, string> }; status?: { conditions?: { type: string; status: string }[] } }[] }).items;
    assert.equal(items.length, 2);
    assert.equal(items.filter((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined).length, 1);
    for (const n of items) assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

    const list = await run(['cluster', 'list', '-n', NS]);
    assert.match(list.stdout, /\nlive +slipway-default +v\S+ +1\/1 +1\/1 +Provisioned +/);

    // one minor up: --wait ends when every Machine runs it and is ready
    const from = (await get('live')).spec!.topology!.version;
    const [major, minor] = from.slice(1).split('.').map(Number);
    const to = `v${major}.${minor! + 1}.0`;
    const up = await run(['cluster', 'upgrade', 'live', '-n', NS, '--kubernetes-version', to, '--wait', '--timeout', '5m']);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.equal(up.stdout.split('\n')[0], `cluster.cluster.x-k8s.io/live upgrading ${from} → ${to}`);
    assert.match(up.stdout, new RegExp(`\n✓ cluster team-a/live upgraded to ${to.replace(/\./g, '\\.')} \\(${to.replace(/\./g, '\\.')} on 2/2 Machines \\(control plane 1/1\\), all ready\\)\n$`));
    for (const l of up.stderr.trimEnd().split('\n')) assert.match(l, /^team-a\/live: /);
    const machines = (await client.list({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine' }, { namespace: NS, labelSelector: 'cluster.x-k8s.io/cluster-name=live' })).items as Machine[];
    assert.deepEqual(machines.filter((m) => !m.metadata?.deletionTimestamp).map((m) => m.spec.version), [to, to]);
  });

  it('on a terminal: delete asks first, the wait shows a spinner (coloured unless NO_COLOR)', async () => {
    const no = await slipwayOnTerminal(['cluster', 'delete', 'alpha', '-n', NS, '--kubeconfig', kc], 'n\n');
    assert.equal(no.code, 1, no.stdout);
    assert.match(no.stdout, /Delete cluster team-a\/alpha and its \d+ Machines?\? This cannot be undone\. \[y\/N\] /);
    assert.match(no.stdout, /Not deleted\./);
    await get('alpha');

    const slow = await slipwayOnTerminal(['cluster', 'upgrade', 'frozen', '-n', NS, '--kubeconfig', kc, '--kubernetes-version', 'v1.32.2', '--wait', '--timeout', '1s'], '', { NO_COLOR: '1' });
    assert.equal(slow.code, 1, slow.stdout);
    assert.match(slow.stdout, /\r\x1b\[2K. team-a\/frozen: /, 'a spinner line repainted in place');
    assert.doesNotMatch(slow.stdout, /\x1b\[3\dm/, 'no colours with NO_COLOR');
    assert.match(slow.stdout, /error: timed out after 1s waiting for every Machine to run v1\.32\.2 and be ready/);

    const yes = await slipwayOnTerminal(['cluster', 'delete', 'alpha', '-n', NS, '--kubeconfig', kc, '--wait', '--timeout', '2m'], 'y\n');
    assert.equal(yes.code, 0, yes.stdout);
    assert.match(yes.stdout, /\r\x1b\[2K\x1b\[36m.\x1b\[0m team-a\/alpha: /, 'a coloured spinner');
    assert.match(yes.stdout, /\x1b\[32m✓\x1b\[0m cluster team-a\/alpha deleted/);
    await assert.rejects(get('alpha'), (e: unknown) => isNotFound(e));
  });

  it('delete refuses without --yes when stdin is not a terminal; --yes --wait waits until the Cluster is gone', async () => {
    const refused = await run(['cluster', 'delete', 'gamma', '-n', 'team-b']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'error: refusing to delete cluster gamma without --yes: standard input is not a terminal to ask on\n');
    await get('gamma', 'team-b');

    const r = await run(['cluster', 'delete', 'gamma', '-n', 'team-b', '--yes', '--wait', '--timeout', '2m']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cluster\.cluster\.x-k8s\.io\/gamma deleted\n✓ cluster team-b\/gamma deleted\n$/);
    await assert.rejects(get('gamma', 'team-b'), (e: unknown) => isNotFound(e));
    for (const l of r.stderr.trimEnd().split('\n').filter(Boolean)) assert.match(l, /^team-b\/gamma: (deleting|waiting|deleted)/);

    const gone = await run(['cluster', 'delete', 'gamma', '-n', 'team-b', '--yes']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, 'error: cluster team-b/gamma not found\n');
    await eventually(async () => (await client.list(CLUSTER, { namespace: 'team-b' })).items.length === 0, 10_000, 'team-b empty');
  });
});
