/**
 * The slice of core/v1 Pod and Node that the scheduler reads. Objects from the API (plain JSON)
 * satisfy these shapes structurally; every field is optional where the API allows it.
 */
import type { LabelSelectorObject } from '../../../apimachinery/selectors.js';

export type ResourceList = Record<string, string | number>;

export interface ResourceRequirements {
  requests?: ResourceList | null;
  limits?: ResourceList | null;
}

export interface ContainerPort {
  containerPort?: number;
  hostPort?: number | null;
  hostIP?: string | null;
  protocol?: string | null;
}

export interface Container {
  name?: string;
  resources?: ResourceRequirements | null;
  ports?: ContainerPort[] | null;
  /** `Always` marks a restartable init container (sidecar). */
  restartPolicy?: string | null;
}

export interface Toleration {
  key?: string | null;
  operator?: string | null;
  value?: string | null;
  effect?: string | null;
  tolerationSeconds?: number | null;
}

export interface Taint {
  key: string;
  value?: string | null;
  effect: string;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[] | null;
  matchFields?: NodeSelectorRequirement[] | null;
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelectorObject | null;
  namespaces?: string[] | null;
  namespaceSelector?: LabelSelectorObject | null;
  topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinityRules {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] | null;
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[] | null;
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] | null } | null;
    preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[] | null;
  } | null;
  podAffinity?: PodAffinityRules | null;
  podAntiAffinity?: PodAffinityRules | null;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelectorObject | null;
  minDomains?: number | null;
  nodeAffinityPolicy?: string | null;
  nodeTaintsPolicy?: string | null;
  matchLabelKeys?: string[] | null;
}

export interface PodSpec {
  nodeName?: string | null;
  containers?: Container[] | null;
  initContainers?: Container[] | null;
  overhead?: ResourceList | null;
  /** Pod-level resources (PodLevelResources): when set they take precedence over container sums. */
  resources?: ResourceRequirements | null;
  nodeSelector?: Record<string, string> | null;
  affinity?: Affinity | null;
  tolerations?: Toleration[] | null;
  topologySpreadConstraints?: TopologySpreadConstraint[] | null;
  priority?: number | null;
  preemptionPolicy?: string | null;
}

export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string> | null;
  deletionTimestamp?: string | null;
}

export interface PodLike {
  metadata?: ObjectMetaLike;
  spec?: PodSpec;
}

export interface NodeLike {
  metadata?: ObjectMetaLike;
  spec?: { unschedulable?: boolean | null; taints?: Taint[] | null };
  status?: { allocatable?: ResourceList | null; capacity?: ResourceList | null };
}

/** Upstream's framework.Code values that matter for messages and preemption. */
export type FilterCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

/** A filter's verdict on one node: null means the node passes. */
export interface FilterFailure {
  plugin: string;
  code: FilterCode;
  reasons: string[];
}
