import { EstopError, type Clock, type Draft, type DraftInput, type DraftStore } from '@estop/core';
import { cursorId, paginate, type Page } from '../http/pagination.js';
import type { RuleService } from '../rules/rule-service.js';
import type { OperatorTopic } from '../stream/operator-events.js';
import { requireScopeWithinTenant, type Principal } from '../tokens/principal.js';
import { randomId } from '../tokens/token-secret.js';

/** Which drafts to list: a tenant's, those recorded before a time, a page after a cursor. */
export interface DraftQuery {
  tenant?: string | undefined;
  before?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

// Drafts listed newest first are keyed by time and id; a cursor's page reads from its time on.
const draftKey = (draft: Draft) => `${draft.at} ${draft.id}`;
// Drafts recorded in the same millisecond as a cursor's last one that are read again to find it.
const SAME_TIME_SLACK = 100;

/** What DraftService is built from: only the dependencies it uses. */
export interface DraftServiceDeps {
  drafts: DraftStore;
  rules: Pick<RuleService, 'requireReportable'>;
  clock: Clock;
  notify: (topic: OperatorTopic) => void;
}

/** Drafts: writes that `draft_only` recorded instead of running, recorded with their audit entry. */
export class DraftService {
  constructor(private readonly deps: DraftServiceDeps) {}

  /** An enforcer records a call it did not run; a rule it names must be one it may report against. */
  async record(principal: Principal, input: DraftInput): Promise<Draft> {
    requireScopeWithinTenant(principal, { tenant: input.tenant });
    if (input.ruleId !== undefined) await this.deps.rules.requireReportable(principal, input.ruleId, input.tenant);
    const draft: Draft = {
      id: randomId('draft'),
      ...input,
      actor: { id: principal.name, kind: 'agent' },
      at: new Date(this.deps.clock.now()).toISOString(),
    };
    await this.deps.drafts.create(draft, {
      at: draft.at,
      action: 'draft-recorded',
      actor: draft.actor,
      reason: `${draft.tool} recorded as a draft, not run`,
      scope: { tenant: draft.tenant, agent: draft.agent, run: draft.run, tool: draft.tool },
      ruleId: draft.ruleId,
      data: { draftId: draft.id, tool: draft.tool, enforcer: draft.enforcer },
    });
    this.deps.notify('drafts');
    this.deps.notify('audit');
    return draft;
  }

  /** One page of drafts, newest first; a tenant's token sees its own tenant's only, whatever it asks for. */
  async list(principal: Principal, query: DraftQuery): Promise<Page<Draft>> {
    if (principal.tenant !== undefined && query.tenant !== undefined && query.tenant !== principal.tenant) {
      return { items: [], nextCursor: null };
    }
    const { cursor, limit } = query;
    const lastAt = cursor === undefined ? undefined : cursorId(cursor).split(' ', 1)[0];
    const lastTime = lastAt === undefined ? Number.NaN : Date.parse(lastAt);
    if (cursor !== undefined && Number.isNaN(lastTime)) {
      throw new EstopError({ code: 'invalid_request', message: 'query: cursor: not a cursor this server issued' });
    }
    const drafts = await this.deps.drafts.list({
      tenant: principal.tenant ?? query.tenant,
      // From the cursor's millisecond on (inclusive), so that the page can start right after its draft.
      before: cursor === undefined ? query.before : new Date(lastTime + 1).toISOString(),
      limit: cursor === undefined ? limit + 1 : limit + SAME_TIME_SLACK + 1,
    });
    return paginate(drafts, draftKey, { limit, cursor });
  }
}
