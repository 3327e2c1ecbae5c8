/** What several benchmarks share: their `--name value` options, and the median of repeated figures. */

/** `--name value` or `--name=value` (bench/run.ts passes both forms). */
export function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === `--${name}`) return args[k + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** The median (NaN of nothing). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
