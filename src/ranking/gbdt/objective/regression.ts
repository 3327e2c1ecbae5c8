/**
 * L2 regression, as LightGBM's RegressionL2loss (src/objective/regression_objective.hpp): gradient
 * score - label, hessian 1, initial score the mean label.
 */
import type { Objective } from './objective.js';

export class RegressionObjective implements Objective {
  readonly modelString = 'regression';

  constructor(private readonly labels: Float32Array) {}

  getGradients(score: Float64Array, gh: Float64Array): void {
    const y = this.labels;
    for (let i = 0; i < y.length; i++) {
      gh[2 * i] = Math.fround(score[i]! - y[i]!);
      gh[2 * i + 1] = 1;
    }
  }

  boostFromScore(): number {
    let s = 0;
    for (let i = 0; i < this.labels.length; i++) s += this.labels[i]!;
    return s / this.labels.length;
  }
}
