/** Defaults of storage.k8s.io/v1 kinds (upstream pkg/apis/storage/v1). */
import { defaultValue, ensureChild, hasItems, type Obj } from './fields.js';

export function defaultStorageClass(storageClass: Obj): void {
  defaultValue(storageClass, 'reclaimPolicy', 'Delete');
  defaultValue(storageClass, 'volumeBindingMode', 'Immediate');
}

export function defaultCSIDriver(driver: Obj): void {
  const spec = ensureChild(driver, 'spec');
  defaultValue(spec, 'attachRequired', true);
  defaultValue(spec, 'podInfoOnMount', false);
  defaultValue(spec, 'storageCapacity', false);
  defaultValue(spec, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
  if (!hasItems(spec, 'volumeLifecycleModes')) spec['volumeLifecycleModes'] = ['Persistent'];
  defaultValue(spec, 'requiresRepublish', false);
}
