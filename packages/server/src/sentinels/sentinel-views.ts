import { sentinelActor, sentinelEnforces, type Scope, type SentinelSpec } from '@estop/core';
import type { ChangeHub } from '../stream/change-hub.js';
import { canSee, type Principal } from '../tokens/principal.js';
import type { SentinelHeat, TripCause } from './sentinel-heat.js';
import type { SentinelObservations, SentinelObserved } from './sentinel-observations.js';

/** A rule a sentinel made that stands now, and whether its cause continues. */
export interface StandingTrip {
  ruleId: string;
  scope: Scope;
  cause: TripCause;
}

/** A configured sentinel as operators see it: its spec, whether it enforces, what it has seen. */
export type SentinelView = SentinelSpec & {
  enforce: boolean;
  observed: SentinelObserved;
  /** Its rules standing now that the principal may see, each with its window against the threshold. */
  trips: StandingTrip[];
};

/** Builds the operators' view of the sentinels (`GET /v1/sentinels`, `estop sentinels`, the dashboard). */
export interface SentinelViews {
  list(principal: Principal): Promise<SentinelView[]>;
}

export function createSentinelViews(deps: {
  specs: readonly SentinelSpec[];
  observations: SentinelObservations;
  heat: SentinelHeat;
  hub: ChangeHub;
}): SentinelViews {
  return {
    async list(principal) {
      const rules = deps.hub.snapshot().rules.filter((rule) => canSee(principal, rule.scope));
      return Promise.all(
        deps.specs.map(async (spec) => {
          const actor = sentinelActor(spec.name).id;
          const trips: StandingTrip[] = [];
          for (const rule of rules) {
            if (rule.actor.id !== actor) continue;
            const cause = await deps.heat.causeOf(rule);
            if (cause !== undefined) trips.push({ ruleId: rule.id, scope: rule.scope, cause });
          }
          return { ...spec, enforce: sentinelEnforces(spec), observed: deps.observations.of(spec.name), trips };
        }),
      );
    },
  };
}
