/** Typed template errors whose messages read exactly like Go's text/template errors. */

export type TemplateErrorKind = 'parse' | 'exec';

/**
 * A parse error (`template: NAME:LINE: MESSAGE`) or an execution error
 * (`template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE`).
 */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** Name of the template that failed. */
    readonly template: string,
    readonly kind: TemplateErrorKind,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}
