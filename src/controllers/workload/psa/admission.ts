/**
 * Pod Security Admission for a workload cluster's API: upstream's PodSecurity plugin (src/psa) configured from the
 * cluster's own admission configuration (admission-config.ts), re-read at most every `cacheMs`. Enforce refuses with
 * upstream's message, warn returns warnings, audit produces audit annotations; namespace labels
 * pod-security.kubernetes.io/* override the defaults and exempt namespaces, users and runtime classes are honoured.
 * An invalid configuration (a real kube-apiserver would not start) is reported to `onConfigError` and the defaults apply.
 */
import type { ObjectStore } from '../../../apiserver/object-store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../../apiserver/strategy.js';
import { parseLabelSelector } from '../../../apimachinery/selectors.js';
import { DEFAULT_POD_KINDS, DEFAULT_TEMPLATE_KINDS, defaultPodSecurityConfig, matchesKind, PodSecurityAdmission, type PsaAuditRecord } from '../../../psa/index.js';
import { APISERVER_FILES_PREFIX } from './apiserver-files.js';
import { readWorkloadPodSecurityConfig, type ClusterStateReader, type WorkloadPodSecurityConfig } from './admission-config.js';

export interface WorkloadPodSecurityAdmissionOptions {
  /** The workload cluster's object store (its kube-system holds the API server Pods and their files). */
  objects: ObjectStore;
  /** Reuse a configuration read for this long (default 5000 ms; 0 reads it for every request). */
  cacheMs?: number;
  onAudit?: (record: PsaAuditRecord) => void;
  onConfigError?: (err: Error) => void;
}

/** ClusterStateReader and namespace reads over a cluster's ObjectStore. */
export function objectStoreStateReader(objects: ObjectStore): ClusterStateReader {
  const pods = objects.registry.get('', 'v1', 'pods');
  const configMaps = objects.registry.get('', 'v1', 'configmaps');
  return {
    apiServerPods: async () => (pods ? (await objects.list(pods, 'kube-system', { labelSelector: parseLabelSelector('component=kube-apiserver') })).items : []),
    configMap: async (ns, name) => (configMaps ? objects.tryGet(configMaps, ns, name) : undefined),
  };
}

/** After a write to the API server's Pod or files, the configuration is read for every request for this long. */
const REREAD_AFTER_CHANGE_MS = 2000;

/** A write to a kube-apiserver static Pod or a node's published API server files. */
function touchesConfiguration(attrs: AdmissionAttributes): boolean {
  if (attrs.namespace !== 'kube-system' || attrs.info.group !== '') return false;
  if (attrs.info.kind === 'ConfigMap') return attrs.name.startsWith(APISERVER_FILES_PREFIX);
  if (attrs.info.kind === 'Pod') return attrs.name.startsWith('kube-apiserver-') || (attrs.object ?? attrs.oldObject)?.metadata?.labels?.component === 'kube-apiserver';
  return false;
}

export class WorkloadPodSecurityAdmission implements AdmissionPlugin {
  readonly name = 'PodSecurity';
  private cached: { at: number; read: WorkloadPodSecurityConfig; plugin: PodSecurityAdmission } | undefined;
  private readonly reader: ClusterStateReader;
  private freshUntil = 0;

  constructor(private readonly opts: WorkloadPodSecurityAdmissionOptions) {
    this.reader = objectStoreStateReader(opts.objects);
  }

  /** The configuration in force (read again when the cache has expired). */
  async current(): Promise<WorkloadPodSecurityConfig> {
    return (await this.pluginNow()).read;
  }

  async admit(attrs: AdmissionAttributes): Promise<string[] | void> {
    if (touchesConfiguration(attrs)) {
      // The API server's Pod or its files change: read the configuration afresh for a while (the write commits after admission).
      this.cached = undefined;
      this.freshUntil = this.opts.objects.clock.now().getTime() + REREAD_AFTER_CHANGE_MS;
    }
    // Only what the plugin looks at: everything else passes without reading the configuration.
    const { group, kind } = attrs.info;
    if (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') return;
    const relevant = (group === '' && kind === 'Namespace') || matchesKind(DEFAULT_POD_KINDS, group, kind) || matchesKind(DEFAULT_TEMPLATE_KINDS, group, kind);
    if (!relevant) return;
    return (await this.pluginNow()).plugin.admit(attrs);
  }

  private async pluginNow(): Promise<{ read: WorkloadPodSecurityConfig; plugin: PodSecurityAdmission }> {
    const now = this.opts.objects.clock.now().getTime();
    const ttl = this.opts.cacheMs ?? 5000;
    if (this.cached && ttl > 0 && now - this.cached.at < ttl && now >= this.freshUntil) return this.cached;
    let read: WorkloadPodSecurityConfig;
    try {
      read = await readWorkloadPodSecurityConfig(this.reader);
    } catch (e) {
      this.opts.onConfigError?.(e as Error);
      read = { config: defaultPodSecurityConfig(), source: 'defaults' };
    }
    const same = this.cached && JSON.stringify(this.cached.read.config) === JSON.stringify(read.config);
    const plugin = same ? this.cached!.plugin : this.newPlugin(read);
    this.cached = { at: now, read, plugin };
    return this.cached;
  }

  private newPlugin(read: WorkloadPodSecurityConfig): PodSecurityAdmission {
    const { objects } = this.opts;
    const namespaces = objects.registry.get('', 'v1', 'namespaces')!;
    const pods = objects.registry.get('', 'v1', 'pods')!;
    return new PodSecurityAdmission({
      config: read.config,
      namespaces: {
        getNamespace: (name) => objects.tryGet(namespaces, undefined, name),
        listPods: async (ns) => (await objects.list(pods, ns, {})).items,
      },
      ...(this.opts.onAudit ? { onAudit: this.opts.onAudit } : {}),
    });
  }
}

/** The PodSecurity admission plugin of one workload cluster (add it to that cluster's admission chain). */
export function workloadPodSecurityAdmission(opts: WorkloadPodSecurityAdmissionOptions): WorkloadPodSecurityAdmission {
  return new WorkloadPodSecurityAdmission(opts);
}
