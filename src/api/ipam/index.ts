/** ipam.cluster.x-k8s.io: IPAddressClaim, IPAddress and the in-cluster provider's pools; types, definitions, admission and pool semantics. */
export * from './types.js';
export { ipamKinds } from './definitions.js';
export { IpamAdmission, addressesOfPool, POOL_IN_USE_MESSAGE } from './admission.js';
export { validateIPAddress, validateIPAddressClaim, validateInClusterIPPool } from './strategy.js';
export * from './pool.js';
