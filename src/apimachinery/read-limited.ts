/** Reading a whole HTTP body (or any byte stream) into memory, with a size limit. */
import type { Readable } from 'node:stream';

export interface ReadLimitedOptions {
  /** Most bytes accepted. */
  limit: number;
  /** The error to reject with once more than `limit` bytes arrived. */
  tooLarge: () => Error;
  /**
   * What to do with the rest of an oversized stream: 'resume' discards it (a server can still
   * answer on the connection), 'destroy' closes it.
   */
  overflow: 'resume' | 'destroy';
}

/** Collects the stream's bytes; rejects with tooLarge() past the limit, or with the stream's error. */
export function readLimited(stream: Readable, opts: ReadLimitedOptions): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (b: Buffer): void => {
      size += b.length;
      if (size > opts.limit) {
        cleanup();
        if (opts.overflow === 'destroy') stream.destroy();
        else stream.resume();
        reject(opts.tooLarge());
        return;
      }
      chunks.push(b);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onAborted = (): void => onError(new Error('the stream was aborted before its end'));
    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
  });
}
