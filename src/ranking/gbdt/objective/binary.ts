/**
 * Binary log loss, as LightGBM's BinaryLogloss (src/objective/binary_objective.hpp): labels 0/1,
 * p = 1 / (1 + exp(-sigmoid * score)); gradient -y*sigmoid / (1 + exp(y*sigmoid*score)) with y in {-1, 1},
 * hessian |g| * (sigmoid - |g|); the initial score is log(p / (1 - p)) / sigmoid of the mean label.
 */
import { InputError } from '../../../errors.js';
import { K_EPSILON } from '../meta.js';
import type { Objective } from './objective.js';

export class BinaryObjective implements Objective {
  readonly modelString: string;

  constructor(
    private readonly labels: Float32Array,
    private readonly sigmoid: number,
  ) {
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i]!;
      if (y !== 0 && y !== 1)
        throw new InputError(`binary objective needs labels 0 or 1, row ${i + 1} has ${y}`, 'training data');
    }
    // %g of the sigmoid, as LightGBM writes it.
    this.modelString = `binary sigmoid:${Number(sigmoid.toPrecision(6))}`;
  }

  getGradients(score: Float64Array, gh: Float64Array): void {
    const s = this.sigmoid;
    const y = this.labels;
    for (let i = 0; i < y.length; i++) {
      const label = y[i]! > 0 ? 1 : -1;
      const response = (-label * s) / (1 + Math.exp(label * s * score[i]!));
      const a = Math.abs(response);
      gh[2 * i] = Math.fround(response);
      gh[2 * i + 1] = Math.fround(a * (s - a));
    }
  }

  boostFromScore(): number {
    let pos = 0;
    for (let i = 0; i < this.labels.length; i++) if (this.labels[i]! > 0) pos++;
    let p = pos / this.labels.length;
    p = Math.min(p, 1 - K_EPSILON);
    p = Math.max(p, K_EPSILON);
    return Math.log(p / (1 - p)) / this.sigmoid;
  }
}
