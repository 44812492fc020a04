/**
 * Go text/template engine benchmark: executions per second of typical Cluster API patch templates
 * (value templates, enabledIf conditions, a kubeadm files block), parsed once from the cache.
 *
 *   node --import tsx bench/gotemplate.ts [iterations=200000]
 */
import { cachedTemplate, parseTemplate } from '../src/gotemplate/index.js';

const iterations = Number(process.argv[2] ?? 200_000);

const data = {
  builtin: {
    cluster: { name: 'workload-01', namespace: 'default', uid: '6a1f', topology: { class: 'tkg-vsphere', version: 'v1.24.9+vmware.1' }, network: { serviceDomain: 'cluster.local', pods: ['100.96.0.0/11'], services: ['100.64.0.0/13'], ipFamily: 'IPv4' } },
    controlPlane: { name: 'workload-01-cp', replicas: 3, version: 'v1.24.9+vmware.1' },
    machineDeployment: { class: 'tkg-worker', name: 'workload-01-md-0', topologyName: 'md-0', replicas: 5, version: 'v1.24.9+vmware.1' },
  },
  vcenter: { server: 'vc01.example.com', datacenter: '/dc0', datastore: '/dc0/datastore/ds0', folder: '/dc0/vm/tkg', resourcePool: '/dc0/host/cluster0/Resources/tkg', tlsThumbprint: 'AA:BB:CC' },
  proxy: { httpProxy: 'http://proxy.example.com:3128', httpsProxy: 'http://proxy.example.com:3128', noProxy: ['10.0.0.0/8', '.svc', '.cluster.local'] },
  trust: { additionalTrustedCAs: [{ name: 'corp', data: 'LS0tLS1CRUdJTi...' }, { name: 'lab', data: 'LS0tLS1CRUdJTi...' }] },
  apiServerExtraArgs: { 'tls-min-version': 'VersionTLS12', 'audit-log-maxage': '30', 'profiling': 'false' },
  controlPlaneCertificateRotation: { activate: true, daysBefore: 90 },
  ntpServers: ['time1.example.com', 'time2.example.com'],
};

const templates: Record<string, string> = {
  value: '{{ .builtin.cluster.name }}',
  enabledIf: '{{ if and .proxy .proxy.httpProxy }}true{{ end }}',
  semver: '{{ semverCompare ">= v1.24" .builtin.controlPlane.version }}',
  object: '{"server":"{{ .vcenter.server }}","datacenter":"{{ .vcenter.datacenter }}","thumbprint":"{{ .vcenter.tlsThumbprint }}","replicas":{{ .builtin.machineDeployment.replicas }}}',
  files: `- path: /etc/systemd/system/containerd.service.d/http-proxy.conf
  content: |
    [Service]
    Environment="HTTP_PROXY={{ .proxy.httpProxy }}"
    Environment="HTTPS_PROXY={{ .proxy.httpsProxy }}"
    Environment="NO_PROXY={{ join "," .proxy.noProxy }},{{ index .builtin.cluster.network.pods 0 }},{{ .builtin.cluster.network.serviceDomain }}"
{{- range .trust.additionalTrustedCAs }}
- path: /etc/ssl/certs/tkg-{{ .name }}.pem
  encoding: base64
  content: {{ .data }}
{{- end }}
{{- if .controlPlaneCertificateRotation.activate }}
- path: /etc/kubernetes/rotate
  content: {{ printf "%.0f" .controlPlaneCertificateRotation.daysBefore | quote }}
{{- end }}`,
  args: '{{- range $k, $v := .apiServerExtraArgs }}\n{{ $k }}: {{ $v | quote }}{{ end }}\nntp: {{ toJson .ntpServers }}',
};

interface Row {
  name: string;
  perSec: number;
  usPerExec: number;
  bytes: number;
}
const rows: Row[] = [];
let total = 0;
const tAll = performance.now();
for (const [name, text] of Object.entries(templates)) {
  const t = cachedTemplate(text);
  let out = '';
  for (let i = 0; i < 2000; i++) out = t.execute(data); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) out = t.execute(data);
  const secs = (performance.now() - t0) / 1000;
  rows.push({ name, perSec: Math.round(iterations / secs), usPerExec: (secs * 1e6) / iterations, bytes: out.length });
  total += iterations;
}
const allSecs = (performance.now() - tAll) / 1000;

// Parse cost (uncached), for the record.
const p0 = performance.now();
const parses = 2000;
for (let i = 0; i < parses; i++) parseTemplate('tpl', templates.files!);
const parseUs = ((performance.now() - p0) * 1000) / parses;

console.log('template      executions/s   µs/exec   output bytes');
for (const r of rows) console.log(`${r.name.padEnd(12)} ${String(r.perSec).padStart(13)} ${r.usPerExec.toFixed(2).padStart(9)} ${String(r.bytes).padStart(14)}`);
console.log(`parse (files template, uncached): ${parseUs.toFixed(1)} µs`);
const overall = Math.round(total / allSecs);
console.log(`overall: ${overall} executions/s over ${rows.length} templates`);
console.log(
  JSON.stringify({
    bench: 'gotemplate',
    executionsPerSec: overall,
    ...Object.fromEntries(rows.map((r) => [`${r.name}PerSec`, r.perSec])),
    parseFilesUs: Number(parseUs.toFixed(1)),
  }),
);
