/**
 * The distribution functions the statistics need, from stdlib's well-tested ports (Cephes, Boost): the
 * normal CDF, PDF and quantile, Student's t CDF and quantile, the chi-square CDF and the binomial CDF.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalPdf from '@stdlib/stats-base-dists-normal-pdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Standard normal CDF. */
export const phi = (x: number): number => normalCdf(x, 0, 1);
/** Standard normal density. */
export const phiDensity = (x: number): number => normalPdf(x, 0, 1);
/** Standard normal quantile. */
export const phiInverse = (p: number): number => normalQuantile(p, 0, 1);
/** Student's t CDF with `dof` degrees of freedom. */
export const studentCdf = (x: number, dof: number): number => tCdf(x, dof);
/** Student's t quantile. */
export const studentQuantile = (p: number, dof: number): number => tQuantile(p, dof);
/** Chi-square CDF with `k` degrees of freedom. */
export const chiSquareCdf = (x: number, k: number): number => chisquareCdf(x, k);
/** P(X <= x) for X ~ Binomial(n, p). */
export const binomialCdfAt = (x: number, n: number, p: number): number => binomialCdf(x, n, p);
