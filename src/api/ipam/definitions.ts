/** The served ipam.cluster.x-k8s.io kinds: IPAddressClaim and IPAddress (v1beta1), InClusterIPPool and GlobalInClusterIPPool (v1alpha2). */
import { type KindDefinition } from '../kind-definition.js';
import { CORE_CRD_LABELS } from '../cluster/definitions.js';
import { inClusterIPPoolSchema, ipAddressClaimSchema, ipAddressSchema } from './schema.js';
import { inClusterIPPoolStrategy, ipAddressClaimStrategy, ipAddressStrategy } from './strategy.js';
import { GLOBAL_IN_CLUSTER_IP_POOL, IN_CLUSTER_IP_POOL, IPAM_CONTRACT_VERSION, IPAM_GROUP, IPAM_POOL_VERSION } from './types.js';

const CATEGORIES = ['cluster-api'];
/** Labels upstream's in-cluster IPAM provider puts on its CRDs. */
const POOL_CRD_LABELS = { 'cluster.x-k8s.io/provider': 'ipam-in-cluster', 'cluster.x-k8s.io/v1beta1': 'v1alpha2' };

const POOL_COLUMNS: KindDefinition['printerColumns'] = [
  { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses', description: 'List of addresses, to allocate from' },
  { name: 'Total', type: 'integer', jsonPath: '.status.ipAddresses.total', description: 'Count of IPs configured for the pool' },
  { name: 'Free', type: 'integer', jsonPath: '.status.ipAddresses.free', description: 'Count of unallocated IPs in the pool' },
  { name: 'Used', type: 'integer', jsonPath: '.status.ipAddresses.used', description: 'Count of allocated IPs in the pool' },
];

export function ipamKinds(): KindDefinition[] {
  const contract = { group: IPAM_GROUP, version: IPAM_CONTRACT_VERSION, scope: 'Namespaced' as const, categories: CATEGORIES, labels: CORE_CRD_LABELS };
  const pools = { group: IPAM_GROUP, version: IPAM_POOL_VERSION, categories: CATEGORIES, labels: POOL_CRD_LABELS, subresources: { status: true }, printerColumns: POOL_COLUMNS, strategy: inClusterIPPoolStrategy };
  return [
    {
      ...contract,
      kind: 'IPAddressClaim',
      plural: 'ipaddressclaims',
      singular: 'ipaddressclaim',
      schema: ipAddressClaimSchema(),
      subresources: { status: true },
      printerColumns: [
        { name: 'Pool Name', type: 'string', jsonPath: '.spec.poolRef.name', description: 'Name of the pool to allocate an address from' },
        { name: 'Pool Kind', type: 'string', jsonPath: '.spec.poolRef.kind', description: 'Kind of the pool to allocate an address from' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time duration since creation of IPAddressClaim' },
      ],
      strategy: ipAddressClaimStrategy,
    },
    {
      ...contract,
      kind: 'IPAddress',
      plural: 'ipaddresses',
      singular: 'ipaddress',
      schema: ipAddressSchema(),
      subresources: { status: false },
      printerColumns: [
        { name: 'Address', type: 'string', jsonPath: '.spec.address', description: 'Address' },
        { name: 'Pool Name', type: 'string', jsonPath: '.spec.poolRef.name', description: 'Name of the pool the address is from' },
        { name: 'Pool Kind', type: 'string', jsonPath: '.spec.poolRef.kind', description: 'Kind of the pool the address is from' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time duration since creation of IPAddress' },
      ],
      strategy: ipAddressStrategy,
    },
    { ...pools, kind: IN_CLUSTER_IP_POOL, plural: 'inclusterippools', singular: 'inclusterippool', scope: 'Namespaced', schema: inClusterIPPoolSchema('in its namespace') },
    { ...pools, kind: GLOBAL_IN_CLUSTER_IP_POOL, plural: 'globalinclusterippools', singular: 'globalinclusterippool', scope: 'Cluster', schema: inClusterIPPoolSchema('in any namespace') },
  ];
}
