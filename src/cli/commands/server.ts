import { InvalidArgumentError, Option, type Command } from 'commander';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { DEFAULT_WORKLOAD_BEHAVIOUR } from '../../controllers/workload/index.js';
import { limitHeapGrowth } from '../../server/heap-growth.js';
import { ManagementPlane } from '../../server/management-plane.js';
import { chooseLogFormat, readableLogStream } from '../log-format.js';

/** A non-negative number of seconds, or a usage error naming the value. */
function seconds(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${text}" is not a number of seconds (0 or more)`);
  return n;
}

/** `slipway server`: the management plane. */
export function register(program: Command): void {
  program
    .command('server')
    .description('run the management plane: an HTTPS Kubernetes API server on embedded storage')
    .option('--data-dir <dir>', 'where state, certificates and admin.kubeconfig live', join(homedir(), '.slipway'))
    .option('--listen <host:port>', 'address to serve HTTPS on', '127.0.0.1:6443')
    .option('--token-auth-file <file>', 'static bearer tokens, CSV: token,user,uid,"group1,group2"')
    .option('--pod-security-config <file>', 'PodSecurityConfiguration (pod-security.admission.config.k8s.io/v1): enables Pod Security Admission')
    .addOption(new Option('--storage <engine>', 'storage engine').choices(['sqlite', 'memory']).default('sqlite'))
    .option('--sim-pod-start-seconds <s>', 'sim workload clusters: seconds from a Pod bound to a Node to its containers running', seconds, DEFAULT_WORKLOAD_BEHAVIOUR.containerStartSeconds)
    .option('--sim-pod-ready-seconds <s>', 'sim workload clusters: seconds from running to Ready (or the readiness probe\'s initialDelaySeconds)', seconds, DEFAULT_WORKLOAD_BEHAVIOUR.readinessSeconds)
    .option('--sim-job-run-seconds <s>', 'sim workload clusters: seconds a Job\'s Pod runs before it succeeds (annotation sim.slipway.dev/run-seconds overrides)', seconds, DEFAULT_WORKLOAD_BEHAVIOUR.jobRunSeconds)
    .addOption(new Option('--log-format <format>', 'log lines: text (readable), json (one object a line) or auto (text on a terminal, else json)').choices(['auto', 'text', 'json']).default('auto'))
    .addOption(new Option('--log-level <level>', 'the least severe level logged').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'))
    .addHelpText('after', '\nExample:\n  slipway server --data-dir ~/.slipway --listen 127.0.0.1:6443\n  kubectl --kubeconfig ~/.slipway/admin.kubeconfig get namespaces\n')
    .action(async (o: { dataDir: string; listen: string; tokenAuthFile?: string; podSecurityConfig?: string; storage: 'sqlite' | 'memory'; logFormat: string; logLevel: string; simPodStartSeconds: number; simPodReadySeconds: number; simJobRunSeconds: number }) => {
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
      plane = await ManagementPlane.start({ dataDir: resolve(o.dataDir), listen: o.listen, tokenFile: o.tokenAuthFile, podSecurityConfig: o.podSecurityConfig, storage: o.storage, logger, workloadBehaviour });
      if (stopping) stop(plane);
    });
}
