import { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { inputIssue } from '../validate.js';

/**
 * A position in the ticket list: the sort key (last activity, creation or due time) and `_id` of
 * the last ticket already returned, and which part of the list it was in (a search lists subject
 * matches before the rest; the list by due time lists tickets with a due time before the others).
 */
export interface TicketCursor {
  part: number;
  key: Date;
  id: Types.ObjectId;
}

const PAYLOAD = /^(?:([1-9]):)?(\d{1,15})\.([0-9a-f]{24})$/;

/** Encodes a position as an opaque base64url string (a first-part position as it always was). */
export function encodeTicketCursor(cursor: TicketCursor): string {
  const part = cursor.part > 0 ? `${cursor.part}:` : '';
  return Buffer.from(`${part}${cursor.key.getTime()}.${cursor.id.toHexString()}`, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor, refusing anything this code did not produce: base64url is decoded leniently by
 * Node, so the result must also re-encode to exactly the input.
 */
export function decodeTicketCursor(raw: string): TicketCursor {
  const payload = /^[A-Za-z0-9_-]{1,100}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  const match = PAYLOAD.exec(payload);
  if (!match || Buffer.from(payload, 'utf8').toString('base64url') !== raw) {
    throw new AppError('VALIDATION_FAILED', 'cursor: is malformed; pass nextCursor from a previous page unchanged', {
      details: { issues: [inputIssue('cursor', 'issue.malformed', 'is malformed')] },
      key: 'input.cursorMalformed',
    });
  }
  return { part: match[1] ? Number(match[1]) : 0, key: new Date(Number(match[2])), id: new Types.ObjectId(match[3]) };
}
