/** The built-in resources Slipway serves, with their OpenAPI schemas. */
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import { apiextensionsResources } from './apiextensions.js';
import { coordinationResources } from './coordination.js';
import { coreResources } from './core.js';
import { eventsResources } from './events.js';

/** A fresh list of every built-in ResourceInfo (callers may mutate the result). */
export function builtinResources(): ResourceInfo[] {
  return [...coreResources(), ...eventsResources(), ...coordinationResources(), ...apiextensionsResources()];
}

export { coreResources } from './core.js';
export { eventsResources } from './events.js';
export { coordinationResources } from './coordination.js';
export { apiextensionsResources } from './apiextensions.js';
