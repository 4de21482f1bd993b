import type { SentinelCounter } from './ports/sentinel-counter.js';
import { SlidingSum } from './sliding-sum.js';

/** A `SentinelCounter` in this process's memory: exact, and forgotten on restart. */
export function createMemorySentinelCounter(): SentinelCounter {
  const groups = new Map<string, SlidingSum>();
  return {
    async add(group, nowMs, windowMs, amount, limit) {
      let sum = groups.get(group);
      if (sum === undefined) {
        sum = new SlidingSum(windowMs, limit);
        groups.set(group, sum);
      }
      return sum.add(nowMs, amount);
    },
    async peek(group, nowMs) {
      // The window is the one the group was made with, as `add` uses it.
      return groups.get(group)?.sum(nowMs) ?? 0;
    },
    async reset(group) {
      return groups.delete(group);
    },
    prune(nowMs) {
      for (const [group, sum] of groups) if (sum.isEmpty(nowMs)) groups.delete(group);
    },
  };
}
