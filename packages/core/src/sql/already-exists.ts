import { EstopError } from '../errors.js';

/** What a new record is called when its id is taken, and the key naming its id in the error's details. */
export interface NewRecordName {
  /** e.g. `approval request`. */
  noun: string;
  id: string;
  /** e.g. `approvalId`. */
  detailsKey: string;
}

/** The `conflict` a SQL store answers when a new record's id is already taken. */
export function alreadyExists(record: NewRecordName): EstopError {
  return new EstopError({
    code: 'conflict',
    message: `${record.noun} "${record.id}" already exists`,
    details: { [record.detailsKey]: record.id },
  });
}
