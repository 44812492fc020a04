/**
 * The authentication.k8s.io/v1 TokenReview endpoint, as kube-apiserver's tokenreview REST: the token is
 * authenticated for spec.audiences (default: the API audiences) and the request comes back with status
 * {authenticated, user, audiences, error}. An empty token is a 400; an authenticator that accepts a token for
 * none of the audiences asked for is a 500, as upstream.
 */
import { badRequest, internalError } from '../../apimachinery/errors.js';
import type { UserInfo } from '../authn.js';
import { AUTHENTICATION_GROUP } from './token-request.js';

export const TOKEN_REVIEW_API_VERSION = `${AUTHENTICATION_GROUP}/v1`;

/** What an authenticator says about a bearer token; undefined when no authenticator recognises it. */
export type TokenAuthenticationResult =
  | {
      user: UserInfo & { extra?: Record<string, string[]> };
      /**
       * Audiences the token was accepted for. Absent for audience-agnostic authenticators (static tokens): they
       * are taken to serve exactly the API audiences.
       */
      audiences?: string[];
    }
  | { error: string };

export type TokenAuthenticate = (token: string, audiences: string[]) => Promise<TokenAuthenticationResult | undefined>;

export interface TokenReviewStatus {
  authenticated?: boolean;
  user: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  audiences?: string[];
  error?: string;
}

export interface TokenReview {
  apiVersion: typeof TOKEN_REVIEW_API_VERSION;
  kind: 'TokenReview';
  metadata: { creationTimestamp: null; [key: string]: unknown };
  spec: { token: string; audiences?: string[] };
  status: TokenReviewStatus;
}

export interface TokenReviewOptions {
  /** --api-audiences (by default the service-account issuer). */
  apiAudiences?: string[];
}

/** Handle POST /apis/authentication.k8s.io/v1/tokenreviews. */
export async function tokenReviewFor(body: unknown, authenticate: TokenAuthenticate, opts: TokenReviewOptions = {}): Promise<TokenReview> {
  const { metadata, token, audiences } = decodeTokenReview(body);
  if (!token) throw badRequest(`token is required for TokenReview in authentication`);
  const apiAudiences = opts.apiAudiences ?? [];
  const asked = audiences && audiences.length > 0 ? audiences : apiAudiences;

  let result = await authenticate(token, asked);
  if (result && 'user' in result && result.audiences === undefined) {
    // an audience-agnostic authenticator serves only the API server's own audiences
    const granted = asked.filter((a) => apiAudiences.includes(a));
    result = asked.length > 0 && granted.length === 0 ? undefined : { ...result, audiences: granted };
  }

  const status: TokenReviewStatus = { user: {} };
  if (result === undefined) {
    status.error = 'invalid bearer token';
  } else if ('error' in result) {
    status.error = result.error;
  } else {
    const granted = result.audiences ?? [];
    if (asked.length > 0 && !granted.some((a) => asked.includes(a))) throw internalError('error validating audiences');
    status.authenticated = true;
    const u = result.user;
    status.user = { username: u.name };
    if (u.uid) status.user.uid = u.uid;
    if (u.groups.length > 0) status.user.groups = [...u.groups];
    if (u.extra && Object.keys(u.extra).length > 0) status.user.extra = u.extra;
    if (granted.length > 0) status.audiences = granted;
  }

  const spec: TokenReview['spec'] = { token };
  if (audiences && audiences.length > 0) spec.audiences = audiences;
  return { apiVersion: TOKEN_REVIEW_API_VERSION, kind: 'TokenReview', metadata: { ...metadata, creationTimestamp: null }, spec, status };
}

function decodeTokenReview(body: unknown): { metadata: Record<string, unknown>; token: string; audiences?: string[] } {
  const fail = (detail: string) => badRequest(`TokenReview in version "v1" cannot be handled as a TokenReview: ${detail}`);
  if (body === undefined || body === null) return { metadata: {}, token: '' };
  if (typeof body !== 'object' || Array.isArray(body)) throw fail('json: cannot unmarshal into Go value of type v1.TokenReview');
  const b = body as Record<string, unknown>;
  if (b.kind !== undefined && b.kind !== '' && b.kind !== 'TokenReview') throw fail(`the kind "${String(b.kind)}" does not match the expected kind TokenReview`);
  const metadata = b.metadata && typeof b.metadata === 'object' && !Array.isArray(b.metadata) ? (b.metadata as Record<string, unknown>) : {};
  const spec = b.spec ?? {};
  if (typeof spec !== 'object' || Array.isArray(spec)) throw fail('json: cannot unmarshal into Go struct field TokenReview.spec of type v1.TokenReviewSpec');
  const s = spec as Record<string, unknown>;
  if (s.token !== undefined && s.token !== null && typeof s.token !== 'string') throw fail('json: cannot unmarshal into Go struct field TokenReviewSpec.spec.token of type string');
  let audiences: string[] | undefined;
  if (s.audiences !== undefined && s.audiences !== null) {
    if (!Array.isArray(s.audiences) || !s.audiences.every((a) => typeof a === 'string')) throw fail('json: cannot unmarshal into Go struct field TokenReviewSpec.spec.audiences of type []string');
    audiences = s.audiences as string[];
  }
  return { metadata, token: typeof s.token === 'string' ? s.token : '', audiences };
}
