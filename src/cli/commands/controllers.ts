import { Option, type Command } from 'commander';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino, type Level } from 'pino';
import { kubeconfigClient } from '../../client/index.js';
import { setupClusterApiControllers } from '../../controllers/index.js';
import { ClusterCache } from '../../controllers/shared/cluster-cache.js';
import { kubeconfigSecretConnector } from '../../controllers/shared/connectors.js';
import { CachedReader } from '../../controllers/shared/reader.js';
import { Manager, type ControllerSetup } from '../../runtime/manager.js';

/** The Cluster API controllers against any API server: workload clusters are reached through `<cluster>-kubeconfig` Secrets. */
const clusterApiControllers: ControllerSetup = {
  name: 'cluster-api',
  description: 'Cluster, Machine, MachineSet, MachineDeployment, MachineHealthCheck, KubeadmControlPlane, KubeadmConfig, ClusterClass and topology controllers',
  setup(manager) {
    const reader = new CachedReader(manager.client, manager.informers);
    const clusterCache = new ClusterCache(kubeconfigSecretConnector(reader), { clock: manager.clock, logger: manager.log.child({ component: 'cluster-cache' }) });
    setupClusterApiControllers({ manager, reader, clusterCache });
  },
};

/**
 * Controller bundles built into Slipway. Each controller issue adds its setup here; `--controllers`
 * picks a subset by name and `--load` adds bundles from other modules. (The sim provider runs only inside the plane:
 * its machines live in the plane's own logical clusters.)
 */
export const BUILTIN_CONTROLLERS: ControllerSetup[] = [clusterApiControllers];

interface Options {
  kubeconfig?: string;
  context?: string;
  controllers?: string;
  load: string[];
  metricsBindAddress: string;
  leaderElect: boolean;
  leaderElectNamespace: string;
  leaderElectName: string;
  leaseDuration: string;
  identity?: string;
  logLevel: Level;
}

/** "15s", "500ms", "2m", "1h" or plain seconds → milliseconds. */
export function parseDuration(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new Error(`${flag}: invalid duration "${value}" (use e.g. 15s, 500ms, 2m)`);
  const n = Number(m[1]);
  const ms = n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (ms < 1000) throw new Error(`${flag}: "${value}" is too short (at least 1s)`);
  return ms;
}

/** Import a module of controller setups: `export function setup(manager)`, `export default {name, setup}` or `export const controllers = [...]`. */
async function loadModule(file: string): Promise<ControllerSetup[]> {
  const full = isAbsolute(file) ? file : resolve(process.cwd(), file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`--load ${file}: cannot import: ${(e as Error).message.split('\n')[0]}`);
  }
  const out: ControllerSetup[] = [];
  const isSetup = (v: unknown): v is ControllerSetup => typeof v === 'object' && v !== null && typeof (v as ControllerSetup).setup === 'function';
  if (typeof mod.setup === 'function') out.push({ name: file, description: `loaded from ${file}`, setup: mod.setup as ControllerSetup['setup'] });
  if (isSetup(mod.default)) out.push(mod.default);
  if (Array.isArray(mod.controllers)) out.push(...mod.controllers.filter(isSetup));
  if (!out.length) throw new Error(`--load ${file}: exports no setup(manager) function, default ControllerSetup or controllers list`);
  return out;
}

function pickBuiltins(list: string | undefined): ControllerSetup[] {
  if (list === undefined) return BUILTIN_CONTROLLERS;
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  return names.map((n) => {
    const c = BUILTIN_CONTROLLERS.find((x) => x.name === n);
    if (!c) throw new Error(`--controllers: unknown controller "${n}" (available: ${BUILTIN_CONTROLLERS.map((x) => x.name).join(', ') || 'none built in yet'})`);
    return c;
  });
}

/** `slipway controllers`: the controller manager against any Kubernetes API server. */
export function register(program: Command): void {
  program
    .command('controllers')
    .description('run the controller manager against a Kubernetes API server (from a kubeconfig)')
    .option('--kubeconfig <file>', 'kubeconfig of the API server (default $KUBECONFIG)')
    .option('--context <name>', 'kubeconfig context to use (default: current-context)')
    .option('--controllers <names>', `comma-separated built-in controllers to run (default: all; built in: ${BUILTIN_CONTROLLERS.map((c) => c.name).join(', ')})`)
    .option('--load <module>', 'also run the controllers an ES module exports (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--metrics-bind-address <host:port>', 'serve /metrics, /healthz and /readyz here ("0" disables)', '127.0.0.1:8080')
    .option('--no-leader-elect', 'run controllers without taking the leader Lease first')
    .option('--leader-elect-namespace <ns>', 'namespace of the leader Lease', 'kube-system')
    .option('--leader-elect-name <name>', 'name of the leader Lease', 'slipway-controllers')
    .option('--lease-duration <duration>', 'how long a leader Lease is valid without renewal', '15s')
    .option('--identity <id>', 'leader-election identity (default <hostname>_<uuid>)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'))
    .addHelpText(
      'after',
      `
Logs are JSON lines on stdout. SIGTERM or SIGINT stops the manager within 5 s, releasing the Lease.
Exit codes: 0 after a clean stop, 1 when the manager cannot start (bad flag, kubeconfig or module).

Example:
  slipway controllers --kubeconfig ~/.slipway/admin.kubeconfig --metrics-bind-address 127.0.0.1:8080
  curl http://127.0.0.1:8080/metrics
  slipway controllers --kubeconfig prod.kubeconfig --context admin --lease-duration 30s --load ./my-controllers.js
`,
    )
    .action(async (o: Options) => {
      const kubeconfig = o.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0];
      if (!kubeconfig) throw new Error('--kubeconfig is required (or set KUBECONFIG)');
      const leaseDurationMs = parseDuration('--lease-duration', o.leaseDuration);
      const metricsBindAddress = o.metricsBindAddress === '0' ? undefined : o.metricsBindAddress;
      if (metricsBindAddress && !/^(?:\[[^\]]+\]|[^:]*):\d+$/.test(metricsBindAddress)) {
        throw new Error(`--metrics-bind-address must be HOST:PORT (e.g. 127.0.0.1:8080) or 0, got "${o.metricsBindAddress}"`);
      }
      const setups = pickBuiltins(o.controllers);
      for (const file of o.load) setups.push(...(await loadModule(file)));
      const log = pino({ name: 'slipway-controllers', level: o.logLevel });
      const client = await kubeconfigClient(kubeconfig, { context: o.context, userAgent: 'slipway-controllers' });
      const manager = new Manager({
        client,
        logger: log,
        metricsBindAddress,
        leaderElection: o.leaderElect
          ? { namespace: o.leaderElectNamespace, name: o.leaderElectName, identity: o.identity, leaseDurationMs, renewDeadlineMs: Math.round((leaseDurationMs * 2) / 3), retryPeriodMs: Math.max(200, Math.round(leaseDurationMs / 7.5)) }
          : undefined,
      });
      for (const s of setups) await s.setup(manager);
      let stopping = false;
      const shutdown = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 5000);
        force.unref();
        void manager.stop().then(() => {
          client.close();
          process.exit(0);
        });
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      await manager.start();
      log.info({ identity: manager.identity, metrics: manager.metricsUrl, controllers: manager.controllerList.map((c) => c.name), leaderElection: o.leaderElect }, 'controller manager started');
      // Keep the process alive while the manager runs (its timers do not).
      setInterval(() => undefined, 1 << 30);
    });
}
