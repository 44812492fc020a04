/**
 * `slipway topology plan` and `slipway class explain` as a user runs them: the CLI in a child process (sources
 * through tsx, so the test does not depend on a fresh build), real files, stdin, exit codes and output formats.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { classExplain, type ExplainOptions } from '../../src/cli/commands/class.js';
import { topologyPlan, type PlanCommandOptions } from '../../src/cli/commands/topology.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIX = join(ROOT, 'test/fixtures/topology');
const ENTRY = `import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}).then((m) => m.main(['node', 'slipway', ...process.argv.slice(1)]))`;

function slipway(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', '-e', ENTRY, ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

/** The same commands in-process (their exported entry points), for the many cases that need no new process. */
function inProcess(args: string[], stdin = ''): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => (stdout += t), err: (t: string) => (stderr += t), stdin: () => stdin };
  let code: number;
  if (args[0] === 'topology' && args[1] === 'plan') {
    const o: PlanCommandOptions = { output: 'yaml' };
    for (let i = 2; i < args.length; i++) {
      const a = args[i]!;
      const v = args[i + 1]!;
      if (a === '-f') (o.filename ??= []).push(v), i++;
      else if (a === '--current') (o.current ??= []).push(v), i++;
      else if (a === '-o') (o.output = v), i++;
      else if (a === '--seed') (o.seed = v), i++;
      else throw new Error(`unexpected ${a}`);
    }
    code = topologyPlan(o, io);
  } else if (args[0] === 'class' && args[1] === 'explain') {
    const rest = args.slice(2);
    const opts: ExplainOptions = { output: 'text' };
    const pos: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--recursive') opts.recursive = true;
      else if (rest[i] === '-o') opts.output = rest[++i];
      else pos.push(rest[i]!);
    }
    code = classExplain(pos[0]!, pos[1], opts, io);
  } else throw new Error(`unexpected ${args.join(' ')}`);
  return { code, stdout, stderr };
}

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

describe('slipway topology plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-topology-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const quick = ['-f', join(FIX, 'docker-quick-start.yaml'), '-f', join(FIX, 'docker-clusters.yaml')];

  it('renders every Cluster as one JSON List; a seed makes names reproducible', async () => {
    const a = await slipway(['topology', 'plan', ...quick, '-o', 'json', '--seed', '5']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stderr, '');
    const list = JSON.parse(a.stdout) as { apiVersion: string; kind: string; items: Obj[] };
    assert.equal(list.kind, 'List');
    assert.equal(list.apiVersion, 'v1');
    const kinds = list.items.map((o) => o.kind);
    assert.deepEqual(
      kinds.filter((_, i) => list.items[i]!.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === 'dev' || list.items[i]!.metadata.name === 'dev'),
      [
        'Cluster',
        'DockerCluster',
        'DockerMachineTemplate',
        'KubeadmControlPlane',
        'KubeadmConfigTemplate',
        'DockerMachineTemplate',
        'MachineDeployment',
        'KubeadmConfigTemplate',
        'DockerMachineTemplate',
        'MachineDeployment',
        'MachineHealthCheck',
        'MachineHealthCheck',
        'MachineHealthCheck',
      ],
    );
    assert.equal(list.items.filter((o) => o.kind === 'Cluster').length, 2);
    const kcp = list.items.find((o) => o.kind === 'KubeadmControlPlane' && o.metadata.name.startsWith('dev-'))!;
    assert.match(kcp.metadata.name, /^dev-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal((kcp.spec as { version: string }).version, 'v1.25.4');
    const b = inProcess(['topology', 'plan', ...quick, '-o', 'json', '--seed', '5']);
    assert.equal(b.stdout, a.stdout);
  });

  it('YAML output (the default) holds the same objects; input may come from stdin', async () => {
    const json = inProcess(['topology', 'plan', ...quick, '-o', 'json', '--seed', '9']);
    const text = readFileSync(join(FIX, 'docker-quick-start.yaml'), 'utf8') + '\n---\n' + readFileSync(join(FIX, 'docker-clusters.yaml'), 'utf8');
    const yaml = await slipway(['topology', 'plan', '-f', '-', '--seed', '9'], text);
    assert.equal(yaml.code, 0, yaml.stderr);
    const docs = parseAllDocuments(yaml.stdout, { version: '1.1' }).map((d) => d.toJS() as Obj);
    assert.deepEqual(docs, (JSON.parse(json.stdout) as { items: Obj[] }).items);
    // YAML 1.1 readers (kubectl) must read label values like "yes" as strings.
    assert.match(yaml.stdout, /topology\.example\.com\/cp: "yes"/);
  });

  it('renders the vSphere-style class (33 variables, 38 patches, 3 MachineDeployment classes)', async () => {
    const r = inProcess(['topology', 'plan', '-f', join(FIX, 'vsphere-class.yaml'), '-f', join(FIX, 'vsphere-clusters.yaml'), '-o', 'json', '--seed', '1']);
    assert.equal(r.code, 0, r.stderr);
    const items = (JSON.parse(r.stdout) as { items: Obj[] }).items;
    const mds = items.filter((o) => o.kind === 'MachineDeployment' && o.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === 'prod-1');
    assert.deepEqual(mds.map((m) => m.metadata.labels?.['topology.cluster.x-k8s.io/deployment-name']), ['md-0', 'gpu', 'large']);
    const vsc = items.find((o) => o.kind === 'VSphereCluster' && o.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === 'prod-1')!;
    assert.deepEqual(vsc.spec?.controlPlaneEndpoint, { host: '10.0.0.10', port: 6443 });
  });

  it('invalid Clusters: one line per problem with object and field path, exit 1', async () => {
    const bad = readFileSync(join(FIX, 'docker-clusters.yaml'), 'utf8')
      .replace('value: 3.5.6-0', 'value: 5')
      .replace('enforce: restricted', 'enforce: strict')
      .replace('class: default-worker\n          name: md-1', 'class: gpu-worker\n          name: md-1');
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, bad);
    const r = await slipway(['topology', 'plan', '-f', join(FIX, 'docker-quick-start.yaml'), '-f', f]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [
      'Cluster default/dev: spec.topology.workers.machineDeployments[1].class: Invalid value: "gpu-worker": MachineDeploymentClass with name "gpu-worker" does not exist in ClusterClass "quick-start"',
      'Cluster default/dev: spec.topology.variables[etcdImageTag].value: Invalid value: "5": must be of type string: "integer"',
      'Cluster default/dev: spec.topology.variables[podSecurityStandard].value.enforce: Unsupported value: "{\\"audit\\":\\"restricted\\",\\"enabled\\":true,\\"enforce\\":\\"strict\\",\\"warn\\":\\"restricted\\"}": supported values: "privileged", "baseline", "restricted"',
    ]);
  });

  it('a missing required nested field names its path', async () => {
    const f = join(dir, 'proxy.yaml');
    writeFileSync(f, readFileSync(join(FIX, 'docker-clusters.yaml'), 'utf8').replace('      - name: imageRepository\n', '      - name: proxy\n        value:\n          noProxy: [localhost]\n      - name: imageRepository\n'));
    const r = inProcess(['topology', 'plan', '-f', join(FIX, 'docker-quick-start.yaml'), '-f', f]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Cluster default/dev: spec.topology.variables[proxy].value.httpProxy: Required value\n');
  });

  it('-o diff against --current: nothing when unchanged; only what changes otherwise', async () => {
    const current = join(dir, 'current.yaml');
    const plan = inProcess(['topology', 'plan', ...quick, '--seed', '3']);
    assert.equal(plan.code, 0, plan.stderr);
    writeFileSync(current, plan.stdout);
    const same = inProcess(['topology', 'plan', ...quick, '--current', current, '-o', 'diff', '--seed', '4']);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, '');

    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, readFileSync(join(FIX, 'docker-clusters.yaml'), 'utf8').replace('value: 3.5.6-0', 'value: 3.5.7-0'));
    const d = inProcess(['topology', 'plan', '-f', join(FIX, 'docker-quick-start.yaml'), '-f', changed, '--current', current, '-o', 'diff', '--seed', '4']);
    assert.equal(d.code, 0, d.stderr);
    const headers = d.stdout.split('\n').filter((l) => l.startsWith('+++ '));
    assert.equal(headers.length, 2, d.stdout);
    assert.match(headers[0]!, /^\+\+\+ desired\/cluster\.x-k8s\.io\.v1beta1\.Cluster\.default\.dev$/);
    assert.match(headers[1]!, /^\+\+\+ desired\/controlplane\.cluster\.x-k8s\.io\.v1beta1\.KubeadmControlPlane\.default\.dev-[a-z0-9]{5}$/);
    assert.ok(d.stdout.includes('-          imageTag: 3.5.6-0\n+          imageTag: 3.5.7-0\n'), d.stdout);
  });

  it('usage errors and unreadable input: exit 2', async () => {
    const none = await slipway(['topology', 'plan']);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'error: -f/--filename is required: the ClusterClass, its templates and the Clusters\n');
    const missing = inProcess(['topology', 'plan', '-f', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `error: ${join(dir, 'nope.yaml')}: no such file or directory\n`);
    const format = inProcess(['topology', 'plan', ...quick, '-o', 'table']);
    assert.equal(format.code, 2);
    assert.equal(format.stderr, 'error: --output must be yaml, json or diff, got "table"\n');
    const diff = inProcess(['topology', 'plan', ...quick, '-o', 'diff']);
    assert.equal(diff.stderr, 'error: -o diff needs --current FILE: the objects that exist today\n');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'kind: [unclosed\n');
    const b = inProcess(['topology', 'plan', '-f', broken]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, new RegExp(`^error: ${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: document 1: `));
  });

  it('--help shows an example', async () => {
    const r = await slipway(['topology', 'plan', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: slipway topology plan/);
    assert.match(r.stdout, /slipway topology plan -f quick-start\.yaml -f clusters\.yaml/);
  });
});

describe('slipway class explain', () => {
  const vs = join(FIX, 'vsphere-class.yaml');

  it('one variable: type, description, default, rule and its fields', async () => {
    const r = await slipway(['class', 'explain', vs, 'controlPlaneCertificateRotation']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'CLUSTERCLASS: tkg-vsphere-default',
        'NAMESPACE:    default',
        'VARIABLE:     controlPlaneCertificateRotation <Object>',
        '',
        'DESCRIPTION:',
        '    Roll out control plane machines before their certificates expire.',
        '',
        'DEFAULT:      {}',
        'RULE:         !has(self.activate) || !self.activate || !has(self.daysBefore) || self.daysBefore <= 120',
        '',
        'FIELDS:',
        '  activate\t<boolean>',
        '    default: true',
        '',
        '  daysBefore\t<integer>',
        '    default: 90',
        '    minimum: 7',
        '    maximum: 180',
        '',
      ].join('\n'),
    );
  });

  it('nested field with enum, required flag and example', async () => {
    const r = inProcess(['class', 'explain', vs, 'vcenter.cloneMode']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /VARIABLE: {5}vcenter\.cloneMode <string>\n/);
    assert.match(r.stdout, /DEFAULT: {6}fullClone\nENUM: {9}fullClone, linkedClone\n/);
    const server = inProcess(['class', 'explain', vs, 'vcenter.server']);
    assert.match(server.stdout, /VARIABLE: {5}vcenter\.server <string> -required-\n\nDESCRIPTION:\n {4}vCenter server address\n\nEXAMPLE: {6}vcenter\.example\.com\n/);
  });

  it('all variables, and the whole tree with --recursive', async () => {
    const all = inProcess(['class', 'explain', vs]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^CLUSTERCLASS: tkg-vsphere-default\nNAMESPACE: {4}default\n\nVARIABLES:\n {2}vcenter\t<Object> -required-\n {4}The vCenter the machines are cloned in\.\n/);
    assert.match(all.stdout, /\n {2}apiServerPort\t<integer>\n {4}Port of the API server endpoint\.\n {4}default: 6443\n {4}minimum: 1\n {4}maximum: 65535\n/);
    assert.match(all.stdout, /\n {2}nodePoolLabels\t<\[\]Object>\n/);
    assert.match(all.stdout, /\n {2}apiServerExtraArgs\t<map\[string\]string>\n/);
    assert.doesNotMatch(all.stdout, /dataCenter/);
    const tree = inProcess(['class', 'explain', vs, '--recursive']);
    assert.match(tree.stdout, /\n {4}dataCenter\t<string> -required-\n/);
    assert.match(tree.stdout, /\n {4}addressesFromPools\t<\[\]Object>\n {6}apiGroup\t<string> -required-\n/);
  });

  it('-o json', async () => {
    const r = inProcess(['class', 'explain', vs, 'proxy', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout) as { name: string; required: boolean; type: string; schema: { required: string[] } };
    assert.equal(data.name, 'proxy');
    assert.equal(data.type, 'Object');
    assert.deepEqual(data.schema.required, ['httpProxy', 'httpsProxy']);
  });

  it('unknown variable or field: exit 1; unreadable file: exit 2', async () => {
    const v = inProcess(['class', 'explain', vs, 'nope']);
    assert.equal(v.code, 1);
    assert.equal(v.stderr, 'error: variable "nope" is not defined in ClusterClass "tkg-vsphere-default"\n');
    const f = inProcess(['class', 'explain', vs, 'proxy.port']);
    assert.equal(f.code, 1);
    assert.equal(f.stderr, 'error: field "port" does not exist in proxy\n');
    const missing = await slipway(['class', 'explain', '/nonexistent/class.yaml']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'error: /nonexistent/class.yaml: no such file or directory\n');
    const noClass = inProcess(['class', 'explain', join(FIX, 'docker-clusters.yaml')]);
    assert.equal(noClass.code, 2);
    assert.match(noClass.stderr, /no ClusterClass found/);
  });
});
