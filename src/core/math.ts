/** Small numeric functions shared by models, the simulator and the ranker. */

/** The logistic function 1 / (1 + e^-z). */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
