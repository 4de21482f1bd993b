import type { AdminRequest, AdminRequestRecord, AdminResolution } from '../admin-request.js';
import type { ApprovalDecision, ApprovalRecord, ApprovalRequest } from '../approval.js';
import type { RestoreRequest, RestoreRequestRecord, RestoreResolution } from '../restore-request.js';
import type { SqlDialect } from './sql-dialect.js';
import { present } from './present.js';

/** The columns a request row reads, in `estop_restore_requests` and `estop_admin_requests`. */
export const REQUEST_COLUMNS = 'request, resolution';

/** A row of `estop_restore_requests`: the request and its resolution in `json` columns. */
export interface RestoreRequestRow {
  request: unknown;
  resolution: unknown;
}

/** The restore request a row holds, with its resolution if it has one. */
export function restoreRequestFromRow(row: RestoreRequestRow, dialect: SqlDialect): RestoreRequestRecord {
  return {
    request: dialect.readJson(row.request) as RestoreRequest,
    ...present('resolution', row.resolution === null ? null : (dialect.readJson(row.resolution) as RestoreResolution)),
  };
}

/** A row of `estop_admin_requests`: the request and its resolution as JSON text. */
export interface AdminRequestRow {
  request: string;
  resolution: string | null;
}

/** The admin request a row holds, with its resolution if it has one. */
export function adminRequestFromRow(row: AdminRequestRow): AdminRequestRecord {
  return {
    request: JSON.parse(row.request) as AdminRequest,
    ...present('resolution', row.resolution === null ? null : (JSON.parse(row.resolution) as AdminResolution)),
  };
}

/** The columns `ApprovalRow` reads. */
export const APPROVAL_COLUMNS = 'request, decision, used_at';

/** A row of `estop_approvals` as read: the request and decision as JSON text. */
export interface ApprovalRow {
  request: string;
  decision: string | null;
  used_at: string | null;
}

/** The approval a row holds, with its decision and when it was used, if it has them. */
export function approvalFromRow(row: ApprovalRow): ApprovalRecord {
  return {
    request: JSON.parse(row.request) as ApprovalRequest,
    ...present('decision', row.decision === null ? null : (JSON.parse(row.decision) as ApprovalDecision)),
    ...present('usedAt', row.used_at),
  };
}
