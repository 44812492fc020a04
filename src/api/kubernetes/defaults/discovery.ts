/** Defaults of discovery.k8s.io/v1 EndpointSlice: each port's name ("") and protocol (TCP). */
import { defaultValue, objects, type Obj } from './fields.js';

export function defaultEndpointSlice(slice: Obj): void {
  for (const port of objects(slice, 'ports')) {
    defaultValue(port, 'name', '');
    defaultValue(port, 'protocol', 'TCP');
  }
}
