/**
 * The pod IPs of one node, as a host-local IPAM plugin hands them out: the lowest free address of the
 * node's pod CIDR, skipping the network address, the gateway (.1) and the broadcast address.
 */

export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class NodeIPAllocator {
  private readonly base: number;
  private readonly size: number;
  /** host offset → owner key */
  private readonly used = new Map<number, string>();
  private readonly byOwner = new Map<string, number>();

  /** Throws on a CIDR that is not IPv4 a.b.c.d/len with len ≤ 30. */
  constructor(readonly cidr: string) {
    const [addr, lenText] = cidr.split('/');
    const ip = parseIPv4(addr ?? '');
    const len = Number(lenText);
    if (ip === undefined || !Number.isInteger(len) || len < 0 || len > 30) throw new Error(`pod CIDR "${cidr}" is not an IPv4 CIDR with room for pods`);
    this.size = 2 ** (32 - len);
    this.base = ip - (ip % this.size);
  }

  /** The address an owner holds, if any. */
  get(owner: string): string | undefined {
    const off = this.byOwner.get(owner);
    return off === undefined ? undefined : formatIPv4(this.base + off);
  }

  /** The owner's address, allocating the lowest free one; undefined when the range is full. */
  allocate(owner: string): string | undefined {
    const held = this.get(owner);
    if (held) return held;
    for (let off = 2; off < this.size - 1; off++) {
      if (!this.used.has(off)) {
        this.used.set(off, owner);
        this.byOwner.set(owner, off);
        return formatIPv4(this.base + off);
      }
    }
    return undefined;
  }

  /** Records an address already in use (read back from a Pod's status); false when not ours to take. */
  claim(owner: string, ip: string): boolean {
    const n = parseIPv4(ip);
    if (n === undefined || n - this.base < 2 || n - this.base >= this.size - 1) return false;
    const off = n - this.base;
    const holder = this.used.get(off);
    if (holder !== undefined) return holder === owner;
    if (this.byOwner.has(owner)) return false;
    this.used.set(off, owner);
    this.byOwner.set(owner, off);
    return true;
  }

  release(owner: string): void {
    const off = this.byOwner.get(owner);
    if (off === undefined) return;
    this.byOwner.delete(owner);
    this.used.delete(off);
  }

  get inUse(): number {
    return this.used.size;
  }
}
