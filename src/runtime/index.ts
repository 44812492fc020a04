/** The controller runtime: clock, work queue, reconcilers, controllers, manager and helpers. */
export * from './clock.js';
export * from './rate-limiter.js';
export * from './queue.js';
export * from './reconciler.js';
export * from './controller.js';
export * from './manager.js';
export * from './leader-election.js';
export * from './events.js';
export * as conditions from './conditions.js';
export type { Condition, ConditionStatus, ConditionSeverity } from './conditions.js';
export * from './patch.js';
export * from './meta.js';
export { RuntimeMetrics } from './metrics.js';
export { inProcessManager } from './in-process.js';
