import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;

const account = (port: number, secure?: boolean) => ({ host: 'mail.example.test', port, user: 'support', password: 'tls-mode-secret', ...(secure === undefined ? {} : { secure }) });

beforeAll(async () => {
  h = await startApi('api_inbox_tls');
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
});
afterAll(() => h.close());

describe('inbox TLS mode proposed from the port', () => {
  it('gives a port without a TLS choice the mode it calls for, and keeps an explicit choice', async () => {
    const starttls = await call(h.base, 'POST', '/inboxes', { token: admin, body: { name: 'A', address: 'a@example.test', imap: account(143), smtp: account(587) } });
    expect(starttls.status).toBe(201);
    expect(starttls.body).toMatchObject({ imap: { port: 143, secure: false }, smtp: { port: 587, secure: false } });
    const tls = await call(h.base, 'POST', '/inboxes', { token: admin, body: { name: 'B', address: 'b@example.test', imap: account(993), smtp: account(465) } });
    expect(tls.body).toMatchObject({ imap: { port: 993, secure: true }, smtp: { port: 465, secure: true } });
    const explicit = await call(h.base, 'POST', '/inboxes', { token: admin, body: { name: 'C', address: 'c@example.test', imap: account(143, true), smtp: account(25, true) } });
    expect(explicit.body).toMatchObject({ imap: { secure: true }, smtp: { secure: true } });
  });

  it('proposes the mode of a changed port on update unless TLS is given too', async () => {
    const created = await call(h.base, 'POST', '/inboxes', { token: admin, body: { name: 'D', address: 'd@example.test', imap: account(993), smtp: account(465) } });
    const id = created.body.id as string;
    // A changed port moves the account: the password goes along again.
    const moved = await call(h.base, 'PATCH', `/inboxes/${id}`, { token: admin, body: { imap: { port: 143, password: 'tls-mode-secret' }, smtp: { port: 587, secure: true, password: 'tls-mode-secret' } } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ imap: { port: 143, secure: false }, smtp: { port: 587, secure: true } });
    const same = await call(h.base, 'PATCH', `/inboxes/${id}`, { token: admin, body: { smtp: { port: 587 } } });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ smtp: { port: 587, secure: true } });
  });
});
