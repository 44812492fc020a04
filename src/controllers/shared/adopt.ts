/** Adoption of orphans: a controller takes over objects its selector matches that nothing controls yet. */
import type { KubeObject } from '../../apimachinery/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import { getControllerOf } from '../../runtime/meta.js';
import { ownerReferenceTo } from './external.js';

/**
 * Make `owner` the controller of the orphan `obj` (adding a controller owner reference, others kept). The write is
 * conditional on the version read; on a conflict the object is read again and adopted only if still an orphan.
 * Returns the adopted object, or undefined when it is gone or something else took control meanwhile.
 */
export async function adoptOrphan<T extends KubeObject>(client: Client, obj: T, owner: KubeObject, attempts = 3): Promise<T | undefined> {
  const kind = { apiVersion: obj.apiVersion!, kind: obj.kind! };
  const key = { namespace: obj.metadata?.namespace, name: obj.metadata!.name! };
  let current: T = obj;
  for (let i = 0; ; i++) {
    const controller = getControllerOf(current);
    if (controller) return controller.uid === owner.metadata?.uid ? current : undefined;
    try {
      return await client.patch<T>(kind, key, {
        type: 'merge',
        body: { metadata: { resourceVersion: current.metadata?.resourceVersion, ownerReferences: [...(current.metadata?.ownerReferences ?? []), ownerReferenceTo(owner, true)] } },
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      if (!isConflict(e) || i + 1 >= attempts) throw e;
      try {
        current = await client.get<T>(kind, key);
      } catch (g) {
        if (isNotFound(g)) return undefined;
        throw g;
      }
    }
  }
}
