import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

const NNBSP = '\u202f';
const FR = { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' };

let h: ApiHarness;
let admin: string;
let agent: string;
const inbox = new Types.ObjectId();

beforeAll(async () => {
  h = await startApi('api_errors_fr');
  await h.models.Inbox.create({ _id: inbox, name: 'Support', address: 'support@example.com', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} });
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inbox] });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
});
afterAll(() => h.close());

/** The same request in French and without a language. */
async function both(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const [french, plain] = [await call(h.base, method, path, { ...opts, headers: FR }), await call(h.base, method, path, opts)];
  expect(french.status).toBe(plain.status);
  expect(french.body.error.code).toBe(plain.body.error.code);
  expect(french.headers.get('content-language')).toBe('fr');
  expect(plain.headers.get('content-language')).toBe('en');
  return { fr: french, en: plain };
}

describe('API errors in the caller’s language', () => {
  it('answers a 404 in French with Accept-Language: fr, in English without', async () => {
    const { fr, en } = await both('GET', `/users/${new Types.ObjectId().toHexString()}`, { token: admin });
    expect(fr.status).toBe(404);
    expect(fr.body.error).toEqual({ code: 'NOT_FOUND', message: 'Utilisateur introuvable.' });
    expect(en.body.error).toEqual({ code: 'NOT_FOUND', message: 'User not found' });
    const route = await both('GET', '/no-such-thing', { token: admin });
    expect(route.fr.body.error.message).toBe('Aucune route ne correspond à GET /api/v1/no-such-thing.');
    expect(route.en.body.error.message).toBe('No route for GET /api/v1/no-such-thing');
    expect(route.fr.headers.get('vary')).toMatch(/accept-language/i);
  });

  it('answers a 403 in French', async () => {
    const { fr, en } = await both('GET', '/users', { token: agent });
    expect(fr.status).toBe(403);
    expect(fr.body.error).toEqual({ code: 'FORBIDDEN', message: 'Seuls les administrateurs peuvent effectuer cette action.' });
    expect(en.body.error).toEqual({ code: 'FORBIDDEN', message: 'Only admins can do this' });
  });

  it('answers a 400 in French, each issue too, with the same paths as in English', async () => {
    const body = { email: 'not an email', password: 'short', role: 'boss', extra: 1 };
    const { fr, en } = await both('POST', '/users', { token: admin, body });
    expect(fr.status).toBe(400);
    expect(fr.body.error.code).toBe('VALIDATION_FAILED');
    const paths = (res: typeof fr) => res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths(fr)).toEqual(paths(en));
    const frIssues = Object.fromEntries(fr.body.error.details.issues.map((i: { path: string; message: string }) => [i.path, i.message]));
    expect(frIssues).toEqual({
      email: 'doit être une adresse e-mail valide',
      password: 'doit contenir au moins 12 caractères',
      role: 'doit valoir «\u00a0admin\u00a0», «\u00a0manager\u00a0» ou «\u00a0agent\u00a0»',
      extra: 'n’est pas un champ reconnu',
    });
    expect(fr.body.error.message).toMatch(new RegExp(`^Certaines informations ne sont pas valides \\(utilisateur\\)${NNBSP}: `));
    expect(fr.body.error.message).toContain(`password${NNBSP}: doit contenir au moins 12 caractères`);
    // English stays word for word what it was.
    expect(en.body.error.message).toContain('password: must be at least 12 characters');
    expect(en.body.error.details.issues).toContainEqual({ path: 'email', message: 'must be an email address' });
    // The API's issue shape is unchanged: a path and a message, nothing else.
    for (const issue of [...fr.body.error.details.issues, ...en.body.error.details.issues]) expect(Object.keys(issue).sort()).toEqual(['message', 'path']);
  });

  it('answers a body that is not JSON and a missing token in French', async () => {
    const notJson = await call(h.base, 'POST', '/auth/token', { body: '{"email":', headers: FR });
    expect(notJson.body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'Le contenu de la requête n’est pas du JSON valide.' });
    const noToken = await call(h.base, 'GET', '/me', { headers: FR });
    expect(noToken.status).toBe(401);
    expect(noToken.body.error.code).toBe('UNAUTHENTICATED');
    expect(noToken.body.error.message).toBe(`Authentification requise${NNBSP}: envoyez l’en-tête Authorization: Bearer <token>.`);
  });

  it('answers a 409 in French', async () => {
    const body = { email: 'carol@example.com', password: 'carol password 123', role: 'agent' };
    expect((await call(h.base, 'POST', '/users', { token: admin, body })).status).toBe(201);
    const { fr, en } = await both('POST', '/users', { token: admin, body });
    expect(fr.status).toBe(409);
    expect(fr.body.error).toEqual({ code: 'CONFLICT', message: 'Un utilisateur avec l’adresse carol@example.com existe déjà.' });
    expect(en.body.error).toEqual({ code: 'CONFLICT', message: 'A user with email carol@example.com already exists' });
  });

  it('follows the signed-in user’s own language over the browser’s', async () => {
    const missing = `/users/${new Types.ObjectId().toHexString()}`;
    await h.models.User.updateOne({ email: 'admin@example.com' }, { $set: { locale: 'fr' } });
    const chosenFr = await call(h.base, 'GET', missing, { token: admin, headers: { 'accept-language': 'en' } });
    expect(chosenFr.body.error.message).toBe('Utilisateur introuvable.');
    expect(chosenFr.headers.get('content-language')).toBe('fr');
    await h.models.User.updateOne({ email: 'admin@example.com' }, { $set: { locale: 'en' } });
    const chosenEn = await call(h.base, 'GET', missing, { token: admin, headers: FR });
    expect(chosenEn.body.error.message).toBe('User not found');
    await h.models.User.updateOne({ email: 'admin@example.com' }, { $set: { locale: null } });
    expect((await call(h.base, 'GET', missing, { token: admin, headers: FR })).body.error.message).toBe('Utilisateur introuvable.');
  });
});
