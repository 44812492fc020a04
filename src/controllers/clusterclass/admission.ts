/**
 * Admission of topology Clusters and ClusterClasses: the checks of Cluster API's Cluster and ClusterClass webhooks
 * that need other objects (the kinds' own strategies in src/api/cluster have already run on the object alone).
 *
 * Cluster (create, update): the class must exist; the topology's variables are defaulted and validated against the
 * class's definitions (with the old values for CEL transition rules); worker classes must exist in the class;
 * health checks and autoscaler settings must fit the class; a class change must keep template groups and kinds; and
 * a version change waits until the control plane and the MachineDeployments have finished the previous rollout
 * (unless `unsafe.topology.cluster.x-k8s.io/disable-update-version-check` is set).
 *
 * ClusterClass: create and update run the engine's validation (variable schemas, patches, templates that parse);
 * an update may not change template groups or kinds, nor break the Clusters using the class; delete is refused
 * while a Cluster uses the class.
 *
 * Writes of the status subresource are not checked, and neither are updates that leave spec, labels and annotations
 * as they were (finalizers, owner references): an object admitted once stays writable by its controllers.
 */
import { fieldError, invalid, StatusError, type StatusCause } from '../../apimachinery/errors.js';
import { deepEqual } from '../../apimachinery/schema/path.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../apiserver/strategy.js';
import { CLUSTER_API_GROUP, type ClusterClass } from '../../api/cluster/clusterclass.js';
import { UNSAFE_UPDATE_VERSION_ANNOTATION } from '../../api/cluster/cluster-strategy.js';
import { CLUSTER_CLASS_KIND, CLUSTER_KIND, type Cluster } from '../../api/cluster/types.js';
import { defaultTopologyVariables, validateClusterClass as validateClassWithEngine, validateClusterTopology } from '../../topology/index.js';
import { compareVersions, parseVersion } from '../../topology/versions.js';
import type { Reader } from '../shared/reader.js';
import { classUpdateCauses, clusterClassesCompatibilityCauses, clustersUsing, kubernetesVersionsOrderCauses, templateKindCauses } from './class-checks.js';
import { clusterAgainstClassCauses } from './cluster-checks.js';
import { rolloutInProgress } from './rollout-check.js';

export interface TopologyAdmissionOptions {
  /** Reads of ClusterClasses and Clusters; must see every committed write (the plane passes objectStoreReader). */
  reader: Reader;
  /** Reads of rollout state (control planes, MachineDeployments, Machines); default `reader`. */
  rolloutReader?: Reader;
}

/** How many Clusters a refused ClusterClass deletion names. */
const NAMED_CLUSTERS = 3;

export class TopologyAdmission implements AdmissionPlugin {
  readonly name = 'ClusterTopology';
  private readonly reader: Reader;
  private rolloutReader: Reader;

  constructor(opts: TopologyAdmissionOptions) {
    this.reader = opts.reader;
    this.rolloutReader = opts.rolloutReader ?? opts.reader;
  }

  /** Read rollout state from `reader` from now on (e.g. the controllers' informer caches once they run). */
  useRolloutReader(reader: Reader): void {
    this.rolloutReader = reader;
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource || attrs.info.group !== CLUSTER_API_GROUP) return;
    if (attrs.info.kind === 'Cluster') await this.admitCluster(attrs);
    else if (attrs.info.kind === 'ClusterClass') await this.admitClusterClass(attrs);
  }

  // ---- Cluster --------------------------------------------------------------------------------------

  private async admitCluster(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.operation === 'DELETE') return;
    const cluster = attrs.object as Cluster | undefined;
    const old = attrs.oldObject as Cluster | undefined;
    const topology = cluster?.spec?.topology;
    if (!cluster || !topology?.class) return;
    if (old && unchangedForAdmission(cluster, old)) return;
    const name = cluster.metadata?.name ?? attrs.name;
    const refuse = (causes: StatusCause[]): StatusError => invalid('Cluster', CLUSTER_API_GROUP, name, causes);

    const classNamespace = topology.classNamespace || cluster.metadata?.namespace;
    const cc = await this.reader.get<ClusterClass>(CLUSTER_CLASS_KIND, classNamespace, topology.class);
    if (!cc) {
      const where = topology.classNamespace ? ` in namespace ${JSON.stringify(topology.classNamespace)}` : '';
      throw refuse([fieldError.invalid('spec.topology.class', topology.class, `ClusterClass with name ${JSON.stringify(topology.class)} could not be found${where}`)]);
    }

    const hadVariables = topology.variables !== undefined;
    defaultTopologyVariables(cluster, cc);
    if (!hadVariables && topology.variables?.length === 0) delete topology.variables;

    const causes = [...validateClusterTopology(cluster, cc, old && withoutVersion(old)), ...clusterAgainstClassCauses(cluster, cc)];
    const oldTopology = old?.spec?.topology;
    if (old && oldTopology?.class) {
      const oldNamespace = oldTopology.classNamespace || old.metadata?.namespace;
      if (oldTopology.class !== topology.class || oldNamespace !== classNamespace) causes.push(...(await this.classChangeCauses(oldTopology.class, oldNamespace, cc)));
      if (cluster.metadata?.annotations?.[UNSAFE_UPDATE_VERSION_ANNOTATION] === undefined && increases(oldTopology.version, topology.version)) {
        const reasons = await rolloutInProgress(this.rolloutReader, old, oldTopology.version);
        if (reasons.length) {
          const why = reasons.length === 1 ? reasons[0] : `[${reasons.join(', ')}]`;
          causes.push(fieldError.invalid('spec.topology.version', topology.version, `version cannot be changed: ${why}`));
        }
      }
    }
    if (causes.length) throw refuse(causes);
  }

  /** A Cluster moving from class `oldName` to `cc`: the templates must stay of the same groups and kinds. */
  private async classChangeCauses(oldName: string, oldNamespace: string | undefined, cc: ClusterClass): Promise<StatusCause[]> {
    const previous = await this.reader.get<ClusterClass>(CLUSTER_CLASS_KIND, oldNamespace, oldName);
    if (!previous) {
      return [
        fieldError.forbidden(
          'spec.topology.class',
          `ClusterClass with name ${JSON.stringify(oldName)} could not be found, change from class ${JSON.stringify(oldName)} to class ${JSON.stringify(cc.metadata?.name ?? '')} cannot be validated`,
        ),
      ];
    }
    return clusterClassesCompatibilityCauses(previous, cc);
  }

  // ---- ClusterClass ---------------------------------------------------------------------------------

  private async admitClusterClass(attrs: AdmissionAttributes): Promise<void> {
    const name = attrs.name;
    if (attrs.operation === 'DELETE') {
      const stored = attrs.oldObject as ClusterClass | undefined;
      if (!stored) return;
      const users = clustersUsing(stored, await this.reader.list<Cluster>(CLUSTER_KIND, undefined));
      if (!users.length) return;
      const named = users.slice(0, NAMED_CLUSTERS).map((c) => `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`);
      const more = users.length > NAMED_CLUSTERS ? ` and ${users.length - NAMED_CLUSTERS} more` : '';
      throw new StatusError(403, 'Forbidden', `clusterclasses.${CLUSTER_API_GROUP} ${JSON.stringify(name)} is forbidden: ClusterClass cannot be deleted because it is used by Cluster(s): ${named.join(', ')}${more}`, {
        name,
        group: CLUSTER_API_GROUP,
        kind: 'clusterclasses',
      });
    }
    const cc = attrs.object as ClusterClass | undefined;
    const old = attrs.oldObject as ClusterClass | undefined;
    if (!cc) return;
    if (old && unchangedForAdmission(cc, old)) return;
    const causes = [...validateClassWithEngine(cc), ...templateKindCauses(cc), ...kubernetesVersionsOrderCauses(cc)];
    if (old && !deepEqual(old.spec, cc.spec)) {
      causes.push(...clusterClassesCompatibilityCauses(old, cc));
      causes.push(...classUpdateCauses(old, cc, clustersUsing(old, await this.reader.list<Cluster>(CLUSTER_KIND, undefined))));
    }
    if (causes.length) throw invalid('ClusterClass', CLUSTER_API_GROUP, name, causes);
  }
}

/** Spec, labels and annotations as stored: nothing admission judges has changed. */
function unchangedForAdmission(obj: { spec?: unknown; metadata?: { labels?: unknown; annotations?: unknown } }, old: { spec?: unknown; metadata?: { labels?: unknown; annotations?: unknown } }): boolean {
  return deepEqual(obj.spec, old.spec) && deepEqual(obj.metadata?.labels, old.metadata?.labels) && deepEqual(obj.metadata?.annotations, old.metadata?.annotations);
}

/** The stored Cluster without its version: version rules are the strategy's and this plugin's (with the unsafe annotation). */
function withoutVersion(old: Cluster): Cluster {
  const topology = old.spec?.topology;
  if (!topology) return old;
  return { ...old, spec: { ...old.spec, topology: { ...topology, version: '' } } };
}

function increases(from: string | undefined, to: string | undefined): boolean {
  const a = from ? parseVersion(from) : undefined;
  const b = to ? parseVersion(to) : undefined;
  return !!a && !!b && compareVersions(b, a) > 0;
}
