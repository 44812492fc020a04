/** Runs the `slipway` CLI from the TypeScript sources (tests spawn this under `node --import tsx`). */
import { main } from '../../../src/cli/main.js';

await main(process.argv);
