import { describe, expect, it } from 'vitest';
import { mailParticipants, participantsCappedText } from '../../../src/domain/participants.js';

const a = (address: string) => ({ address, name: null });
const own = new Set(['support@example.test']);

describe('mailParticipants', () => {
  it('takes From, To and Cc in order, lower-cased, once each, without our own addresses', () => {
    const mail = { from: a('Ann@Customer.test'), to: [a('support@example.test'), a('bob@customer.test')], cc: [a('ann@customer.test'), a('Cleo@customer.test')] };
    expect(mailParticipants(mail, own, 50)).toEqual({ addresses: ['ann@customer.test', 'bob@customer.test', 'cleo@customer.test'], capped: null });
  });

  it('adds at most the cap and says how many addresses of which headers were left out', () => {
    const cc = Array.from({ length: 12_345 }, (_, i) => a(`member${i}@list.example`));
    const { addresses, capped } = mailParticipants({ from: a('carl@customer.test'), to: [a('support@example.test')], cc }, own, 50);
    expect(addresses).toHaveLength(50);
    expect(addresses.slice(0, 2)).toEqual(['carl@customer.test', 'member0@list.example']);
    expect(capped).toEqual({ addresses: 12_345, headers: ['cc'], added: 50 });
    expect(participantsCappedText(capped!)).toBe('12,345 addresses in Cc; only the first 50 were added as participants');
  });

  it('names every header that lost addresses', () => {
    const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => a(`${prefix}${i}@x.test`));
    const { capped } = mailParticipants({ from: a('f@x.test'), to: many('to', 40), cc: many('cc', 40) }, own, 30);
    expect(capped).toEqual({ addresses: 80, headers: ['to', 'cc'], added: 30 });
    expect(participantsCappedText(capped!)).toBe('80 addresses in To and Cc; only the first 30 were added as participants');
  });
});
