/** Run a Manager inside the management plane, talking to its ObjectStore directly. */
import type { ObjectStore } from '../apiserver/object-store.js';
import { inProcessClient } from '../client/index.js';
import { Manager, type ManagerOptions } from './manager.js';

/** A Manager over the in-process transport (no HTTP, no TLS; same admission and validation). */
export function inProcessManager(objects: ObjectStore, opts: Omit<ManagerOptions, 'client'> = {}): Manager {
  return new Manager({ ...opts, client: inProcessClient(objects, { fieldManager: opts.component ?? 'slipway-controllers' }) });
}
