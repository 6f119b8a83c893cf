import { describe, expect, it } from 'vitest';
import { extractMessageIds, isValidMessageId } from '../../../src/domain/mail-headers.js';
import { replyThreading } from '../../../src/domain/outbound-headers.js';
import { composeMessage } from '../../../src/mail/compose-message.js';
import { parseMail } from '../../../src/mail/parse-mail.js';

const IDS: Array<[id: string, valid: boolean]> = [
  ['a@x', true],
  ['20260303165213.GA4411@host.example.net', true],
  ['tl.42.abc.0123456789@help.example.com', true],
  ['x@[192.0.2.1]', true],
  ['häßlich@beispiel.de', true],
  ['abc@def@x', false],
  ['d3b8cf8e49f0448085@0c28713a1@f473e@37signals.com', false],
  ['no-at-sign', false],
  ['@x', false],
  ['x@', false],
  ['a,b@x', false],
  ['a"b@x', false],
  ['a[1]@x', false],
  ['a@x\u0085', false],
  [`${'x'.repeat(320)}@x`, false],
];

async function composes(id: string, field: 'messageId' | 'inReplyTo'): Promise<boolean> {
  const input = {
    from: { address: 'support@example.test' },
    to: [{ address: 'ivo@customer.test' }],
    subject: 'Re: Invoice',
    text: 'Hi',
    messageId: 'tl.1.a.0123456789@example.test',
    date: new Date('2026-03-03T10:00:00Z'),
  };
  try {
    await composeMessage({ ...input, [field]: id });
    return true;
  } catch {
    return false;
  }
}

describe('one message id rule for ingest and the composer (<abc@def@x> made a ticket unanswerable)', () => {
  it.each(IDS)('%s: ingest keeps it exactly when the composer can write it (%s)', async (id, valid) => {
    expect(isValidMessageId(id)).toBe(valid);
    expect(extractMessageIds([`<${id}>`])).toEqual(valid ? [id] : []);
    expect(await composes(id, 'messageId')).toBe(valid);
    expect(await composes(id, 'inReplyTo')).toBe(valid);
  });

  it('a reply written with every valid id parses back to the same ids', async () => {
    const ids = IDS.filter(([, valid]) => valid).map(([id]) => id);
    const raw = await composeMessage({
      from: { address: 'support@example.test' },
      to: [{ address: 'ivo@customer.test' }],
      subject: 'Re: Invoice',
      text: 'Hi',
      messageId: 'tl.1.a.0123456789@example.test',
      inReplyTo: ids.at(-1)!,
      references: ids,
      date: new Date('2026-03-03T10:00:00Z'),
    });
    const mail = await parseMail(raw, { maxBytes: 1e6 });
    expect(mail.references).toEqual(ids);
    expect(mail.inReplyTo).toEqual([ids.at(-1)]);
  });

  it('replyThreading leaves out ids that cannot be written instead of handing them to the composer', () => {
    expect(replyThreading({ messageId: 'abc@def@x', references: ['root@x', 'abc@def@x', '<mid@x>'], inReplyTo: 'abc@def@x' })).toEqual({
      inReplyTo: null,
      references: ['root@x', 'mid@x'],
    });
    expect(replyThreading({ messageId: '<c@x>', references: ['a b@x'], inReplyTo: '<b@x>' })).toEqual({ inReplyTo: 'c@x', references: ['b@x', 'c@x'] });
    expect(replyThreading({ messageId: 'abc@def@x', references: [], inReplyTo: 'abc@def@x' })).toEqual({ inReplyTo: null, references: [] });
  });
});
