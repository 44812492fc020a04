/** Defaults of rbac.authorization.k8s.io/v1 bindings: roleRef.apiGroup and subjects' apiGroup. */
import { child, defaultString, objects, type Obj } from './fields.js';

export const rbacGroup = 'rbac.authorization.k8s.io';

/** RoleBinding and ClusterRoleBinding. */
export function defaultBinding(binding: Obj): void {
  const roleRef = child(binding, 'roleRef');
  if (roleRef) defaultString(roleRef, 'apiGroup', rbacGroup);
  for (const subject of objects(binding, 'subjects')) {
    // A ServiceAccount subject's group stays "" (the core group).
    if (subject['kind'] === 'User' || subject['kind'] === 'Group') defaultString(subject, 'apiGroup', rbacGroup);
  }
}
