import { describe, expect, it } from 'vitest';
import { CONNECTION_PROBLEMS, endpointMoved, mailErrorSummary, proposedSecure, tlsMismatch } from '../../../src/domain/mail-account.js';

const saved = { host: 'imap.example.com', port: 993, secure: true, user: 'desk' };

describe('endpointMoved', () => {
  it('is false for the saved endpoint, whatever the case of the host', () => {
    expect(endpointMoved(saved, { ...saved })).toBe(false);
    expect(endpointMoved(saved, { ...saved, host: 'IMAP.Example.COM' })).toBe(false);
  });

  it('is true when the host, port, TLS mode or user changes', () => {
    for (const change of [{ host: '127.0.0.1' }, { port: 143 }, { secure: false }, { user: 'someone-else' }, { user: null }]) {
      expect(endpointMoved(saved, { ...saved, ...change }), JSON.stringify(change)).toBe(true);
    }
  });
});

describe('mailErrorSummary', () => {
  it('words a poller error without its stored message', () => {
    expect(mailErrorSummary('IMAP_AUTH_FAILED')).toBe(CONNECTION_PROBLEMS.login);
    expect(mailErrorSummary('ANYTHING_ELSE')).toBe('the mail server answered with an error; an admin can see the details');
  });
});

describe('proposedSecure', () => {
  it('proposes TLS from the start on 993 and 465, STARTTLS on 143, 587 and 25, TLS on any other port', () => {
    expect([993, 465].map(proposedSecure)).toEqual([true, true]);
    expect([143, 587, 25].map(proposedSecure)).toEqual([false, false, false]);
    expect(proposedSecure(2525)).toBe(true);
  });
});

describe('tlsMismatch', () => {
  it('names a TLS mode that goes against the port, and nothing when they agree or the port is unusual', () => {
    expect(tlsMismatch(587, true)).toBe('expectsStartTls');
    expect(tlsMismatch(143, true)).toBe('expectsStartTls');
    expect(tlsMismatch(993, false)).toBe('expectsTls');
    expect(tlsMismatch(465, false)).toBe('expectsTls');
    expect(tlsMismatch(993, true)).toBeNull();
    expect(tlsMismatch(587, false)).toBeNull();
    expect(tlsMismatch(2525, true)).toBeNull();
  });
});
