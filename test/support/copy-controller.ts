/** A controller bundle for `slipway controllers --load`: copies Thing spec to status, stamped with the manager's identity. */
import type { Manager } from '../../src/runtime/manager.js';
import { THING, copyReconciler } from './runtime-kit.js';

export function setup(manager: Manager): void {
  manager.add({ name: 'copy', for: THING, reconciler: copyReconciler(manager.identity), workers: 4 });
}
