/** The image pull policy that kube-apiserver picks from an image reference. */

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const repositoryPath = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/**
 * The tag of an image reference as upstream's parser reports it: the explicit tag when one is
 * given, "latest" when neither tag nor digest is given, and "" for a digest-only reference or a
 * reference that does not parse.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  if (at >= 0 && !digestPattern.test(image.slice(at + 1))) return '';
  let repository = name;
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    repository = name.slice(0, colon);
    tag = name.slice(colon + 1);
  }
  // A first component with '.', ':', upper case, or "localhost" names a registry host.
  let path = repository;
  const slash = repository.indexOf('/');
  if (slash >= 0) {
    const domain = repository.slice(0, slash);
    if (/[.:]/.test(domain) || domain === 'localhost' || domain !== domain.toLowerCase()) path = repository.slice(slash + 1);
  }
  if (!repositoryPath.test(path)) return '';
  if (tag !== undefined) return tagPattern.test(tag) ? tag : '';
  return at >= 0 ? '' : 'latest';
}

/** Always for the latest tag (explicit or implied), IfNotPresent otherwise. */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  return typeof image === 'string' && imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}
