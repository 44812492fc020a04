/**
 * The object tree of one Cluster, as `clusterctl describe cluster` shows it (v1beta1 conditions): the Cluster, its
 * infrastructure, its control plane with the control-plane Machines, and "Workers" with each MachineDeployment and
 * its Machines, and each MachinePool. Pure: it takes the objects already read from the API and decides which rows exist, their order,
 * which Machines fold into one group row and which conditions each row lists. cluster-tree-print.ts draws it.
 */
import { isPlainObject, parseApiVersion, type KubeObject } from '../apimachinery/types.js';
import { CONTROL_PLANE_LABEL, type Cluster, type Condition, type Machine, type MachineDeployment, type MachinePool, type MachineSet } from '../api/cluster/types.js';

/** Everything the tree is built from, as read from the API server. */
export interface ClusterObjects {
  cluster: Cluster;
  /** The object `spec.infrastructureRef` names, when it exists. */
  infrastructure?: KubeObject;
  /** The object `spec.controlPlaneRef` names, when it exists. */
  controlPlane?: KubeObject;
  /** Machines, MachineSets and MachineDeployments labelled with the cluster's name. */
  machines: Machine[];
  machineSets: MachineSet[];
  machineDeployments: MachineDeployment[];
  /** MachinePools labelled with the cluster's name (absent where the server does not serve them). */
  machinePools?: MachinePool[];
  /** Infrastructure machines and bootstrap configs the Machines reference, keyed by `providerKey`. */
  machineProviders: ReadonlyMap<string, KubeObject>;
}

export interface TreeOptions {
  /** `--show-conditions`: comma-separated `all`, `KIND` or `KIND/NAME`; a `+` suffix lists only conditions that are not True. */
  showConditions?: string;
  /** Fold sibling Machines whose Ready conditions agree (status, severity, reason) into one row. Default true. */
  grouping?: boolean;
  /** Show MachineSets between a MachineDeployment and its Machines. */
  showMachineSets?: boolean;
  /** Show a Machine's infrastructure and bootstrap objects even when they only echo the Machine's Ready. */
  echo?: boolean;
}

/** One row of the tree (and the rows under it). */
export interface TreeNode {
  /** The object's kind; for a virtual row (Workers, Other) the row's text. */
  kind: string;
  name: string;
  namespace?: string;
  /** The role in the cluster, shown before kind/name: ClusterInfrastructure, ControlPlane, MachineInfrastructure, BootstrapConfig. */
  role?: string;
  /** A row that stands for no object (Workers, Other). */
  virtual?: true;
  /** A group row: the names of the objects (of `kind`) it stands for, sorted. */
  group?: string[];
  /** The object has a deletionTimestamp. */
  deleting?: boolean;
  /** The Ready condition shown on the row (for a group: shared status, severity and reason, earliest transition, no message). */
  ready?: Condition;
  /** The other conditions to list under the row (empty unless --show-conditions asks for them). */
  conditions: Condition[];
  /** In print order. */
  children: TreeNode[];
  /** The object the row stands for (none for virtual and group rows). */
  object?: KubeObject;
}

/** Error for a bad --show-conditions value. */
export class ShowConditionsError extends Error {}

/** Key of an infrastructure machine or bootstrap config in `ClusterObjects.machineProviders`. */
export function providerKey(apiVersion: string, kind: string, name: string): string {
  return `${parseApiVersion(apiVersion).group}/${kind}/${name}`;
}

// ---- conditions -----------------------------------------------------------------------------------

const STATUSES = new Set(['True', 'False', 'Unknown']);

/** The well-formed v1beta1 conditions of an object. */
export function conditionsOf(obj: KubeObject | undefined): Condition[] {
  const status = obj?.status;
  if (!isPlainObject(status) || !Array.isArray(status.conditions)) return [];
  return (status.conditions as unknown[]).filter(
    (c): c is Condition => isPlainObject(c) && typeof c.type === 'string' && typeof c.status === 'string' && STATUSES.has(c.status),
  );
}

function readyOf(obj: KubeObject | undefined): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === 'Ready');
}

/** Same status, severity and reason (two missing conditions agree). */
function sameReady(a: Condition | undefined, b: Condition | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.status === b.status && (a.severity ?? '') === (b.severity ?? '') && (a.reason ?? '') === (b.reason ?? '');
}

type ConditionFilter = 'none' | 'all' | 'notTrue';

interface FilterEntry {
  kind?: string;
  name?: string;
  filter: ConditionFilter;
}

/** Parse --show-conditions: `all`, `KIND`, `KIND/NAME`, comma-separated; a `+` suffix keeps only conditions that are not True. */
export function parseShowConditions(text: string | undefined): FilterEntry[] {
  if (!text) return [];
  const out: FilterEntry[] = [];
  for (const raw of text.split(',')) {
    if (raw.trim() !== raw) throw new ShowConditionsError(`invalid --show-conditions value ${JSON.stringify(text)}: whitespace is not allowed`);
    if (!raw) continue;
    const filter: ConditionFilter = raw.endsWith('+') ? 'notTrue' : 'all';
    const body = filter === 'notTrue' ? raw.slice(0, -1) : raw;
    const parts = body.split('/');
    if (parts.length > 2 || parts.some((p) => !p)) throw new ShowConditionsError(`invalid --show-conditions entry ${JSON.stringify(raw)}: use all, KIND or KIND/NAME`);
    if (parts.length === 1 && body.toLowerCase() === 'all') out.push({ filter });
    else out.push({ kind: parts[0]!.toLowerCase(), name: parts[1]?.toLowerCase(), filter });
  }
  return out;
}

/** The first entry that matches the object decides (as clusterctl). */
function filterFor(entries: FilterEntry[], kind: string, name: string): { filter: ConditionFilter; byKind: boolean } {
  for (const e of entries) {
    if (e.kind === undefined) return { filter: e.filter, byKind: false };
    if (e.kind !== kind.toLowerCase()) continue;
    if (e.name !== undefined && e.name !== name.toLowerCase()) continue;
    return { filter: e.filter, byKind: true };
  }
  return { filter: 'none', byKind: false };
}

function listedConditions(obj: KubeObject, filter: ConditionFilter): Condition[] {
  if (filter === 'none') return [];
  return conditionsOf(obj)
    .filter((c) => c.type !== 'Ready' && (filter === 'all' || c.status !== 'True'))
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

// ---- rows -----------------------------------------------------------------------------------------

/** The row's text without colours: `3 Machines...`, `Workers`, `ControlPlane - KubeadmControlPlane/dev`, `!! DELETED !! Machine/m1`. */
export function rowName(n: TreeNode): string {
  if (n.group) return `${n.group.length} ${n.kind}s...`;
  if (n.virtual) return n.kind;
  const own = `${n.kind}/${n.name}`;
  const text = n.role ? `${n.role} - ${own}` : own;
  return n.deleting ? `!! DELETED !! ${text}` : text;
}

function sortRows(rows: TreeNode[]): TreeNode[] {
  return rows.sort((a, b) => {
    const x = rowName(a);
    const y = rowName(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function controllerUid(obj: KubeObject): string | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
}

class Builder {
  private readonly filters: FilterEntry[];
  private readonly grouping: boolean;

  constructor(
    private readonly objs: ClusterObjects,
    private readonly opts: TreeOptions,
  ) {
    this.filters = parseShowConditions(opts.showConditions);
    this.grouping = opts.grouping ?? true;
  }

  objectRow(obj: KubeObject, role?: string): TreeNode {
    const kind = obj.kind ?? '';
    const name = obj.metadata?.name ?? '';
    const n: TreeNode = {
      kind,
      name,
      namespace: obj.metadata?.namespace,
      ready: readyOf(obj),
      conditions: listedConditions(obj, filterFor(this.filters, kind, name).filter),
      children: [],
      object: obj,
    };
    if (role) n.role = role;
    if (obj.metadata?.deletionTimestamp) n.deleting = true;
    return n;
  }

  /** A Machine row with its infrastructure and bootstrap objects (hidden when they only echo the Machine's Ready). */
  machineRow(m: Machine): TreeNode {
    const row = this.objectRow(m);
    const refs: [string, { apiVersion?: string; kind?: string; name?: string } | undefined][] = [
      ['MachineInfrastructure', m.spec?.infrastructureRef],
      ['BootstrapConfig', m.spec?.bootstrap?.configRef],
    ];
    for (const [role, ref] of refs) {
      if (!ref?.apiVersion || !ref.kind || !ref.name) continue;
      const obj = this.objs.machineProviders.get(providerKey(ref.apiVersion, ref.kind, ref.name));
      if (!obj) continue;
      const ready = readyOf(obj);
      if (!this.opts.echo && (ready?.status === 'True' || sameReady(row.ready, ready))) continue;
      row.children.push(this.objectRow(obj, role));
    }
    sortRows(row.children);
    return row;
  }

  /**
   * The Machines under a parent that groups them: Machines whose Ready conditions agree fold into one
   * "N Machines..." row, unless grouping is off, --show-conditions names the Machine kind or the Machine, or the
   * Machine is being deleted.
   */
  machineRows(machines: Machine[]): TreeNode[] {
    const rows: TreeNode[] = [];
    const classes = new Map<string, Machine[]>();
    for (const m of machines) {
      const byKind = filterFor(this.filters, 'Machine', m.metadata?.name ?? '').byKind;
      if (!this.grouping || byKind || m.metadata?.deletionTimestamp) {
        rows.push(this.machineRow(m));
        continue;
      }
      const r = readyOf(m);
      const key = r ? JSON.stringify([r.status, r.severity ?? '', r.reason ?? '']) : '';
      classes.set(key, [...(classes.get(key) ?? []), m]);
    }
    for (const members of classes.values()) {
      if (members.length === 1) {
        rows.push(this.machineRow(members[0]!));
        continue;
      }
      const readies = members.map(readyOf).filter((c): c is Condition => !!c);
      const row: TreeNode = {
        kind: 'Machine',
        name: '',
        namespace: members[0]!.metadata?.namespace,
        group: members.map((m) => m.metadata?.name ?? '').sort(),
        conditions: [],
        children: [],
      };
      if (readies.length) {
        const earliest = readies.reduce((a, b) => (Date.parse(b.lastTransitionTime) < Date.parse(a.lastTransitionTime) ? b : a));
        const { message: _message, ...shared } = readies[0]!;
        row.ready = { ...shared, lastTransitionTime: earliest.lastTransitionTime };
      }
      rows.push(row);
    }
    return sortRows(rows);
  }

  build(): TreeNode {
    const { cluster, infrastructure, controlPlane, machines, machineSets, machineDeployments } = this.objs;
    const root = this.objectRow({ ...cluster, apiVersion: cluster.apiVersion ?? 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' });
    const placed = new Set<Machine>();
    const controlled = (owner: KubeObject) => {
      const uid = owner.metadata?.uid;
      return <T extends KubeObject>(o: T): boolean => !!uid && controllerUid(o) === uid;
    };

    if (infrastructure) root.children.push(this.objectRow(infrastructure, 'ClusterInfrastructure'));
    if (controlPlane) {
      const cpRow = this.objectRow(controlPlane, 'ControlPlane');
      const cpMachines = machines.filter((m) => m.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined);
      cpMachines.forEach((m) => placed.add(m));
      cpRow.children = this.machineRows(cpMachines);
      root.children.push(cpRow);
    }

    const workers: TreeNode = { kind: 'Workers', name: 'Workers', virtual: true, conditions: [], children: [] };
    const setRow = (ms: MachineSet): TreeNode => {
      const row = this.objectRow(ms);
      const own = machines.filter(controlled(ms));
      own.forEach((m) => placed.add(m));
      row.children = this.machineRows(own);
      return row;
    };
    for (const md of machineDeployments) {
      const row = this.objectRow(md);
      const sets = machineSets.filter(controlled(md));
      if (this.opts.showMachineSets) {
        row.children = sortRows(sets.map(setRow));
      } else {
        const own = machines.filter((m) => sets.some((ms) => controlled(ms)(m)));
        own.forEach((m) => placed.add(m));
        row.children = this.machineRows(own);
      }
      workers.children.push(row);
    }
    // A MachinePool's instances are Nodes, not Machines: the pool is one row.
    for (const mp of this.objs.machinePools ?? []) workers.children.push(this.objectRow(mp));
    // MachineSets no MachineDeployment controls (created on their own) are workers too.
    const deploymentUids = new Set(machineDeployments.map((md) => md.metadata?.uid).filter(Boolean));
    for (const ms of machineSets) {
      const owner = controllerUid(ms);
      if (!owner || !deploymentUids.has(owner)) workers.children.push(setRow(ms));
    }
    const orphans = machines.filter((m) => !placed.has(m));
    if (orphans.length) {
      workers.children.push({ kind: 'Other', name: 'Other', virtual: true, conditions: [], children: sortRows(orphans.map((m) => this.machineRow(m))) });
    }
    if (workers.children.length) {
      sortRows(workers.children);
      root.children.push(workers);
    }
    sortRows(root.children);
    return root;
  }
}

/** The tree of a cluster. Throws ShowConditionsError for a bad `showConditions`. */
export function buildClusterTree(objs: ClusterObjects, opts: TreeOptions = {}): TreeNode {
  return new Builder(objs, opts).build();
}

/**
 * Every object of the cluster's tree in print order (Cluster first), each once: what `-o yaml|json` prints. Nothing
 * is grouped or hidden here, MachineSets included.
 */
export function clusterTreeObjects(objs: ClusterObjects): KubeObject[] {
  const out: KubeObject[] = [];
  const walk = (n: TreeNode): void => {
    if (n.object) out.push(n.object);
    n.children.forEach(walk);
  };
  walk(buildClusterTree(objs, { grouping: false, echo: true, showMachineSets: true }));
  return out;
}
