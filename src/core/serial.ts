/** Async steps run one at a time, in the order they were asked for; a step that fails does not stop the next. */
export class Serial {
  private last: Promise<void> = Promise.resolve();

  run<T>(step: () => Promise<T>): Promise<T> {
    const run = this.last.then(step);
    this.last = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
