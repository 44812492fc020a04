/**
 * Test support for the controller runtime: a small CRD (`Thing`, with a status subresource), a
 * reconciler copying spec to status, and a transport wrapper that records calls and can cut watches
 * (to force 410 relists deterministically) — it delegates every call to the real transport.
 */
import type { KubeObject } from '../../src/apimachinery/types.js';
import { GoneError } from '../../src/client/errors.js';
import type { Transport } from '../../src/client/transport.js';
import { kindRef, type Client, type DeleteOptions, type ListOptions, type ObjectList, type Patch, type ResourceMapping, type Watch, type WatchHandler, type WatchOptions, type WriteOptions } from '../../src/client/types.js';
import type { ReconcileContext, Request, Result } from '../../src/runtime/reconciler.js';
import { eventually } from './plane.js';

export const GROUP = 'runtime.test.slipway.dev';

export interface Thing extends KubeObject {
  spec?: { value?: number; text?: string; [k: string]: unknown };
  status?: { value?: number; text?: string; copiedBy?: string; observedGeneration?: number; conditions?: unknown[]; [k: string]: unknown };
}

export const THING = kindRef<Thing>(`${GROUP}/v1`, 'Thing');

export const THING_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `things.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'things', singular: 'thing', kind: 'Thing' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { value: { type: 'integer', minimum: 0 }, text: { type: 'string' } } },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

/** Create the Thing CRD through a client and wait until it is served. */
export async function installThingCrd(client: Client): Promise<void> {
  await client.create(THING_CRD);
  await eventually(async () => {
    try {
      await client.list(THING, { namespace: 'default', limit: 1 });
      return true;
    } catch {
      return false;
    }
  }, 10_000, 'Thing CRD served');
}

export function thing(name: string, value: number, namespace = 'default'): Thing {
  return { ...THING, metadata: { name, namespace }, spec: { value, text: `v${value}` } };
}

/** Copies spec.value and spec.text to status (and records who did it). */
export function copyReconciler(identity = 'test'): (ctx: ReconcileContext, req: Request) => Promise<Result | void> {
  return async (ctx, req) => {
    let obj: Thing;
    try {
      obj = await ctx.client.get(THING, { namespace: req.namespace, name: req.name });
    } catch (e) {
      if ((e as { code?: number }).code === 404) return;
      throw e;
    }
    const want = { value: obj.spec?.value, text: obj.spec?.text };
    if (obj.status?.value === want.value && obj.status?.text === want.text && obj.status?.copiedBy === identity) return;
    await ctx.client.patchStatus(THING, { namespace: req.namespace, name: req.name }, { type: 'merge', body: { status: { ...want, copiedBy: identity, observedGeneration: obj.metadata?.generation } } });
  };
}

export interface RecordedCall {
  verb: string;
  kind: string;
  name?: string;
  subresource?: string;
  body?: unknown;
}

/** Wraps a real transport: records every call; `cutWatches()` ends open watches and refuses new ones until `restoreWatches()`. */
export class TapTransport implements Transport {
  readonly calls: RecordedCall[] = [];
  private cut = false;
  private readonly open = new Set<{ w: Watch; cutErr?: Error }>();

  constructor(readonly inner: Transport) {}

  get name(): string {
    return this.inner.name;
  }

  count(verb: string, kind?: string): number {
    return this.calls.filter((c) => c.verb === verb && (!kind || c.kind === kind)).length;
  }

  cutWatches(): void {
    this.cut = true;
    for (const o of [...this.open]) {
      o.cutErr = new Error('connection cut by test');
      o.w.stop();
    }
    this.open.clear();
  }

  restoreWatches(): void {
    this.cut = false;
  }

  mapping(group: string, version: string, kind: string): Promise<ResourceMapping> {
    return this.inner.mapping(group, version, kind);
  }
  get(m: ResourceMapping, ns: string | undefined, name: string): Promise<KubeObject> {
    this.calls.push({ verb: 'get', kind: m.kind, name });
    return this.inner.get(m, ns, name);
  }
  list(m: ResourceMapping, opts: ListOptions): Promise<ObjectList> {
    this.calls.push({ verb: 'list', kind: m.kind });
    return this.inner.list(m, opts);
  }
  create(m: ResourceMapping, ns: string | undefined, obj: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    this.calls.push({ verb: 'create', kind: m.kind, name: obj.metadata?.name, body: obj });
    return this.inner.create(m, ns, obj, opts);
  }
  update(m: ResourceMapping, ns: string | undefined, name: string, obj: KubeObject, opts: WriteOptions, sub?: 'status'): Promise<KubeObject> {
    this.calls.push({ verb: 'update', kind: m.kind, name, subresource: sub, body: obj });
    return this.inner.update(m, ns, name, obj, opts, sub);
  }
  patch(m: ResourceMapping, ns: string | undefined, name: string, patch: Patch, opts: WriteOptions, sub?: 'status'): Promise<KubeObject> {
    this.calls.push({ verb: 'patch', kind: m.kind, name, subresource: sub, body: patch.type === 'json' ? patch.ops : patch.body });
    return this.inner.patch(m, ns, name, patch, opts, sub);
  }
  createSubresource(m: ResourceMapping, ns: string | undefined, name: string, sub: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    this.calls.push({ verb: `create/${sub}`, kind: m.kind, name });
    return this.inner.createSubresource(m, ns, name, sub, body, opts);
  }
  delete(m: ResourceMapping, ns: string | undefined, name: string, opts: DeleteOptions): Promise<void> {
    this.calls.push({ verb: 'delete', kind: m.kind, name });
    return this.inner.delete(m, ns, name, opts);
  }
  async watch(m: ResourceMapping, opts: WatchOptions, handler: WatchHandler): Promise<Watch> {
    this.calls.push({ verb: 'watch', kind: m.kind, body: { resourceVersion: opts.resourceVersion } });
    if (this.cut) throw new Error('connection refused (cut by test)');
    let entry: { w: Watch; cutErr?: Error } | undefined;
    const w = await this.inner.watch(m, opts, {
      onEvent: (e) => handler.onEvent(e),
      onClose: (err) => {
        if (entry) this.open.delete(entry);
        handler.onClose(entry?.cutErr ?? err);
      },
    });
    entry = { w };
    this.open.add(entry);
    return w;
  }
  close(): void {
    this.inner.close();
  }
}

export { GoneError };
