/**
 * Table printers for rbac.authorization.k8s.io/v1 kinds, as kube-apiserver's: RoleBinding and
 * ClusterRoleBinding (printRoleBinding, printClusterRoleBinding); Role and ClusterRole have no printer
 * of their own and get the default Name, Created At.
 */
import type { KubeObject } from '../apimachinery/types.js';
import { ageColumn, col, created, defaultTablePrinter, get, nameColumn, nameOf, records, s, type TableCell, type TablePrinter } from './table-cells.js';
import { FIELD_DOCS } from './table-field-docs.js';

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts, each joined by ", ". */
export function bindingSubjects(o: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const subject of records(o['subjects'])) {
    const name = s(subject['name']);
    switch (s(subject['kind'])) {
      case 'ServiceAccount':
        serviceAccounts.push(`${s(subject['namespace'])}/${name}`);
        break;
      case 'User':
        users.push(name);
        break;
      case 'Group':
        groups.push(name);
        break;
    }
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

function bindingCells(o: KubeObject, now: Date): TableCell[] {
  return [nameOf(o), `${s(get(o, 'roleRef', 'kind'))}/${s(get(o, 'roleRef', 'name'))}`, created(o, now), ...bindingSubjects(o)];
}

function bindingPrinter(kindLabel: string, roleRefDoc: string): TablePrinter {
  return {
    columns: [
      nameColumn(),
      col('Role', 'string', roleRefDoc),
      ageColumn(),
      col('Users', 'string', `Users in the ${kindLabel}`, { priority: 1 }),
      col('Groups', 'string', `Groups in the ${kindLabel}`, { priority: 1 }),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${kindLabel}`, { priority: 1 }),
    ],
    cells: bindingCells,
  };
}

export const RBAC_PRINTERS: Record<string, TablePrinter> = {
  'rbac.authorization.k8s.io/Role': defaultTablePrinter,
  'rbac.authorization.k8s.io/ClusterRole': defaultTablePrinter,
  'rbac.authorization.k8s.io/RoleBinding': bindingPrinter('roleBinding', FIELD_DOCS['RoleBinding.roleRef']),
  'rbac.authorization.k8s.io/ClusterRoleBinding': bindingPrinter('clusterRoleBinding', FIELD_DOCS['ClusterRoleBinding.roleRef']),
};
