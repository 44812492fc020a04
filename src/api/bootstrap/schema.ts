/**
 * OpenAPI v3 schemas of bootstrap.cluster.x-k8s.io/v1beta1 KubeadmConfig and KubeadmConfigTemplate, and of the
 * KubeadmConfigSpec that KubeadmControlPlane embeds: upstream field names, types, enums and limits.
 */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import {
  arrayOf,
  bool,
  conditions,
  duration,
  int32,
  int64,
  intOrString,
  kindRoot,
  object,
  oneOf,
  str,
  stringMap,
  strings,
  templateMeta,
  text,
  time,
} from '../cluster/schema-kit.js';

const boundedStrings = (description: string, maxItems: number, maxLength: number): JSONSchemaProps => strings(description, maxItems, { minLength: 1, maxLength });

function keyRef(description: string, nameDescription: string): JSONSchemaProps {
  return object(
    {
      key: str('Key within the object.'),
      name: str(nameDescription, { default: '' }),
      optional: bool('Whether a missing object or key is acceptable.'),
    },
    description,
    { required: ['key'], 'x-kubernetes-map-type': 'atomic' },
  );
}

/** core/v1 EnvVar (control-plane component environment). */
function envVars(description: string): JSONSchemaProps {
  return arrayOf(
    object(
      {
        name: str('Name of the environment variable.'),
        value: str('Literal value.'),
        valueFrom: object(
          {
            configMapKeyRef: keyRef('A key of a ConfigMap.', 'Name of the ConfigMap.'),
            fieldRef: object(
              { apiVersion: str('API version the field path is written in.'), fieldPath: str('Path of the field of the pod.') },
              'A field of the pod.',
              { required: ['fieldPath'], 'x-kubernetes-map-type': 'atomic' },
            ),
            fileKeyRef: object(
              {
                key: str('Key within the env file.'),
                optional: bool('Whether a missing file or key is acceptable.', { default: false }),
                path: str('Path of the env file within the volume.'),
                volumeName: str('Volume holding the env file.'),
              },
              'A key of an env file in a volume.',
              { required: ['key', 'path', 'volumeName'], 'x-kubernetes-map-type': 'atomic' },
            ),
            resourceFieldRef: object(
              {
                containerName: str('Container whose resources are read.'),
                divisor: {
                  ...intOrString('Unit the value is expressed in, e.g. 1Mi.'),
                  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
                },
                resource: str('Resource to read, e.g. limits.cpu.'),
              },
              'A resource limit or request of a container.',
              { required: ['resource'], 'x-kubernetes-map-type': 'atomic' },
            ),
            secretKeyRef: keyRef('A key of a Secret.', 'Name of the Secret.'),
          },
          'Where the value comes from, instead of a literal.',
        ),
      },
      'An environment variable.',
      { required: ['name'] },
    ),
    description,
    { maxItems: 100 },
  );
}

function hostPathMounts(description: string): JSONSchemaProps {
  return arrayOf(
    object(
      {
        hostPath: text('Path on the host.', 1, 512),
        mountPath: text('Path in the static pod.', 1, 512),
        name: text('Name of the volume.', 1, 512),
        pathType: str('Type of the host path, e.g. DirectoryOrCreate.'),
        readOnly: bool('Mount read-only.'),
      },
      'A host path mounted into a control-plane static pod.',
      { required: ['hostPath', 'mountPath', 'name'] },
    ),
    description,
    { maxItems: 100 },
  );
}

function component(description: string, extra: Record<string, JSONSchemaProps> = {}): JSONSchemaProps {
  return object(
    {
      extraArgs: stringMap('Extra command-line flags, without the leading dashes.'),
      extraEnvs: envVars('Extra environment variables.'),
      extraVolumes: hostPathMounts('Extra host paths to mount.'),
      ...extra,
    },
    description,
  );
}

function clusterConfiguration(): JSONSchemaProps {
  return object(
    {
      apiServer: component('Settings of kube-apiserver.', {
        certSANs: boundedStrings('Extra subject alternative names of the API server certificate.', 100, 253),
        timeoutForControlPlane: duration('How long kubeadm waits for the control plane to come up.'),
      }),
      apiVersion: str('Kubeadm API version; set by the bootstrap provider.'),
      caCertificateValidityPeriodDays: int32('Days a generated CA certificate is valid.', { minimum: 1, maximum: 36500 }),
      certificateValidityPeriodDays: int32('Days generated certificates are valid.', { minimum: 1, maximum: 1095 }),
      certificatesDir: text('Where certificates are kept on the machine.', 1, 512),
      clusterName: text('Name of the cluster.', 1, 63),
      controlPlaneEndpoint: text('Stable address of the control plane, host or host:port; defaults to the Cluster\'s endpoint.', 1, 512),
      controllerManager: component('Settings of kube-controller-manager.'),
      dns: object(
        { imageRepository: text('Registry of the CoreDNS image.', 1, 512), imageTag: text('Tag of the CoreDNS image.', 1, 256) },
        'Settings of the cluster DNS add-on.',
      ),
      encryptionAlgorithm: oneOf(['ECDSA-P256', 'ECDSA-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096'], 'Key algorithm of generated certificates.'),
      etcd: object(
        {
          external: object(
            {
              caFile: text('CA certificate for connecting to etcd.', 1, 512),
              certFile: text('Client certificate for connecting to etcd.', 1, 512),
              endpoints: boundedStrings('etcd endpoints.', 50, 512),
              keyFile: text('Client key for connecting to etcd.', 1, 512),
            },
            'An etcd cluster outside the control plane.',
            { required: ['caFile', 'certFile', 'endpoints', 'keyFile'] },
          ),
          local: object(
            {
              dataDir: text('Where etcd keeps its data.', 1, 512),
              extraArgs: stringMap('Extra etcd flags.'),
              extraEnvs: envVars('Extra environment variables of etcd.'),
              imageRepository: text('Registry of the etcd image.', 1, 512),
              imageTag: text('Tag of the etcd image.', 1, 256),
              peerCertSANs: boundedStrings('Extra names of the peer certificate.', 100, 253),
              serverCertSANs: boundedStrings('Extra names of the server certificate.', 100, 253),
            },
            'etcd run as a static pod on each control-plane machine (stacked).',
          ),
        },
        'Where etcd runs.',
      ),
      featureGates: { type: 'object', description: 'Kubeadm feature gates.', additionalProperties: { type: 'boolean' } },
      imageRepository: text('Registry of the control-plane images.', 1, 512),
      kind: str('Kubeadm kind; set by the bootstrap provider.'),
      kubernetesVersion: text('Kubernetes version of the control plane.', 1, 256),
      networking: object(
        {
          dnsDomain: text('DNS domain of services.', 1, 253),
          podSubnet: text('Address range of pods.', 1, 1024),
          serviceSubnet: text('Address range of services.', 1, 1024),
        },
        'Networking of the cluster; defaults come from the Cluster\'s clusterNetwork.',
      ),
      scheduler: component('Settings of kube-scheduler.'),
    },
    'Kubeadm ClusterConfiguration: settings that apply to the whole cluster.',
  );
}

function nodeRegistration(): JSONSchemaProps {
  return object(
    {
      criSocket: text('Socket of the container runtime.', 1, 512),
      ignorePreflightErrors: boundedStrings('Preflight checks whose errors are ignored.', 50, 512),
      imagePullPolicy: oneOf(['Always', 'IfNotPresent', 'Never'], 'When kubeadm pulls images. Default IfNotPresent.'),
      imagePullSerial: bool('Pull images one at a time.'),
      kubeletExtraArgs: stringMap('Extra kubelet flags, e.g. node-labels.'),
      name: text('Name of the Node; defaults to the host name.', 1, 253),
      taints: arrayOf(
        object(
          {
            effect: str('NoSchedule, PreferNoSchedule or NoExecute.'),
            key: str('Taint key.'),
            timeAdded: time('When the taint was added.'),
            value: str('Taint value.'),
          },
          'A taint the Node registers with.',
          { required: ['effect', 'key'] },
        ),
        'Taints the Node registers with; unset means kubeadm\'s default, [] means none.',
        { maxItems: 100 },
      ),
    },
    'How the Node registers with the cluster.',
  );
}

function patches(): JSONSchemaProps {
  return object({ directory: text('Directory of kubeadm patch files.', 1, 512) }, 'Kubeadm patches applied to the generated manifests.');
}

function localAPIEndpoint(description: string): JSONSchemaProps {
  return object(
    { advertiseAddress: text('Address the API server advertises.', 1, 39), bindPort: int32('Port the API server binds.') },
    description,
  );
}

function initConfiguration(): JSONSchemaProps {
  return object(
    {
      apiVersion: str('Kubeadm API version; set by the bootstrap provider.'),
      bootstrapTokens: arrayOf(
        object(
          {
            description: text('What the token is for.', 1, 512),
            expires: time('When the token expires; use either this or ttl.'),
            groups: boundedStrings('Extra groups the token authenticates as.', 100, 256),
            token: str('The token, "abcdef.0123456789abcdef".'),
            ttl: duration('How long the token is valid.'),
            usages: boundedStrings('What the token may be used for, e.g. authentication, signing.', 100, 256),
          },
          'A bootstrap token kubeadm creates.',
          { required: ['token'] },
        ),
        'Bootstrap tokens created by kubeadm init.',
        { maxItems: 100 },
      ),
      kind: str('Kubeadm kind; set by the bootstrap provider.'),
      localAPIEndpoint: localAPIEndpoint('The API server endpoint on this machine.'),
      nodeRegistration: nodeRegistration(),
      patches: patches(),
      skipPhases: boundedStrings('Kubeadm init phases to skip.', 50, 256),
    },
    'Kubeadm InitConfiguration, used on the first control-plane machine.',
  );
}

function joinConfiguration(): JSONSchemaProps {
  return object(
    {
      apiVersion: str('Kubeadm API version; set by the bootstrap provider.'),
      caCertPath: text('Where the cluster CA certificate is written.', 1, 512),
      controlPlane: object({ localAPIEndpoint: localAPIEndpoint('The API server endpoint on this machine.') }, 'Set when the machine joins as a control-plane machine.'),
      discovery: object(
        {
          bootstrapToken: object(
            {
              apiServerEndpoint: text('API server to discover the cluster from.', 1, 512),
              caCertHashes: boundedStrings('Hashes of the CA public key to pin, "sha256:<hex>".', 100, 512),
              token: text('Token used for discovery.', 1, 512),
              unsafeSkipCAVerification: bool('Trust the API server without pinning its CA.'),
            },
            'Discovery with a bootstrap token.',
          ),
          file: object(
            {
              kubeConfig: object(
                {
                  cluster: object(
                    {
                      certificateAuthorityData: str('PEM CA bundle of the API server.', { format: 'byte', minLength: 1, maxLength: 51200 }),
                      insecureSkipTLSVerify: bool('Skip TLS verification.'),
                      proxyURL: text('Proxy to reach the API server through.', 1, 512),
                      server: text('API server URL.', 1, 512),
                      tlsServerName: text('Server name for TLS verification.', 1, 512),
                    },
                    'The cluster to join; defaults come from the Cluster.',
                  ),
                  user: object(
                    {
                      authProvider: object(
                        { config: stringMap('Provider configuration.'), name: text('Provider name.', 1, 256) },
                        'An authentication provider plugin.',
                        { required: ['name'] },
                      ),
                      exec: object(
                        {
                          apiVersion: text('API version of the ExecCredential the command prints. Default client.authentication.k8s.io/v1.', 1, 512),
                          args: boundedStrings('Arguments of the command.', 100, 512),
                          command: text('Command that prints credentials.', 1, 1024),
                          env: arrayOf(
                            object({ name: text('Variable name.', 1, 512), value: text('Variable value.', 1, 512) }, 'An environment variable.', { required: ['name', 'value'] }),
                            'Extra environment of the command.',
                            { maxItems: 100 },
                          ),
                          provideClusterInfo: bool('Pass cluster information to the command.'),
                        },
                        'A command that provides credentials.',
                        { required: ['command'] },
                      ),
                    },
                    'How kubeadm authenticates; exactly one of authProvider or exec.',
                  ),
                },
                'A kubeconfig generated for discovery.',
                { required: ['user'] },
              ),
              kubeConfigPath: text('Path of the kubeconfig file used for discovery.', 1, 512),
            },
            'Discovery with a kubeconfig file.',
            { required: ['kubeConfigPath'] },
          ),
          timeout: duration('How long discovery may take.'),
          tlsBootstrapToken: text('Token for TLS bootstrapping.', 1, 512),
        },
        'How the joining machine finds and trusts the cluster.',
      ),
      kind: str('Kubeadm kind; set by the bootstrap provider.'),
      nodeRegistration: nodeRegistration(),
      patches: patches(),
      skipPhases: boundedStrings('Kubeadm join phases to skip.', 50, 256),
    },
    'Kubeadm JoinConfiguration, used on every machine but the first control-plane one.',
  );
}

function files(): JSONSchemaProps {
  return arrayOf(
    object(
      {
        append: bool('Append to the file instead of replacing it.'),
        content: text('Content of the file.', 1, 10240),
        contentFormat: oneOf(['Raw', 'Template'], 'Raw content, or a Go template rendered by the bootstrap provider.'),
        contentFrom: object(
          {
            secret: object(
              { key: text('Key within the Secret.', 1, 256), name: text('Name of the Secret.', 1, 253) },
              'A key of a Secret in the same namespace.',
              { required: ['key', 'name'] },
            ),
          },
          'Where the content comes from, instead of content.',
          { required: ['secret'] },
        ),
        encoding: oneOf(['base64', 'gzip', 'gzip+base64'], 'Encoding of the content.'),
        owner: text('Owner of the file, user:group.', 1, 256),
        path: text('Path of the file on the machine.', 1, 512),
        permissions: text('Permissions of the file, e.g. "0640".', 1, 16),
      },
      'A file written on the machine before kubeadm runs.',
      { required: ['path'] },
    ),
    'Files written on the machine.',
    { maxItems: 200 },
  );
}

function users(): JSONSchemaProps {
  return arrayOf(
    object(
      {
        gecos: text('Comment of the user.', 1, 256),
        groups: text('Extra groups of the user, comma separated.', 1, 256),
        homeDir: text('Home directory.', 1, 256),
        inactive: bool('Create the user inactive.'),
        lockPassword: bool('Disable password login.'),
        name: text('User name.', 1, 256),
        passwd: text('Hashed password.', 1, 256),
        passwdFrom: object(
          {
            secret: object(
              { key: text('Key within the Secret.', 1, 256), name: text('Name of the Secret.', 1, 253) },
              'A key of a Secret in the same namespace.',
              { required: ['key', 'name'] },
            ),
          },
          'Where the hashed password comes from, instead of passwd.',
          { required: ['secret'] },
        ),
        primaryGroup: text('Primary group.', 1, 256),
        shell: text('Login shell.', 1, 256),
        sshAuthorizedKeys: boundedStrings('Public keys allowed to log in over SSH.', 100, 2048),
        sudo: text('Sudo rule of the user.', 1, 256),
      },
      'A user created on the machine.',
      { required: ['name'] },
    ),
    'Users created on the machine.',
    { maxItems: 100 },
  );
}

function diskSetup(): JSONSchemaProps {
  return object(
    {
      filesystems: arrayOf(
        object(
          {
            device: text('Device to create the filesystem on.', 1, 256),
            extraOpts: boundedStrings('Extra options of mkfs.', 100, 256),
            filesystem: text('Filesystem type, e.g. ext4.', 1, 128),
            label: text('Filesystem label.', 1, 512),
            overwrite: bool('Overwrite an existing filesystem.'),
            partition: text('Partition to use: auto, any, none or a number.', 1, 128),
            replaceFS: text('Filesystem type to replace.', 1, 128),
          },
          'A filesystem to create.',
          { required: ['device', 'filesystem'] },
        ),
        'Filesystems to create.',
        { maxItems: 100 },
      ),
      partitions: arrayOf(
        object(
          {
            device: text('Device to partition.', 1, 256),
            diskLayout: arrayOf(
              object(
                {
                  partitionType: text('Partition type name or GPT GUID.', 1, 36, {
                    'x-kubernetes-validations': [
                      {
                        rule: "self.matches('^(Linux|LinuxSwap|LinuxRAID|LVM|Fat32|NTFS|LinuxExtended|[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})$')",
                        message: 'partitionType must be one of Linux, LinuxSwap, LinuxRAID, LVM, Fat32, NTFS, LinuxExtended or a full GPT partition GUID',
                      },
                    ],
                  }),
                  percentage: int32('Share of the disk, in percent.', { minimum: 1, maximum: 100 }),
                },
                'One partition of the layout.',
                { required: ['percentage'] },
              ),
              'Partitions to create, in order.',
              { maxItems: 100, minItems: 1 },
            ),
            layout: bool('Create the partitions (true) or leave the device alone.'),
            overwrite: bool('Overwrite an existing partition table.'),
            tableType: oneOf(['mbr', 'gpt'], 'Partition table type.'),
          },
          'A device to partition.',
          { required: ['device', 'layout'] },
        ),
        'Devices to partition.',
        { maxItems: 100 },
      ),
    },
    'Partitions and filesystems to create.',
  );
}

/** bootstrap.cluster.x-k8s.io/v1beta1 KubeadmConfigSpec. */
export function kubeadmConfigSpecSchema(description: string): JSONSchemaProps {
  return object(
    {
      bootCommands: boundedStrings('Commands run very early in boot (cloud-init bootcmd).', 1000, 10240),
      clusterConfiguration: clusterConfiguration(),
      diskSetup: diskSetup(),
      files: files(),
      format: oneOf(['cloud-config', 'ignition'], 'Format of the bootstrap data. Default cloud-config.'),
      ignition: object(
        {
          containerLinuxConfig: object(
            {
              additionalConfig: text('Extra Container Linux Config (YAML) merged into the generated config.', 1, 32768),
              strict: bool('Treat warnings of the config as errors.'),
            },
            'Container Linux Config options.',
          ),
        },
        'Ignition options; requires format: ignition.',
      ),
      initConfiguration: initConfiguration(),
      joinConfiguration: joinConfiguration(),
      mounts: arrayOf(arrayOf({ type: 'string', minLength: 1, maxLength: 512 }, 'One mount, as cloud-init mounts entries.'), 'Mounts to set up.', { maxItems: 100 }),
      ntp: object(
        { enabled: bool('Turn NTP on.'), servers: boundedStrings('NTP servers.', 100, 512) },
        'Time synchronisation.',
      ),
      postKubeadmCommands: boundedStrings('Commands run after kubeadm.', 1000, 10240),
      preKubeadmCommands: boundedStrings('Commands run before kubeadm.', 1000, 10240),
      useExperimentalRetryJoin: bool('Retry kubeadm join on failure (cloud-config only).'),
      users: users(),
      verbosity: int32('Kubeadm log verbosity (-v).'),
    },
    description,
  );
}

export function kubeadmConfigSchema(): JSONSchemaProps {
  return kindRoot('Bootstrap configuration of one Machine: the kubeadm settings and files that become its cloud-init or Ignition data.', {
    spec: kubeadmConfigSpecSchema('Desired state of the KubeadmConfig.'),
    status: object(
      {
        conditions: conditions(),
        dataSecretName: text('Name of the Secret holding the generated bootstrap data.', 1, 253),
        failureMessage: text('Human-readable description of a terminal problem.', 1, 10240),
        failureReason: text('Machine-readable reason of a terminal problem.', 1, 256),
        observedGeneration: int64('The metadata.generation the controller last acted on.'),
        ready: bool('Whether the bootstrap data is ready.'),
      },
      'Observed state of the KubeadmConfig.',
    ),
  });
}

export function kubeadmConfigTemplateSchema(): JSONSchemaProps {
  return kindRoot('A template of KubeadmConfigs, cloned once per Machine of a MachineDeployment or MachineSet.', {
    spec: object(
      {
        template: object(
          {
            metadata: templateMeta('Labels and annotations of the KubeadmConfigs made from the template.'),
            spec: kubeadmConfigSpecSchema('The spec of the KubeadmConfigs made from the template.'),
          },
          'The KubeadmConfig to clone.',
        ),
      },
      'Desired state of the KubeadmConfigTemplate.',
      { required: ['template'] },
    ),
  });
}
