/** Structural schemas of the ipam.cluster.x-k8s.io kinds, with the upstream CRDs' required fields and limits. */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import { bool, conditions, int32, int64, kindRoot, object, str, strings, text } from '../cluster/schema-kit.js';

function typedLocalRef(description: string): JSONSchemaProps {
  return object(
    {
      apiGroup: str('Group of the referenced kind; the pool kinds of the in-cluster provider are in ipam.cluster.x-k8s.io.'),
      kind: str('Kind of the referenced object.'),
      name: str('Name of the referenced object.'),
    },
    description,
    { required: ['kind', 'name'], 'x-kubernetes-map-type': 'atomic' },
  );
}

function localRef(description: string): JSONSchemaProps {
  return object({ name: str('Name of the referenced object.') }, description, { 'x-kubernetes-map-type': 'atomic' });
}

export function ipAddressClaimSchema(): JSONSchemaProps {
  return kindRoot('A request for an IP address from a pool.', {
    spec: object(
      {
        clusterName: text('Name of the Cluster the claim belongs to (its pause state pauses the claim).', 1, 63),
        poolRef: typedLocalRef('The pool to allocate the address from.'),
      },
      'Desired state of the IPAddressClaim. Immutable.',
      { required: ['poolRef'] },
    ),
    status: object(
      {
        addressRef: localRef('The IPAddress created for this claim.'),
        conditions: conditions(),
      },
      'Observed state of the IPAddressClaim.',
    ),
  });
}

export function ipAddressSchema(): JSONSchemaProps {
  return kindRoot('An IP address allocated from a pool to a claim.', {
    spec: object(
      {
        claimRef: localRef('The IPAddressClaim this address fulfils.'),
        poolRef: typedLocalRef('The pool the address is from.'),
        address: text('The IP address.', 1, 39),
        prefix: int32('Prefix length of the address\'s subnet.', { minimum: 0, maximum: 128 }),
        gateway: text('Gateway of the subnet.', 1, 39),
      },
      'The address. Immutable.',
      { required: ['address', 'claimRef', 'poolRef', 'prefix'] },
    ),
  });
}

export function inClusterIPPoolSchema(scope: string): JSONSchemaProps {
  return kindRoot(`A pool of IP addresses the management plane allocates to IPAddressClaims ${scope}.`, {
    spec: object(
      {
        addresses: strings('Addresses to allocate from: single IPs, ranges "a-b" and CIDRs, of one family and inside one subnet.'),
        prefix: int64('Prefix length of the subnet the addresses are in.', { minimum: 0, maximum: 128 }),
        gateway: str('Gateway of the subnet; never allocated.'),
        excludedAddresses: strings('Addresses (IPs, ranges, CIDRs) never allocated.'),
        allocateReservedIPAddresses: bool('Allocate the subnet\'s network and broadcast addresses (IPv4) or its first address (IPv6) too.'),
        addressReuseGracePeriodSeconds: int32('Seconds a released address stays unallocated; 0 or unset reuses it at once.', { minimum: 0 }),
      },
      'The pool\'s addresses.',
      { required: ['addresses', 'prefix'] },
    ),
    status: object(
      {
        ipAddresses: object(
          {
            total: int64('Addresses the pool can allocate.'),
            used: int64('IPAddresses that reference the pool.'),
            free: int64('total − used.'),
            outOfRange: int64('IPAddresses of the pool whose address the pool no longer contains.'),
          },
          'Address counts.',
          { required: ['free', 'outOfRange', 'total', 'used'] },
        ),
      },
      'Observed state of the pool.',
    ),
  });
}
