import cliProgress from 'cli-progress';

/**
 * Progress for long work: a bar with count, rate and time left on a terminal (stderr), and a one-line
 * summary at the end. Off a terminal (CI, pipes) it prints nothing until the summary.
 */
export interface Progress {
  tick(n?: number): void;
  update(done: number): void;
  /** Ends the bar and prints `summary` (or "<label>: N in Xs (R/s)") as one line on stderr. */
  done(summary?: string): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit?: string;
  /** Print nothing at all (library use, tests). */
  quiet?: boolean;
}

export function formatRate(n: number, seconds: number): string {
  const rate = seconds > 0 ? n / seconds : n;
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k`;
  return rate.toFixed(1);
}

export function startProgress(opts: ProgressOptions): Progress {
  const start = process.hrtime.bigint();
  const unit = opts.unit ?? 'items';
  let count = 0;
  const interactive = !opts.quiet && process.stderr.isTTY === true;
  const bar = interactive
    ? new cliProgress.SingleBar(
        {
          format: `${opts.label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(Math.max(1, opts.total), 0, { rate: '0' });
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const refresh = () => bar?.update(count, { rate: formatRate(count, elapsed()) });
  return {
    tick(n = 1) {
      count += n;
      refresh();
    },
    update(done: number) {
      count = done;
      refresh();
    },
    done(summary?: string) {
      bar?.stop();
      if (opts.quiet) return;
      const s = elapsed();
      process.stderr.write(
        `${summary ?? `${opts.label}: ${count.toLocaleString('en-US')} ${unit} in ${s.toFixed(2)} s (${formatRate(count, s)}/s)`}\n`,
      );
    },
  };
}
