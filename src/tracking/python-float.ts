/**
 * Python's repr of a float (what `str(float)` gives, and what MLflow writes in a metric file): the
 * shortest digits that read back to the same double, as JavaScript's String() finds them, laid out by
 * Python's rules (float_repr_style 'short'): fixed notation when the decimal exponent is from -4 to 15,
 * with `.0` added to whole numbers (`1.0`, `1234567890123456.0`), else scientific with a signed exponent
 * of at least two digits (`1e-05`, `1e+16`, `1.5e+300`); `inf`, `-inf`, `nan`; `-0.0`.
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // shortest round-trip digits d1.d2d3...e<exp>
  const [mantissa, exp] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  // Python's decpt: the value is 0.d1d2... * 10^decpt
  const decpt = e + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const exponent = `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return `${sign}${digits[0]}${frac}e${exponent}`;
}
