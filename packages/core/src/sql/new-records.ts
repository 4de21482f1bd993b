import type { AdminRequest } from '../admin-request.js';
import type { ApprovalRequest } from '../approval.js';
import type { Draft } from '../draft.js';
import { EstopError } from '../errors.js';
import type { RestoreRequest } from '../restore-request.js';

/**
 * A table of records created once by id, each with its audit entry: where it goes, the columns an
 * insert writes (`id` first), and what a record is called when its id is taken.
 */
export interface NewRecordTable<T> {
  readonly table: string;
  readonly columns: string;
  /** e.g. `approval request`, and `approvalId`, the key naming its id in the conflict's details. */
  readonly noun: string;
  readonly detailsKey: string;
  /** The values, in `columns` order, that insert `record`. */
  values(record: T): unknown[];
}

/** Restore requests: the request whole as JSON. */
export const RESTORE_REQUESTS: NewRecordTable<RestoreRequest> = {
  table: 'estop_restore_requests',
  columns: 'id, request',
  noun: 'restore request',
  detailsKey: 'requestId',
  values: (request) => [request.id, JSON.stringify(request)],
};

/** Admin requests: the request whole as JSON. */
export const ADMIN_REQUESTS: NewRecordTable<AdminRequest> = {
  table: 'estop_admin_requests',
  columns: 'id, request',
  noun: 'admin request',
  detailsKey: 'requestId',
  values: (request) => [request.id, JSON.stringify(request)],
};

/** Approval requests: the request whole as JSON, beside the columns queries filter on. */
export const APPROVAL_REQUESTS: NewRecordTable<ApprovalRequest> = {
  table: 'estop_approvals',
  columns: 'id, tenant, hash, request',
  noun: 'approval request',
  detailsKey: 'approvalId',
  values: (request) => [request.id, request.call.tenant, request.hash, JSON.stringify(request)],
};

/** Drafts: the draft whole as JSON, beside the columns queries filter on. */
export const DRAFTS: NewRecordTable<Draft> = {
  table: 'estop_drafts',
  columns: 'id, tenant, at, draft',
  noun: 'draft',
  detailsKey: 'draftId',
  values: (draft) => [draft.id, draft.tenant, draft.at, JSON.stringify(draft)],
};

/** The `conflict` a SQL store answers when a new record's id (or a token's hash) is already taken. */
export function alreadyExists(noun: string, id: string, detailsKey: string): EstopError {
  return new EstopError({
    code: 'conflict',
    message: `${noun} "${id}" already exists`,
    details: { [detailsKey]: id },
  });
}
