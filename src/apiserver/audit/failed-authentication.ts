/**
 * What kube-apiserver's failed-authentication audit filter writes as the responseStatus message of a request no
 * authenticator accepted: the credential kinds the client tried, in a fixed order (basic, bearer, access_token,
 * x509), or that it sent none.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** What a request carried that an authenticator could have used. */
export interface AttemptedCredentials {
  /** The Authorization header as sent. */
  authorization?: string;
  /** The `access_token` query parameter. */
  accessToken?: string | null;
  /** Whether the client presented a TLS certificate (verified or not). */
  clientCertificate: boolean;
}

const BASE64_STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's http.Request.BasicAuth: "Basic " (any case) and standard base64 of "user:password". */
export function isBasicAuth(authorization: string | undefined): boolean {
  if (!authorization || authorization.length < 6 || authorization.slice(0, 6).toLowerCase() !== 'basic ') return false;
  const encoded = authorization.slice(6);
  if (!BASE64_STD.test(encoded)) return false;
  return Buffer.from(encoded, 'base64').toString('latin1').includes(':');
}

/** A bearer attempt as upstream counts it: the trimmed header split on single spaces, "bearer" (any case) then more. */
export function isBearerAttempt(authorization: string | undefined): boolean {
  const parts = (authorization ?? '').trim().split(' ');
  return parts.length > 1 && parts[0]!.toLowerCase() === 'bearer';
}

/** The credential kinds a request tried, in upstream's order. */
export function attemptedMethods(c: AttemptedCredentials): string[] {
  const methods: string[] = [];
  if (isBasicAuth(c.authorization)) methods.push('basic');
  if (isBearerAttempt(c.authorization)) methods.push('bearer');
  if ((c.accessToken ?? '').trim() !== '') methods.push('access_token');
  if (c.clientCertificate) methods.push('x509');
  return methods;
}

/** The responseStatus message of a failed-authentication event. */
export function failedAuthenticationMessage(c: AttemptedCredentials): string {
  const methods = attemptedMethods(c);
  return methods.length > 0 ? `Authentication failed, attempted: ${methods.join(', ')}` : 'Authentication failed, no credentials provided';
}

/** Whether the client sent a TLS certificate, whether or not it verified (Go's non-empty PeerCertificates). */
export function presentedClientCertificate(req: IncomingMessage): boolean {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return false;
  const peer = socket.getPeerCertificate();
  return !!peer && Object.keys(peer).length > 0;
}
