/** The tokens controller: legacy `kubernetes.io/service-account-token` Secrets filled in, or deleted with their ServiceAccount. */
export { setupLegacyTokenController, LEGACY_TOKEN_CONTROLLER, NO_KEY_RETRY_MS, type LegacyTokenControllerOptions } from './controller.js';
export { workloadLegacyTokenSetup } from './workload.js';
