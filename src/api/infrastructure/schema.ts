/**
 * OpenAPI v3 schemas of the sim provider's kinds (infrastructure.slipway.dev/v1alpha1): SimCluster, SimClusterTemplate,
 * SimMachine and SimMachineTemplate. They carry Cluster API's infrastructure contract fields plus the simulation knobs.
 * Unset knobs take the provider's defaults (documented on each field); times are seconds, 0 meaning instant.
 */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import {
  apiEndpoint,
  bool,
  conditions,
  failureDomains,
  int32,
  kindRoot,
  machineAddresses,
  object,
  oneOf,
  str,
  templateMeta,
  text,
  time,
  arrayOf,
  strings,
} from '../cluster/schema-kit.js';

function seconds(description: string): JSONSchemaProps {
  return { type: 'number', description, minimum: 0 };
}

function simClusterSpec(description: string): JSONSchemaProps {
  return object(
    {
      controlPlaneEndpoint: apiEndpoint('The workload cluster\'s API endpoint; the provider sets it.'),
      failureDomains: failureDomains('Failure domains offered to Cluster API (default zone-a, zone-b and zone-c, all allowing control-plane Machines).'),
      provisioningSeconds: seconds('Seconds until the cluster infrastructure is ready (default 1).'),
    },
    description,
  );
}

/** The size, image and simulation knobs of a sim machine (SimMachine spec and SimMachinePool instance template). */
function simMachineKnobs(): Record<string, JSONSchemaProps> {
  return {
    behaviour: object(
      {
        nodeReadySeconds: seconds('Seconds from boot until the Node reports Ready (default 2).'),
        provisioningJitterSeconds: seconds('Up to this many seconds added at random to the boot time (default 4).'),
        provisioningSeconds: seconds('Seconds the machine takes to boot (default 8).'),
      },
      'How long the simulated machine takes.',
    ),
    diskGiB: int32('Disk size in GiB, shown as the Node\'s ephemeral-storage capacity (default 20).', { minimum: 1 }),
    failure: object(
      {
        nodeNotReady: bool('The Node turns NotReady after boot.'),
        provisioning: str('Provisioning fails with this message (reason CreateError).'),
        vanish: bool('The machine disappears after boot, taking its Node with it.'),
      },
      'Failures to inject; the sim.slipway.dev/* annotations do the same at run time.',
    ),
    image: str('Operating system image shown as the Node\'s osImage.'),
    memoryMiB: int32('Memory in MiB, shown as the Node\'s memory capacity (default 4096).', { minimum: 1 }),
    numCPUs: int32('Number of CPUs, shown as the Node\'s cpu capacity (default 2).', { minimum: 1 }),
    os: oneOf(['linux', 'windows'], 'Operating system of the machine (default linux).'),
  };
}

/** CAPV's network devices (a subset): each device may take addresses from IP pools through IPAddressClaims. */
function simNetwork(): JSONSchemaProps {
  const poolRef = object(
    {
      apiGroup: text('API group of the pool, e.g. ipam.cluster.x-k8s.io.', 1, 253),
      kind: text('Kind of the pool, e.g. InClusterIPPool or GlobalInClusterIPPool.', 1, 63),
      name: text('Name of the pool (in the machine\'s namespace for namespaced pools).', 1, 253),
    },
    'An IP pool to claim an address from.',
    { required: ['apiGroup', 'kind', 'name'], 'x-kubernetes-map-type': 'atomic' },
  );
  const device = object(
    {
      addressesFromPools: arrayOf(poolRef, 'Pools to claim one address each from (an IPAddressClaim per pool); the first address of the first such device is the Node\'s InternalIP.', { maxItems: 128, 'x-kubernetes-list-type': 'atomic' }),
      dhcp4: bool('Whether the device takes an IPv4 address by DHCP.'),
      dhcp6: bool('Whether the device takes an IPv6 address by DHCP.'),
      networkName: str('Name of the network the device is attached to.'),
    },
    'A network device of the machine.',
  );
  return object({ devices: arrayOf(device, 'The machine\'s network devices, in order.', { maxItems: 128, 'x-kubernetes-list-type': 'atomic' }) }, 'Network configuration of the machine.', { required: ['devices'] });
}

function simMachineSpec(description: string): JSONSchemaProps {
  return object(
    {
      ...simMachineKnobs(),
      failureDomain: str('Failure domain the machine is in (copied from the Machine).'),
      network: simNetwork(),
      providerID: str('sim://<namespace>/<name>; set by the provider.'),
    },
    description,
  );
}

function simMachinePoolSpec(description: string): JSONSchemaProps {
  return object(
    {
      providerIDList: strings('Provider IDs of the pool\'s instances (sim://<namespace>/<instance>); set by the provider.', 10000),
      template: object(simMachineKnobs(), 'What every instance of the pool is: size, image and simulation knobs.'),
    },
    description,
  );
}

function template(description: string, spec: JSONSchemaProps): JSONSchemaProps {
  return object(
    {
      template: object(
        { metadata: templateMeta('Labels and annotations of the objects made from the template.'), spec },
        'The object to clone.',
      ),
    },
    description,
    { required: ['template'] },
  );
}

export function simClusterSchema(): JSONSchemaProps {
  return kindRoot('The infrastructure of a sim workload cluster: its API endpoint, served by the management plane.', {
    spec: simClusterSpec('Desired state of the SimCluster.'),
    status: object(
      {
        conditions: conditions(),
        failureDomains: failureDomains('Failure domains offered to Cluster API.'),
        failureMessage: str('Human-readable description of a terminal problem.'),
        failureReason: str('Machine-readable reason of a terminal problem.'),
        ready: bool('Whether the cluster infrastructure is ready.'),
      },
      'Observed state of the SimCluster.',
    ),
  });
}

export function simClusterTemplateSchema(): JSONSchemaProps {
  return kindRoot('A template of SimClusters, used by ClusterClasses.', {
    spec: template('Desired state of the SimClusterTemplate.', simClusterSpec('The spec of the SimClusters made from the template.')),
  });
}

export function simMachineSchema(): JSONSchemaProps {
  return kindRoot('A simulated VM that boots its bootstrap data and registers a Node in the workload cluster.', {
    spec: simMachineSpec('Desired state of the SimMachine.'),
    status: object(
      {
        addresses: machineAddresses('Addresses of the machine.'),
        bootedAt: time('When the machine finished booting.'),
        bootstrap: object(
          {
            commands: int32('Number of commands the bootstrap data ran.'),
            format: oneOf(['cloud-config', 'ignition'], 'Format of the bootstrap data.'),
            kubeadm: oneOf(['init', 'join', 'none'], 'What kubeadm ran.'),
          },
          'What the machine booted with.',
          { required: ['format', 'kubeadm'] },
        ),
        conditions: conditions(),
        failureMessage: str('Human-readable description of a terminal problem.'),
        failureReason: str('Machine-readable reason of a terminal problem, e.g. CreateError.'),
        files: arrayOf(
          object(
            {
              owner: str('Owner of the file.'),
              path: text('Path of the file.', 1, 4096),
              permissions: str('Permissions of the file.'),
              sha256: str('SHA-256 of the content, hex.'),
              size: { type: 'integer', description: 'Size in bytes.', minimum: 0 },
            },
            'A file the bootstrap data wrote.',
            { required: ['path', 'sha256', 'size'] },
          ),
          'Files the bootstrap data wrote.',
        ),
        nodeName: str('The Node the machine registered as.'),
        provisioningStartedAt: time('When the machine started booting.'),
        ready: bool('Whether the machine has booted.'),
      },
      'Observed state of the SimMachine.',
    ),
  });
}

export function simMachineTemplateSchema(): JSONSchemaProps {
  return kindRoot('A template of SimMachines, cloned once per Machine.', {
    spec: template('Desired state of the SimMachineTemplate.', simMachineSpec('The spec of the SimMachines made from the template.')),
  });
}

export function simMachinePoolSchema(): JSONSchemaProps {
  return kindRoot('A pool of simulated VMs for a MachinePool: boots as many instances as the pool wants and registers their Nodes.', {
    spec: simMachinePoolSpec('Desired state of the SimMachinePool.'),
    status: object(
      {
        conditions: conditions(),
        failureMessage: str('Human-readable description of a terminal problem.'),
        failureReason: str('Machine-readable reason of a terminal problem, e.g. CreateError.'),
        instances: arrayOf(
          object(
            {
              addresses: machineAddresses('Addresses of the instance.'),
              bootedAt: time('When the instance finished booting.'),
              failureDomain: str('Failure domain the instance is in.'),
              instanceName: text('Name of the instance (and of its Node).', 1, 253),
              nodeName: str('The Node the instance registered as.'),
              providerID: str('sim://<namespace>/<instance>.'),
              provisioningStartedAt: time('When the instance started booting.'),
              ready: bool('Whether the instance has booted and registered its Node.'),
              version: str('Kubernetes version the instance runs.'),
            },
            'One instance of the pool.',
            { required: ['instanceName', 'providerID', 'ready'] },
          ),
          'The pool\'s instances.',
        ),
        observedGeneration: { type: 'integer', format: 'int64', description: 'The metadata.generation the provider last acted on.' },
        ready: bool('Whether the pool\'s infrastructure is ready (its first instances booted).'),
        replicas: int32('Instances that exist.'),
      },
      'Observed state of the SimMachinePool.',
    ),
  });
}

export function simMachinePoolTemplateSchema(): JSONSchemaProps {
  return kindRoot('A template of SimMachinePools, used by ClusterClasses for MachinePool classes.', {
    spec: template('Desired state of the SimMachinePoolTemplate.', simMachinePoolSpec('The spec of the SimMachinePools made from the template.')),
  });
}
