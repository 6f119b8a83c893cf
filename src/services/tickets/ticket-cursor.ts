import { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { inputIssue } from '../validate.js';

/** A position in the ticket list: the (lastActivityAt, _id) of the last ticket already returned. */
export interface TicketCursor {
  lastActivityAt: Date;
  id: Types.ObjectId;
}

const PAYLOAD = /^(\d{1,15})\.([0-9a-f]{24})$/;

/** Encodes a position as an opaque base64url string. */
export function encodeTicketCursor(cursor: TicketCursor): string {
  return Buffer.from(`${cursor.lastActivityAt.getTime()}.${cursor.id.toHexString()}`, 'utf8').toString('base64url');
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
  return { lastActivityAt: new Date(Number(match[1])), id: new Types.ObjectId(match[2]) };
}
