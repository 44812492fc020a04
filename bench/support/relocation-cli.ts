/**
 * The `slipway` CLI as a benchmark child: runs main(), then reports on stderr the time from the
 * call to main() to exit (module loading through tsx excluded) and the process's peak RSS.
 */
import { main } from '../../src/cli/main.js';

const started = performance.now();
process.on('exit', () => {
  process.stderr.write(`\nBENCH_CHILD ${JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
});
await main(process.argv);
