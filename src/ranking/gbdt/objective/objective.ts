/** What the boosting loop needs from an objective (LightGBM's ObjectiveFunction). */
export interface Objective {
  /** As written in the model file's `objective=` line. */
  readonly modelString: string;
  /**
   * Gradients and hessians at the current raw scores, interleaved (g0, h0, g1, h1, ...), each rounded to
   * float32 as LightGBM's score_t.
   */
  getGradients(score: Float64Array, gh: Float64Array): void;
  /** Initial score for boost_from_average (BoostFromScore); 0 when the objective has none. */
  boostFromScore(): number;
}
