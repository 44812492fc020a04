/** Multi-document YAML/JSON input (`---` separated, `kind: List` expanded) for the topology commands. */
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../apimachinery/types.js';

export class DocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentError';
  }
}

/** Parse every document of `text` (from `source`, used in messages) into objects; empty documents are skipped. */
export function parseDocuments(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  const docs = parseAllDocuments(text, { version: '1.2' });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    if (doc.errors.length > 0) throw new DocumentError(`${source}: document ${i + 1}: ${doc.errors[0]!.message.split('\n')[0]}`);
    const v = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (v === null || v === undefined) return;
    if (typeof v !== 'object' || Array.isArray(v)) throw new DocumentError(`${source}: document ${i + 1}: expected a Kubernetes object, got ${Array.isArray(v) ? 'a list' : typeof v}`);
    const o = v as KubeObject;
    if (o.kind === 'List' && Array.isArray(o.items)) {
      (o.items as unknown[]).forEach((item, j) => {
        if (!item || typeof item !== 'object' || Array.isArray(item)) throw new DocumentError(`${source}: document ${i + 1}: items[${j}] is not an object`);
        out.push(item as KubeObject);
      });
      return;
    }
    if (!o.kind || !o.apiVersion) throw new DocumentError(`${source}: document ${i + 1}: apiVersion and kind are required`);
    out.push(o);
  });
  return out;
}
