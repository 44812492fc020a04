/**
 * Real etcd for tests: a one-member or three-member cluster from Debian's etcd-server
 * (/usr/bin/etcd, or $ETCD_BIN) on free loopback ports, each member in its own temp data dir.
 * Members can be stopped, killed with SIGKILL and started again (same data dir, same ports).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** The process runs (started and not yet exited). */
  running(): boolean;
  /** Start again after stop/kill (same data dir and ports); resolves once the member answers /health. */
  start(): Promise<void>;
  /** SIGTERM; resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL; resolves when the process has exited. */
  kill(): Promise<void>;
}

/** Files of a test PKI (made with openssl): clients trust caFile and present certFile/keyFile. */
export interface EtcdTestTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member. */
  readonly endpoints: string[];
  /** With `tls`: the client's CA and certificate (the members require client certificates). */
  readonly tls?: EtcdTestTls;
  /** The running member that is the raft leader, if one is known (plain-HTTP clusters only). */
  leader(): Promise<EtcdMember | undefined>;
  /** Kills every member (teardown: a graceful stop of a cluster takes seconds) and removes the data dirs. */
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** 1 (default) or 3. */
  members?: number;
  bin?: string;
  /** How long to wait for health (default 30 s). */
  timeoutMs?: number;
  /** Serve clients over TLS with client-certificate authentication (peers stay plain). */
  tls?: boolean;
}

interface ServerTls extends EtcdTestTls {
  serverCertFile: string;
  serverKeyFile: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost, and a client certificate (P-256 keys). */
function makeTestPki(dir: string): ServerTls {
  const f = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=slipway-test-etcd-ca');
  const issue = (name: string, cn: string, ext: string): void => {
    writeFileSync(f(`${name}.ext`), ext);
    ssl('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`));
  };
  issue('server', 'etcd', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  issue('client', 'slipway', 'extendedKeyUsage=clientAuth\n');
  return {
    caFile: f('ca.crt'),
    certFile: f('client.crt'),
    keyFile: f('client.key'),
    serverCertFile: f('server.crt'),
    serverKeyFile: f('server.key'),
  };
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) {
      try {
        p.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** GET /health answers {"health":"true"} once the member serves and has a leader. */
async function healthy(clientUrl: string, tls?: EtcdTestTls): Promise<boolean> {
  if (tls) return healthyTls(clientUrl, tls);
  try {
    const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1_000) });
    const body = (await res.json()) as { health?: string };
    return res.ok && body.health === 'true';
  } catch {
    return false;
  }
}

function healthyTls(clientUrl: string, tls: EtcdTestTls): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      `${clientUrl}/health`,
      { ca: readFileSync(tls.caFile), cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), timeout: 1_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 && (JSON.parse(body) as { health?: string }).health === 'true');
          } catch {
            resolve(false);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

class Member implements EtcdMember {
  private proc: ChildProcess | undefined;
  private stderr = '';

  constructor(
    readonly name: string,
    readonly clientUrl: string,
    readonly peerUrl: string,
    readonly dataDir: string,
    private readonly bin: string,
    private readonly initialCluster: string,
    private readonly timeoutMs: number,
    private readonly tls: ServerTls | undefined,
  ) {}

  running(): boolean {
    const p = this.proc;
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  /** Spawns the process; `waitHealthy` waits for /health (a cluster member needs its peers for that). */
  spawn(): void {
    if (this.running()) throw new Error(`etcd member ${this.name} already runs`);
    this.stderr = '';
    const proc = spawn(
      this.bin,
      [
        '--name', this.name,
        '--data-dir', join(this.dataDir, 'data'),
        '--listen-client-urls', this.clientUrl,
        '--advertise-client-urls', this.clientUrl,
        '--listen-peer-urls', this.peerUrl,
        '--initial-advertise-peer-urls', this.peerUrl,
        '--initial-cluster', this.initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', `slipway-test-${process.pid}`,
        '--logger', 'zap',
        '--log-level', 'error',
        ...(this.tls
          ? ['--cert-file', this.tls.serverCertFile, '--key-file', this.tls.serverKeyFile, '--trusted-ca-file', this.tls.caFile, '--client-cert-auth']
          : []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      if (this.stderr.length < 64_000) this.stderr += d;
    });
    proc.once('error', (e) => {
      this.stderr += String(e);
    });
    proc.once('exit', () => live.delete(proc));
    live.add(proc);
    this.proc = proc;
  }

  async waitHealthy(): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (!this.running()) throw new Error(`etcd member ${this.name} exited\n${this.stderr}`);
      if (await healthy(this.clientUrl, this.tls)) return;
      if (Date.now() > deadline) throw new Error(`etcd member ${this.name} not healthy within ${this.timeoutMs} ms\n${this.stderr}`);
      await pause(50);
    }
  }

  async start(): Promise<void> {
    this.spawn();
    await this.waitHealthy();
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || !this.running()) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(sig);
    await exited;
  }
}

/** Starts etcd on loopback; resolves once every member is healthy. */
export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdCluster> {
  const bin = opts.bin ?? process.env.ETCD_BIN ?? '/usr/bin/etcd';
  if (!existsSync(bin)) throw new Error(`etcd binary not found at ${bin} (install etcd-server or set ETCD_BIN)`);
  const n = opts.members ?? 1;
  if (n < 1) throw new Error('an etcd cluster needs at least one member');
  installExitHook();
  const root = mkdtempSync(join(tmpdir(), 'slipway-etcd-'));
  dirs.add(root);
  const ports = await distinctPorts(2 * n);
  const names = Array.from({ length: n }, (_, i) => `m${i}`);
  const tls = opts.tls ? makeTestPki(root) : undefined;
  const scheme = tls ? 'https' : 'http';
  const peerUrls = names.map((_, i) => `http://127.0.0.1:${ports[2 * i + 1]}`);
  const initialCluster = names.map((name, i) => `${name}=${peerUrls[i]}`).join(',');
  const members = names.map(
    (name, i) =>
      new Member(name, `${scheme}://127.0.0.1:${ports[2 * i]}`, peerUrls[i]!, join(root, name), bin, initialCluster, opts.timeoutMs ?? 30_000, tls),
  );
  const stopAll = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.kill()));
    rmSync(root, { recursive: true, force: true });
    dirs.delete(root);
  };
  try {
    for (const m of members) m.spawn();
    await Promise.all(members.map((m) => m.waitHealthy()));
  } catch (err) {
    await Promise.all(members.map((m) => m.kill()));
    rmSync(root, { recursive: true, force: true });
    dirs.delete(root);
    throw err;
  }
  return {
    members,
    endpoints: members.map((m) => m.clientUrl),
    ...(tls ? { tls: { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile } } : {}),
    leader: () => (tls ? Promise.resolve(undefined) : findLeader(members)),
    stop: stopAll,
  };
}

interface StatusReply {
  header?: { member_id?: string };
  leader?: string;
}

/** Asks each running member (grpc-gateway /v3/maintenance/status) whether it is the leader. */
async function findLeader(members: readonly Member[]): Promise<EtcdMember | undefined> {
  for (const m of members) {
    if (!m.running()) continue;
    try {
      const res = await fetch(`${m.clientUrl}/v3/maintenance/status`, {
        method: 'POST',
        body: '{}',
        signal: AbortSignal.timeout(1_000),
      });
      if (!res.ok) continue;
      const st = (await res.json()) as StatusReply;
      if (st.leader && st.header?.member_id === st.leader) return m;
    } catch {
      /* not answering */
    }
  }
  return undefined;
}
