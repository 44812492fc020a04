/** The MachineHealthCheck controller and its pure cores (target health, the maxUnhealthy / unhealthyRange decision). */
export * from './health.js';
export * from './remediation-allowed.js';
export * from './targets.js';
export * from './reconciler.js';
