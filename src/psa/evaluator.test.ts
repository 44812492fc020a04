/** Table tests of the evaluator: wording of every check, and each check's version revisions. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LATEST, minorVersion, parseLevel, parseVersion, PsaParseError, type Level } from './api.js';
import { evaluatePod, violationMessage } from './evaluator.js';
import { checksFor, MAX_VERSION } from './registry.js';

type Spec = Record<string, unknown>;
const at = (level: Level, v: number | 'latest') => ({ level, version: v === 'latest' ? LATEST : minorVersion(v) });

/** A pod that passes restricted at every version, with `patch` merged into its spec. */
function good(patch: Spec = {}, containerPatch: Spec = {}): Spec {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'nginx', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }, ...containerPatch }],
    ...patch,
  };
}

function failures(level: Level, v: number | 'latest', spec: Spec, annotations?: Record<string, string>): Record<string, string> {
  const r = evaluatePod(at(level, v), { name: 'p', annotations }, spec);
  return Object.fromEntries(r.violations.map((x) => [x.check, `${x.reason} (${x.detail})`]));
}

describe('PSA evaluator', () => {
  it('produces the upstream message for a bare container at restricted', () => {
    const r = evaluatePod(at('restricted', 30), { name: 'web' }, { containers: [{ name: 'app', image: 'nginx' }] });
    assert.equal(r.allowed, false);
    assert.equal(
      violationMessage(at('restricted', 30), r.violations),
      'violates PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    assert.deepEqual(
      r.violations.map((v) => v.check),
      ['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted'],
    );
    assert.match(violationMessage(at('baseline', 'latest'), r.violations, true), /^would violate PodSecurity "baseline:latest": /);
  });

  it('allows everything at privileged and a hardened pod at restricted:latest', () => {
    assert.equal(evaluatePod(at('privileged', 'latest'), {}, { hostNetwork: true, containers: [{ name: 'a', securityContext: { privileged: true } }] }).allowed, true);
    assert.deepEqual(failures('restricted', 'latest', good()), {});
    assert.deepEqual(failures('baseline', 'latest', { containers: [{ name: 'a' }] }), {});
  });

  it('words each baseline check as upstream', () => {
    const cases: [string, Spec, Record<string, string> | undefined, string][] = [
      ['hostNamespaces', { hostNetwork: true, hostPID: true, containers: [{ name: 'a' }] }, undefined, 'host namespaces (hostNetwork=true, hostPID=true)'],
      ['privileged', { containers: [{ name: 'a', securityContext: { privileged: true } }, { name: 'b', securityContext: { privileged: true } }] }, undefined, 'privileged (containers "a", "b" must not set securityContext.privileged=true)'],
      ['capabilities_baseline', { containers: [{ name: 'a', securityContext: { capabilities: { add: ['NET_RAW', 'CHOWN', 'SYS_ADMIN'] } } }] }, undefined, 'non-default capabilities (container "a" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add)'],
      ['hostPathVolumes', { containers: [{ name: 'a' }], volumes: [{ name: 'x', hostPath: { path: '/' } }, { name: 'y', hostPath: { path: '/etc' } }] }, undefined, 'hostPath volumes (volumes "x", "y")'],
      ['hostPorts', { containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 443 }] }] }, undefined, 'hostPort (container "a" uses hostPorts 443, 8080)'],
      ['appArmorProfile', { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [{ name: 'a' }] }, { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' }, 'forbidden AppArmor profiles (pod and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a=\\"unconfined\\"")'],
      ['seLinuxOptions', { securityContext: { seLinuxOptions: { type: 'spc_t', user: 'root' } }, containers: [{ name: 'a', securityContext: { seLinuxOptions: { role: 'r' } } }] }, undefined, 'seLinuxOptions (pod and container "a" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set; role may not be set)'],
      ['procMount', { containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }] }, undefined, 'procMount (container "a" must not set securityContext.procMount to "Unmasked")'],
      ['seccompProfile_baseline', { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'a' }] }, undefined, 'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")'],
      ['sysctls', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'net.ipv4.tcp_syncookies', value: '1' }] }, containers: [{ name: 'a' }] }, undefined, 'forbidden sysctls (kernel.msgmax)'],
      ['windowsHostProcess', { securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: 'a', securityContext: { windowsOptions: { hostProcess: true } } }] }, undefined, 'hostProcess (pod and container "a" must not set securityContext.windowsOptions.hostProcess=true)'],
      ['hostProbesAndHostLifecycle', { containers: [{ name: 'b', livenessProbe: { httpGet: { host: 'x.example', port: 80 } } }, { name: 'a', lifecycle: { preStop: { tcpSocket: { host: '10.0.0.1', port: 1 } } } }] }, undefined, 'probe or lifecycle host (containers "a", "b" use probe or lifecycle hosts "10.0.0.1", "x.example")'],
    ];
    for (const [check, spec, annotations, want] of cases) {
      assert.equal(failures('baseline', 'latest', spec, annotations)[check], want, check);
    }
  });

  it('words each restricted check as upstream', () => {
    const cases: [string, Spec, string][] = [
      ['restrictedVolumes', good({ volumes: [{ name: 'ok', configMap: { name: 'c' } }, { name: 'nfs', nfs: { server: 's', path: '/' } }, { name: 'git', gitRepo: { repository: 'r' } }] }), 'restricted volume types (volumes "nfs", "git" use restricted volume types "gitRepo", "nfs")'],
      ['runAsNonRoot', good({ securityContext: { runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } } }), 'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)'],
      ['runAsUser', good({ securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } }), 'runAsUser=0 (pod must not set runAsUser=0)'],
      ['seccompProfile_restricted', good({}, { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'Unconfined' } } }), 'seccompProfile (container "app" must not set securityContext.seccompProfile.type to "Unconfined")'],
      ['capabilities_restricted', good({}, { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['NET_RAW'], add: ['SYS_TIME', 'NET_BIND_SERVICE'] } } }), 'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "SYS_TIME" in securityContext.capabilities.add)'],
      ['allowPrivilegeEscalation', good({}, { securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] } } }), 'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)'],
    ];
    for (const [check, spec, want] of cases) {
      const f = failures('restricted', 'latest', spec);
      assert.deepEqual(Object.keys(f), [check], check);
      assert.equal(f[check], want, check);
    }
  });

  it('checks init, regular and ephemeral containers', () => {
    for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
      const spec = good();
      (spec[field] as unknown) = [...((spec[field] as unknown[]) ?? []), { name: 'x', securityContext: { privileged: true } }];
      assert.match(failures('baseline', 'latest', spec).privileged ?? '', /container "x" must not set securityContext\.privileged=true/, field);
    }
  });

  it('applies each revision from its version on', () => {
    const bare = { containers: [{ name: 'a' }] };
    assert.deepEqual(Object.keys(failures('restricted', 7, bare)), ['runAsNonRoot']);
    assert.deepEqual(Object.keys(failures('restricted', 8, bare)), ['allowPrivilegeEscalation', 'runAsNonRoot']);
    assert.deepEqual(Object.keys(failures('restricted', 19, bare)), ['allowPrivilegeEscalation', 'runAsNonRoot', 'seccompProfile_restricted']);
    assert.deepEqual(Object.keys(failures('restricted', 22, bare)), ['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted']);

    // seccomp: annotations before v1.19, fields from v1.19.
    const ann = { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' };
    assert.equal(failures('baseline', 18, bare, ann).seccompProfile_baseline, 'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")');
    assert.deepEqual(failures('baseline', 19, bare, ann), {});
    const field = { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'a' }] };
    assert.deepEqual(failures('baseline', 18, field), {});
    assert.ok(failures('baseline', 19, field).seccompProfile_baseline);

    // runAsUser from v1.23.
    const root = good({ securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } });
    assert.deepEqual(failures('restricted', 22, root), {});
    assert.deepEqual(Object.keys(failures('restricted', 23, root)), ['runAsUser']);

    // Windows pods exempt from allowPrivilegeEscalation, capabilities and seccomp from v1.25.
    const win = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'a' }] };
    assert.deepEqual(Object.keys(failures('restricted', 24, win)), ['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
    assert.deepEqual(failures('restricted', 25, win), {});

    // Sysctls allowed list grows at v1.27, v1.29, v1.32, v1.37.
    const sysctl = (name: string) => ({ securityContext: { sysctls: [{ name, value: '1' }] }, containers: [{ name: 'a' }] });
    for (const [name, from] of [['net.ipv4.ip_local_reserved_ports', 27], ['net.ipv4.tcp_keepalive_time', 29], ['net.ipv4.tcp_fin_timeout', 29], ['net.ipv4.tcp_rmem', 32], ['net.ipv4.tcp_wmem', 32], ['net.ipv4.tcp_notsent_lowat', 37]] as const) {
      assert.ok(failures('baseline', from - 1, sysctl(name)).sysctls, `${name} before v1.${from}`);
      assert.deepEqual(failures('baseline', from, sysctl(name)), {}, `${name} at v1.${from}`);
    }

    // SELinux container_engine_t from v1.31.
    const engine = { securityContext: { seLinuxOptions: { type: 'container_engine_t' } }, containers: [{ name: 'a' }] };
    assert.ok(failures('baseline', 30, engine).seLinuxOptions);
    assert.deepEqual(failures('baseline', 31, engine), {});

    // Probe and lifecycle hosts from v1.34.
    const probe = { containers: [{ name: 'a', readinessProbe: { tcpSocket: { host: '127.0.0.1', port: 1 } } }] };
    assert.deepEqual(failures('baseline', 33, probe), {});
    assert.ok(failures('baseline', 34, probe).hostProbesAndHostLifecycle);
  });

  it('relaxes for pods in a user namespace (hostUsers: false) from v1.35', () => {
    const unmasked = { hostUsers: false, containers: [{ name: 'a', securityContext: { procMount: 'Unmasked' } }] };
    assert.ok(failures('baseline', 34, unmasked).procMount);
    assert.deepEqual(failures('baseline', 35, unmasked), {});
    // Restricted still forbids it, through procMount_restricted (which overrides procMount).
    const r = failures('restricted', 35, good({ hostUsers: false }, { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, procMount: 'Unmasked' } }));
    assert.deepEqual(Object.keys(r), ['procMount_restricted']);
    assert.equal(checksFor('restricted', minorVersion(35)).overridden.get('procMount'), 'procMount_restricted');

    const rootInUserNs = good({ hostUsers: false, securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } });
    assert.deepEqual(Object.keys(failures('restricted', 34, rootInUserNs)), ['runAsNonRoot', 'runAsUser']);
    assert.deepEqual(failures('restricted', 35, rootInUserNs), {});
  });

  it('evaluates latest and versions past the newest revision as the newest', () => {
    assert.equal(MAX_VERSION, 37);
    const newest = checksFor('restricted', minorVersion(MAX_VERSION)).checks;
    assert.equal(checksFor('restricted', LATEST).checks, newest);
    assert.equal(checksFor('restricted', minorVersion(99)).checks, newest);
    assert.equal(checksFor('privileged', LATEST).checks.length, 0);
  });

  it('parses levels and versions strictly', () => {
    assert.equal(parseLevel('baseline'), 'baseline');
    assert.throws(() => parseLevel('Baseline'), PsaParseError);
    assert.deepEqual(parseVersion('v1.30'), { latest: false, minor: 30 });
    assert.deepEqual(parseVersion('latest'), LATEST);
    for (const bad of ['1.30', 'v1.030', 'v2.0', 'v1', 'v1.x', '']) assert.throws(() => parseVersion(bad), /must be "latest" or "v1.x"/, bad);
  });

  it('tolerates wrong JSON types instead of throwing', () => {
    const weird = { containers: 'nope', initContainers: [null, 3, { name: 'i', securityContext: 'x' }], securityContext: [], volumes: {} };
    const r = evaluatePod(at('restricted', 'latest'), null, weird);
    assert.equal(r.allowed, false);
    assert.deepEqual(r.violations.map((v) => v.check), ['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted']);
  });
});
