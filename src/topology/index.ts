/**
 * The ClusterClass engine (pure): variables, patches, builtins and desired state of managed topologies, with
 * `cluster.x-k8s.io/v1beta1` semantics. This facade wires the Go template engine (src/gotemplate) in; the modules
 * below take any TemplateRenderer.
 */
import { parseTemplate } from '../gotemplate/index.js';
import { computeDesiredState as compute, type CurrentState, type DesiredState, type DesiredStateOptions, type TemplateSource } from './desired-state.js';
import { planTopology as plan, type PlanOptions, type PlanResult } from './plan.js';
import { cachingRenderer, type TemplateEngineApi, type TemplateRenderer } from './template-renderer.js';
import type { Cluster, ClusterClass } from './types.js';
import type { KubeObject } from '../apimachinery/types.js';
import type { StatusCause } from '../apimachinery/errors.js';
import { validateClusterClass as validateClass } from './validate.js';

export * from './types.js';
export { validateClusterClassVariables, validateVariableSchema } from './variable-definitions.js';
export { validateClusterVariables, validateClusterVariable, defaultClusterVariables } from './variable-values.js';
export { getVariableValue, VariablePathError } from './value-path.js';
export { clusterBuiltins, controlPlaneBuiltins, machineDeploymentBuiltins, machinePoolBuiltins, ipFamily } from './builtins.js';
export { applyPatches, validatePatches, matchesClassName, selectorMatches, PatchError, type PatchItem, type TemplateRole } from './patches.js';
export { planVersions, controlPlaneUpgradePlan, workersUpgradePlan, VersionPlanError, type VersionPlan } from './versions.js';
export { simpleName, templateName, DEFAULT_NAME_TEMPLATES } from './naming.js';
export { cryptoRandom, seededRandom, sequenceRandom, type RandomSource } from './random.js';
export { cachingRenderer, noTemplates, type TemplateRenderer } from './template-renderer.js';
export { decideTemplateChange, desiredObjects, TopologyError, type CurrentState, type DesiredState, type DesiredStateOptions, type TemplateSource } from './desired-state.js';
export { defaultTopologyVariables, validateClusterTopology } from './validate.js';
export { currentStateFromObjects, errorLines, type PlanResult, type ClusterPlan } from './plan.js';
export { explainClass, explainData, ExplainError } from './explain.js';
export { diffObjects } from './diff.js';

let shared: TemplateRenderer | undefined;

/** The Go text/template renderer (sprig functions as Cluster API exposes them), with a shared parse cache. */
export function goTemplateRenderer(): TemplateRenderer {
  shared ??= cachingRenderer({ parseTemplate: parseTemplate as unknown as TemplateEngineApi['parseTemplate'] });
  return shared;
}

/** computeDesiredState with the Go template engine wired in (unless `opts.renderer` overrides it). */
export function computeDesiredState(clusterClass: ClusterClass, cluster: Cluster, templates: TemplateSource, current?: CurrentState, opts: DesiredStateOptions = {}): DesiredState {
  return compute(clusterClass, cluster, templates, current, { ...opts, renderer: opts.renderer ?? goTemplateRenderer() });
}

/** validateClusterClass with template parse checks through the Go template engine. */
export function validateClusterClass(cc: ClusterClass): StatusCause[] {
  return validateClass(cc, goTemplateRenderer());
}

/** planTopology with the Go template engine wired in. */
export function planTopology(documents: readonly KubeObject[], opts: Partial<PlanOptions> = {}): PlanResult {
  return plan(documents, { ...opts, renderer: opts.renderer ?? goTemplateRenderer() });
}
