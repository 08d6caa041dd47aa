// The soak's seeded randomness: the same seed gives the same query mix and churn, so a failing soak can be run
// again as it was.
import type { Random } from '../../test/helpers/seeded-random.js';

export { seededRandom, type Random } from '../../test/helpers/seeded-random.js';

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}
