/**
 * Admission-style checks for ClusterClasses and topology Clusters (Cluster API's webhooks): structure, references,
 * variable definitions, patches, and a Cluster's variables and overrides against its class. Each returns field
 * causes (empty when valid) with Kubernetes' wording.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import type { TemplateRenderer } from './template-renderer.js';
import { validatePatches } from './patches.js';
import type { Cluster, ClusterClass, ClusterVariable, ObjectReference } from './types.js';
import { validateClusterClassVariables } from './variable-definitions.js';
import { defaultClusterVariables, validateClusterVariables } from './variable-values.js';
import { compareVersions, parseVersion } from './versions.js';

function validateRef(ref: ObjectReference | undefined, path: string, out: StatusCause[]): void {
  if (!ref) {
    out.push(fieldError.required(path, ''));
    return;
  }
  if (!ref.apiVersion) out.push(fieldError.required(`${path}.apiVersion`, ''));
  if (!ref.kind) out.push(fieldError.required(`${path}.kind`, ''));
  if (!ref.name) out.push(fieldError.required(`${path}.name`, ''));
}

/** Validate a ClusterClass. With a renderer, Go templates (enabledIf, valueFrom.template, naming) must parse. */
export function validateClusterClass(cc: ClusterClass, renderer?: TemplateRenderer): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = cc.spec;
  if (!spec) return [fieldError.required('spec', '')];
  validateRef(spec.infrastructure?.ref, 'spec.infrastructure.ref', out);
  validateRef(spec.controlPlane?.ref, 'spec.controlPlane.ref', out);
  if (spec.controlPlane?.machineInfrastructure) validateRef(spec.controlPlane.machineInfrastructure.ref, 'spec.controlPlane.machineInfrastructure.ref', out);
  const naming = (tpl: string | undefined, path: string) => {
    if (tpl === undefined || !renderer) return;
    const err = renderer.parseError('template name generator', tpl);
    if (err) out.push(fieldError.invalid(path, tpl, `invalid ${path.split('.').slice(-2, -1)[0] ?? 'naming'} template: ${err}`));
  };
  naming(spec.infrastructureNamingStrategy?.template, 'spec.infrastructureNamingStrategy.template');
  naming(spec.controlPlane?.namingStrategy?.template, 'spec.controlPlane.namingStrategy.template');
  for (const [kind, list] of [
    ['machineDeployments', spec.workers?.machineDeployments ?? []],
    ['machinePools', spec.workers?.machinePools ?? []],
  ] as const) {
    const seen = new Set<string>();
    list.forEach((c, i) => {
      const p = `spec.workers.${kind}[${i}]`;
      if (!c.class) out.push(fieldError.required(`${p}.class`, ''));
      else if (seen.has(c.class)) {
        out.push(fieldError.invalid(`${p}.class`, c.class, `${kind === 'machineDeployments' ? 'MachineDeployment' : 'MachinePool'} class must be unique`));
      }
      seen.add(c.class);
      validateRef(c.template?.bootstrap?.ref, `${p}.template.bootstrap.ref`, out);
      validateRef(c.template?.infrastructure?.ref, `${p}.template.infrastructure.ref`, out);
      naming(c.namingStrategy?.template, `${p}.namingStrategy.template`);
    });
  }
  (spec.kubernetesVersions ?? []).forEach((v, i) => {
    if (!parseVersion(v)) out.push(fieldError.invalid(`spec.kubernetesVersions[${i}]`, v, 'must be a valid semantic version'));
  });
  out.push(...validateClusterClassVariables(spec.variables));
  out.push(...validatePatches(cc, renderer));
  return out;
}

/** Default `spec.topology.variables` (top level: may create) and every override list (never created). */
export function defaultTopologyVariables(cluster: Cluster, cc: ClusterClass): Cluster {
  const topo = cluster.spec?.topology;
  if (!topo) return cluster;
  const defs = cc.spec?.variables;
  topo.variables = defaultClusterVariables(topo.variables, defs, true);
  if (topo.controlPlane?.variables?.overrides) topo.controlPlane.variables.overrides = defaultClusterVariables(topo.controlPlane.variables.overrides, defs, false);
  for (const md of topo.workers?.machineDeployments ?? []) {
    if (md.variables?.overrides) md.variables.overrides = defaultClusterVariables(md.variables.overrides, defs, false);
  }
  for (const mp of topo.workers?.machinePools ?? []) {
    if (mp.variables?.overrides) mp.variables.overrides = defaultClusterVariables(mp.variables.overrides, defs, false);
  }
  return cluster;
}

function overridesByName(list: { name: string; variables?: { overrides?: ClusterVariable[] } }[] | undefined, name: string): ClusterVariable[] | undefined {
  return list?.find((x) => x.name === name)?.variables?.overrides;
}

/**
 * Validate a topology Cluster against its ClusterClass: class name, version, worker names and classes, variables
 * (required ones set, every value valid) and overrides. `old` enables CEL transition rules and the version-skip check.
 */
export function validateClusterTopology(cluster: Cluster, cc: ClusterClass, old?: Cluster): StatusCause[] {
  const out: StatusCause[] = [];
  const topo = cluster.spec?.topology;
  if (!topo) return [fieldError.required('spec.topology', '')];
  const className = cc.metadata?.name ?? '';
  if (!topo.class) out.push(fieldError.required('spec.topology.class', ''));
  else if (topo.class !== className) out.push(fieldError.invalid('spec.topology.class', topo.class, `ClusterClass ${JSON.stringify(className)} does not match`));
  const v = topo.version ? parseVersion(topo.version) : undefined;
  if (!topo.version) out.push(fieldError.required('spec.topology.version', ''));
  else if (!v || !topo.version.startsWith('v')) out.push(fieldError.invalid('spec.topology.version', topo.version, 'version must be a valid semantic version'));
  const oldTopo = old?.spec?.topology;
  const ov = oldTopo?.version ? parseVersion(oldTopo.version) : undefined;
  if (v && ov) {
    if (compareVersions(v, ov) < 0) {
      out.push(fieldError.invalid('spec.topology.version', topo.version, `version cannot be decreased from ${JSON.stringify(oldTopo!.version)} to ${JSON.stringify(topo.version)}`));
    } else if ((v.major !== ov.major || v.minor > ov.minor + 1) && !(cc.spec?.kubernetesVersions?.length)) {
      out.push(fieldError.forbidden('spec.topology.version', `version cannot be increased from ${JSON.stringify(oldTopo!.version)} to ${JSON.stringify(topo.version)}`));
    }
  }

  const defs = cc.spec?.variables;
  const mdClasses = new Set((cc.spec?.workers?.machineDeployments ?? []).map((c) => c.class));
  const mpClasses = new Set((cc.spec?.workers?.machinePools ?? []).map((c) => c.class));
  for (const [kind, list, classes, what] of [
    ['machineDeployments', topo.workers?.machineDeployments ?? [], mdClasses, 'MachineDeployment'],
    ['machinePools', topo.workers?.machinePools ?? [], mpClasses, 'MachinePool'],
  ] as const) {
    const seen = new Set<string>();
    list.forEach((w, i) => {
      const p = `spec.topology.workers.${kind}[${i}]`;
      if (!w.name) out.push(fieldError.required(`${p}.name`, ''));
      else if (seen.has(w.name)) out.push(fieldError.invalid(`${p}.name`, w.name, `name must be unique. ${what} with name ${JSON.stringify(w.name)} is defined more than once`));
      seen.add(w.name);
      if (!classes.has(w.class)) out.push(fieldError.invalid(`${p}.class`, w.class, `${what}Class with name ${JSON.stringify(w.class)} does not exist in ClusterClass ${JSON.stringify(className)}`));
    });
  }

  out.push(...validateClusterVariables(topo.variables, defs, { path: 'spec.topology.variables', validateRequired: true, oldValues: oldTopo?.variables }));
  if (topo.controlPlane?.variables?.overrides) {
    out.push(
      ...validateClusterVariables(topo.controlPlane.variables.overrides, defs, {
        path: 'spec.topology.controlPlane.variables.overrides',
        oldValues: oldTopo?.controlPlane?.variables?.overrides,
      }),
    );
  }
  for (const md of topo.workers?.machineDeployments ?? []) {
    if (!md.variables?.overrides) continue;
    out.push(
      ...validateClusterVariables(md.variables.overrides, defs, {
        path: `spec.topology.workers.machineDeployments[${md.name}].variables.overrides`,
        oldValues: overridesByName(oldTopo?.workers?.machineDeployments, md.name),
      }),
    );
  }
  for (const mp of topo.workers?.machinePools ?? []) {
    if (!mp.variables?.overrides) continue;
    out.push(
      ...validateClusterVariables(mp.variables.overrides, defs, {
        path: `spec.topology.workers.machinePools[${mp.name}].variables.overrides`,
        oldValues: overridesByName(oldTopo?.workers?.machinePools, mp.name),
      }),
    );
  }
  return out;
}
