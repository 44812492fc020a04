/**
 * Table printers for core/v1 Service, Endpoints, ResourceQuota and LimitRange, as kube-apiserver's
 * (pkg/printers/internalversion: printService, printEndpoints, printResourceQuota; LimitRange has no
 * printer and gets the default Name, Created At).
 */
import type { KubeObject } from '../apimachinery/types.js';
import { isPlainObject } from '../apimachinery/types.js';
import { ageColumn, col, created, defaultTablePrinter, formatLabels, get, int, loadBalancerIngress, nameColumn, nameOf, records, s, type TableCell, type TablePrinter } from './table-cells.js';
import { FIELD_DOCS } from './table-field-docs.js';
import { formatQuantity } from './table-quantity.js';

/** getServiceExternalIP (wide form: load balancer addresses are not clipped). */
export function serviceExternalIP(o: KubeObject): string {
  const externalIPs = (Array.isArray(get(o, 'spec', 'externalIPs')) ? (get(o, 'spec', 'externalIPs') as unknown[]) : []).map(s);
  switch (s(get(o, 'spec', 'type'))) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(get(o, 'status', 'loadBalancer'));
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return s(get(o, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

/** makePortString: "port/protocol", or "port:nodePort/protocol" when a node port is allocated. */
export function servicePorts(o: KubeObject): string {
  return records(get(o, 'spec', 'ports'))
    .map((p) => (int(p['nodePort']) > 0 ? `${int(p['port'])}:${int(p['nodePort'])}/${s(p['protocol'])}` : `${int(p['port'])}/${s(p['protocol'])}`))
    .join(',');
}

function serviceCells(o: KubeObject, now: Date): TableCell[] {
  const clusterIPs = Array.isArray(get(o, 'spec', 'clusterIPs')) ? (get(o, 'spec', 'clusterIPs') as unknown[]).map(s) : [];
  // Decoding fills clusterIPs from a lone clusterIP (SetDefaults_Service).
  const clusterIP = clusterIPs[0] ?? s(get(o, 'spec', 'clusterIP'));
  return [nameOf(o), s(get(o, 'spec', 'type')), clusterIP || '<none>', serviceExternalIP(o), servicePorts(o) || '<none>', created(o, now), formatLabels(get(o, 'spec', 'selector'))];
}

/** IPv6 addresses take brackets in host:port, as net.JoinHostPort. */
const joinHostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** formatEndpoints: up to three "ip:port" (or bare ip for port-less subsets), then "+ N more...". */
export function formatEndpoints(o: KubeObject): string {
  const subsets = records(o['subsets']);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let total = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses = records(ss['addresses']);
    const ports = records(ss['ports']);
    const rounds: (number | undefined)[] = ports.length ? ports.map((p) => int(p['port'])) : [undefined];
    for (const port of rounds) {
      total += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(port === undefined ? s(a['ip']) : joinHostPort(s(a['ip']), port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${total - max} more...` : ret;
}

/** printResourceQuota: "name: used/hard" per hard resource, sorted; "limits.*" go to the Limit column. */
function resourceQuotaCells(o: KubeObject, now: Date): TableCell[] {
  const hard = get(o, 'status', 'hard');
  const used = get(o, 'status', 'used');
  const requests: string[] = [];
  const limits: string[] = [];
  for (const name of Object.keys(isPlainObject(hard) ? hard : {}).sort()) {
    const entry = `${name}: ${formatQuantity(get(used, name))}/${formatQuantity(get(hard, name))}`;
    const pieces = name.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(entry);
  }
  return [nameOf(o), requests.join(', '), limits.join(', '), created(o, now)];
}

export const CORE_PRINTERS: Record<string, TablePrinter> = {
  '/Service': {
    columns: [
      nameColumn(),
      col('Type', 'string', FIELD_DOCS['ServiceSpec.type']),
      col('Cluster-IP', 'string', FIELD_DOCS['ServiceSpec.clusterIP']),
      col('External-IP', 'string', FIELD_DOCS['ServiceSpec.externalIPs']),
      col('Port(s)', 'string', FIELD_DOCS['ServiceSpec.ports']),
      ageColumn(),
      col('Selector', 'string', FIELD_DOCS['ServiceSpec.selector'], { priority: 1 }),
    ],
    cells: serviceCells,
  },
  '/Endpoints': {
    columns: [nameColumn(), col('Endpoints', 'string', FIELD_DOCS['Endpoints.subsets']), ageColumn()],
    cells: (o, now) => [nameOf(o), formatEndpoints(o), created(o, now)],
  },
  '/ResourceQuota': {
    columns: [
      nameColumn(),
      col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
      col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
      ageColumn(),
    ],
    cells: resourceQuotaCells,
  },
  '/LimitRange': defaultTablePrinter,
};
