import { describe, expect, it } from 'vitest';
import { DEFAULT_FORWARD_LABELS, forwardable, forwardedText, forwardSubject, type ForwardLabels } from '../../../src/domain/forward-mail.js';

const a = (address: string, name: string | null = null) => ({ address, name });
const mail = {
  from: a('ann@customer.test', 'Ann'), date: new Date('2026-03-02T09:30:00Z'), subject: 'Invoice 4411', to: [a('support@example.test')], cc: [a('bob@customer.test', 'Bob'), a('carol@customer.test')],
  text: 'Line one\r\nLine two\r\n\r\n',
};

describe('forwardedText', () => {
  it('writes the agent’s words, then the message under a Forwarded message block with From, Date, Subject, To and Cc, its body unquoted', () => {
    expect(forwardedText('Please check.\n', [mail], DEFAULT_FORWARD_LABELS)).toBe([
      'Please check.', '', '',
      '---------- Forwarded message ---------', 'From: Ann <ann@customer.test>', 'Date: Mon, 02 Mar 2026 09:30:00 GMT', 'Subject: Invoice 4411',
      'To: support@example.test', 'Cc: Bob <bob@customer.test>, carol@customer.test', '', 'Line one', 'Line two',
    ].join('\n'));
  });

  it('leaves out an empty comment, a missing Cc and date, and takes the labels and date format given, one block per message', () => {
    const fr: ForwardLabels = { heading: '---------- Message transféré ---------', from: 'De\u00a0:', date: 'Date\u00a0:', subject: 'Objet\u00a0:', to: 'À\u00a0:', cc: 'Cc\u00a0:', formatDate: (d) => d.toISOString().slice(0, 10) };
    const text = forwardedText('  ', [{ ...mail, cc: [] }, { ...mail, cc: [], from: null, date: null, subject: null, text: 'Second' }], fr);
    expect(text.startsWith('---------- Message transféré ---------\nDe\u00a0: Ann <ann@customer.test>\nDate\u00a0: 2026-03-02\nObjet\u00a0: Invoice 4411\nÀ\u00a0: support@example.test\n\nLine one')).toBe(true);
    expect(text).not.toContain('Cc\u00a0:');
    expect(text.endsWith('---------- Message transféré ---------\nDe\u00a0: -\nObjet\u00a0:\nÀ\u00a0: support@example.test\n\nSecond')).toBe(true);
  });
});

describe('forwardSubject and forwardable', () => {
  it('prefixes Fwd: once', () => {
    expect(forwardSubject(' Invoice 4411 ')).toBe('Fwd: Invoice 4411');
    expect(forwardSubject('Fwd: Invoice')).toBe('Fwd: Invoice');
    expect(forwardSubject('TR : Facture')).toBe('TR : Facture');
  });

  it('forwards what customers and agents wrote, not notes, bounces, automatic replies or our automatic mail', () => {
    const flags = { autoSubmitted: false, bounce: false };
    expect(forwardable({ direction: 'inbound', flags })).toBe(true);
    expect(forwardable({ direction: 'outbound', flags })).toBe(true);
    expect(forwardable({ direction: 'note', flags })).toBe(false);
    expect(forwardable({ direction: 'inbound', flags: { ...flags, bounce: true } })).toBe(false);
    expect(forwardable({ direction: 'inbound', flags: { ...flags, autoReply: true } })).toBe(false);
    expect(forwardable({ direction: 'outbound', flags: { ...flags, autoSubmitted: true } })).toBe(false);
  });
});
