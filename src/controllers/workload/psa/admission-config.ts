/**
 * A workload cluster's PodSecurity admission configuration, read from what its control plane runs: the newest
 * kube-apiserver static Pod's `--admission-control-config-file` flag, that file (and a plugin file it names by `path`)
 * from the node's published files (see apiserver-files.ts), and the `PodSecurity` plugin's configuration in it
 * (inline `configuration` or a `path`). Without a flag, a file or a PodSecurity entry the API server runs with
 * upstream's defaults (everything privileged, namespace labels still apply).
 */
import YAML from 'yaml';
import type { KubeObject } from '../../../apimachinery/types.js';
import { defaultPodSecurityConfig, loadPodSecurityConfiguration, parsePodSecurityConfiguration, PodSecurityConfigError, type PodSecurityConfig } from '../../../psa/index.js';
import { ADMISSION_CONFIG_FLAG, apiServerFilesConfigMapName, nodeFileKey, resolvePluginPath } from './apiserver-files.js';

/** What the reader needs from the cluster's API. */
export interface ClusterStateReader {
  /** kube-system Pods labelled component=kube-apiserver. */
  apiServerPods(): Promise<KubeObject[]>;
  configMap(namespace: string, name: string): Promise<KubeObject | undefined>;
}

export interface WorkloadPodSecurityConfig {
  config: PodSecurityConfig;
  /** Where it came from: `defaults` or `<file path> on <node>`. */
  source: string;
}

const ADMISSION_KINDS = ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1alpha1', 'apiserver.k8s.io/v1alpha1'];

/** The value of `--flag=value` (or `--flag value`) in a container's command and args. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith(`--${flag}=`)) return a.slice(flag.length + 3);
    if (a === `--${flag}` && i + 1 < argv.length) return argv[i + 1];
  }
  return undefined;
}

/** The kube-apiserver Pod whose configuration counts: the newest (then first by name). */
export function newestApiServer(pods: readonly KubeObject[]): KubeObject | undefined {
  return [...pods]
    .filter((p) => !p.metadata?.deletionTimestamp)
    .sort((a, b) => {
      const ta = a.metadata?.creationTimestamp ?? '';
      const tb = b.metadata?.creationTimestamp ?? '';
      if (ta !== tb) return ta < tb ? 1 : -1;
      return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
    })[0];
}

function argvOf(pod: KubeObject): string[] {
  const c = ((pod.spec as { containers?: { name?: string; command?: string[]; args?: string[] }[] } | undefined)?.containers ?? [])[0];
  return [...(c?.command ?? []), ...(c?.args ?? [])];
}

/**
 * The PodSecurity plugin configuration of an AdmissionConfiguration file's text; `readFile` gives a plugin file by
 * absolute path. undefined when the file configures no PodSecurity plugin. Throws PodSecurityConfigError when invalid.
 */
export function podSecurityFromAdmissionConfiguration(text: string, configFile: string, readFile: (path: string) => string | undefined): PodSecurityConfig | undefined {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new PodSecurityConfigError([{ reason: 'FieldValueInvalid', field: '', message: `${configFile}: not valid YAML: ${(e as Error).message.split('\n')[0]}` }]);
  }
  const d = (doc ?? {}) as { apiVersion?: unknown; kind?: unknown; plugins?: unknown };
  if (d.kind !== 'AdmissionConfiguration' || typeof d.apiVersion !== 'string' || !ADMISSION_KINDS.includes(d.apiVersion)) {
    throw new PodSecurityConfigError([{ reason: 'FieldValueInvalid', field: '', message: `${configFile}: not an AdmissionConfiguration (apiVersion ${JSON.stringify(d.apiVersion)}, kind ${JSON.stringify(d.kind)})` }]);
  }
  const plugin = (Array.isArray(d.plugins) ? d.plugins : []).find((p) => (p as { name?: unknown } | null)?.name === 'PodSecurity') as { configuration?: unknown; path?: unknown } | undefined;
  if (!plugin) return undefined;
  if (plugin.configuration !== undefined && plugin.configuration !== null) return parsePodSecurityConfiguration(plugin.configuration);
  if (typeof plugin.path === 'string' && plugin.path !== '') {
    const path = resolvePluginPath(configFile, plugin.path);
    const content = readFile(path);
    if (content === undefined) throw new PodSecurityConfigError([{ reason: 'FieldValueNotFound', field: 'plugins[PodSecurity].path', message: `${path}: no such file` }]);
    return loadPodSecurityConfiguration(content);
  }
  return undefined;
}

/** The cluster's PodSecurity configuration (defaults when the API server has none). Throws PodSecurityConfigError when invalid. */
export async function readWorkloadPodSecurityConfig(reader: ClusterStateReader): Promise<WorkloadPodSecurityConfig> {
  const defaults = { config: defaultPodSecurityConfig(), source: 'defaults' };
  const pod = newestApiServer(await reader.apiServerPods());
  if (!pod) return defaults;
  const configFile = flagValue(argvOf(pod), ADMISSION_CONFIG_FLAG);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!configFile || !nodeName) return defaults;
  const cm = await reader.configMap('kube-system', apiServerFilesConfigMapName(nodeName));
  const data = (cm as { data?: Record<string, string> } | undefined)?.data ?? {};
  const text = data[nodeFileKey(configFile)];
  if (text === undefined) return defaults;
  const config = podSecurityFromAdmissionConfiguration(text, configFile, (p) => data[nodeFileKey(p)]);
  return config ? { config, source: `${configFile} on ${nodeName}` } : defaults;
}
