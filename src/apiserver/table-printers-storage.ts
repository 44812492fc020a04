/**
 * Table printers for core/v1 PersistentVolume and PersistentVolumeClaim and storage.k8s.io/v1
 * StorageClass, as kube-apiserver's (printPersistentVolume, printPersistentVolumeClaim, printStorageClass).
 */
import type { KubeObject } from '../apimachinery/types.js';
import { ageColumn, col, created, get, nameColumn, nameOf, parseTimestamp, s, ZERO_TIME, type TableCell, type TablePrinter } from './table-cells.js';
import { FIELD_DOCS } from './table-field-docs.js';
import { formatQuantity } from './table-quantity.js';

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModesString(modes: unknown): string {
  const set = new Set(Array.isArray(modes) ? modes : []);
  const short: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return short.filter(([mode]) => set.has(mode)).map(([, abbr]) => abbr).join(',');
}

/** The class of a volume or claim: the beta annotation wins over spec.storageClassName. */
function storageClassOf(o: KubeObject): string {
  const annotations = o.metadata?.annotations ?? {};
  if (Object.prototype.hasOwnProperty.call(annotations, BETA_STORAGE_CLASS_ANNOTATION)) return annotations[BETA_STORAGE_CLASS_ANNOTATION] ?? '';
  return s(get(o, 'spec', 'storageClassName'));
}

const unsetIfAbsent = (v: unknown): string => (typeof v === 'string' ? v : '<unset>');
const phaseOf = (o: KubeObject): string => (o.metadata?.deletionTimestamp ? 'Terminating' : s(get(o, 'status', 'phase')));

function persistentVolumeCells(o: KubeObject, now: Date): TableCell[] {
  const claimRef = get(o, 'spec', 'claimRef');
  const claim = claimRef !== undefined && claimRef !== null ? `${s(get(claimRef, 'namespace'))}/${s(get(claimRef, 'name'))}` : '';
  return [
    nameOf(o),
    formatQuantity(get(o, 'spec', 'capacity', 'storage')),
    accessModesString(get(o, 'spec', 'accessModes')),
    s(get(o, 'spec', 'persistentVolumeReclaimPolicy')),
    phaseOf(o),
    claim,
    storageClassOf(o),
    unsetIfAbsent(get(o, 'spec', 'volumeAttributesClassName')),
    s(get(o, 'status', 'reason')),
    created(o, now),
    unsetIfAbsent(get(o, 'spec', 'volumeMode')),
  ];
}

function persistentVolumeClaimCells(o: KubeObject, now: Date): TableCell[] {
  const volumeName = s(get(o, 'spec', 'volumeName'));
  // Capacity and access modes are only shown once the claim is bound to a volume.
  const capacity = volumeName ? formatQuantity(get(o, 'status', 'capacity', 'storage')) : '';
  const accessModes = volumeName ? accessModesString(get(o, 'status', 'accessModes')) : '';
  return [
    nameOf(o),
    phaseOf(o),
    volumeName,
    capacity,
    accessModes,
    storageClassOf(o),
    unsetIfAbsent(get(o, 'spec', 'volumeAttributesClassName')),
    created(o, now),
    unsetIfAbsent(get(o, 'spec', 'volumeMode')),
  ];
}

const hasDefaultAnnotation = (o: KubeObject): boolean => DEFAULT_CLASS_ANNOTATIONS.some((a) => o.metadata?.annotations?.[a] === 'true');
const createdMs = (o: KubeObject): number => (typeof o.metadata?.creationTimestamp === 'string' ? (parseTimestamp(o.metadata.creationTimestamp)?.getTime() ?? ZERO_TIME) : ZERO_TIME);

/**
 * The effective default class of a list: of those annotated as default, the most recently created
 * (on a tie, the first name in order); "" when none is.
 */
export function effectiveDefaultStorageClass(list: readonly KubeObject[]): string {
  let best: KubeObject | undefined;
  for (const o of list) {
    if (!hasDefaultAnnotation(o)) continue;
    if (!best || createdMs(o) > createdMs(best) || (createdMs(o) === createdMs(best) && nameOf(o) < nameOf(best))) best = o;
  }
  return best ? nameOf(best) : '';
}

const effectiveDefaults = new WeakMap<readonly KubeObject[], string>();

function storageClassCells(o: KubeObject, now: Date, list?: readonly KubeObject[]): TableCell[] {
  // Only a list marks its effective default; a single class is printed without the marker.
  let isDefault = false;
  if (list) {
    let name = effectiveDefaults.get(list);
    if (name === undefined) effectiveDefaults.set(list, (name = effectiveDefaultStorageClass(list)));
    isDefault = name !== '' && nameOf(o) === name;
  }
  const reclaimPolicy = typeof o['reclaimPolicy'] === 'string' ? o['reclaimPolicy'] : 'Delete';
  const bindingMode = typeof o['volumeBindingMode'] === 'string' ? o['volumeBindingMode'] : 'Immediate';
  return [isDefault ? `${nameOf(o)} (default)` : nameOf(o), s(o['provisioner']), reclaimPolicy, bindingMode, o['allowVolumeExpansion'] === true, created(o, now)];
}

export const STORAGE_PRINTERS: Record<string, TablePrinter> = {
  '/PersistentVolume': {
    columns: [
      nameColumn(),
      col('Capacity', 'string', FIELD_DOCS['PersistentVolumeSpec.capacity']),
      col('Access Modes', 'string', FIELD_DOCS['PersistentVolumeSpec.accessModes']),
      col('Reclaim Policy', 'string', FIELD_DOCS['PersistentVolumeSpec.persistentVolumeReclaimPolicy']),
      col('Status', 'string', FIELD_DOCS['PersistentVolumeStatus.phase']),
      col('Claim', 'string', FIELD_DOCS['PersistentVolumeSpec.claimRef']),
      col('StorageClass', 'string', 'StorageClass of the pv'),
      col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
      col('Reason', 'string', FIELD_DOCS['PersistentVolumeStatus.reason']),
      ageColumn(),
      col('VolumeMode', 'string', FIELD_DOCS['PersistentVolumeSpec.volumeMode'], { priority: 1 }),
    ],
    cells: persistentVolumeCells,
  },
  '/PersistentVolumeClaim': {
    columns: [
      nameColumn(),
      col('Status', 'string', FIELD_DOCS['PersistentVolumeClaimStatus.phase']),
      col('Volume', 'string', FIELD_DOCS['PersistentVolumeClaimSpec.volumeName']),
      col('Capacity', 'string', FIELD_DOCS['PersistentVolumeClaimStatus.capacity']),
      col('Access Modes', 'string', FIELD_DOCS['PersistentVolumeClaimStatus.accessModes']),
      col('StorageClass', 'string', 'StorageClass of the pvc'),
      col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
      ageColumn(),
      col('VolumeMode', 'string', FIELD_DOCS['PersistentVolumeClaimSpec.volumeMode'], { priority: 1 }),
    ],
    cells: persistentVolumeClaimCells,
  },
  'storage.k8s.io/StorageClass': {
    columns: [
      nameColumn(),
      col('Provisioner', 'string', FIELD_DOCS['StorageClass.provisioner']),
      col('ReclaimPolicy', 'string', FIELD_DOCS['StorageClass.reclaimPolicy']),
      col('VolumeBindingMode', 'string', FIELD_DOCS['StorageClass.volumeBindingMode']),
      col('AllowVolumeExpansion', 'string', FIELD_DOCS['StorageClass.allowVolumeExpansion']),
      ageColumn(),
    ],
    cells: storageClassCells,
  },
};
