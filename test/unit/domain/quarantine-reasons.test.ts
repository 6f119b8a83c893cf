import { describe, expect, it } from 'vitest';
import { canIngestAnyway, liftsSizeLimit, rawFileName, reasonKey } from '../../../src/domain/quarantine-reasons.js';

describe('quarantine reasons', () => {
  it('never offers to ingest a security refusal, and offers it for every other reason', () => {
    expect(canIngestAnyway('NOTIFICATION_REPLY_REFUSED')).toBe(false);
    for (const reason of ['MAIL_UNPARSEABLE', 'MAIL_TOO_LARGE', 'INGEST_FAILED', 'BOUNCE_UNMATCHED']) expect(canIngestAnyway(reason)).toBe(true);
  });

  it('lifts the size limit only for mail set aside for its size', () => {
    expect(liftsSizeLimit('MAIL_TOO_LARGE')).toBe(true);
    expect(liftsSizeLimit('INGEST_FAILED')).toBe(false);
  });

  it('names unknown codes OTHER', () => {
    expect(reasonKey('INGEST_FAILED')).toBe('INGEST_FAILED');
    expect(reasonKey('SOMETHING_NEW')).toBe('OTHER');
  });

  it('gives download names without paths, quotes or control characters', () => {
    const id = '0123456789abcdef01234567';
    expect(rawFileName(id, 'Réponse: "urgent" ../../etc/passwd\r\nX')).toBe(`quarantine-${id}-Reponse-urgent-etcpasswd-X.eml`);
    expect(rawFileName(id, null)).toBe(`quarantine-${id}.eml`);
    expect(rawFileName(id, '///')).toBe(`quarantine-${id}.eml`);
  });
});
