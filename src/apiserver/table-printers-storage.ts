/**
 * Table printers for core/v1 PersistentVolume and PersistentVolumeClaim and storage.k8s.io/v1
 * StorageClass, as kube-apiserver's (printPersistentVolume, printPersistentVolumeClaim, printStorageClass).
 */
import type { KubeObject } from '../apimachinery/types.js';
import { ageColumn, col, created, get, nameColumn, nameOf, s, type TableCell, type TablePrinter } from './table-cells.js';
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

function storageClassCells(o: KubeObject, now: Date): TableCell[] {
  const annotations = o.metadata?.annotations ?? {};
  const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((a) => annotations[a] === 'true');
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
