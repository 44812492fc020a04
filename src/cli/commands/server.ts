import { InvalidArgumentError, Option, type Command } from 'commander';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { DEFAULT_WORKLOAD_BEHAVIOUR } from '../../controllers/workload/index.js';
import { limitHeapGrowth } from '../../server/heap-growth.js';
import { ManagementPlane } from '../../server/management-plane.js';
import { parseEtcdUrls } from '../etcd-flags.js';
import { chooseLogFormat, readableLogStream } from '../log-format.js';

/** A non-negative number of seconds, or a usage error naming the value. */
function seconds(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${text}" is not a number of seconds (0 or more)`);
  return n;
}

/** `a,b,c` as a list of etcd client URLs (at least one). */
function commaList(text: string): string[] {
  const urls = parseEtcdUrls(text);
  if (!urls.length) throw new InvalidArgumentError('no URL given');
  return urls;
}

/** A whole number, 0 or more. */
function positiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${text}" is not a whole number (0 or more)`);
  return n;
}

/** The audit flags, checked: a policy without a log path (or the reverse) is a mistake worth stopping for. */
function auditFlags(o: { auditPolicyFile?: string; auditLogPath?: string; auditLogMaxsize: number; auditLogMaxbackup: number; auditLogMaxage: number }): { policyFile: string; logPath: string; maxSizeMB: number; maxBackups: number; maxAgeDays: number } | undefined {
  if (!o.auditPolicyFile && !o.auditLogPath) return undefined;
  if (!o.auditPolicyFile) throw new InvalidArgumentError('--audit-log-path needs --audit-policy-file (which requests to log, and how much)');
  if (!o.auditLogPath) throw new InvalidArgumentError('--audit-policy-file needs --audit-log-path (where to write the events)');
  return { policyFile: resolve(o.auditPolicyFile), logPath: o.auditLogPath === '-' ? '-' : resolve(o.auditLogPath), maxSizeMB: o.auditLogMaxsize, maxBackups: o.auditLogMaxbackup, maxAgeDays: o.auditLogMaxage };
}

/** `slipway server`: the management plane. */
/** kube-apiserver's rule for --service-account-issuer: any name, but one with a ':' must be a URL. */
function issuerFlag(text: string): string {
  if (!text) throw new InvalidArgumentError('--service-account-issuer must not be empty');
  if (text.includes(':')) {
    try {
      new URL(text);
    } catch {
      throw new InvalidArgumentError(`--service-account-issuer "${text}" contains a ':' but is not a valid URL`);
    }
  }
  return text;
}

/** An https URL without query or fragment (what kube-apiserver accepts for the issuer and jwks_uri). */
function httpsUrl(flag: string): (text: string) => string {
  return (text: string): string => {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw new InvalidArgumentError(`${flag} "${text}" is not a URL`);
    }
    if (u.protocol !== 'https:' || u.search || u.hash) throw new InvalidArgumentError(`${flag} "${text}" must be an https URL without query or fragment`);
    return text;
  };
}

export function register(program: Command): void {
  program
    .command('server')
    .description('run the management plane: an HTTPS Kubernetes API server on embedded storage')
    .option('--data-dir <dir>', 'where state, certificates and admin.kubeconfig live', join(homedir(), '.slipway'))
    .option('--listen <host:port>', 'address to serve HTTPS on', '127.0.0.1:6443')
    .option('--token-auth-file <file>', 'static bearer tokens, CSV: token,user,uid,"group1,group2"')
    .option('--pod-security-config <file>', 'PodSecurityConfiguration (pod-security.admission.config.k8s.io/v1): enables Pod Security Admission')
    .addOption(new Option('--storage <engine>', 'storage engine: sqlite (DATA_DIR/state.db), etcd (--etcd-servers) or memory').choices(['sqlite', 'etcd', 'memory']).default('sqlite'))
    .option('--etcd-servers <urls>', 'with --storage etcd: the etcd members\' client URLs, comma-separated (http:// or https://)', commaList)
    .option('--etcd-prefix <prefix>', 'with --storage etcd: prepended to every key (several planes sharing an etcd use the same prefix)')
    .option('--etcd-cafile <file>', 'with --storage etcd over https: the CA that signed the members\' certificates')
    .option('--etcd-certfile <file>', 'with --storage etcd: client certificate for etcd\'s --client-cert-auth')
    .option('--etcd-keyfile <file>', 'with --storage etcd: the client certificate\'s key')
    .option('--audit-policy-file <file>', 'audit.k8s.io/v1 Policy (YAML or JSON): which requests are logged and at which level; needs --audit-log-path')
    .option('--audit-log-path <file>', 'JSON Lines audit log ("-" for standard output); needs --audit-policy-file')
    .option('--audit-log-maxsize <MB>', 'rotate the audit log when it reaches this many megabytes (0 means 100, as kube-apiserver)', positiveInt, 100)
    .option('--audit-log-maxbackup <n>', 'rotated audit logs kept (0: all)', positiveInt, 0)
    .option('--audit-log-maxage <days>', 'days rotated audit logs are kept (0: forever)', positiveInt, 0)
    .addOption(new Option('--authorization-mode <mode>', 'RBAC: requests are allowed by roles and bindings (system:masters may do anything); AlwaysAllow: any authenticated user may do anything').choices(['RBAC', 'AlwaysAllow']).default('RBAC'))
    .option('--service-account-issuer <url>', 'the iss of ServiceAccount tokens this plane issues (and their default audience); discovery is served when it is an https URL', issuerFlag, 'https://kubernetes.default.svc.cluster.local')
    .option('--service-account-jwks-uri <url>', 'the jwks_uri of /.well-known/openid-configuration, for verifiers that reach the keys elsewhere (default https://<listen address>/openid/v1/jwks)', httpsUrl('--service-account-jwks-uri'))
    .option('--sim-pod-start-seconds <s>', 'sim workload clusters: seconds from a Pod bound to a Node to its containers running', seconds, DEFAULT_WORKLOAD_BEHAVIOUR.containerStartSeconds)
    .option('--sim-pod-ready-seconds <s>', 'sim workload clusters: seconds from running to Ready (or the readiness probe\'s initialDelaySeconds)', seconds, DEFAULT_WORKLOAD_BEHAVIOUR.readinessSeconds)
    .option('--sim-job-run-seconds <s>', 'sim workload clusters: seconds a Job\'s Pod runs before it succeeds (annotation sim.slipway.dev/run-seconds overrides)', seconds, DEFAULT_WORKLOAD_BEHAVIOUR.jobRunSeconds)
    .addOption(new Option('--log-format <format>', 'log lines: text (readable), json (one object a line) or auto (text on a terminal, else json)').choices(['auto', 'text', 'json']).default('auto'))
    .addOption(new Option('--log-level <level>', 'the least severe level logged').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'))
    .addHelpText('after', '\nExample:\n  slipway server --data-dir ~/.slipway --listen 127.0.0.1:6443\n  kubectl --kubeconfig ~/.slipway/admin.kubeconfig get namespaces\n')
    .action(async (o: { dataDir: string; listen: string; tokenAuthFile?: string; podSecurityConfig?: string; storage: 'sqlite' | 'memory' | 'etcd'; etcdServers?: string[]; etcdPrefix?: string; etcdCafile?: string; etcdCertfile?: string; etcdKeyfile?: string; authorizationMode: 'RBAC' | 'AlwaysAllow'; serviceAccountIssuer: string; serviceAccountJwksUri?: string; auditPolicyFile?: string; auditLogPath?: string; auditLogMaxsize: number; auditLogMaxbackup: number; auditLogMaxage: number; logFormat: string; logLevel: string; simPodStartSeconds: number; simPodReadySeconds: number; simJobRunSeconds: number }) => {
      limitHeapGrowth();
      const format = chooseLogFormat(o.logFormat, process.stdout.isTTY);
      const logger =
        format === 'text'
          ? pino({ name: 'slipway', level: o.logLevel }, readableLogStream((t) => process.stdout.write(t), !!process.stdout.isTTY && !process.env.NO_COLOR))
          : pino({ name: 'slipway', level: o.logLevel });
      // Signals are handled from the start: one arriving while the plane starts stops it once it is up.
      let plane: ManagementPlane | undefined;
      let stopping = false;
      const stop = (p: ManagementPlane): void => {
        const force = setTimeout(() => process.exit(1), 5000);
        force.unref();
        void p.stop().then(() => process.exit(0));
      };
      const shutdown = (sig: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal: sig }, 'shutting down');
        if (plane) stop(plane);
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      const workloadBehaviour = { containerStartSeconds: o.simPodStartSeconds, readinessSeconds: o.simPodReadySeconds, jobRunSeconds: o.simJobRunSeconds };
      plane = await ManagementPlane.start({ dataDir: resolve(o.dataDir), listen: o.listen, tokenFile: o.tokenAuthFile, podSecurityConfig: o.podSecurityConfig, storage: o.storage, etcd: o.etcdServers ? { servers: o.etcdServers, prefix: o.etcdPrefix, caFile: o.etcdCafile, certFile: o.etcdCertfile, keyFile: o.etcdKeyfile } : undefined, authorization: o.authorizationMode, serviceAccountIssuer: o.serviceAccountIssuer, serviceAccountJwksUri: o.serviceAccountJwksUri, audit: auditFlags(o), logger, workloadBehaviour });
      if (stopping) stop(plane);
    });
}
