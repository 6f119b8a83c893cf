import { describe, expect, it } from 'vitest';
import { messageConcerns } from '../../../src/store/person-data-store.js';

describe('messageConcerns', () => {
  const person = new Set(['jane@customer.test', 'jr@work.test']);
  const none = { from: null, to: [], cc: [], replyTo: [] };

  it('matches the sender or any recipient field, whatever the case of the header', () => {
    expect(messageConcerns({ ...none, from: { address: 'Jane@Customer.TEST' } }, person)).toBe(true);
    expect(messageConcerns({ ...none, to: [{ address: 'x@y.test' }, { address: 'JR@work.test' }] }, person)).toBe(true);
    expect(messageConcerns({ ...none, cc: [{ address: 'jane@customer.test' }] }, person)).toBe(true);
    expect(messageConcerns({ ...none, bcc: [{ address: 'jane@customer.test' }] }, person)).toBe(true);
    expect(messageConcerns({ ...none, replyTo: [{ address: 'jr@work.test' }] }, person)).toBe(true);
  });

  it('does not match a message without the person, nor one without addresses (a note)', () => {
    expect(messageConcerns({ ...none, from: { address: 'bob@customer.test' }, to: [{ address: 'desk@x.test' }] }, person)).toBe(false);
    expect(messageConcerns(none, person)).toBe(false);
    // A look-alike is not the address.
    expect(messageConcerns({ ...none, from: { address: 'jane@customer.test.evil' } }, person)).toBe(false);
  });
});
