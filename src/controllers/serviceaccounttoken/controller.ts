/**
 * kube-controller-manager's tokens controller for `kubernetes.io/service-account-token` Secrets, in the plane and in
 * every workload cluster: a Secret naming a ServiceAccount (annotation `kubernetes.io/service-account.name`) gets its
 * `token` (a legacy token signed with the API's ServiceAccount key), `namespace` and `ca.crt`, and both annotations;
 * a token Secret whose ServiceAccount is gone (or was replaced by another of the same name) is deleted. The decision
 * is the pure reconcileLegacyTokenSecret; this reads the two objects and carries it out (update guarded by the
 * resourceVersion, delete by the uid).
 */
import type { KubeObject } from '../../apimachinery/types.js';
import {
  reconcileLegacyTokenSecret,
  SERVICE_ACCOUNT_NAME_ANNOTATION,
  SERVICE_ACCOUNT_TOKEN_SECRET_TYPE,
  tokenSecretServiceAccount,
} from '../../apiserver/serviceaccount/legacy-token-secret.js';
import type { TokenSigningKey } from '../../apiserver/serviceaccount/keys.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { KindRef } from '../../client/types.js';
import type { Manager } from '../../runtime/manager.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';

const SECRET: KindRef = { apiVersion: 'v1', kind: 'Secret' };
const SERVICE_ACCOUNT: KindRef = { apiVersion: 'v1', kind: 'ServiceAccount' };

export const LEGACY_TOKEN_CONTROLLER = 'serviceaccount-token';

/** While the API has no signing key yet (a workload cluster before its `<cluster>-sa` Secret), look again after this. */
export const NO_KEY_RETRY_MS = 5_000;

export interface LegacyTokenControllerOptions {
  manager: Manager;
  /** The API's ServiceAccount token signing key, read on each reconcile (undefined: none yet). */
  signingKey: () => Promise<TokenSigningKey | undefined>;
  /** The cluster CA bundle (PEM) published as ca.crt (kube-controller-manager's --root-ca-file). */
  rootCA: () => Promise<string | undefined>;
  /** How long to wait before looking for a signing key again (default NO_KEY_RETRY_MS). */
  noKeyRetryMs?: number;
}

/** Registers the controller on `manager` (before it starts). */
export function setupLegacyTokenController(opts: LegacyTokenControllerOptions): void {
  const { manager } = opts;
  const secrets = manager.informers.for(SECRET);
  const serviceAccounts = manager.informers.for(SERVICE_ACCOUNT);

  /** The token Secrets of a ServiceAccount (by the name they give), from the cache. */
  const tokenSecretsOf = (sa: KubeObject): Request[] => {
    const namespace = sa.metadata?.namespace;
    const name = sa.metadata?.name;
    if (!namespace || !name) return [];
    return secrets.lister
      .list({ namespace })
      .filter((s) => s.type === SERVICE_ACCOUNT_TOKEN_SECRET_TYPE && s.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] === name)
      .map((s) => ({ namespace, name: s.metadata!.name! }));
  };

  const reconcile = async (rc: ReconcileContext, req: Request): Promise<Result | void> => {
    const secret = secrets.lister.get(req.name, req.namespace);
    if (!secret) return;
    const wanted = tokenSecretServiceAccount(secret);
    if (!wanted || secret.metadata?.deletionTimestamp) return;
    let sa: KubeObject | undefined = serviceAccounts.lister.get(wanted.name, req.namespace);
    if (!sa || (wanted.uid && sa.metadata?.uid !== wanted.uid)) {
      // The cache may lag a ServiceAccount created just before its Secret: ask the API before deleting anything.
      sa = await rc.client.get(SERVICE_ACCOUNT, { namespace: req.namespace, name: wanted.name }).catch((e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
    }
    const decision = reconcileLegacyTokenSecret(secret, sa, { key: await opts.signingKey(), rootCAPem: await opts.rootCA() });
    if (decision.action === 'waitForKey') return { requeueAfter: opts.noKeyRetryMs ?? NO_KEY_RETRY_MS };
    try {
      if (decision.action === 'update') {
        await rc.client.update(decision.secret);
        rc.log.info({ serviceAccount: wanted.name }, 'filled service account token secret');
      } else if (decision.action === 'delete') {
        await rc.client.delete(SECRET, { namespace: req.namespace, name: req.name }, { preconditions: { uid: decision.uid } });
        rc.log.info({ serviceAccount: wanted.name }, 'deleted token secret of a missing service account');
      }
    } catch (e) {
      // Changed or deleted meanwhile: the informer brings the new state back here.
      if (isConflict(e) || isNotFound(e)) return;
      throw e;
    }
  };

  manager.add({
    name: LEGACY_TOKEN_CONTROLLER,
    for: SECRET,
    watches: [{ type: SERVICE_ACCOUNT, map: tokenSecretsOf }],
    reconciler: reconcile,
  });
}
