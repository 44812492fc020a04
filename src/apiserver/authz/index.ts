/** RBAC authorization: the pieces the API server wires (see each module for upstream's counterpart). */
export type { Authorizer, AuthzAttributes, AuthzDecision, AuthzUser } from './attributes.js';
export { forbiddenMessage, forbiddenStatusDetails, forbiddenStatusMessage } from './attributes.js';
export type { AggregationRule, BindingObject, PolicyRule, RbacKind, RoleObject, RoleRef, Subject } from './rules.js';
export { RBAC_GROUP, RBAC_KIND_BY_RESOURCE, SYSTEM_MASTERS, ruleAllows, rulesAllow, serviceAccountUserName } from './rules.js';
export { covers } from './covers.js';
export { RbacIndex, type NonResourceRule, type RbacIndexOptions, type ResourceRule, type SubjectRules } from './rbac-index.js';
export { bindingWriteRefusal, checkBindingWrite, checkRoleWrite, confirmNoEscalation, refusalError, roleWriteRefusal, type RbacWriteRefusal } from './escalation.js';
export { aggregateAll, aggregatedRules, isAggregated } from './aggregation.js';
export { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
export { reconcileBinding, reconcileRole, type ReconcileOperation, type ReconcileResult } from './reconcile.js';
