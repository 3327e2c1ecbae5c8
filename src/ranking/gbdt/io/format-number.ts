/**
 * Number formatting as C/C++ prints it, so that files reco writes match LightGBM's byte for byte:
 * `formatG(x, 17)` is printf's `%.17g` (LightGBM's high-precision model fields and prediction output,
 * enough digits for any double to round-trip exactly), `formatG(x, 6)` is `%g` (its low-precision fields).
 */
export function formatG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = Math.max(1, precision);
  const sign = x < 0 ? '-' : '';
  const ax = Math.abs(x);
  // toExponential rounds the exact binary value correctly, as printf does, except on an exact tie, where
  // it rounds up and glibc's printf rounds half to even.
  const e = ax.toExponential(p - 1);
  const ePos = e.indexOf('e');
  let digits = e.slice(0, ePos).replace('.', '');
  let exp = Number(e.slice(ePos + 1));
  const more = ax.toExponential(Math.min(p, 100));
  if (more.charCodeAt(more.indexOf('e') - 1) === 53 /* '5' */ && p < 100) {
    const full = ax.toExponential(100);
    const fPos = full.indexOf('e');
    const fd = full.slice(0, fPos).replace('.', '');
    if (/^0*$/.test(fd.slice(p + 1)) && (fd.charCodeAt(p - 1) - 48) % 2 === 0) {
      digits = fd.slice(0, p);
      exp = Number(full.slice(fPos + 1));
    }
  }
  if (exp < -4 || exp >= p) {
    let mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ax = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ax < 10 ? `0${ax}` : ax}`;
  }
  let out: string;
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1);
    const frac = digits.slice(exp + 1).replace(/0+$/, '');
    out = frac.length > 0 ? `${int}.${frac}` : int;
  } else {
    const frac = `${'0'.repeat(-exp - 1)}${digits}`.replace(/0+$/, '');
    out = `0.${frac}`;
  }
  return sign + out;
}

/**
 * Number parsing for model files: decimal numbers (correctly rounded, like LightGBM's fast_double_parser)
 * plus `inf`, `-inf`, `nan` (case-insensitive). Undefined when the token is not a number.
 */
export function parseModelNumber(token: string): number | undefined {
  if (token === '') return undefined;
  const n = Number(token);
  if (!Number.isNaN(n)) return n;
  const t = token.trim().toLowerCase();
  if (t === 'nan' || t === '-nan' || t === '+nan') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
}
