#!/usr/bin/env node
// Builds the protobuf message table Slipway decodes `application/vnd.kubernetes.protobuf` bodies with, from
// k8s.io/api's generated.proto files (field numbers, wire types, repeated/map, message references) and the Go
// struct tags in the same packages' types.go (JSON names, omitempty, pointers, inline embedding, field order).
// Only messages reachable from the kinds below are kept. apimachinery's own messages (ObjectMeta, Time, Quantity,
// IntOrString, RawExtension, ...) are not in k8s.io/api: they stay references, resolved by the decoder.
//
// Usage: node scripts/extract-kubernetes-protobuf.mjs <k8s.io/api git dir> [ref] [out.json]
//   e.g. node scripts/extract-kubernetes-protobuf.mjs /work/.mirror/kubernetes+api/repo release-1.36
// The source used is named in src/apimachinery/protobuf/generated/README.md. Run by hand when moving to a newer Kubernetes.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** [apiVersion, kind, package directory in k8s.io/api]. */
const KINDS = [
  ...['Namespace', 'Node', 'Pod', 'Service', 'Endpoints', 'PersistentVolumeClaim', 'PersistentVolume', 'ResourceQuota', 'LimitRange',
    'ServiceAccount', 'Secret', 'ConfigMap', 'Event', 'Binding', 'PodTemplate'].map((k) => ['v1', k, 'core/v1']),
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'].map((k) => ['apps/v1', k, 'apps/v1']),
  ['batch/v1', 'Job', 'batch/v1'],
  ['batch/v1', 'CronJob', 'batch/v1'],
  ['discovery.k8s.io/v1', 'EndpointSlice', 'discovery/v1'],
  ...['Ingress', 'IngressClass', 'NetworkPolicy', 'IPAddress', 'ServiceCIDR'].map((k) => ['networking.k8s.io/v1', k, 'networking/v1']),
  ['policy/v1', 'PodDisruptionBudget', 'policy/v1'],
  ['policy/v1', 'Eviction', 'policy/v1'],
  ['scheduling.k8s.io/v1', 'PriorityClass', 'scheduling/v1'],
  ['storage.k8s.io/v1', 'StorageClass', 'storage/v1'],
  ...['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((k) => ['rbac.authorization.k8s.io/v1', k, 'rbac/v1']),
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'autoscaling/v2'],
  ['autoscaling/v1', 'HorizontalPodAutoscaler', 'autoscaling/v1'],
  ['autoscaling/v1', 'Scale', 'autoscaling/v1'],
  ['events.k8s.io/v1', 'Event', 'events/v1'],
  ['coordination.k8s.io/v1', 'Lease', 'coordination/v1'],
  ...['SelfSubjectAccessReview', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview'].map((k) => ['authorization.k8s.io/v1', k, 'authorization/v1']),
  ...['TokenReview', 'SelfSubjectReview', 'TokenRequest'].map((k) => ['authentication.k8s.io/v1', k, 'authentication/v1']),
];

/** Messages outside k8s.io/api the decoder knows by hand (index.ts / schema.ts). */
const EXTERNAL = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  'k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta',
  'k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Condition',
  'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  'k8s.io.apimachinery.pkg.api.resource.Quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  'k8s.io.apimachinery.pkg.runtime.RawExtension',
]);

const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'double']);

// Flags of a field entry [no, json, type, flags].
const REPEATED = 1;
const MAP = 2;
const KEEP_ZERO = 4;
const INLINE = 8;

const [gitDir, ref = 'HEAD', out = new URL('../src/apimachinery/protobuf/generated/kubernetes-messages.json', import.meta.url)] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: extract-kubernetes-protobuf.mjs <k8s.io/api git dir> [ref] [out.json]');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['-C', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const commit = git('rev-parse', `${ref}^{commit}`).trim();
const show = (file) => git('show', `${commit}:${file}`);

/** Parses the proto2 subset go-to-protobuf writes: package, flat messages, optional/repeated fields, map<,>. */
function parseProto(text) {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(src)?.[1];
  if (!pkg) throw new Error('proto without a package');
  const resolve = (t) => (SCALARS.has(t) ? t : t.startsWith('.') ? t.slice(1) : `${pkg}.${t}`);
  const messages = new Map();
  const msgRe = /\bmessage\s+(\w+)\s*\{([^{}]*)\}/g;
  for (let m; (m = msgRe.exec(src)); ) {
    const fields = [];
    for (const stmt of m[2].split(';').map((s) => s.trim()).filter(Boolean)) {
      let f = /^(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)(\s*\[.*\])?$/s.exec(stmt);
      if (f) {
        fields.push({ no: Number(f[4]), name: f[3], type: resolve(f[2]), repeated: f[1] === 'repeated', map: false });
        continue;
      }
      f = /^map\s*<\s*(\w+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)$/s.exec(stmt);
      if (f) {
        if (f[1] !== 'string') throw new Error(`${pkg}.${m[1]}.${f[3]}: map key ${f[1]} is not string`);
        fields.push({ no: Number(f[4]), name: f[3], type: resolve(f[2]), repeated: false, map: true });
        continue;
      }
      if (/^(option|reserved)\b/.test(stmt)) continue;
      throw new Error(`${pkg}.${m[1]}: cannot parse "${stmt}"`);
    }
    messages.set(`${pkg}.${m[1]}`, fields);
  }
  return messages;
}

/** Reads the Go struct tags of types.go: per struct, per protobuf field number, JSON facts and the field's index. */
function parseGoStructs(text) {
  const structs = new Map();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^type\s+(\w+)\s+struct\s*\{\s*$/.exec(lines[i]);
    if (!head) continue;
    const fields = new Map();
    let index = 0;
    for (i++; i < lines.length && !/^\}/.test(lines[i]); i++) {
      const line = lines[i].trim();
      if (line.startsWith('//') || line === '') continue;
      const tags = /`(.*)`/.exec(line)?.[1];
      if (!tags) continue;
      const pb = /protobuf:"([^"]*)"/.exec(tags)?.[1];
      const json = /json:"([^"]*)"/.exec(tags)?.[1];
      if (!pb || json === undefined) continue;
      const decl = line.slice(0, line.indexOf('`')).trim().split(/\s+/);
      const goType = decl.length >= 2 ? decl[1] : decl[0];
      const [jsonName, ...opts] = json.split(',');
      const no = Number(pb.split(',')[1]);
      fields.set(no, {
        index: index++,
        json: jsonName,
        omitempty: opts.includes('omitempty'),
        inline: opts.includes('inline'),
        pointer: goType.startsWith('*'),
      });
    }
    structs.set(head[1], fields);
  }
  return structs;
}

const packages = new Map(); // proto package -> { messages, structs }
function loadPackage(dir) {
  const messages = parseProto(show(`${dir}/generated.proto`));
  const structs = parseGoStructs(show(`${dir}/types.go`));
  const pkg = `k8s.io.api.${dir.replace('/', '.')}`;
  packages.set(pkg, { messages, structs });
  return pkg;
}

function packageOf(fullName) {
  const m = /^k8s\.io\.api\.(\w+)\.(\w+)\.\w+$/.exec(fullName);
  if (!m) return undefined;
  const pkg = `k8s.io.api.${m[1]}.${m[2]}`;
  if (!packages.has(pkg)) loadPackage(`${m[1]}/${m[2]}`);
  return packages.get(pkg);
}

const table = {};
const externalsUsed = new Set();
function visit(fullName) {
  if (table[fullName] || EXTERNAL.has(fullName)) {
    if (EXTERNAL.has(fullName)) externalsUsed.add(fullName);
    return;
  }
  const p = packageOf(fullName);
  const fields = p?.messages.get(fullName);
  if (!fields) throw new Error(`message ${fullName} is neither in k8s.io/api nor handled by hand`);
  const goStruct = p.structs.get(fullName.split('.').pop());
  if (!goStruct) console.warn(`warning: no Go struct for ${fullName}; JSON names come from the proto`);
  const rows = fields.map((f) => {
    const go = goStruct?.get(f.no);
    if (goStruct && !go) console.warn(`warning: ${fullName} field ${f.no} (${f.name}) has no Go struct tag`);
    let flags = 0;
    if (f.repeated) flags |= REPEATED;
    if (f.map) flags |= MAP;
    if (go?.inline) flags |= INLINE;
    // Presence matters for pointers; fields without omitempty are always written by encoding/json.
    else if (!f.repeated && !f.map && go && (go.pointer || !go.omitempty)) flags |= KEEP_ZERO;
    const json = go?.inline ? f.name : (go?.json || f.name);
    return { row: [f.no, json, f.type, flags], order: go ? go.index : 1000 + f.no };
  });
  rows.sort((a, b) => a.order - b.order);
  table[fullName] = rows.map((r) => r.row);
  for (const f of fields) if (!SCALARS.has(f.type)) visit(f.type);
}

const kinds = KINDS.map(([apiVersion, kind, dir]) => {
  const name = `${loadPackage(dir)}.${kind}`;
  visit(name);
  return [apiVersion, kind, name];
});

const doc = {
  source: `k8s.io/api ${commit} (${ref}): */generated.proto and */types.go`,
  fieldFlags: { repeated: REPEATED, map: MAP, keepZero: KEEP_ZERO, inline: INLINE },
  externals: [...externalsUsed].sort(),
  kinds,
  messages: table,
};
writeFileSync(out, JSON.stringify(doc, null, 0).replace(/\],"k8s/g, '],\n"k8s') + '\n');
console.log(`wrote ${Object.keys(table).length} messages for ${kinds.length} kinds (externals: ${doc.externals.length}) from ${commit}`);
