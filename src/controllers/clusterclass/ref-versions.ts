/**
 * The apiVersion a template reference should use: the newest version its CRD lists for Cluster API's contract (the
 * CRD label `cluster.x-k8s.io/v1beta1: v1alpha1_v1alpha2`), as Cluster API's UpdateReferenceAPIContract picks it.
 */
import { parseApiVersion, type KubeObject } from '../../apimachinery/types.js';
import { compareKubeVersions } from '../../apiserver/crd.js';
import { isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import type { ObjectReference } from '../../api/cluster/clusterclass.js';

/** The contract label key: Cluster API's own group/version. */
export const CONTRACT_LABEL = 'cluster.x-k8s.io/v1beta1';
export const CRD_KIND = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' } as const;

/** `group/version, Kind=K namespace/name`, as Go prints a reference's GVK and key. */
export function refString(ref: ObjectReference): string {
  const { group, version } = parseApiVersion(ref.apiVersion ?? '');
  return `${group ? `${group}/` : ''}${version}, Kind=${ref.kind ?? ''} ${ref.namespace ?? ''}/${ref.name ?? ''}`;
}

/** The newest of the contract's versions in the label value (`v1alpha3_v1alpha4`). */
export function latestContractVersion(labelValue: string): string | undefined {
  const versions = labelValue.split('_').filter(Boolean);
  return versions.sort(compareKubeVersions)[0];
}

/** `ref` with the apiVersion its CRD's contract label names as newest. Throws when the CRD or label is missing. */
export async function upToDateRef(client: Client, ref: ObjectReference): Promise<ObjectReference> {
  const { group } = parseApiVersion(ref.apiVersion ?? '');
  const mapping = await client.mapping({ apiVersion: ref.apiVersion ?? '', kind: ref.kind ?? '' });
  const crdName = `${mapping.plural}.${group}`;
  let crd: KubeObject;
  try {
    crd = await client.get(CRD_KIND, { name: crdName });
  } catch (e) {
    if (isNotFound(e)) throw new Error(`failed to update apiVersion in ref ${refString(ref)}: CustomResourceDefinition ${crdName} not found`);
    throw e;
  }
  const label = crd.metadata?.labels?.[CONTRACT_LABEL];
  const latest = label ? latestContractVersion(label) : undefined;
  if (!latest) {
    throw new Error(`failed to update apiVersion in ref ${refString(ref)}: CustomResourceDefinition ${crdName} has no versions for contract ${JSON.stringify(CONTRACT_LABEL)} (label ${CONTRACT_LABEL} is missing or empty)`);
  }
  return { ...ref, apiVersion: group ? `${group}/${latest}` : latest };
}
