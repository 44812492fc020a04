/**
 * ServiceAccount tokens of one API (the management plane, or one workload cluster): bearer-token authentication of
 * the API's JWTs (bound and legacy), POST serviceaccounts/NAME/token (TokenRequest, `kubectl create token`) and
 * TokenReview, over the API's own objects and its signing key.
 */
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import { withAuthenticatedGroup, type TokenMap, type UserInfo } from './authn.js';
import type { ObjectStore } from './object-store.js';
import { ServiceAccountTokenAuthenticator } from './serviceaccount/authenticator.js';
import type { TokenSigningKey } from './serviceaccount/keys.js';
import { boundObjectLookupFrom, coreGetterFrom, tokenLookupFrom } from './serviceaccount/lookups.js';
import { jwks, openIdConfiguration, type OpenIdDocuments } from './serviceaccount/openid.js';
import { DEFAULT_ISSUER } from './serviceaccount/token.js';
import { tokenRequestFor } from './serviceaccount/token-request.js';
import { tokenReviewFor, type TokenAuthenticationResult } from './serviceaccount/token-review.js';

export interface ServiceAccountTokensOptions {
  objects: ObjectStore;
  /** The signing key, or a function finding it (a workload cluster's comes from its `<cluster>-sa` Secret). */
  key: TokenSigningKey | (() => Promise<TokenSigningKey | undefined>);
  /** Static tokens (also answered by TokenReview). */
  staticTokens?: TokenMap;
  now: () => Date;
  /** `iss` of the tokens issued, and their default audience (kube-apiserver's --service-account-issuer). */
  issuer?: string;
  /** The discovery document's jwks_uri (--service-account-jwks-uri); default https://<externalAddress>/openid/v1/jwks. */
  jwksUri?: string;
  /**
   * The API server's external address (host:port) for the discovery document's jwks_uri, read when the document is
   * first asked for (the listen port may be chosen after this is made). Without it, or with an issuer that is not an
   * https URL, issuer discovery is not served.
   */
  externalAddress?: () => string | undefined;
}

/**
 * A bearer token's authentication: the user, or an error for a token that is ours but invalid (401); with the
 * annotations kube-apiserver's authenticator adds to the request's audit event (legacy and stale tokens).
 */
export type TokenAuthentication = ({ user: UserInfo } | { error: string }) & { auditAnnotations?: Readonly<Record<string, string>> };

/** kube-apiserver's label on a legacy token's Secret: the UTC day the token was last used. */
const LEGACY_TOKEN_LAST_USED_LABEL = 'kubernetes.io/legacy-token-last-used';

export interface ServiceAccountTokens {
  /** undefined: not a token of this API (or no signing key yet). */
  authenticateToken(token: string): Promise<TokenAuthentication | undefined>;
  tokenRequest(namespace: string, name: string, body: KubeObject): Promise<KubeObject>;
  tokenReview(body: KubeObject): Promise<KubeObject>;
  /** The key tokens are signed with now (undefined: none yet). */
  signingKey(): Promise<TokenSigningKey | undefined>;
  /** /.well-known/openid-configuration and /openid/v1/jwks (undefined: not served, see externalAddress). */
  openIdDocuments(): Promise<OpenIdDocuments | undefined>;
}

export function serviceAccountTokens(opts: ServiceAccountTokensOptions): ServiceAccountTokens {
  const issuer = opts.issuer ?? DEFAULT_ISSUER;
  const audiences = [issuer];
  const get = coreGetterFrom(opts.objects);
  const keyOf = async (): Promise<TokenSigningKey | undefined> => (typeof opts.key === 'function' ? opts.key() : opts.key);
  let authenticator: { key: TokenSigningKey; authn: ServiceAccountTokenAuthenticator } | undefined;
  const authn = async (): Promise<ServiceAccountTokenAuthenticator | undefined> => {
    const key = await keyOf();
    if (!key) return undefined;
    if (authenticator?.key.keyId !== key.keyId) {
      authenticator = { key, authn: new ServiceAccountTokenAuthenticator({ keys: [key], issuers: [issuer], apiAudiences: audiences, lookup: tokenLookupFrom(get) }) };
    }
    return authenticator.authn;
  };
  let documents: { keyId: string; address: string; docs: OpenIdDocuments | undefined } | undefined;
  /** As upstream's legacy token tracking: the Secret of a legacy token in use is labelled with today (UTC), at most daily. */
  const markLegacyTokenUsed = (used: { namespace: string; name: string; uid: string; date: string }): void => {
    const info = opts.objects.registry.get('', 'v1', 'secrets');
    if (!info) return;
    const patch = { metadata: { uid: used.uid, labels: { [LEGACY_TOKEN_LAST_USED_LABEL]: used.date } } };
    opts.objects.patch(info, used.namespace, used.name, 'merge', patch, { fieldManager: 'kube-apiserver' }).catch(() => undefined); // best effort, as upstream
  };
  /** A ServiceAccount JWT of this API (undefined: not one, or no signing key yet), with its audit annotations. */
  const jwt = async (token: string, wanted?: string[]): Promise<(TokenAuthenticationResult & { auditAnnotations?: Record<string, string> }) | undefined> => {
    const r = await (await authn())?.authenticate(token, opts.now(), wanted);
    if (!r) return undefined;
    if (r.legacyTokenLastUsed) markLegacyTokenUsed(r.legacyTokenLastUsed);
    const notes = r.auditAnnotations ? { auditAnnotations: r.auditAnnotations } : {};
    return 'user' in r ? { user: r.user, audiences: r.audiences, ...notes } : { error: r.error, ...notes };
  };
  return {
    async authenticateToken(token) {
      const r = await jwt(token);
      if (!r) return undefined;
      const notes = r.auditAnnotations ? { auditAnnotations: r.auditAnnotations } : {};
      return 'user' in r ? { user: r.user, ...notes } : { error: r.error, ...notes };
    },
    async tokenRequest(namespace, name, body) {
      const key = await keyOf();
      if (!key) throw new StatusError(503, 'ServiceUnavailable', 'this API server has no ServiceAccount signing key yet');
      const saInfo = opts.objects.registry.get('', 'v1', 'serviceaccounts')!;
      const sa = await opts.objects.get(saInfo, namespace, name);
      return (await tokenRequestFor(body, sa, { key, issuer, defaultAudiences: audiences, now: opts.now() }, boundObjectLookupFrom(get))) as unknown as KubeObject;
    },
    async tokenReview(body) {
      // TokenReview answers for static tokens too, as kube-apiserver's whole authenticator chain does.
      const authenticate = async (token: string, wanted?: string[]): Promise<TokenAuthenticationResult | undefined> => {
        const user = opts.staticTokens?.get(token);
        return user ? { user: withAuthenticatedGroup(user) } : jwt(token, wanted);
      };
      return (await tokenReviewFor(body, authenticate, { apiAudiences: audiences })) as unknown as KubeObject;
    },
    signingKey: keyOf,
    async openIdDocuments() {
      const key = await keyOf();
      const address = opts.externalAddress?.();
      if (!key || !address) return undefined;
      if (documents?.keyId !== key.keyId || documents.address !== address) {
        let docs: OpenIdDocuments | undefined;
        try {
          docs = { configuration: JSON.stringify(openIdConfiguration(issuer, [key], { externalAddress: address, jwksUri: opts.jwksUri })), jwks: JSON.stringify(jwks([key])) };
        } catch {
          docs = undefined; // an issuer that is not an https URL: kube-apiserver does not serve discovery either
        }
        documents = { keyId: key.keyId, address, docs };
      }
      return documents.docs;
    },
  };
}
