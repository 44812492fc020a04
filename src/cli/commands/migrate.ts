import { InvalidArgumentError, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatFingerprint, syncSharedPki, type SharedPkiOutcome } from '../../apiserver/shared-pki.js';
import { EtcdStore } from '../../storage/etcd/etcd-store.js';
import { migrateSqliteToEtcd, type MigrationProgress, type MigrationSummary } from '../../storage/migrate/index.js';
import { parseEtcdUrls } from '../etcd-flags.js';
import { processIO, type CommandIO } from '../io.js';

/** `--from sqlite:DIR`: the data dir (or state.db) of a stopped plane. */
export function parseMigrateSource(text: string): { engine: 'sqlite'; path: string } {
  const m = /^sqlite:(.+)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a source: use sqlite:DIR (a plane's --data-dir)`);
  return { engine: 'sqlite', path: resolve(m[1]!) };
}

/** `--to etcd:URL[,URL...]`: the etcd members' client URLs. */
export function parseMigrateTarget(text: string): { engine: 'etcd'; endpoints: string[] } {
  const m = /^etcd:(.*)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a target: use etcd:URL[,URL...] (e.g. etcd:http://127.0.0.1:2379)`);
  const endpoints = parseEtcdUrls(m[1]!);
  if (!endpoints.length) throw new InvalidArgumentError(`"${text}" names no etcd URL: use etcd:URL[,URL...]`);
  return { engine: 'etcd', endpoints };
}

const MiB = 1024 * 1024;

export function formatProgress(p: MigrationProgress): string {
  return `copied ${p.copiedKeys}/${p.totalKeys} keys (${(p.copiedBytes / MiB).toFixed(1)} MiB)\n`;
}

export function formatSummary(s: MigrationSummary): string {
  return (
    `migrated ${s.keys} keys (${(s.bytes / MiB).toFixed(1)} MiB) in ${s.seconds.toFixed(1)} s from ${s.source}; verified (sha256 ${s.sha256.slice(0, 16)}…)\n` +
    `revisions: the source was at ${s.sourceRevision}; revisions on etcd are offset by ${s.offset}, so they stay above every resourceVersion clients saw\n`
  );
}

interface MigrateFlags {
  from: { engine: 'sqlite'; path: string };
  to: { engine: 'etcd'; endpoints: string[] };
  etcdPrefix?: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
}

export async function runMigrate(o: MigrateFlags, io: CommandIO = processIO): Promise<MigrationSummary> {
  if ((o.etcdCertfile || o.etcdKeyfile) && !o.etcdCafile) throw new InvalidArgumentError('--etcd-certfile and --etcd-keyfile need --etcd-cafile');
  if (!!o.etcdCertfile !== !!o.etcdKeyfile) throw new InvalidArgumentError('--etcd-certfile and --etcd-keyfile go together');
  const tls = o.etcdCafile ? { caFile: resolve(o.etcdCafile), certFile: o.etcdCertfile && resolve(o.etcdCertfile), keyFile: o.etcdKeyfile && resolve(o.etcdKeyfile) } : undefined;
  const summary = await migrateSqliteToEtcd({
    from: o.from.path,
    to: { endpoints: o.to.endpoints, prefix: o.etcdPrefix, tls },
    onProgress: (p) => io.err(formatProgress(p)),
  });
  io.out(formatSummary(summary));
  // The plane's CA and ServiceAccount key go with its objects: replicas started before the plane itself then share
  // them, instead of making a CA of their own that the moved plane would be refused for.
  const pkiDir = join(statSync(o.from.path).isDirectory() ? o.from.path : dirname(o.from.path), 'pki');
  if (existsSync(join(pkiDir, 'ca.crt'))) {
    const store = await EtcdStore.open({ endpoints: o.to.endpoints, prefix: o.etcdPrefix, tls, compactionIntervalMs: 0 });
    try {
      io.out(formatPkiUpload(await syncSharedPki(store, pkiDir, { uploadedBy: 'slipway migrate' }), pkiDir));
    } finally {
      await store.close();
    }
  }
  return summary;
}

export function formatPkiUpload(outcome: SharedPkiOutcome, pkiDir: string): string {
  return `shared PKI: the CA (SHA-256 ${formatFingerprint(outcome.caFingerprint)}) and ServiceAccount key of ${pkiDir} are on etcd now, for every replica\n`;
}

/** `slipway migrate`: move a plane's state from SQLite to etcd. */
export function register(program: Command): void {
  program
    .command('migrate')
    .description('copy a stopped plane\'s SQLite state into etcd, so `slipway server --storage etcd` serves the same objects')
    .requiredOption('--from <source>', 'sqlite:DIR — the data dir of the plane (its state.db); stop the plane first', parseMigrateSource)
    .requiredOption('--to <target>', 'etcd:URL[,URL...] — the etcd members\' client URLs (http:// or https://)', parseMigrateTarget)
    .option('--etcd-prefix <prefix>', 'key prefix on etcd (the same as the plane\'s --etcd-prefix later); must hold no keys')
    .option('--etcd-cafile <file>', 'over https: the CA that signed the members\' certificates')
    .option('--etcd-certfile <file>', 'client certificate for etcd\'s --client-cert-auth')
    .option('--etcd-keyfile <file>', 'the client certificate\'s key')
    .addHelpText(
      'after',
      '\nThe copy is verified (key count and checksum of both sides); revisions on etcd continue above the\n' +
        'plane\'s last resourceVersion, and watches from before the migration get 410 Gone (clients relist).\n' +
        '\nExample:\n' +
        '  slipway migrate --from sqlite:$HOME/.slipway --to etcd:https://10.0.0.5:2379,https://10.0.0.6:2379 \\\n' +
        '    --etcd-prefix /slipway --etcd-cafile ca.crt --etcd-certfile client.crt --etcd-keyfile client.key\n' +
        '  slipway server --data-dir $HOME/.slipway --storage etcd --etcd-servers https://10.0.0.5:2379,https://10.0.0.6:2379 \\\n' +
        '    --etcd-prefix /slipway --etcd-cafile ca.crt --etcd-certfile client.crt --etcd-keyfile client.key\n',
    )
    .action(async (o: MigrateFlags) => {
      await runMigrate(o);
    });
}
