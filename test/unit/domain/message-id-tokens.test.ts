import { describe, expect, it } from 'vitest';
import { extractMessageIds, messageAddresses } from '../../../src/domain/mail-headers.js';
import { idTokens } from '../../../src/domain/message-id-tokens.js';

const JANE = ['jane@example.org'];

describe('threading never links through an email address (In-Reply-To prose merged customers)', () => {
  it('nmh / exmh / MH-E: the author in `Message from Jane Roe <jane@example.org> of "date"` is no id', () => {
    const value = 'Message from Jane Roe <jane@example.org> of "Tue, 03 Mar 2026 10:52:13 CST." <12345.1772556733@host.example.net>';
    expect(extractMessageIds([value])).toEqual(['12345.1772556733@host.example.net']);
    expect(extractMessageIds(['Message from "Jane Roe" <jane@example.org>\r\n   of "Tue, 03 Mar 2026 10:52:13 CST." <a1@x>'])).toEqual(['a1@x']);
    expect(extractMessageIds(['Message from jane@example.org of "Tue, 03 Mar 2026 10:52:13 CST." <a1@x>'])).toEqual(['a1@x']);
  });

  it('mutt: the address in `<id>; from jane@example.org on date` is no id', () => {
    const value = '<20260303165213.GA4411@host.example.net>; from jane@example.org on Tue, Mar 03, 2026 at 10:52:13AM -0600';
    expect(extractMessageIds([value])).toEqual(['20260303165213.GA4411@host.example.net']);
    // Elm put `at` where mutt puts `on`.
    expect(extractMessageIds(['<a1@x> from jane@example.org at Mar 3, 26 10:52 am'])).toEqual(['a1@x']);
  });

  it('MH: `Your message of "date" <id>`', () => {
    expect(extractMessageIds(['Your message of "Mon, 02 Mar 2026 21:39:59 EST." <a1@x>'])).toEqual(['a1@x']);
  });

  it("Pine / Gnus: `jane's message of date <id>`, also when the possessive is an address", () => {
    expect(extractMessageIds(["jane's message of Tue, 3 Mar 2026 <a1@x>"])).toEqual(['a1@x']);
    expect(extractMessageIds(["jane@example.org's message of Tue, 3 Mar 2026 10:52:13 -0600 <a1@x>"])).toEqual(['a1@x']);
    expect(extractMessageIds(["<jane@example.org>'s message of Tue, 3 Mar 2026 <a1@x>"])).toEqual(['a1@x']);
    expect(extractMessageIds(["jane@example.org's message of Tue, 3 Mar 2026"])).toEqual([]);
  });

  it('old Eudora: `message-id <id> of date`', () => {
    expect(extractMessageIds(['message-id <5.2.0.9.0.20260306020307.00a1b2c0@mail.example.com> of Fri, Mar 06 02:03:07 2026'])).toEqual([
      '5.2.0.9.0.20260306020307.00a1b2c0@mail.example.com',
    ]);
  });

  it('a phrase that lost its id yields nothing rather than the address', () => {
    expect(extractMessageIds(['Message from Jane Roe <jane@example.org> of "Tue, 03 Mar 2026 10:52:13 CST."'])).toEqual([]);
    expect(extractMessageIds(['from jane@example.org on Tue, Mar 03, 2026 at 10:52:13AM'])).toEqual([]);
  });

  it("never takes one of the message's own addresses, bracketed or bare, in any case", () => {
    expect(extractMessageIds(['<Jane@Example.org>'], { addresses: JANE })).toEqual([]);
    expect(extractMessageIds(['jane@example.org'], { addresses: JANE })).toEqual([]);
    expect(extractMessageIds(['<jane@example.org> <a1@x>'], { addresses: JANE })).toEqual(['a1@x']);
  });

  it('takes a bare word only when nothing in the value is bracketed', () => {
    expect(extractMessageIds(['a1@x'])).toEqual(['a1@x']);
    expect(extractMessageIds(['a1@x, b1@x'])).toEqual(['a1@x', 'b1@x']);
    expect(extractMessageIds(['<a1@x>,<b1@x>; jane@example.org'])).toEqual(['a1@x', 'b1@x']);
    // Each header field stands alone: a repeated References with a bare id keeps it.
    expect(extractMessageIds(['<a1@x>', 'b1@x'])).toEqual(['a1@x', 'b1@x']);
  });

  it('keeps ids that lost one bracket to truncation or bad folding', () => {
    expect(extractMessageIds(['<a1@x> b1@x> <c1@x'])).toEqual(['a1@x', 'b1@x', 'c1@x']);
  });

  it('does not read a date after `from` as a name', () => {
    expect(extractMessageIds(['Your message from Tue, 3 Mar 2026 <a1@x>'])).toEqual(['a1@x']);
    expect(extractMessageIds(['<a1@x> from Jane Roe, reply of Wednesday last week <b1@x>'])).toEqual(['a1@x', 'b1@x']);
  });
});

describe('idTokens', () => {
  it('marks phrase tokens and bracketing, and skips words without @', () => {
    expect(idTokens('Message from Jane Roe <jane@example.org> of    <a1@x>; b1@x')).toEqual([
      { at: 22, text: 'jane@example.org', bracketed: true, phrase: true },
      { at: 47, text: 'a1@x', bracketed: true, phrase: false },
      { at: 55, text: 'b1@x', bracketed: false, phrase: false },
    ]);
  });
});

describe('messageAddresses', () => {
  it('collects every address of the address fields, lower-case, display names included', () => {
    const headers = {
      from: ['"jane@example.org via Support" <Support@Helpdesk.example>'],
      to: ['Bob <bob@example.org>, carol@example.net (Carol)'],
      cc: ['undisclosed-recipients:;'],
      'mail-followup-to': ['dan@example.com'],
      'in-reply-to': ['<a1@x>'],
    };
    expect(messageAddresses(headers).sort()).toEqual(['bob@example.org', 'carol@example.net', 'dan@example.com', 'jane@example.org', 'support@helpdesk.example']);
  });
});
