/**
 * Service-account issuer discovery, as kube-apiserver serves it: the OpenID provider configuration at
 * /.well-known/openid-configuration and the JSON Web Key Set at /openid/v1/jwks, so that relying parties outside
 * the cluster can verify its service-account tokens. Responses may be cached for an hour (Cache-Control:
 * public, max-age=3600); content types application/json and application/jwk-set+json.
 */
import { createPublicKey } from 'node:crypto';
import { algorithmForKey } from './jws.js';
import type { TokenVerificationKey } from './keys.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';
export const OPENID_CACHE_MAX_AGE_SECONDS = 3600;
export const OPENID_CONFIGURATION_CONTENT_TYPE = 'application/json';
export const JWKS_CONTENT_TYPE = 'application/jwk-set+json';

/** Both discovery documents as served (JSON text). */
export interface OpenIdDocuments {
  configuration: string;
  jwks: string;
}

/** The Cache-Control header of both documents (upstream overrides the API's `no-cache, private`). */
export const OPENID_CACHE_CONTROL = `public, max-age=${OPENID_CACHE_MAX_AGE_SECONDS}`;

export interface OpenIdConfiguration {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
}

export interface PublicJsonWebKey {
  use: 'sig';
  kty: string;
  kid: string;
  crv?: string;
  alg: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

/** The public keys as a JWK set (upstream's field order: use, kty, kid, crv, alg, x, y, n, e). */
export function jwks(keys: TokenVerificationKey[]): { keys: PublicJsonWebKey[] } {
  return {
    keys: keys.map((k) => {
      const pub = createPublicKey(k.publicKeyPem);
      const jwk = pub.export({ format: 'jwk' }) as { kty: string; crv?: string; x?: string; y?: string; n?: string; e?: string };
      const out: PublicJsonWebKey = { use: 'sig', kty: jwk.kty, kid: k.keyId, alg: '' };
      if (jwk.crv) out.crv = jwk.crv;
      out.alg = algorithmForKey(pub);
      if (jwk.x) out.x = jwk.x;
      if (jwk.y) out.y = jwk.y;
      if (jwk.n) out.n = jwk.n;
      if (jwk.e) out.e = jwk.e;
      return out;
    }),
  };
}

/**
 * The discovery document. `jwksUri` is --service-account-jwks-uri; without it, `externalAddress` (host[:port])
 * gives https://ADDRESS/openid/v1/jwks. The issuer must be an https URL without query or fragment.
 */
export function openIdConfiguration(issuer: string, keys: TokenVerificationKey[], opts: { jwksUri?: string; externalAddress?: string }): OpenIdConfiguration {
  let iss: URL;
  try {
    iss = new URL(issuer);
  } catch {
    throw new Error(`issuer URL is not a URL: ${issuer}`);
  }
  if (iss.protocol !== 'https:') throw new Error(`issuer URL must use https scheme, got: ${issuer}`);
  if (iss.search) throw new Error(`issuer URL may not include a query, got: ${issuer}`);
  if (iss.hash) throw new Error(`issuer URL may not include a fragment, got: ${issuer}`);
  let jwksUri = opts.jwksUri;
  if (jwksUri) {
    if (new URL(jwksUri).protocol !== 'https:') throw new Error(`jwksURI requires https scheme, parsed as: ${jwksUri}`);
  } else {
    if (!opts.externalAddress) throw new Error('either the JWKS URI or the default external address, or both, must be set');
    const u = new URL(`https://${opts.externalAddress}`);
    if (u.pathname !== '/' || u.search || u.hash || u.username) throw new Error(`attempted to build jwks_uri from external address ${opts.externalAddress}, but could not construct a valid URL`);
    jwksUri = `https://${u.host}${JWKS_PATH}`;
  }
  if (keys.length === 0) throw new Error('no keys provided for validating keyset');
  const algs = [...new Set(jwks(keys).keys.map((k) => k.alg))].sort();
  return { issuer, jwks_uri: jwksUri, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: algs };
}
