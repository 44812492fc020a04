/** How `slipway cluster` commands reach a management plane: a kubeconfig, a context and a namespace, as kubectl. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { kubeconfigClient, type Client } from '../client/index.js';

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  /** The cluster's namespace (default: the context's namespace, else "default"). */
  namespace?: string;
}

/** --kubeconfig, else the first file in $KUBECONFIG, else ~/.slipway/admin.kubeconfig (what `slipway server` writes). */
export function managementKubeconfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (flag) return flag;
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.trim());
  return fromEnv ?? join(home, '.slipway', 'admin.kubeconfig');
}

/** Whether a kubeconfig to connect with exists (client-side dry runs work without one). */
export function kubeconfigExists(o: ConnectOptions): boolean {
  return existsSync(managementKubeconfig(o.kubeconfig));
}

export async function connect(o: ConnectOptions, userAgent: string): Promise<{ client: Client; namespace: string }> {
  const client = await kubeconfigClient(managementKubeconfig(o.kubeconfig), { context: o.context, userAgent, fieldManager: 'slipway' });
  return { client, namespace: o.namespace || client.defaultNamespace };
}
