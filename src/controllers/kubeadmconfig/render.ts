/**
 * Bootstrap data of a KubeadmConfig: the kubeadm config documents for the node's role in the Kubernetes version's
 * kubeadm API, wrapped in cloud-init or Ignition. Pure: the reconciler resolves files and users from Secrets, fills
 * in discovery and cluster-level settings, and looks up certificates before calling it.
 */
import type { BootstrapFormat, File, KubeadmConfigSpec } from '../../api/bootstrap/types.js';
import { renderCloudConfig } from './cloudinit.js';
import { renderIgnition } from './ignition.js';
import { marshalClusterConfiguration, marshalInitConfiguration, marshalJoinConfiguration } from './kubeadm-api.js';
import type { BootstrapMode, UserData } from './userdata.js';

export interface BootstrapDataInput {
  mode: BootstrapMode;
  /** The Machine's version: picks the kubeadm API version. */
  kubernetesVersion: string;
  /**
   * The KubeadmConfig spec with spec.files[].contentFrom and spec.users[].passwdFrom resolved, and the configurations
   * the node needs filled in (ClusterConfiguration and InitConfiguration for init, JoinConfiguration for joins).
   */
  spec: KubeadmConfigSpec;
  /** Certificate files of a control-plane node (see certificateFiles). */
  certificateFiles?: File[];
}

export interface RenderedBootstrapData {
  /** The user data (cloud-config text or Ignition JSON). */
  value: string;
  format: BootstrapFormat;
  /** Notes about ignored parts of an Ignition additionalConfig. */
  warnings: string[];
}

/** The format-independent user data of a node. */
export function userDataFor(input: BootstrapDataInput): UserData {
  const { spec, mode, kubernetesVersion } = input;
  let kubeadmDocuments: string[];
  switch (mode) {
    case 'init':
      kubeadmDocuments = [marshalClusterConfiguration(spec.clusterConfiguration, kubernetesVersion), marshalInitConfiguration(spec.initConfiguration, spec.clusterConfiguration, kubernetesVersion)];
      break;
    case 'join-control-plane':
      kubeadmDocuments = [marshalJoinConfiguration({ ...spec.joinConfiguration, controlPlane: spec.joinConfiguration?.controlPlane ?? {} }, spec.clusterConfiguration, kubernetesVersion)];
      break;
    case 'join-worker':
      if (spec.joinConfiguration?.controlPlane) throw new Error('spec.joinConfiguration.controlPlane is set, but the Machine is a worker (it has no cluster.x-k8s.io/control-plane label)');
      kubeadmDocuments = [marshalJoinConfiguration(spec.joinConfiguration, undefined, kubernetesVersion)];
      break;
    default:
      throw new Error(`unknown bootstrap mode ${JSON.stringify(mode)}`);
  }
  (spec.files ?? []).forEach((f, i) => {
    if (f.contentFrom) throw new Error(`spec.files[${i}] (${f.path}): contentFrom must be resolved before rendering`);
  });
  (spec.users ?? []).forEach((u, i) => {
    if (u.passwdFrom) throw new Error(`spec.users[${i}] (${u.name}): passwdFrom must be resolved before rendering`);
  });
  return {
    mode,
    kubeadmDocuments,
    writeFiles: [...(mode === 'join-worker' ? [] : (input.certificateFiles ?? [])), ...(spec.files ?? [])],
    bootCommands: [...(spec.bootCommands ?? [])],
    preKubeadmCommands: [...(spec.preKubeadmCommands ?? [])],
    postKubeadmCommands: [...(spec.postKubeadmCommands ?? [])],
    users: [...(spec.users ?? [])],
    ntp: spec.ntp,
    diskSetup: spec.diskSetup,
    mounts: spec.mounts,
    verbosity: spec.verbosity,
    useExperimentalRetryJoin: spec.useExperimentalRetryJoin,
  };
}

/** Render a node's bootstrap data in the spec's format (cloud-config unless `format: ignition`). */
export function renderBootstrapData(input: BootstrapDataInput): RenderedBootstrapData {
  const userData = userDataFor(input);
  const format: BootstrapFormat = input.spec.format ?? 'cloud-config';
  if (format === 'ignition') {
    const clc = input.spec.ignition?.containerLinuxConfig;
    const { value, warnings } = renderIgnition(userData, { additionalConfig: clc?.additionalConfig, strict: clc?.strict });
    return { value, format, warnings };
  }
  if (format !== 'cloud-config') throw new Error(`spec.format: unsupported value "${String(format)}" (cloud-config or ignition)`);
  return { value: renderCloudConfig(userData), format, warnings: [] };
}
