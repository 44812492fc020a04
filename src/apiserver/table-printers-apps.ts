/**
 * Table printers for apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet and ControllerRevision, as
 * kube-apiserver's (printDeployment, printReplicaSet, printStatefulSet, printDaemonSet, printControllerRevision).
 */
import type { KubeObject } from '../apimachinery/types.js';
import {
  ageColumn,
  col,
  CONTAINERS_DESCRIPTION,
  containerCells,
  created,
  formatLabels,
  formatLabelSelector,
  get,
  IMAGES_DESCRIPTION,
  int,
  labelSelectorString,
  nameColumn,
  nameOf,
  records,
  s,
  type TableCell,
  type TablePrinter,
} from './table-cells.js';
import { FIELD_DOCS } from './table-field-docs.js';

const containerColumns = () => [col('Containers', 'string', CONTAINERS_DESCRIPTION, { priority: 1 }), col('Images', 'string', IMAGES_DESCRIPTION, { priority: 1 })];

function deploymentCells(o: KubeObject, now: Date): TableCell[] {
  const ready = int(get(o, 'status', 'readyReplicas'));
  const desired = int(get(o, 'spec', 'replicas'));
  const selector = labelSelectorString(get(o, 'spec', 'selector')) ?? '<invalid>';
  return [nameOf(o), `${ready}/${desired}`, int(get(o, 'status', 'updatedReplicas')), int(get(o, 'status', 'availableReplicas')), created(o, now), ...containerCells(get(o, 'spec', 'template')), selector];
}

function replicaSetCells(o: KubeObject, now: Date): TableCell[] {
  return [
    nameOf(o),
    int(get(o, 'spec', 'replicas')),
    int(get(o, 'status', 'replicas')),
    int(get(o, 'status', 'readyReplicas')),
    created(o, now),
    ...containerCells(get(o, 'spec', 'template')),
    formatLabelSelector(get(o, 'spec', 'selector')),
  ];
}

function statefulSetCells(o: KubeObject, now: Date): TableCell[] {
  return [nameOf(o), `${int(get(o, 'status', 'readyReplicas'))}/${int(get(o, 'spec', 'replicas'))}`, created(o, now), ...containerCells(get(o, 'spec', 'template'))];
}

function daemonSetCells(o: KubeObject, now: Date): TableCell[] {
  const status = (k: string): number => int(get(o, 'status', k));
  return [
    nameOf(o),
    status('desiredNumberScheduled'),
    status('currentNumberScheduled'),
    status('numberReady'),
    status('updatedNumberScheduled'),
    status('numberAvailable'),
    formatLabels(get(o, 'spec', 'template', 'spec', 'nodeSelector')),
    created(o, now),
    ...containerCells(get(o, 'spec', 'template')),
    formatLabelSelector(get(o, 'spec', 'selector')),
  ];
}

/** The controller owner as "kind.group/name" in lower case ("statefulset.apps/web"), or "<none>". */
export function controllerName(o: KubeObject): string {
  const ref = records(o.metadata?.ownerReferences).find((r) => r['controller'] === true);
  if (!ref) return '<none>';
  const apiVersion = s(ref['apiVersion']);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = s(ref['kind']);
  if (!kind && !group) return s(ref['name']);
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${s(ref['name'])}`;
}

export const APPS_PRINTERS: Record<string, TablePrinter> = {
  'apps/Deployment': {
    columns: [
      nameColumn(),
      col('Ready', 'string', 'Number of the pod with ready state'),
      col('Up-to-date', 'string', FIELD_DOCS['DeploymentStatus.updatedReplicas']),
      col('Available', 'string', FIELD_DOCS['DeploymentStatus.availableReplicas']),
      ageColumn(),
      ...containerColumns(),
      col('Selector', 'string', FIELD_DOCS['DeploymentSpec.selector'], { priority: 1 }),
    ],
    cells: deploymentCells,
  },
  'apps/ReplicaSet': {
    columns: [
      nameColumn(),
      col('Desired', 'integer', FIELD_DOCS['ReplicaSetSpec.replicas']),
      col('Current', 'integer', FIELD_DOCS['ReplicaSetStatus.replicas']),
      col('Ready', 'integer', FIELD_DOCS['ReplicaSetStatus.readyReplicas']),
      ageColumn(),
      ...containerColumns(),
      col('Selector', 'string', FIELD_DOCS['ReplicaSetSpec.selector'], { priority: 1 }),
    ],
    cells: replicaSetCells,
  },
  'apps/StatefulSet': {
    columns: [nameColumn(), col('Ready', 'string', 'Number of the pod with ready state'), ageColumn(), ...containerColumns()],
    cells: statefulSetCells,
  },
  'apps/DaemonSet': {
    columns: [
      nameColumn(),
      col('Desired', 'integer', FIELD_DOCS['DaemonSetStatus.desiredNumberScheduled']),
      col('Current', 'integer', FIELD_DOCS['DaemonSetStatus.currentNumberScheduled']),
      col('Ready', 'integer', FIELD_DOCS['DaemonSetStatus.numberReady']),
      col('Up-to-date', 'integer', FIELD_DOCS['DaemonSetStatus.updatedNumberScheduled']),
      col('Available', 'integer', FIELD_DOCS['DaemonSetStatus.numberAvailable']),
      col('Node Selector', 'string', FIELD_DOCS['PodSpec.nodeSelector']),
      ageColumn(),
      ...containerColumns(),
      col('Selector', 'string', FIELD_DOCS['DaemonSetSpec.selector'], { priority: 1 }),
    ],
    cells: daemonSetCells,
  },
  'apps/ControllerRevision': {
    columns: [nameColumn(), col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', FIELD_DOCS['ControllerRevision.revision']), ageColumn()],
    cells: (o, now) => [nameOf(o), controllerName(o), int(o['revision']), created(o, now)],
  },
};
