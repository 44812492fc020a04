/**
 * The review resources kube-apiserver answers without storing anything: authentication.k8s.io/v1 SelfSubjectReview
 * (`kubectl auth whoami`) and TokenReview, authorization.k8s.io/v1 SelfSubjectAccessReview, SubjectAccessReview,
 * LocalSubjectAccessReview (`kubectl auth can-i`) and SelfSubjectRulesReview (`kubectl auth can-i --list`).
 * Each takes the posted object and returns it with its status filled in.
 */
import { badRequest, invalid, type StatusCause } from '../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../apimachinery/types.js';
import type { UserInfo } from './authn.js';
import type { AuthzAttributes, AuthzDecision } from './authz/attributes.js';

/** Who is asking, and in which namespace of the URL (LocalSubjectAccessReview). */
export interface ReviewContext {
  user: UserInfo;
  namespace?: string;
}

/** The rules a user holds in a namespace (SelfSubjectRulesReview's status). */
export interface SubjectRules {
  resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface ReviewBackends {
  authorize(a: AuthzAttributes): AuthzDecision | Promise<AuthzDecision>;
  rulesFor?(user: UserInfo, namespace: string): SubjectRules | Promise<SubjectRules>;
  /** TokenReview: the reviewed object with its status. */
  tokenReview?(body: KubeObject): Promise<KubeObject>;
}

/** A create-only resource: the response to one POST. */
export type ReviewHandler = (body: KubeObject, ctx: ReviewContext) => Promise<KubeObject>;

const AUTHZ = 'authorization.k8s.io';
const AUTHN = 'authentication.k8s.io';

type Obj = Record<string, unknown>;

function objectAt(o: unknown, key: string): Obj | undefined {
  if (!isPlainObject(o)) return undefined;
  const v = o[key];
  return isPlainObject(v) ? v : undefined;
}

function str(o: Obj | undefined, key: string): string {
  const v = o?.[key];
  return typeof v === 'string' ? v : '';
}

function strings(o: Obj | undefined, key: string): string[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function checkKind(body: KubeObject, kind: string, group: string): void {
  if (body.kind !== undefined && body.kind !== kind) throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json; kind ${JSON.stringify(body.kind)} is not ${kind}`);
  if (body.apiVersion !== undefined && !String(body.apiVersion).startsWith(`${group}/`)) throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${group}/v1)`);
}

function answer(body: KubeObject, kind: string, group: string, status: Obj): KubeObject {
  const meta = isPlainObject(body.metadata) ? { ...body.metadata } : {};
  if (!('creationTimestamp' in meta)) (meta as Obj).creationTimestamp = null;
  return { ...body, kind, apiVersion: `${group}/v1`, metadata: meta, status } as KubeObject;
}

/** Attributes of spec.resourceAttributes / spec.nonResourceAttributes, validated as upstream does. */
function specAttributes(kind: string, spec: Obj | undefined, user: UserInfo, local: boolean, urlNamespace?: string): AuthzAttributes {
  const ra = objectAt(spec, 'resourceAttributes');
  const nra = objectAt(spec, 'nonResourceAttributes');
  const causes: StatusCause[] = [];
  if (ra && nra) causes.push({ reason: 'FieldValueInvalid', field: 'spec.nonResourceAttributes', message: 'Invalid value: "object": cannot be specified in combination with resourceAttributes' });
  if (!ra && !nra) causes.push({ reason: 'FieldValueInvalid', field: 'spec.resourceAttributes', message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  if (local && nra) causes.push({ reason: 'FieldValueInvalid', field: 'spec.nonResourceAttributes', message: 'Invalid value: "object": disallowed on this kind of request' });
  if (local && ra && str(ra, 'namespace') !== (urlNamespace ?? '')) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.resourceAttributes.namespace', message: `Invalid value: ${JSON.stringify(str(ra, 'namespace'))}: must match metadata.namespace` });
  }
  if (causes.length) throw invalid(kind, AUTHZ, '', causes);
  if (nra) return { user, verb: str(nra, 'verb'), resourceRequest: false, path: str(nra, 'path') };
  const out: AuthzAttributes = { user, verb: str(ra, 'verb'), resourceRequest: true, apiGroup: str(ra, 'group'), apiVersion: str(ra, 'version'), resource: str(ra, 'resource') };
  if (str(ra, 'namespace')) out.namespace = str(ra, 'namespace');
  if (str(ra, 'subresource')) out.subresource = str(ra, 'subresource');
  if (str(ra, 'name')) out.name = str(ra, 'name');
  return out;
}

function accessStatus(d: AuthzDecision): Obj {
  const status: Obj = { allowed: d.allowed };
  if (d.reason) status.reason = d.reason;
  return status;
}

/** The review handlers, keyed `group/plural`. */
export function reviewHandlers(b: ReviewBackends): Map<string, ReviewHandler> {
  const m = new Map<string, ReviewHandler>();
  m.set(`${AUTHN}/selfsubjectreviews`, async (body, { user }) => {
    checkKind(body, 'SelfSubjectReview', AUTHN);
    const userInfo: Obj = { username: user.name };
    if (user.uid) userInfo.uid = user.uid;
    userInfo.groups = [...user.groups];
    if (user.extra && Object.keys(user.extra).length) userInfo.extra = user.extra;
    return answer(body, 'SelfSubjectReview', AUTHN, { userInfo });
  });
  m.set(`${AUTHZ}/selfsubjectaccessreviews`, async (body, { user }) => {
    checkKind(body, 'SelfSubjectAccessReview', AUTHZ);
    const attrs = specAttributes('SelfSubjectAccessReview', objectAt(body, 'spec'), user, false);
    return answer(body, 'SelfSubjectAccessReview', AUTHZ, accessStatus(await b.authorize(attrs)));
  });
  const subjectReview = (kind: string, local: boolean): ReviewHandler => async (body, { namespace }) => {
    checkKind(body, kind, AUTHZ);
    const spec = objectAt(body, 'spec');
    if (!str(spec, 'user') && strings(spec, 'groups').length === 0) {
      throw invalid(kind, AUTHZ, '', [{ reason: 'FieldValueInvalid', field: 'spec.user', message: 'Invalid value: "": at least one of user or group must be specified' }]);
    }
    const subject: UserInfo = { name: str(spec, 'user'), groups: strings(spec, 'groups') };
    if (str(spec, 'uid')) subject.uid = str(spec, 'uid');
    const attrs = specAttributes(kind, spec, subject, local, namespace);
    return answer(body, kind, AUTHZ, accessStatus(await b.authorize(attrs)));
  };
  m.set(`${AUTHZ}/subjectaccessreviews`, subjectReview('SubjectAccessReview', false));
  m.set(`${AUTHZ}/localsubjectaccessreviews`, subjectReview('LocalSubjectAccessReview', true));
  m.set(`${AUTHZ}/selfsubjectrulesreviews`, async (body, { user }) => {
    checkKind(body, 'SelfSubjectRulesReview', AUTHZ);
    const namespace = str(objectAt(body, 'spec'), 'namespace');
    if (!b.rulesFor) return answer(body, 'SelfSubjectRulesReview', AUTHZ, { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'rules are not known to this server' });
    const rules = await b.rulesFor(user, namespace);
    const status: Obj = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
    if (rules.evaluationError) status.evaluationError = rules.evaluationError;
    return answer(body, 'SelfSubjectRulesReview', AUTHZ, status);
  });
  if (b.tokenReview) {
    const review = b.tokenReview;
    m.set(`${AUTHN}/tokenreviews`, async (body) => {
      checkKind(body, 'TokenReview', AUTHN);
      if (!str(objectAt(body, 'spec'), 'token')) {
        throw invalid('TokenReview', AUTHN, '', [{ reason: 'FieldValueRequired', field: 'spec.token', message: 'Required value: token must be specified' }]);
      }
      return review(body);
    });
  }
  return m;
}
