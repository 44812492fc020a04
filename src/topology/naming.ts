/**
 * Names of generated objects as Cluster API's topology/names package builds them: `{cluster}-{random5}` for the
 * infrastructure cluster and control plane, `{cluster}-{topologyName}-{random5}` for MachineDeployments and
 * MachinePools, class `namingStrategy.template` (Go templates with `.cluster.name`, `.random`,
 * `.machineDeployment.topologyName` / `.machinePool.topologyName`), and prefix + random for cloned templates.
 */
import type { RandomSource } from './random.js';
import type { TemplateRenderer } from './template-renderer.js';

export const MAX_NAME_LENGTH = 63;
export const RANDOM_LENGTH = 5;
const MAX_GENERATED_NAME_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH;

export const DEFAULT_NAME_TEMPLATES = {
  infrastructureCluster: '{{ .cluster.name }}-{{ .random }}',
  controlPlane: '{{ .cluster.name }}-{{ .random }}',
  machineDeployment: '{{ .cluster.name }}-{{ .machineDeployment.topologyName }}-{{ .random }}',
  machinePool: '{{ .cluster.name }}-{{ .machinePool.topologyName }}-{{ .random }}',
} as const;

/** names.SimpleNameGenerator: the base (truncated to 58 characters) plus 5 random characters. */
export function simpleName(base: string, random: RandomSource): string {
  return (base.length > MAX_GENERATED_NAME_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH) : base) + random(RANDOM_LENGTH);
}

export interface NameInput {
  clusterName: string;
  /** `machineDeployment` or `machinePool` with its topology name, for worker objects. */
  worker?: { kind: 'machineDeployment' | 'machinePool'; topologyName: string };
}

/**
 * Render a naming template (upstream templateGenerator: `missingkey=error`; a result longer than 63 characters is
 * cut to 58 and gets a fresh random suffix). The default templates are computed without the template engine.
 */
export function templateName(template: string, input: NameInput, random: RandomSource, renderer: TemplateRenderer): string {
  const r = random(RANDOM_LENGTH);
  let name: string;
  if (template === DEFAULT_NAME_TEMPLATES.controlPlane) name = `${input.clusterName}-${r}`;
  else if (input.worker && template === DEFAULT_NAME_TEMPLATES[input.worker.kind]) name = `${input.clusterName}-${input.worker.topologyName}-${r}`;
  else {
    const data: Record<string, unknown> = { cluster: { name: input.clusterName }, random: r };
    if (input.worker) data[input.worker.kind] = { topologyName: input.worker.topologyName };
    try {
      name = renderer.render('template name generator', template, data, true);
    } catch (e) {
      throw new Error(`failed to generate name from template ${JSON.stringify(template)}: ${(e as Error).message}`);
    }
  }
  if (name.length > MAX_NAME_LENGTH) name = name.slice(0, MAX_GENERATED_NAME_LENGTH) + random(RANDOM_LENGTH);
  return name;
}

/** Prefix of the control plane's InfrastructureMachineTemplate: `{cluster}-`. */
export function controlPlaneInfrastructureMachineTemplatePrefix(clusterName: string): string {
  return `${clusterName}-`;
}

/** Prefix of a worker's bootstrap / infrastructure template (or MachinePool objects): `{cluster}-{topologyName}-`. */
export function workerTemplatePrefix(clusterName: string, topologyName: string): string {
  return `${clusterName}-${topologyName}-`;
}
