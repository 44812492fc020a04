/**
 * Runs the `slipway` CLI from the TypeScript sources (through tsx), for tests that must exercise the code in the
 * working tree even when a stale dist/ exists: `node --import tsx test/support/slipway-source.ts ARGS...`.
 */
import { main } from '../../src/cli/main.js';

await main(process.argv);
