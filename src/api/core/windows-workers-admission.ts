/**
 * The windows-workers gate at admission: while the feature is deactivated, new Windows machines are refused with a
 * message naming the gate. Windows use means:
 *  - a MachineDeployment whose template's infrastructureRef is a SimMachineTemplate with `os: windows` (on create, or
 *    on an update that moves it from a non-Windows template to a Windows one: existing Windows pools keep rolling);
 *  - a Machine or SimMachine without a controller owner (made by hand, not by a MachineSet) running Windows;
 *  - a Cluster topology adding a worker MachineDeployment whose class is `windows`, or whose class's
 *    infrastructure template runs Windows.
 * Objects made by controllers from admitted intent (owned Machines and SimMachines) are not checked.
 */
import { fieldError, invalid, type StatusCause } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../apiserver/strategy.js';
import type { ClusterClass, ObjectReference } from '../cluster/clusterclass.js';
import type { Cluster, Machine, MachineDeployment } from '../cluster/types.js';
import { INFRASTRUCTURE_GROUP, type SimMachine, type SimMachineTemplate } from '../infrastructure/types.js';
import { featureActive, featureRequiredMessage, storeFeatureSource, type FeatureSource } from './feature-active.js';
import { WINDOWS_WORKER_CLASS, WINDOWS_WORKERS } from './features.js';

const CAPI_GROUP = 'cluster.x-k8s.io';

export class WindowsWorkersAdmission implements AdmissionPlugin {
  readonly name = 'WindowsWorkersFeatureGate';
  private readonly source: FeatureSource;

  constructor(private readonly objects: ObjectStore) {
    this.source = storeFeatureSource(objects);
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource || attrs.operation === 'DELETE' || !attrs.object) return;
    const { group, kind } = attrs.info;
    let cause: StatusCause | undefined;
    if (group === CAPI_GROUP && kind === 'MachineDeployment') cause = await this.machineDeployment(attrs.object as MachineDeployment, attrs.oldObject as MachineDeployment | undefined, attrs.namespace);
    else if (group === CAPI_GROUP && kind === 'Machine') cause = await this.machine(attrs.object as Machine, attrs.operation === 'CREATE', attrs.namespace);
    else if (group === INFRASTRUCTURE_GROUP && kind === 'SimMachine') cause = this.simMachine(attrs.object as SimMachine, attrs.operation === 'CREATE');
    else if (group === CAPI_GROUP && kind === 'Cluster') cause = await this.cluster(attrs.object as Cluster, attrs.oldObject as Cluster | undefined, attrs.namespace);
    if (!cause) return;
    if (await featureActive(this.source, WINDOWS_WORKERS)) return;
    throw invalid(kind, group, attrs.name, [cause]);
  }

  private refusal(path: string, what: string): StatusCause {
    return fieldError.forbidden(path, featureRequiredMessage(WINDOWS_WORKERS, what));
  }

  private async machineDeployment(md: MachineDeployment, old: MachineDeployment | undefined, namespace: string | undefined): Promise<StatusCause | undefined> {
    const ref = md.spec?.template?.spec?.infrastructureRef;
    const oldRef = old?.spec?.template?.spec?.infrastructureRef;
    if (old && oldRef?.name === ref?.name && oldRef?.kind === ref?.kind) return undefined;
    if (!(await this.templateRunsWindows(ref, namespace))) return undefined;
    if (old && (await this.templateRunsWindows(oldRef, namespace))) return undefined;
    return this.refusal('spec.template.spec.infrastructureRef', `Windows workers (SimMachineTemplate ${ref?.name ?? ''} has os: windows)`);
  }

  private async machine(m: Machine, creating: boolean, namespace: string | undefined): Promise<StatusCause | undefined> {
    if (!creating || hasControllerOwner(m)) return undefined;
    const ref = m.spec?.infrastructureRef;
    if (!isSim(ref, 'SimMachine') || !ref?.name) return undefined;
    const info = this.objects.registry.get(INFRASTRUCTURE_GROUP, 'v1alpha1', 'simmachines');
    const sim = info ? ((await this.objects.tryGet(info, ref.namespace ?? namespace, ref.name)) as SimMachine | undefined) : undefined;
    if (sim?.spec?.os !== 'windows') return undefined;
    return this.refusal('spec.infrastructureRef', `a Windows Machine (SimMachine ${ref.name} has os: windows)`);
  }

  private simMachine(sm: SimMachine, creating: boolean): StatusCause | undefined {
    if (!creating || hasControllerOwner(sm) || sm.spec?.os !== 'windows') return undefined;
    return this.refusal('spec.os', 'a Windows SimMachine');
  }

  private async cluster(c: Cluster, old: Cluster | undefined, namespace: string | undefined): Promise<StatusCause | undefined> {
    const topology = c.spec?.topology;
    const workers = topology?.workers?.machineDeployments ?? [];
    if (!topology || !workers.length) return undefined;
    const before = new Map((old?.spec?.topology?.workers?.machineDeployments ?? []).map((w) => [w.name, w.class] as const));
    let windowsClasses: Set<string> | undefined;
    for (const [i, w] of workers.entries()) {
      if (before.get(w.name) === w.class) continue;
      windowsClasses ??= await this.windowsClassesOf(topology.class, topology.classNamespace ?? namespace);
      if (w.class === WINDOWS_WORKER_CLASS || windowsClasses.has(w.class)) {
        return this.refusal(`spec.topology.workers.machineDeployments[${i}].class`, `Windows workers (worker class ${w.class})`);
      }
    }
    return undefined;
  }

  /** Worker classes of the ClusterClass whose infrastructure template runs Windows. */
  private async windowsClassesOf(className: string, namespace: string | undefined): Promise<Set<string>> {
    const out = new Set<string>();
    const info = this.objects.registry.get(CAPI_GROUP, 'v1beta1', 'clusterclasses');
    const cc = info ? ((await this.objects.tryGet(info, namespace, className)) as ClusterClass | undefined) : undefined;
    for (const md of cc?.spec?.workers?.machineDeployments ?? []) {
      if (await this.templateRunsWindows(md.template?.infrastructure?.ref, namespace)) out.add(md.class);
    }
    return out;
  }

  private async templateRunsWindows(ref: ObjectReference | undefined, namespace: string | undefined): Promise<boolean> {
    if (!isSim(ref, 'SimMachineTemplate') || !ref?.name) return false;
    const info = this.objects.registry.get(INFRASTRUCTURE_GROUP, 'v1alpha1', 'simmachinetemplates');
    const tmpl = info ? ((await this.objects.tryGet(info, ref.namespace ?? namespace, ref.name)) as SimMachineTemplate | undefined) : undefined;
    return tmpl?.spec?.template?.spec?.os === 'windows';
  }
}

function isSim(ref: ObjectReference | undefined, kind: string): boolean {
  return !!ref && ref.kind === kind && (ref.apiVersion ?? '').split('/')[0] === INFRASTRUCTURE_GROUP;
}

function hasControllerOwner(obj: KubeObject): boolean {
  return (obj.metadata?.ownerReferences ?? []).some((o) => o.controller === true);
}
