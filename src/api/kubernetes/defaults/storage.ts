/** Defaults of storage.k8s.io/v1 StorageClass (upstream pkg/apis/storage/v1). */
import { defaultValue, type Obj } from './fields.js';

export function defaultStorageClass(storageClass: Obj): void {
  defaultValue(storageClass, 'reclaimPolicy', 'Delete');
  defaultValue(storageClass, 'volumeBindingMode', 'Immediate');
}
