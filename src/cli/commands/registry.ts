import type { Command } from 'commander';
import { promises as fsp } from 'node:fs';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { DEFAULT_LISTEN, parseListen, startRegistry, type RegistryTls } from '../../relocation/registry/index.js';

interface ServeOptions {
  storage: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  htpasswd?: string;
}

async function readOptionFile(flag: string, file: string): Promise<Buffer> {
  try {
    return await fsp.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

/** `slipway registry serve`: the built-in OCI distribution registry. */
export function register(program: Command): void {
  const registry = program
    .command('registry')
    .description('the built-in OCI registry, for sites that have none (air-gapped installs)')
    .addHelpText('after', '\nExample:\n  slipway registry serve --storage /var/lib/slipway-registry --listen 127.0.0.1:5000\n');
  registry
    .command('serve')
    .description('serve an OCI distribution-spec registry (push, pull, chunked upload, mount, tags, catalog, delete, referrers) from a folder')
    .requiredOption('--storage <dir>', 'folder holding blobs, repositories and uploads (created when missing); survives restarts')
    .option('--listen <host:port>', 'address to serve on (port 0 picks a free one)', DEFAULT_LISTEN)
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); needs --tls-key')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--htpasswd <file>', 'require HTTP basic auth against this htpasswd file (bcrypt -B, {SHA} -s or plain -p entries)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  slipway registry serve --storage ./registry-data',
        '  slipway registry serve --storage /srv/registry --listen 0.0.0.0:5443 \\',
        '      --tls-cert registry.crt --tls-key registry.key --htpasswd /etc/slipway/htpasswd',
        '  skopeo copy oci:./image:1.0 docker://127.0.0.1:5000/demo/image:1.0 --dest-tls-verify=false',
        '',
        'Stops cleanly on SIGINT/SIGTERM (exit 0); bad options or an unusable address exit 1.',
        '',
      ].join('\n'),
    )
    .action(async (o: ServeOptions) => {
      parseListen(o.listen);
      if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw new Error(o.tlsCert ? '--tls-key is required with --tls-cert' : '--tls-cert is required with --tls-key');
      let tls: RegistryTls | undefined;
      if (o.tlsCert && o.tlsKey) tls = { cert: await readOptionFile('--tls-cert', o.tlsCert), key: await readOptionFile('--tls-key', o.tlsKey) };
      const log = pino({ name: 'slipway-registry' });
      let running;
      try {
        running = await startRegistry({ storageDir: resolve(o.storage), listen: o.listen, tls, htpasswd: o.htpasswd ? resolve(o.htpasswd) : undefined, logger: log });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        // node:tls reports unusable PEM as OpenSSL errors; say which options they came from
        if (tls && /PEM|key values mismatch|certificate|private key|asn1|DECODER/i.test(msg)) throw new Error(`--tls-cert ${o.tlsCert} / --tls-key ${o.tlsKey}: ${msg}`);
        throw e;
      }
      const server = running;
      const shutdown = (sig: string): void => {
        log.info({ signal: sig }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 5000);
        force.unref();
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}
