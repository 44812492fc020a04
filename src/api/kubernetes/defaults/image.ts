/** The image pull policy that kube-apiserver picks from an image reference. */

/**
 * The tag of an image reference as upstream's parser reports it: the explicit tag when one is
 * given, "latest" when neither tag nor digest is given, and "" for a digest-only reference or an
 * unparsable one.
 */
export function imageTag(image: string): string {
  if (image === '' || /\s/.test(image) || image !== image.trim()) return '';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  if (name === '') return '';
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) {
    const tag = name.slice(colon + 1);
    return /^[\w][\w.-]{0,127}$/.test(tag) ? tag : '';
  }
  return at >= 0 ? '' : 'latest';
}

/** Always for the latest tag (explicit or implied), IfNotPresent otherwise. */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  return typeof image === 'string' && imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}
