/**
 * What the token controller does to a `kubernetes.io/service-account-token` Secret (upstream's TokensController,
 * as it works since auto-generated token Secrets went away): a Secret naming a ServiceAccount that exists (and, if
 * the Secret names its uid, has that uid) gets data["token"] (a legacy token), data["namespace"] and
 * data["ca.crt"] filled in, plus both annotations; one whose ServiceAccount is gone is deleted. A pure decision:
 * the caller reads the two objects and carries the answer out (update guarded by resourceVersion, delete by uid).
 */
import type { KubeObject } from '../../apimachinery/types.js';
import type { TokenSigningKey } from './keys.js';
import { issueLegacyToken } from './token.js';

export const SERVICE_ACCOUNT_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';
export const TOKEN_DATA_KEY = 'token';
export const NAMESPACE_DATA_KEY = 'namespace';
export const ROOT_CA_DATA_KEY = 'ca.crt';

export type LegacyTokenSecretAction =
  | { action: 'none' }
  /** The ServiceAccount is gone (or is another one of that name): delete the Secret, guarded by its uid. */
  | { action: 'delete'; uid: string }
  /** The Secret with its data and annotations filled in (base64 data, as stored). */
  | { action: 'update'; secret: KubeObject }
  /** A token is due but the API has no signing key yet (a workload cluster before its `<cluster>-sa` Secret). */
  | { action: 'waitForKey' };

export interface LegacyTokenSecretOptions {
  /** The API's signing key; undefined while it has none. */
  key: TokenSigningKey | undefined;
  /** The cluster CA bundle (PEM) published as ca.crt; left alone when absent. */
  rootCAPem?: string;
}

/** The ServiceAccount a token Secret names (by annotation), or undefined for any other Secret. */
export function tokenSecretServiceAccount(secret: KubeObject): { name: string; uid?: string } | undefined {
  if (secret.type !== SERVICE_ACCOUNT_TOKEN_SECRET_TYPE) return undefined;
  const name = secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
  if (!name) return undefined;
  const uid = secret.metadata?.annotations?.[SERVICE_ACCOUNT_UID_ANNOTATION];
  return uid ? { name, uid } : { name };
}

/** Decide what a token Secret needs, given the ServiceAccount it names as read now (undefined: not found). */
export function reconcileLegacyTokenSecret(secret: KubeObject, serviceAccount: KubeObject | undefined, opts: LegacyTokenSecretOptions): LegacyTokenSecretAction {
  const wanted = tokenSecretServiceAccount(secret);
  if (!wanted || secret.metadata?.deletionTimestamp) return { action: 'none' };
  const saUid = serviceAccount?.metadata?.uid ?? '';
  if (!serviceAccount || (wanted.uid && wanted.uid !== saUid)) return { action: 'delete', uid: secret.metadata?.uid ?? '' };

  const namespace = secret.metadata?.namespace ?? '';
  const data = { ...((secret.data ?? {}) as Record<string, string>) };
  const ca = opts.rootCAPem ? b64(opts.rootCAPem) : undefined;
  const needsCA = ca !== undefined && data[ROOT_CA_DATA_KEY] !== ca;
  const needsNamespace = !data[NAMESPACE_DATA_KEY];
  const needsToken = !data[TOKEN_DATA_KEY];
  if (!needsCA && !needsNamespace && !needsToken) return { action: 'none' };

  if (needsToken) {
    if (!opts.key) return { action: 'waitForKey' };
    const token = issueLegacyToken(opts.key, { namespace, secretName: secret.metadata?.name ?? '', serviceAccount: { name: serviceAccount.metadata?.name ?? '', uid: saUid } });
    data[TOKEN_DATA_KEY] = b64(token);
  }
  if (needsCA) data[ROOT_CA_DATA_KEY] = ca;
  if (needsNamespace) data[NAMESPACE_DATA_KEY] = b64(namespace);
  const annotations = { ...(secret.metadata?.annotations ?? {}), [SERVICE_ACCOUNT_NAME_ANNOTATION]: serviceAccount.metadata?.name ?? '', [SERVICE_ACCOUNT_UID_ANNOTATION]: saUid };
  return { action: 'update', secret: { ...secret, metadata: { ...secret.metadata, annotations }, data } };
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
