import type { Optimizer } from './optimizer.js';

/**
 * Polynomial learning-rate decay, as SSL4MIS: lr = base · (1 − iter/maxIter)^power (power 0.9).
 * Call `step(iter)` with the number of iterations done.
 */
export class PolyLR {
  constructor(
    readonly optimizer: Optimizer,
    readonly baseLr: number,
    readonly maxIter: number,
    readonly power = 0.9,
  ) {}
  lrAt(iter: number): number {
    return this.baseLr * Math.pow(Math.max(0, 1 - iter / this.maxIter), this.power);
  }
  step(iter: number): void {
    this.optimizer.lr = this.lrAt(iter);
  }
}
