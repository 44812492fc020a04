/** coordination.k8s.io/v1 Lease. */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import { builtinResource, defineNamed, int32, kindSchema, microTimeSchema, object, str, useNamed } from './meta.js';

function leaseSchema(): JSONSchemaProps {
  const micro = microTimeSchema();
  const spec = defineNamed(
    'io.k8s.api.coordination.v1.LeaseSpec',
    object(
      {
        acquireTime: useNamed(micro, 'When the current holder acquired the lease.'),
        holderIdentity: str('Identity of the current holder of the lease.'),
        leaseDurationSeconds: int32(
          'How long, in seconds, candidates must wait after the last renewal before they may take the lease over.',
        ),
        leaseTransitions: int32('Number of times the lease has changed holders.'),
        preferredHolder: str(
          'Identity the lease should be handed to next. Only meaningful when strategy is set (coordinated leader election).',
        ),
        renewTime: useNamed(micro, 'When the current holder last renewed the lease.'),
        strategy: str(
          'Strategy used to pick the next holder in coordinated leader election, e.g. "OldestEmulationVersion".',
        ),
      },
      'The desired state of a lease.',
    ),
  );
  return kindSchema('Lease records who currently holds a named lock, for leader election and node heartbeats.', {
    spec: useNamed(
      spec,
      'Specification of the lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
      { default: {} },
    ),
  });
}

export function coordinationResources(): ResourceInfo[] {
  return [
    builtinResource({
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      plural: 'leases',
      namespaced: true,
      schema: leaseSchema(),
      printerColumns: [
        { name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    }),
  ];
}
