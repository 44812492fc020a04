/** The 403 kube-apiserver answers when the authorizer refuses a request. */
import { StatusError } from '../apimachinery/errors.js';
import { forbiddenStatusDetails, forbiddenStatusMessage, type AuthzAttributes } from './authz/attributes.js';

/**
 * `<resource>[.<group>] ["<name>"] is forbidden: User "u" cannot <verb> resource ...` with details naming the group,
 * resource and name, as apierrors.NewForbidden builds it; non-resource paths read `forbidden: User "u" cannot get path "/x"`.
 */
export function forbiddenError(a: AuthzAttributes, reason?: string): StatusError {
  return new StatusError(403, 'Forbidden', forbiddenStatusMessage(a, reason), forbiddenStatusDetails(a));
}
