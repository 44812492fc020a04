/**
 * Progress of a long wait: a spinner with the current step on a terminal, one plain line per change of step
 * otherwise, or nothing (--no-progress). Colour only when asked for (the caller honours NO_COLOR).
 */

export type ProgressMode = 'spinner' | 'lines' | 'none';

export interface ProgressOptions {
  mode: ProgressMode;
  /** Where progress goes (stderr, so that stdout keeps only the command's result). */
  write(text: string): void;
  color?: boolean;
  /** Prefix of every line, e.g. "default/dev". */
  label: string;
  /** Spinner frame interval in milliseconds. */
  intervalMs?: number;
}

export interface Progress {
  /** The current step; lines mode prints it when it differs from the last one. */
  update(step: string): void;
  /** Stop the spinner (clearing its line); nothing is printed after this. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CYAN = '\x1b[36m';
const RESET = '\x1b[0m';
const CLEAR_LINE = '\r\x1b[2K';

/** The mode for a stream: spinner on a terminal, lines otherwise, none when disabled. */
export function progressMode(isTTY: boolean | undefined, enabled: boolean): ProgressMode {
  if (!enabled) return 'none';
  return isTTY ? 'spinner' : 'lines';
}

export function startProgress(o: ProgressOptions): Progress {
  let last: string | undefined;
  if (o.mode === 'none') return { update: () => undefined, stop: () => undefined };
  if (o.mode === 'lines') {
    return {
      update(step) {
        if (step === last) return;
        last = step;
        o.write(`${o.label}: ${step}\n`);
      },
      stop: () => undefined,
    };
  }
  let frame = 0;
  let step = 'starting';
  let stopped = false;
  const columns = (): number => (process.stderr.columns && process.stderr.columns > 20 ? process.stderr.columns : 100);
  const paint = (): void => {
    if (stopped) return;
    const glyph = FRAMES[frame++ % FRAMES.length]!;
    const text = `${o.label}: ${step}`;
    const room = columns() - 3;
    const clipped = text.length > room ? `${text.slice(0, room - 1)}…` : text;
    o.write(`${CLEAR_LINE}${o.color ? `${CYAN}${glyph}${RESET}` : glyph} ${clipped}`);
  };
  const timer = setInterval(paint, o.intervalMs ?? 100);
  timer.unref();
  paint();
  return {
    update(s) {
      step = s;
      paint();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      o.write(CLEAR_LINE);
    },
  };
}
