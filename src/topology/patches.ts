/**
 * ClusterClass inline patches: validation (Cluster API's ClusterClass webhook rules) and the patch engine that
 * applies them to the templates of one Cluster. Patches run in class order; each sees the output of the ones
 * before it. Errors name the patch, the definition and JSON patch index and the JSON pointer.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { applyJsonPatch } from '../apimachinery/patch/index.js';
import { isPlainObject } from '../apimachinery/schema/path.js';
import { cloneJSON } from './objects.js';
import type { KubeObject } from '../apimachinery/types.js';
import { parseRenderedValue } from './patch-values.js';
import { dataFor, RenderMemo } from './render-memo.js';
import type { TemplateRenderer } from './template-renderer.js';
import type { ClusterClass, ClusterClassPatch, JSONPatch, ObjectReference, PatchSelector } from './types.js';
import { getVariableValue, variableNameOf } from './value-path.js';

/** Where a template sits in the topology, as upstream's HolderReference kind + fieldPath. */
export type TemplateRole =
  | 'infrastructureCluster'
  | 'controlPlane'
  | 'controlPlaneMachineInfrastructure'
  | 'machineDeploymentBootstrap'
  | 'machineDeploymentInfrastructure'
  | 'machinePoolBootstrap'
  | 'machinePoolInfrastructure';

/** One template being patched for one Cluster (upstream GeneratePatchesRequestItem). */
export interface PatchItem {
  role: TemplateRole;
  /** The template object (a copy owned by the engine; patched in place). */
  object: KubeObject;
  /** Template-specific variables (builtins for the control plane / a MachineDeployment / overrides). */
  variables: Record<string, unknown>;
  /** The MachineDeployment or MachinePool class, for worker templates. */
  workerClass?: string;
  /** The MachineDeployment or MachinePool topology name, for messages. */
  topologyName?: string;
}

export class PatchError extends Error {
  constructor(
    message: string,
    /** `spec.patches[NAME]...` pointing at the failing patch, definition or JSON patch. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

/** Class-name selectors: `*`, `prefix*`, `*suffix` or an exact name. */
export function matchesClassName(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  if (pattern.startsWith('*') && name.endsWith(pattern.slice(1))) return true;
  if (pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1))) return true;
  return false;
}

/** Whether a definition's selector applies to an item (upstream matchesSelector). */
export function selectorMatches(selector: PatchSelector | undefined, item: PatchItem): boolean {
  if (!selector) return false;
  if (item.object.apiVersion !== selector.apiVersion || item.object.kind !== selector.kind) return false;
  const m = selector.matchResources ?? {};
  if (m.infrastructureCluster && item.role === 'infrastructureCluster') return true;
  if (m.controlPlane && (item.role === 'controlPlane' || item.role === 'controlPlaneMachineInfrastructure')) return true;
  if (m.machineDeploymentClass && (item.role === 'machineDeploymentBootstrap' || item.role === 'machineDeploymentInfrastructure')) {
    if ((m.machineDeploymentClass.names ?? []).some((n) => matchesClassName(n, item.workerClass ?? ''))) return true;
  }
  if (m.machinePoolClass && (item.role === 'machinePoolBootstrap' || item.role === 'machinePoolInfrastructure')) {
    if ((m.machinePoolClass.names ?? []).some((n) => matchesClassName(n, item.workerClass ?? ''))) return true;
  }
  return false;
}

function where(patch: ClusterClassPatch, di: number, ji: number, jp: JSONPatch, item: PatchItem): string {
  return `patch ${JSON.stringify(patch.name)} definitions[${di}].jsonPatches[${ji}] (${jp.op ?? ''} ${jp.path ?? ''}) on ${describeItem(item)}`;
}

function describeItem(item: PatchItem): string {
  const name = item.object.metadata?.name ? ` ${JSON.stringify(item.object.metadata.name)}` : '';
  const where = item.topologyName ? ` of ${item.role.startsWith('machinePool') ? 'MachinePool' : 'MachineDeployment'} topology ${JSON.stringify(item.topologyName)}` : '';
  return `${item.object.kind}${name}${where}`;
}

/** Memos per renderer: results of one template engine are never served for another. */
const memos = new WeakMap<TemplateRenderer, { value: RenderMemo<unknown>; enabled: RenderMemo<boolean> }>();

function memosOf(renderer: TemplateRenderer): { value: RenderMemo<unknown>; enabled: RenderMemo<boolean> } {
  let m = memos.get(renderer);
  if (!m) memos.set(renderer, (m = { value: new RenderMemo<unknown>(), enabled: new RenderMemo<boolean>() }));
  return m;
}

function renderValue(renderer: TemplateRenderer, name: string, text: string, data: Record<string, unknown>, key = memosOf(renderer).value.key(text, data)): unknown {
  const valueMemo = memosOf(renderer).value;
  const hit = valueMemo.get(key);
  if (hit !== undefined) return cloneJSON(hit);
  const out = renderer.render(name, text, dataFor(text, data));
  let v: unknown;
  try {
    v = parseRenderedValue(out);
  } catch (e) {
    throw new Error(`failed to unmarshal rendered template: ${JSON.stringify(out)}: ${(e as Error).message.split('\n')[0]}`);
  }
  valueMemo.set(key, cloneJSON(v));
  return v;
}

/** Evaluate `enabledIf` for one template: enabled only when it renders to exactly `true`. */
export function patchEnabled(renderer: TemplateRenderer, enabledIf: string | undefined, variables: Record<string, unknown>): boolean {
  if (enabledIf === undefined || enabledIf === null) return true;
  const m = memosOf(renderer);
  // Both memos key a template the same way (its text and the values it reads).
  const key = m.enabled.key(enabledIf, variables);
  const hit = m.enabled.get(key);
  if (hit !== undefined) return hit;
  let v: unknown;
  try {
    v = renderValue(renderer, 'tpl', enabledIf, variables, key);
  } catch (e) {
    throw new Error(`failed to calculate value for enabledIf: ${(e as Error).message}`);
  }
  m.enabled.set(key, v === true);
  return v === true;
}

/** The value of an add/replace operation (upstream calculateValue). */
export function calculateValue(renderer: TemplateRenderer, p: JSONPatch, variables: Record<string, unknown>): unknown {
  const hasValue = p.value !== undefined;
  if (!hasValue && !p.valueFrom) throw new Error('failed to calculate value: neither .value nor .valueFrom are set');
  if (hasValue && p.valueFrom) throw new Error('failed to calculate value: both .value and .valueFrom are set');
  if (hasValue) return cloneJSON(p.value);
  const vf = p.valueFrom!;
  if (vf.variable === undefined && vf.template === undefined) {
    throw new Error('failed to calculate value: .valueFrom is set, but neither .valueFrom.variable nor .valueFrom.template are set');
  }
  if (vf.variable !== undefined && vf.template !== undefined) {
    throw new Error('failed to calculate value: .valueFrom is set, but both .valueFrom.variable and .valueFrom.template are set');
  }
  if (vf.variable !== undefined) {
    try {
      return cloneJSON(getVariableValue(variables, vf.variable));
    } catch (e) {
      throw new Error(`failed to calculate value: ${(e as Error).message}`);
    }
  }
  try {
    return renderValue(renderer, 'tpl', vf.template!, variables);
  } catch (e) {
    throw new Error(`failed to calculate value for template: ${(e as Error).message}`);
  }
}

function unescapeToken(t: string): string {
  return t.indexOf('~') < 0 ? t : t.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** add / replace / remove in place with RFC 6902 semantics; false when the operation does not apply. */
const pointerCache = new Map<string, string[]>();

function pointerTokens(path: string): string[] {
  let t = pointerCache.get(path);
  if (!t) {
    t = path.split('/').slice(1).map(unescapeToken);
    if (pointerCache.size > 10_000) pointerCache.clear();
    pointerCache.set(path, t);
  }
  return t;
}

function applyInPlace(doc: unknown, op: string, path: string, value: unknown): boolean {
  const tokens = pointerTokens(path);
  let parent: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (Array.isArray(parent)) {
      if (!/^(0|[1-9]\d*)$/.test(t) || Number(t) >= parent.length) return false;
      parent = parent[Number(t)];
    } else if (isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, t)) parent = parent[t];
    else return false;
  }
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    if (op === 'add' && last === '-') {
      parent.push(value);
      return true;
    }
    if (!/^(0|[1-9]\d*)$/.test(last)) return false;
    const i = Number(last);
    if (op === 'add') {
      if (i > parent.length) return false;
      parent.splice(i, 0, value);
      return true;
    }
    if (i >= parent.length) return false;
    if (op === 'replace') parent[i] = value;
    else parent.splice(i, 1);
    return true;
  }
  if (!isPlainObject(parent)) return false;
  if (op === 'add') {
    parent[last] = value;
    return true;
  }
  if (!Object.prototype.hasOwnProperty.call(parent, last)) return false;
  if (op === 'replace') parent[last] = value;
  else delete parent[last];
  return true;
}

/** Apply one RFC 6902 operation in place; failures carry evanphx/json-patch wording. */
function applyOperation(doc: KubeObject, op: string, path: string, value: unknown): void {
  if (applyInPlace(doc, op, path, value)) return;
  const operation = op === 'remove' ? { op, path } : { op, path, value };
  // Only for the message: the API server's implementation words failures as evanphx/json-patch does.
  try {
    applyJsonPatch(doc, [operation]);
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    throw new Error(typeof cause === 'string' ? cause : (e as Error).message);
  }
  throw new Error(`${op} operation does not apply: ${path}`);
}

/**
 * Which definitions of each patch select an item, per item signature (role, worker class, apiVersion, kind): the
 * selectors of a class are fixed, so this is computed once per patch list and signature (upstream matchesSelector).
 */
const matchCache = new WeakMap<readonly ClusterClassPatch[], Map<string, (readonly number[] | undefined)[]>>();

function itemSignature(item: PatchItem): string {
  const o = item.object;
  const s = (v: string | undefined) => (v === undefined ? '\u0001' : `:${v}`);
  return `${item.role}\u0000${item.workerClass ?? ''}\u0000${s(o.apiVersion)}\u0000${s(o.kind)}`;
}

function matchingDefinitions(patches: readonly ClusterClassPatch[], item: PatchItem): (readonly number[] | undefined)[] {
  let byItem = matchCache.get(patches);
  if (!byItem) matchCache.set(patches, (byItem = new Map()));
  const sig = itemSignature(item);
  let out = byItem.get(sig);
  if (!out) {
    out = patches.map((patch) => {
      if (!patch.definitions || patch.definitions.length === 0) return undefined;
      const matching: number[] = [];
      patch.definitions.forEach((d, di) => {
        if (selectorMatches(d.selector, item)) matching.push(di);
      });
      return matching.length > 0 ? matching : undefined;
    });
    if (byItem.size > 1000) byItem.clear();
    byItem.set(sig, out);
  }
  return out;
}

/**
 * Run every patch of the class over the items, in order. `globals` are the Cluster's variables plus
 * `builtin.cluster`; each item adds its own. Throws PatchError on the first failure.
 */
export function applyPatches(patches: ClusterClassPatch[] | undefined, items: PatchItem[], globals: Record<string, unknown>, renderer: TemplateRenderer): void {
  if (!patches || patches.length === 0) return;
  // Items that share their own variables (a template pair of one MachineDeployment) share the merged map.
  const mergedByOwn = new Map<Record<string, unknown>, Record<string, unknown>>();
  const merged: (Record<string, unknown> | undefined)[] = new Array(items.length);
  const matches = items.map((item) => matchingDefinitions(patches, item));
  for (let pi = 0; pi < patches.length; pi++) {
    const patch = patches[pi]!;
    if (!patch.definitions || patch.definitions.length === 0) {
      if (patch.external) throw new PatchError(`patch ${JSON.stringify(patch.name)}: external patches (Runtime Extensions) are not supported`, `spec.patches[${patch.name || pi}].external`);
      continue;
    }
    // enabledIf is a pure function of the merged variables: evaluated once per distinct map.
    let enabledByVars: Map<Record<string, unknown>, boolean> | undefined;
    for (let ii = 0; ii < items.length; ii++) {
      const matching = matches[ii]![pi];
      if (!matching) continue;
      const item = items[ii]!;
      let vars = merged[ii];
      if (!vars) {
        vars = mergedByOwn.get(item.variables);
        if (!vars) mergedByOwn.set(item.variables, (vars = mergeItemVariables(globals, item.variables)));
        merged[ii] = vars;
      }
      let enabled = enabledByVars?.get(vars);
      if (enabled === undefined) {
        try {
          enabled = patchEnabled(renderer, patch.enabledIf, vars);
        } catch (e) {
          throw new PatchError(`patch ${JSON.stringify(patch.name)}: enabledIf for ${describeItem(item)}: ${(e as Error).message}`, `spec.patches[${patch.name || pi}].enabledIf`);
        }
        (enabledByVars ??= new Map()).set(vars, enabled);
      }
      if (!enabled) continue;
      for (const di of matching) {
        const jps = patch.definitions[di]!.jsonPatches ?? [];
        for (let ji = 0; ji < jps.length; ji++) {
          const jp = jps[ji]!;
          const field = () => `spec.patches[${patch.name || pi}].definitions[${di}].jsonPatches[${ji}]`;
          const op = jp.op ?? '';
          const path = jp.path ?? '';
          if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new PatchError(`${where(patch, di, ji, jp, item)}: unsupported op ${JSON.stringify(op)}`, `${field()}.op`);
          if (!path.startsWith('/spec/')) throw new PatchError(`${where(patch, di, ji, jp, item)}: jsonPatch path must start with "/spec/"`, `${field()}.path`);
          let value: unknown;
          if (op !== 'remove') {
            try {
              value = calculateValue(renderer, jp, vars);
            } catch (e) {
              throw new PatchError(`${where(patch, di, ji, jp, item)}: ${(e as Error).message}`, field());
            }
          }
          try {
            applyOperation(item.object, op, path, value);
          } catch (e) {
            throw new PatchError(`${where(patch, di, ji, jp, item)}: failed to apply patch: error applying json patch (RFC6902): ${(e as Error).message}`, `${field()}.path`);
          }
        }
      }
    }
  }
}

function mergeItemVariables(globals: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...globals };
  for (const [k, v] of Object.entries(own)) {
    if (k === 'builtin' && isPlainObject(out.builtin) && isPlainObject(v)) out.builtin = { ...out.builtin, ...v };
    else out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation (ClusterClass webhook).
// ---------------------------------------------------------------------------------------------------------------

/** Every builtin variable path a patch may read with valueFrom.variable. */
export const BUILTIN_VARIABLE_PATHS: ReadonlySet<string> = new Set([
  'builtin',
  'builtin.cluster',
  'builtin.cluster.name',
  'builtin.cluster.namespace',
  'builtin.cluster.uid',
  'builtin.cluster.metadata',
  'builtin.cluster.metadata.labels',
  'builtin.cluster.metadata.annotations',
  'builtin.cluster.topology',
  'builtin.cluster.topology.class',
  'builtin.cluster.topology.classNamespace',
  'builtin.cluster.topology.version',
  'builtin.cluster.network',
  'builtin.cluster.network.serviceDomain',
  'builtin.cluster.network.services',
  'builtin.cluster.network.pods',
  'builtin.cluster.network.ipFamily',
  'builtin.controlPlane',
  'builtin.controlPlane.name',
  'builtin.controlPlane.replicas',
  'builtin.controlPlane.version',
  'builtin.controlPlane.metadata',
  'builtin.controlPlane.metadata.labels',
  'builtin.controlPlane.metadata.annotations',
  'builtin.controlPlane.machineTemplate.infrastructureRef.name',
  ...['machineDeployment', 'machinePool'].flatMap((w) => [
    `builtin.${w}`,
    `builtin.${w}.class`,
    `builtin.${w}.name`,
    `builtin.${w}.replicas`,
    `builtin.${w}.topologyName`,
    `builtin.${w}.version`,
    `builtin.${w}.metadata`,
    `builtin.${w}.metadata.labels`,
    `builtin.${w}.metadata.annotations`,
    `builtin.${w}.bootstrap.configRef.name`,
    `builtin.${w}.infrastructureRef.name`,
  ]),
]);

function prettyPrint(v: unknown): string {
  return JSON.stringify(v, null, 2);
}

function refMatches(selector: PatchSelector, ref: ObjectReference | undefined): boolean {
  return !!ref && selector.kind === ref.kind && selector.apiVersion === ref.apiVersion;
}

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Validate `spec.patches` of a ClusterClass. `renderer` checks that templates parse (skipped when undefined). */
export function validatePatches(cc: ClusterClass, renderer?: TemplateRenderer): StatusCause[] {
  const out: StatusCause[] = [];
  const names = new Set<string>();
  const variableNames = new Set((cc.spec?.variables ?? []).map((v) => v.name));
  (cc.spec?.patches ?? []).forEach((patch, i) => {
    const path = `spec.patches[${i}]`;
    if (!patch.name) out.push(fieldError.required(`${path}.name`, 'patch name must be defined'));
    if (names.has(patch.name)) out.push(fieldError.invalid(`${path}.name`, patch.name, `patch names must be unique. Patch with name ${JSON.stringify(patch.name)} is defined more than once`));
    names.add(patch.name);
    if (patch.enabledIf !== undefined && renderer) {
      const err = renderer.parseError('enabledIf', patch.enabledIf);
      if (err) out.push(fieldError.invalid(`${path}.enabledIf`, patch.enabledIf, `template can not be parsed: ${err}`));
    }
    if (!patch.definitions && !patch.external) out.push(fieldError.required(path, 'one of definitions or external must be defined'));
    if (patch.definitions && patch.external) out.push(fieldError.invalid(path, prettyPrint(patch), 'only one of definitions or external can be defined'));
    if (patch.external) out.push(fieldError.forbidden(`${path}.external`, 'external patches (Runtime Extensions) are not supported'));
    (patch.definitions ?? []).forEach((d, di) => {
      out.push(...validateJSONPatches(d.jsonPatches ?? [], variableNames, `${path}.definitions[${di}].jsonPatches`, renderer));
      out.push(...validateSelector(d.selector ?? {}, cc, `${path}.definitions[${di}].selector`));
    });
  });
  return out;
}

function validateSelector(selector: PatchSelector, cc: ClusterClass, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const m = selector.matchResources ?? {};
  const mdNames = m.machineDeploymentClass?.names ?? [];
  const mpNames = m.machinePoolClass?.names ?? [];
  if (!(m.infrastructureCluster || m.controlPlane || mdNames.length > 0 || mpNames.length > 0)) {
    return [fieldError.invalid(path, prettyPrint(selector), 'no selector enabled')];
  }
  const spec = cc.spec ?? {};
  if (m.infrastructureCluster && !refMatches(selector, spec.infrastructure?.ref)) {
    out.push(fieldError.invalid(`${path}.matchResources.infrastructureCluster`, true, 'selector is enabled but does not match the infrastructure ref'));
  }
  if (m.controlPlane && !refMatches(selector, spec.controlPlane?.ref) && !refMatches(selector, spec.controlPlane?.machineInfrastructure?.ref)) {
    out.push(fieldError.invalid(`${path}.matchResources.controlPlane`, true, 'selector is enabled but matches neither the controlPlane ref nor the controlPlane machineInfrastructure ref'));
  }
  const workers = (kind: 'machineDeploymentClass' | 'machinePoolClass', names: string[], classes: { class: string; template?: { bootstrap?: { ref?: ObjectReference }; infrastructure?: { ref?: ObjectReference } } }[], what: string) => {
    names.forEach((name, i) => {
      const np = `${path}.matchResources.${kind}.names[${i}]`;
      if (name.includes('*')) {
        if (name.split('*').length - 1 > 1) {
          out.push(fieldError.invalid(np, name, 'selector can at most contain a single "*" rune'));
          return;
        }
        if (!(name.startsWith('*') || name.endsWith('*'))) {
          out.push(fieldError.invalid(np, name, '"*" rune can only appear at the beginning, or ending of the selector'));
          return;
        }
        if (!QUALIFIED_NAME.test(name.replace('*', 'a'))) {
          out.push(fieldError.invalid(np, name, 'selector does not comply with the Kubernetes naming standards'));
          return;
        }
      }
      const match = classes.some((c) => matchesClassName(name, c.class) && (refMatches(selector, c.template?.infrastructure?.ref) || refMatches(selector, c.template?.bootstrap?.ref)));
      if (!match) out.push(fieldError.invalid(np, name, `selector is enabled but matches neither the bootstrap ref nor the infrastructure ref of a ${what} class`));
    });
  };
  workers('machineDeploymentClass', mdNames, spec.workers?.machineDeployments ?? [], 'MachineDeployment');
  workers('machinePoolClass', mpNames, spec.workers?.machinePools ?? [], 'MachinePool');
  return out;
}

function validateJSONPatches(patches: JSONPatch[], variableNames: Set<string>, path: string, renderer?: TemplateRenderer): StatusCause[] {
  const out: StatusCause[] = [];
  patches.forEach((jp, i) => {
    const p = `${path}[${i}]`;
    const op = jp.op ?? '';
    if (!['add', 'remove', 'replace'].includes(op)) out.push(fieldError.notSupported(`${p}.op`, prettyPrint(jp), ['add', 'remove', 'replace']));
    if (!(jp.path ?? '').startsWith('/spec/')) out.push(fieldError.invalid(`${p}.path`, prettyPrint(jp), 'jsonPatch path must start with "/spec/"'));
    for (const part of (jp.path ?? '').split('/')) {
      if (!/^[+-]?\d+$/.test(part)) continue;
      if (op === 'add' && Number(part) !== 0) out.push(fieldError.invalid(`${p}.path`, jp.path, 'arrays can only be accessed using "0" (prepend) or "-" (append)'));
      if (op === 'replace' || op === 'remove') out.push(fieldError.invalid(`${p}.path`, jp.path, `elements in arrays can not be accessed in a ${op} operation`));
    }
    if (op !== 'add' && op !== 'replace') return;
    const hasValue = jp.value !== undefined;
    if (!hasValue && !jp.valueFrom) out.push(fieldError.invalid(p, prettyPrint(jp), 'jsonPatch must define one of value or valueFrom'));
    if (hasValue && jp.valueFrom) out.push(fieldError.invalid(p, prettyPrint(jp), 'jsonPatch can not define both value and valueFrom'));
    const vf = jp.valueFrom;
    if (!vf) return;
    if (vf.template === undefined && vf.variable === undefined) out.push(fieldError.invalid(`${p}.valueFrom`, prettyPrint(vf), 'valueFrom must set either template or variable'));
    if (vf.template !== undefined && vf.variable !== undefined) out.push(fieldError.invalid(`${p}.valueFrom`, prettyPrint(vf), 'valueFrom can not set both template and variable'));
    if (vf.template !== undefined && renderer) {
      const err = renderer.parseError('valueFrom.template', vf.template);
      if (err) out.push(fieldError.invalid(`${p}.valueFrom.template`, vf.template, `template can not be parsed: ${err}`));
    }
    if (vf.variable !== undefined) {
      if (vf.variable.startsWith('builtin.')) {
        if (!BUILTIN_VARIABLE_PATHS.has(vf.variable)) out.push(fieldError.invalid(`${p}.valueFrom.variable`, vf.variable, 'not a defined builtin variable'));
      } else if (!variableNames.has(variableNameOf(vf.variable))) {
        out.push(fieldError.invalid(`${p}.valueFrom.variable`, vf.variable, `variable with name ${vf.variable} cannot be found`));
      }
    }
  });
  return out;
}
