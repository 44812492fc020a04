/** The Endpoints and EndpointSlice controllers of a workload cluster and their pure core. */
export { setupEndpointsControllers, ENDPOINTS_CONTROLLER, ENDPOINTSLICE_CONTROLLER, type EndpointsControllerOptions } from './controllers.js';
export * from './desired.js';
