/**
 * Table printers for discovery.k8s.io/v1 EndpointSlice and networking.k8s.io/v1 Ingress, IngressClass and
 * NetworkPolicy, as kube-apiserver's (printEndpointSlice, printIngress, printIngressClass, printNetworkPolicy).
 */
import type { KubeObject } from '../apimachinery/types.js';
import { ageColumn, col, created, formatLabelSelector, get, listWithMore, loadBalancerIngress, nameColumn, nameOf, records, s, type TableCell, type TablePrinter } from './table-cells.js';
import { FIELD_DOCS } from './table-field-docs.js';

/** formatDiscoveryPorts: port number, else its name, else "*"; three at most. */
export function endpointSlicePorts(o: KubeObject): string {
  const ports = records(o['ports']).map((p) => (typeof p['port'] === 'number' ? String(Math.trunc(p['port'])) : typeof p['name'] === 'string' ? p['name'] : '*'));
  return listWithMore(ports, 3);
}

/** formatDiscoveryEndpoints: every address of every endpoint; three at most. */
export function endpointSliceEndpoints(o: KubeObject): string {
  const addresses = records(o['endpoints']).flatMap((e) => (Array.isArray(e['addresses']) ? e['addresses'].map(s) : []));
  return listWithMore(addresses, 3);
}

/** formatHosts: the first three rule hosts, "*" when no rule names a host. */
export function ingressHosts(o: KubeObject): string {
  const rules = records(get(o, 'spec', 'rules'));
  const max = 3;
  const hosts: string[] = [];
  let more = false;
  for (const r of rules) {
    if (hosts.length === max) more = true;
    if (!more && s(r['host'])) hosts.push(s(r['host']));
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - max} more...` : hosts.join(',');
}

function ingressCells(o: KubeObject, now: Date): TableCell[] {
  const className = get(o, 'spec', 'ingressClassName');
  const tls = get(o, 'spec', 'tls');
  return [
    nameOf(o),
    typeof className === 'string' ? className : '<none>',
    ingressHosts(o),
    loadBalancerIngress(get(o, 'status', 'loadBalancer')),
    Array.isArray(tls) && tls.length ? '80, 443' : '80',
    created(o, now),
  ];
}

function ingressClassCells(o: KubeObject, now: Date): TableCell[] {
  const p = get(o, 'spec', 'parameters');
  let parameters = '<none>';
  if (p !== undefined && p !== null) {
    const group = get(p, 'apiGroup');
    parameters = `${s(get(p, 'kind'))}${typeof group === 'string' ? `.${group}` : ''}/${s(get(p, 'name'))}`;
  }
  const isDefault = o.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true';
  return [isDefault ? `${nameOf(o)} (default)` : nameOf(o), s(get(o, 'spec', 'controller')), parameters, created(o, now)];
}

export const NETWORKING_PRINTERS: Record<string, TablePrinter> = {
  'discovery.k8s.io/EndpointSlice': {
    columns: [
      nameColumn(),
      col('AddressType', 'string', FIELD_DOCS['EndpointSlice.addressType']),
      col('Ports', 'string', FIELD_DOCS['EndpointSlice.ports']),
      col('Endpoints', 'string', FIELD_DOCS['EndpointSlice.endpoints']),
      ageColumn(),
    ],
    cells: (o, now) => [nameOf(o), s(o['addressType']), endpointSlicePorts(o), endpointSliceEndpoints(o), created(o, now)],
  },
  'networking.k8s.io/Ingress': {
    columns: [
      nameColumn(),
      col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
      col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'string', 'Ports of TLS configurations that open'),
      ageColumn(),
    ],
    cells: ingressCells,
  },
  'networking.k8s.io/IngressClass': {
    columns: [
      nameColumn(),
      col('Controller', 'string', 'Controller that is responsible for handling this class'),
      col('Parameters', 'string', 'A reference to a resource with additional parameters'),
      ageColumn(),
    ],
    cells: ingressClassCells,
  },
  'networking.k8s.io/NetworkPolicy': {
    columns: [nameColumn(), col('Pod-Selector', 'string', FIELD_DOCS['NetworkPolicySpec.podSelector']), ageColumn()],
    cells: (o, now) => [nameOf(o), formatLabelSelector(get(o, 'spec', 'podSelector') ?? {}), created(o, now)],
  },
};
