/**
 * The HorizontalPodAutoscaler controller of workload clusters and its pure cores. Metrics are simulated: a Pod's usage
 * is its annotation sim.slipway.dev/cpu-usage or sim.slipway.dev/memory-usage (absent: 0); see controller.ts.
 */
export * from './controller.js';
export * from './replicas.js';
export * from './behavior.js';
