/**
 * External (provider) objects referenced by Cluster API objects: reading them, their contract fields (ready,
 * failureReason, ...) and cloning them from templates the way Cluster API's external.CreateFromTemplate does.
 */
import { apiVersionOf, deepClone, isPlainObject, parseApiVersion, type KubeObject, type OwnerReference } from '../../apimachinery/types.js';
import type { Client } from '../../client/types.js';
import { CLONED_FROM_GROUPKIND_ANNOTATION, CLONED_FROM_NAME_ANNOTATION, CLUSTER_NAME_LABEL, type ObjectReference } from '../../api/cluster/types.js';
import { generateName } from './names.js';
import type { Reader } from './reader.js';

export class ExternalRefError extends Error {
  constructor(
    message: string,
    readonly ref: ObjectReference,
  ) {
    super(message);
    this.name = 'ExternalRefError';
  }
}

/** The object a reference names (namespace defaults to `namespace`), or undefined when it does not exist. */
export async function getExternal(reader: Reader, ref: ObjectReference | undefined, namespace: string | undefined): Promise<KubeObject | undefined> {
  if (!ref?.apiVersion || !ref.kind || !ref.name) throw new ExternalRefError(`reference is incomplete: needs apiVersion, kind and name, got ${JSON.stringify(ref ?? {})}`, ref ?? {});
  return reader.get({ apiVersion: ref.apiVersion, kind: ref.kind }, ref.namespace || namespace, ref.name);
}

/** `Kind.group`, as schema.GroupKind.String(). */
export function groupKind(apiVersion: string, kind: string): string {
  const g = parseApiVersion(apiVersion).group;
  return g ? `${kind}.${g}` : kind;
}

/** status.ready of a provider object (the contract field). */
export function isExternalReady(obj: KubeObject | undefined): boolean {
  const status = obj?.status;
  return isPlainObject(status) && status.ready === true;
}

/** status.failureReason / failureMessage of a provider object, when it reports a terminal failure. */
export function externalFailure(obj: KubeObject | undefined): { reason?: string; message?: string } | undefined {
  const status = obj?.status;
  if (!isPlainObject(status)) return undefined;
  const reason = typeof status.failureReason === 'string' && status.failureReason ? status.failureReason : undefined;
  const message = typeof status.failureMessage === 'string' && status.failureMessage ? status.failureMessage : undefined;
  return reason || message ? { reason, message } : undefined;
}

export function referenceTo(obj: KubeObject): ObjectReference {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name, namespace: obj.metadata?.namespace, uid: obj.metadata?.uid };
}

export function ownerReferenceTo(owner: KubeObject, controller = true): OwnerReference {
  const ref: OwnerReference = { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata!.name!, uid: owner.metadata!.uid! };
  if (controller) {
    ref.controller = true;
    ref.blockOwnerDeletion = true;
  }
  return ref;
}

export interface CloneFromTemplateInput {
  /** The template (kind ends with "Template"; its spec.template holds metadata and spec). */
  templateRef: ObjectReference;
  namespace: string;
  clusterName: string;
  /** Name of the new object (default: the template's name + 5 random characters). */
  name?: string;
  ownerRef?: OwnerReference;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The object a template would produce (not written). */
export function objectFromTemplate(template: KubeObject, input: Omit<CloneFromTemplateInput, 'templateRef'>): KubeObject {
  const kind = template.kind ?? '';
  if (!kind.endsWith('Template')) throw new ExternalRefError(`${kind} "${template.metadata?.name}" is not a template (its kind must end in "Template")`, referenceTo(template));
  const tpl = ((template.spec as { template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown } } | undefined)?.template) ?? {};
  const labels: Record<string, string> = { ...(tpl.metadata?.labels ?? {}), ...(input.labels ?? {}), [CLUSTER_NAME_LABEL]: input.clusterName };
  const annotations: Record<string, string> = {
    ...(tpl.metadata?.annotations ?? {}),
    ...(input.annotations ?? {}),
    [CLONED_FROM_NAME_ANNOTATION]: template.metadata?.name ?? '',
    [CLONED_FROM_GROUPKIND_ANNOTATION]: groupKind(template.apiVersion ?? '', kind),
  };
  const obj: KubeObject = {
    apiVersion: template.apiVersion,
    kind: kind.slice(0, -'Template'.length),
    metadata: {
      name: input.name ?? generateName(`${template.metadata?.name ?? 'object'}-`),
      namespace: input.namespace,
      labels,
      annotations,
      ...(input.ownerRef ? { ownerReferences: [input.ownerRef] } : {}),
    },
  };
  if (tpl.spec !== undefined) obj.spec = deepClone(tpl.spec);
  return obj;
}

/** Create an object from a template; returns the created object. */
export async function cloneFromTemplate(client: Client, reader: Reader, input: CloneFromTemplateInput): Promise<KubeObject> {
  const template = await getExternal(reader, input.templateRef, input.namespace);
  if (!template) {
    throw new ExternalRefError(`${input.templateRef.kind} "${input.templateRef.name}" not found in namespace "${input.templateRef.namespace || input.namespace}"`, input.templateRef);
  }
  return client.create(objectFromTemplate(template, input));
}

/** apiVersion of a reference's group at a version (for refs written without one). */
export function refApiVersion(group: string, version: string): string {
  return apiVersionOf(group, version);
}
