/** The etcd flags `slipway server` and `slipway migrate` share. */
import { InvalidArgumentError } from 'commander';

/** `URL[,URL...]`: etcd client URLs, each http(s)://HOST:PORT; a usage error names the first bad one. */
export function parseEtcdUrls(text: string): string[] {
  const urls = text.split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    let ok = false;
    try {
      const url = new URL(u);
      ok = (url.protocol === 'http:' || url.protocol === 'https:') && !!url.hostname;
    } catch {
      ok = false;
    }
    if (!ok) throw new InvalidArgumentError(`"${u}" is not an etcd client URL (http://HOST:PORT or https://HOST:PORT)`);
  }
  return urls;
}
