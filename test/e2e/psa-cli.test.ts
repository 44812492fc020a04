/**
 * `slipway psa check` on real files, directories and stdin: text and JSON Lines output, exit codes
 * 0/1/2. Most cases call the command's function in-process (fast); four runs go through a child
 * process (the command from the TypeScript sources) to cover the process's exit code, stdin and
 * help.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { psaCheck, register, type CheckOptions } from '../../src/cli/commands/psa.js';

const PSA = new URL('../../src/cli/commands/psa.ts', import.meta.url).href;
const TSX = import.meta.resolve('tsx');
const COMMANDER = import.meta.resolve('commander');
// A `slipway` program with just this command (the full program's help is covered by cli.test.ts):
// loads in a fraction of the time on a busy machine.
const ENTRY = `const { Command } = await import(${JSON.stringify(COMMANDER)}); const m = await import(${JSON.stringify(PSA)});
const p = new Command('slipway'); m.register(p); await p.parseAsync(['node', 'slipway', ...process.argv.slice(1)]);`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real command in a child process. */
function spawned(args: string[], input?: string, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', TSX, '--input-type=module', '-e', ENTRY, '--', ...args], { timeout: 120_000, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(input ?? '');
  });
}

/** The command's function in this process, with `slipway psa check`'s option parsing. */
async function slipway(args: string[], input = ''): Promise<Run> {
  assert.deepEqual(args.slice(0, 2), ['psa', 'check']);
  const program = new Command('slipway').exitOverride();
  register(program);
  let opts: CheckOptions | undefined;
  const check = program.commands.find((c) => c.name() === 'psa')!.commands.find((c) => c.name() === 'check')!;
  check.exitOverride().action((o: CheckOptions) => {
    opts = o;
  });
  await program.parseAsync(['node', 'slipway', ...args]);
  let stdout = '';
  let stderr = '';
  const code = psaCheck(opts!, { out: (t) => (stdout += t), err: (t) => (stderr += t), stdin: () => input });
  return { code, stdout, stderr };
}

const HARDENED = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: api
        image: registry.example/api:1
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
`;

const LOOSE = `# a ConfigMap is not evaluated
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: nginx
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ops}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          hostNetwork: true
          restartPolicy: OnFailure
          containers:
          - name: job
            image: busybox
            securityContext: {capabilities: {add: [NET_ADMIN]}}
`;

const RESTRICTED_WEB =
  'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe('slipway psa check', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-psa-cli-'));
    mkdirSync(join(dir, 'manifests', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'manifests', 'api.yaml'), HARDENED);
    writeFileSync(join(dir, 'manifests', 'nested', 'loose.yml'), LOOSE);
    writeFileSync(join(dir, 'manifests', 'README.md'), '# not a manifest\n');
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n spec: [\n');
    writeFileSync(join(dir, 'malformed.yaml'), HARDENED + '---\napiVersion: v1\nkind: Pod\nmetadata: {name: m}\nspec:\n  containers: {name: a}\n');
    writeFileSync(join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'in-list' }, spec: { hostPID: true, containers: [{ name: 'c' }] } }] }, null, 1));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 with no output on stdout when nothing violates', async () => {
    const r = await slipway(['psa', 'check', '-f', join(dir, 'manifests', 'api.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '1 object checked against restricted:latest: none violates\n');
  });

  it('prints one line per violating object with file, line, kind, namespace/name and message; exits 1', async () => {
    const r = await spawned(['psa', 'check', '-f', 'manifests'], undefined, dir);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      `manifests/nested/loose.yml:7: Pod web: ${RESTRICTED_WEB}`,
      'manifests/nested/loose.yml:16: CronJob ops/nightly: violates PodSecurity "restricted:latest": ' +
        'allowPrivilegeEscalation != false (container "job" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "job" must set securityContext.capabilities.drop=["ALL"]; container "job" must not include "NET_ADMIN" in securityContext.capabilities.add), ' +
        'host namespaces (hostNetwork=true), ' +
        'runAsNonRoot != true (pod or container "job" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "job" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
    assert.equal(r.stderr, '3 objects checked against restricted:latest: 2 violate\n');
  });

  it('honours --level and --version', async () => {
    const r = await slipway(['psa', 'check', '-f', join(dir, 'manifests'), '--level', 'baseline', '--version', 'v1.20']);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /CronJob ops\/nightly: violates PodSecurity "baseline:v1.20": non-default capabilities \(container "job" must not include "NET_ADMIN" in securityContext.capabilities.add\), host namespaces \(hostNetwork=true\)$/);
  });

  it('-o json prints JSON Lines, one per evaluated object, with upstream check ids (stdin, real process)', async () => {
    const r = await spawned(['psa', 'check', '-f', '-', '-o', 'json'], LOOSE + '---\n' + HARDENED);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows.map((x) => [x.file, x.kind, x.namespace, x.name, x.allowed]), [
      ['-', 'Pod', null, 'web', false],
      ['-', 'CronJob', 'ops', 'nightly', false],
      ['-', 'Deployment', 'shop', 'api', true],
    ]);
    assert.deepEqual(Object.keys(rows[0]!), ['file', 'kind', 'namespace', 'name', 'allowed', 'violations']);
    const cron = rows[1]!.violations as { check: string; reason: string; detail: string }[];
    assert.deepEqual(cron.map((v) => v.check), ['allowPrivilegeEscalation', 'capabilities_restricted', 'hostNamespaces', 'runAsNonRoot', 'seccompProfile_restricted']);
    assert.deepEqual(cron[2], { check: 'hostNamespaces', reason: 'host namespaces', detail: 'hostNetwork=true' });
    assert.deepEqual(rows[2]!.violations, []);
  });

  it('expands List objects (JSON input) and names the item line', async () => {
    const r = await slipway(['psa', 'check', '-f', join(dir, 'list.json'), '--level', 'baseline']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, `${join(dir, 'list.json')}:5: Pod in-list: violates PodSecurity "baseline:latest": host namespaces (hostPID=true)\n`);
  });

  it('exits 2 on unreadable input, naming the file and YAML line', async () => {
    const missing = await slipway(['psa', 'check', '-f', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `error: ${join(dir, 'nope.yaml')}: no such file or directory\n`);

    const broken = await slipway(['psa', 'check', '-f', join(dir, 'broken.yaml')]);
    assert.equal(broken.code, 2);
    assert.equal(broken.stdout, '');
    assert.match(broken.stderr, new RegExp(`^error: ${join(dir, 'broken.yaml').replace(/[.]/g, '\\.')}:5: invalid YAML: `));

    const malformed = await slipway(['psa', 'check', '-f', join(dir, 'malformed.yaml'), '-o', 'json']);
    assert.equal(malformed.code, 2);
    assert.equal(malformed.stdout, '');
    assert.equal(malformed.stderr, `error: ${join(dir, 'malformed.yaml')}:19: Pod m: spec.containers: must be a list\n`);

    const notObject = await slipway(['psa', 'check', '-f', '-'], '- a\n- b\n');
    assert.equal(notObject.code, 2);
    assert.equal(notObject.stderr, 'error: -:1: not a Kubernetes object (expected a mapping with apiVersion and kind)\n');
  });

  it('exits 2 on bad flags with a one-line error naming the flag and value', async () => {
    const cases: [string[], string][] = [
      [['psa', 'check'], 'error: -f/--filename is required: a file, a directory or - for stdin\n'],
      [['psa', 'check', '-f', '-', '--level', 'privileged'], 'error: --level must be baseline or restricted, got "privileged"\n'],
      [['psa', 'check', '-f', '-', '--version', '1.30'], 'error: --version must be "latest" or "v1.x", got "1.30"\n'],
      [['psa', 'check', '-f', '-', '-o', 'yaml'], 'error: -o/--output must be text or json, got "yaml"\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = await slipway(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, stderr);
    }
  });

  it('has help with an example', async () => {
    const [group, check] = await Promise.all([spawned(['psa', '--help']), spawned(['psa', 'check', '--help'])]);
    assert.equal(group.code, 0, group.stderr);
    assert.match(group.stdout, /Usage: slipway psa \[options\] \[command\]/);
    assert.match(group.stdout, /Example:\n {2}slipway psa check -f deploy\.yaml/);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /Usage: slipway psa check \[options\]/);
    assert.match(check.stdout, /slipway psa check -f manifests\//);
  });
});
