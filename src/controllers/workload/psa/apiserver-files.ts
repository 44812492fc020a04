/**
 * The files a control-plane node's kube-apiserver reads its admission configuration from, as the cluster's API shows
 * them. On a real node the kube-apiserver static Pod reads `--admission-control-config-file` (and the plugin files it
 * names) from the node's disk; a simulated node has no disk, so the sim's kubelet publishes those files, as its bootstrap
 * data wrote them, in a ConfigMap next to the static Pods: kube-system/`kube-apiserver-files-<node>`, owned by the Node
 * (it goes with the Node). Keys are the file paths without the leading `/`, with `/` turned into `_`
 * (`/etc/kubernetes/admission-control-config.yaml` → `etc_kubernetes_admission-control-config.yaml`).
 */
import { posix } from 'node:path';
import YAML from 'yaml';
import type { KubeObject } from '../../../apimachinery/types.js';

export const APISERVER_FILES_PREFIX = 'kube-apiserver-files-';
export const ADMISSION_CONFIG_FLAG = 'admission-control-config-file';
/** Label on the ConfigMap: which component reads these files. */
export const NODE_FILES_LABEL = 'sim.slipway.dev/node-files';

export function apiServerFilesConfigMapName(nodeName: string): string {
  return `${APISERVER_FILES_PREFIX}${nodeName}`;
}

/** The ConfigMap key of a file path. */
export function nodeFileKey(path: string): string {
  return path.replace(/^\/+/, '').replaceAll('/', '_');
}

/** A plugin's configuration file path, resolved as kube-apiserver does (relative to the admission configuration file). */
export function resolvePluginPath(configFile: string, path: string): string {
  return posix.isAbsolute(path) ? path : posix.join(posix.dirname(configFile), path);
}

/** The admission configuration file and the plugin files it references by `path`, out of the node's files. */
export function admissionFiles(configFile: string, files: readonly { path: string; content: string }[]): { path: string; content: string }[] {
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const main = byPath.get(configFile);
  if (main === undefined) return [];
  const out = [{ path: configFile, content: main }];
  let doc: unknown;
  try {
    doc = YAML.parse(main);
  } catch {
    return out;
  }
  const plugins = (doc as { plugins?: unknown } | null)?.plugins;
  for (const p of Array.isArray(plugins) ? plugins : []) {
    const path = (p as { path?: unknown } | null)?.path;
    if (typeof path !== 'string' || path === '') continue;
    const resolved = resolvePluginPath(configFile, path);
    const content = byPath.get(resolved);
    if (content !== undefined && !out.some((f) => f.path === resolved)) out.push({ path: resolved, content });
  }
  return out;
}

/**
 * The ConfigMap a sim control-plane node publishes for its kube-apiserver (undefined when the apiserver has no
 * admission configuration flag or the file is not among the node's files).
 */
export function buildApiServerFilesConfigMap(node: KubeObject, apiServerArgs: Record<string, string>, files: readonly { path: string; content: string }[]): KubeObject | undefined {
  const configFile = apiServerArgs[ADMISSION_CONFIG_FLAG];
  if (!configFile) return undefined;
  const chosen = admissionFiles(configFile, files);
  if (!chosen.length) return undefined;
  const nodeName = node.metadata!.name!;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: apiServerFilesConfigMapName(nodeName),
      namespace: 'kube-system',
      labels: { [NODE_FILES_LABEL]: 'kube-apiserver' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata!.uid! }],
    },
    data: Object.fromEntries(chosen.map((f) => [nodeFileKey(f.path), f.content])),
  } as KubeObject;
}
