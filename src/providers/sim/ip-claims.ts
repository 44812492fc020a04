/**
 * Static addresses of sim machines from IP pools, as CAPV does for `network.devices[].addressesFromPools`: one
 * IPAddressClaim per device and pool (named `<machine>-<device>-<pool>`, owned by the SimMachine, protected by a
 * finalizer until the machine goes), a wait until every claim has its IPAddress, then the addresses in device and
 * pool order; the first is the machine's InternalIP. The pure part (claim slots, the desired claim, the state of the
 * claims) is separate from the shell that reads and writes the claims.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { formatAddr, parseAddr, type IPFamily } from '../../apimachinery/net/ip.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import { CLUSTER_NAME_LABEL, type MachineAddress } from '../../api/cluster/types.js';
import { IP_ADDRESS_CLAIM_KIND, IP_ADDRESS_KIND, IPAM_CONTRACT_API_VERSION, type IPAddress, type IPAddressClaim } from '../../api/ipam/types.js';
import { SIM_IP_CLAIM_FINALIZER, SIM_MACHINE_KIND, SIM_REASONS, type SimIPPoolReference, type SimMachine } from '../../api/infrastructure/types.js';
import { tryGet } from '../../controllers/shared/cluster.js';
import type { Reader } from '../../controllers/shared/reader.js';

export { IP_ADDRESS_CLAIM_KIND, IP_ADDRESS_KIND };

/** One claim a machine needs: device `device`'s `pool`-th pool. */
export interface ClaimSlot {
  name: string;
  device: number;
  pool: number;
  poolRef: SimIPPoolReference;
}

/** An address a machine got from a pool. */
export interface ClaimedAddress {
  device: number;
  pool: number;
  claim: string;
  family: IPFamily;
  /** Canonical text of the address. */
  address: string;
  prefix: number;
  gateway?: string;
}

export type ClaimsState =
  | { phase: 'ready'; addresses: ClaimedAddress[] }
  | { phase: 'waiting'; reason: string; message: string };

/** What the shell observed of a machine's claims. */
export interface ObservedClaims {
  /** Claims created in this pass (not yet visible to the reader). */
  created: ReadonlySet<string>;
  /** The machine's claims by name (missing: not found, or not this machine's). */
  claims: ReadonlyMap<string, IPAddressClaim>;
  /** IPAddresses by name (the claims' status.addressRef.name). */
  addresses: ReadonlyMap<string, IPAddress>;
}

/** The name of the claim of device `device`'s `pool`-th pool. */
export function claimName(machineName: string, device: number, pool: number): string {
  return `${machineName}-${device}-${pool}`;
}

/** The claims a machine's spec asks for, in device then pool order (empty: the machine takes no pool addresses). */
export function claimSlots(sm: SimMachine): ClaimSlot[] {
  const slots: ClaimSlot[] = [];
  (sm.spec?.network?.devices ?? []).forEach((d, device) => {
    (d.addressesFromPools ?? []).forEach((poolRef, pool) => {
      slots.push({ name: claimName(sm.metadata!.name!, device, pool), device, pool, poolRef: { apiGroup: poolRef.apiGroup, kind: poolRef.kind, name: poolRef.name } });
    });
  });
  return slots;
}

/** The IPAddressClaim of one slot: owned by the machine (controller), protected by the sim's finalizer. */
export function desiredClaim(sm: SimMachine, slot: ClaimSlot, clusterName: string): IPAddressClaim {
  return {
    apiVersion: IP_ADDRESS_CLAIM_KIND.apiVersion,
    kind: IP_ADDRESS_CLAIM_KIND.kind,
    metadata: {
      name: slot.name,
      namespace: sm.metadata!.namespace,
      labels: { [CLUSTER_NAME_LABEL]: clusterName },
      finalizers: [SIM_IP_CLAIM_FINALIZER],
      ownerReferences: [{ apiVersion: SIM_MACHINE_KIND.apiVersion, kind: SIM_MACHINE_KIND.kind, name: sm.metadata!.name!, uid: sm.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: { clusterName, poolRef: { ...slot.poolRef } },
  };
}

/** Whether `claim` belongs to the machine with this uid. */
export function isOwnedBy(claim: KubeObject, uid: string | undefined): boolean {
  return !!uid && (claim.metadata?.ownerReferences ?? []).some((r) => r.kind === SIM_MACHINE_KIND.kind && r.uid === uid);
}

/**
 * Where a machine's claims stand: ready with every address (slot order), or waiting with CAPV's reason — claims
 * just created (IPAddressClaimsBeingCreated), a claim missing or not the machine's (IPAddressClaimNotFound), or
 * addresses not yet allocated (WaitingForIPAddress). Messages count the claims still being processed.
 */
export function claimsState(slots: readonly ClaimSlot[], o: ObservedClaims): ClaimsState {
  const addresses: ClaimedAddress[] = [];
  const missing: string[] = [];
  const problems: string[] = [];
  let pending = 0;
  for (const slot of slots) {
    const claim = o.claims.get(slot.name);
    if (!claim) {
      pending++;
      if (!o.created.has(slot.name)) missing.push(slot.name);
      continue;
    }
    const ref = claim.status?.addressRef?.name;
    const ip = ref ? o.addresses.get(ref) : undefined;
    if (!ref || !ip) {
      pending++;
      if (ref) problems.push(`IPAddress ${ref} of claim ${slot.name} not found`);
      continue;
    }
    const parsed = parseAddr(ip.spec?.address ?? '');
    if (!parsed) {
      pending++;
      problems.push(`IPAddress ${ref} has an invalid address ${JSON.stringify(ip.spec?.address ?? '')}`);
      continue;
    }
    addresses.push({ device: slot.device, pool: slot.pool, claim: slot.name, family: parsed.family, address: formatAddr(parsed), prefix: ip.spec.prefix, ...(ip.spec.gateway ? { gateway: ip.spec.gateway } : {}) });
  }
  if (pending === 0) return { phase: 'ready', addresses };
  const counts = `${pending}/${slots.length} claims being processed`;
  if (o.created.size > 0) return { phase: 'waiting', reason: SIM_REASONS.ipAddressClaimsBeingCreated, message: counts };
  if (missing.length) return { phase: 'waiting', reason: SIM_REASONS.ipAddressClaimNotFound, message: `${counts}; IPAddressClaim ${missing.join(', ')} not found or being deleted` };
  return { phase: 'waiting', reason: SIM_REASONS.waitingForIPAddress, message: problems.length ? `${counts}; ${problems.join('; ')}` : counts };
}

/** The machine's InternalIP: the first claimed address (device order, then pool order). */
export function primaryAddress(addresses: readonly ClaimedAddress[]): string | undefined {
  return addresses[0]?.address;
}

/** status.addresses of a machine with claimed addresses: each as an InternalIP (the primary first), then its hostname. */
export function claimedMachineAddresses(addresses: readonly ClaimedAddress[], hostname: string): MachineAddress[] {
  const out: MachineAddress[] = [];
  for (const a of addresses) if (!out.some((x) => x.address === a.address)) out.push({ type: 'InternalIP', address: a.address });
  out.push({ type: 'Hostname', address: hostname });
  return out;
}

// ---- shell ---------------------------------------------------------------------------------------

/**
 * Create the machine's missing claims and read where they stand. A claim of the same name that is not the machine's
 * (an old one still being released) is left alone: the machine waits for it to go.
 */
export async function reconcileClaims(client: Client, reader: Reader, sm: SimMachine, clusterName: string, slots: readonly ClaimSlot[]): Promise<ClaimsState> {
  const namespace = sm.metadata!.namespace;
  const uid = sm.metadata!.uid;
  const created = new Set<string>();
  const claims = new Map<string, IPAddressClaim>();
  const addresses = new Map<string, IPAddress>();
  for (const slot of slots) {
    let claim = await reader.get<IPAddressClaim>(IP_ADDRESS_CLAIM_KIND, namespace, slot.name);
    if (!claim) {
      try {
        await client.create(desiredClaim(sm, slot, clusterName));
        created.add(slot.name);
        continue;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        claim = await tryGet<IPAddressClaim>(client, IP_ADDRESS_CLAIM_KIND, namespace, slot.name);
      }
    }
    if (!claim || !isOwnedBy(claim, uid) || claim.metadata?.deletionTimestamp) continue;
    claims.set(slot.name, claim);
    const ref = claim.status?.addressRef?.name;
    if (!ref) continue;
    // The claim controller writes the IPAddress before the claim's status, but the reader's cache may lag behind.
    const ip = (await reader.get<IPAddress>(IP_ADDRESS_KIND, namespace, ref)) ?? (await tryGet<IPAddress>(client, IP_ADDRESS_KIND, namespace, ref));
    if (ip) addresses.set(ref, ip);
  }
  return claimsState(slots, { created, claims, addresses });
}

/**
 * On the machine's deletion: its claims lose the sim's finalizer and are deleted (the IPAM controller releases their
 * addresses). Returns how many of its claims still exist.
 */
export async function releaseClaims(client: Client, sm: SimMachine): Promise<number> {
  const namespace = sm.metadata!.namespace;
  const uid = sm.metadata!.uid;
  const clusterName = sm.metadata?.labels?.[CLUSTER_NAME_LABEL];
  const all = (await client.list<IPAddressClaim>(IP_ADDRESS_CLAIM_KIND, { namespace, ...(clusterName ? { labelSelector: `${CLUSTER_NAME_LABEL}=${clusterName}` } : {}) })).items;
  const own = all.filter((c) => isOwnedBy(c, uid));
  for (const claim of own) {
    const name = claim.metadata!.name!;
    const finalizers = claim.metadata?.finalizers ?? [];
    try {
      if (finalizers.includes(SIM_IP_CLAIM_FINALIZER)) {
        const rest = finalizers.filter((f) => f !== SIM_IP_CLAIM_FINALIZER);
        await client.patch(IP_ADDRESS_CLAIM_KIND, { namespace, name }, { type: 'merge', body: { metadata: { finalizers: rest.length ? rest : null, resourceVersion: claim.metadata!.resourceVersion } } });
      }
      if (!claim.metadata?.deletionTimestamp) await client.delete(IP_ADDRESS_CLAIM_KIND, { namespace, name });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return own.length;
}

/** The SimMachine that owns a claim (for watches). */
export function ownerOfClaim(claim: KubeObject): { namespace: string | undefined; name: string }[] {
  const ref = (claim.metadata?.ownerReferences ?? []).find((r) => r.kind === SIM_MACHINE_KIND.kind && r.apiVersion === SIM_MACHINE_KIND.apiVersion);
  return ref ? [{ namespace: claim.metadata?.namespace, name: ref.name }] : [];
}

