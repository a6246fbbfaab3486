/** The last check of a fit: statistics with NaN or ±Infinity are refused, never stored or saved. */
import { NonFiniteStatisticError } from '../errors.js';
import type { FittedStatistics } from '../io/jsonState.js';

/** Throws NonFiniteStatisticError naming the first statistic with a NaN or infinite value. */
export function checkFiniteStatistics(stats: FittedStatistics, zcaEpsilon: number): void {
  const tooLarge = 'The data, after `rescale`, has values too large for float32 statistics: scale it down.';
  if (stats.mean && !stats.mean.every(Number.isFinite)) throw new NonFiniteStatisticError('mean', tooLarge);
  if (stats.std && !stats.std.every(Number.isFinite)) throw new NonFiniteStatisticError('std', tooLarge);
  if (stats.zca && !stats.zca.matrix.every(Number.isFinite)) {
    throw new NonFiniteStatisticError(
      'zcaWhiteningMatrix',
      zcaEpsilon === 0
        ? 'With `zcaEpsilon: 0`, each direction in which the images do not vary (constant images, or fewer images than features) divides by zero: use a positive `zcaEpsilon` (Keras: 1e-6).'
        : tooLarge,
    );
  }
}
