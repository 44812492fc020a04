/** Run a Manager inside the management plane, talking to its ObjectStore directly. */
import type { ObjectStore } from '../apiserver/object-store.js';
import { inProcessClient } from '../client/index.js';
import type { InProcessTransportOptions } from '../client/in-process.js';
import { Manager, type ManagerOptions } from './manager.js';

/** A Manager over the in-process transport (no HTTP, no TLS; same admission and validation). */
export function inProcessManager(objects: ObjectStore, opts: Omit<ManagerOptions, 'client'> & { transport?: InProcessTransportOptions } = {}): Manager {
  const { transport, ...rest } = opts;
  return new Manager({ ...rest, client: inProcessClient(objects, { fieldManager: opts.component ?? 'slipway-controllers', ...transport }) });
}
