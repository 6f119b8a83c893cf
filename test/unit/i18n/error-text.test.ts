import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../src/domain/errors.js';
import { createI18n } from '../../../src/i18n/catalog.js';
import { errorText, issueText } from '../../../src/i18n/error-text.js';
import { notFound, requireAdmin, type Actor } from '../../../src/services/access.js';
import { requireInboxManager } from '../../../src/services/inboxes/inbox-manager-access.js';
import { slaPolicyIssues } from '../../../src/services/sla/inbox-sla.js';
import { createUserSchema } from '../../../src/services/users/user-schemas.js';
import { inputIssue, invalidInput, parseInput, type InputIssue } from '../../../src/services/validate.js';
import { Types } from 'mongoose';
import { appErrorOf } from '../../helpers/app-error.js';

const i18n = createI18n({ pseudo: true });
const en = i18n.translator('en');
const fr = i18n.translator('fr');
const NNBSP = '\u202f';

/** The issues of the VALIDATION_FAILED that parsing `input` throws. */
const issuesOf = (schema: z.ZodType, input: unknown) => appErrorOf(() => parseInput(schema, input)).details!.issues as InputIssue[];
const issueAt = (schema: z.ZodType, input: unknown, path: string) => issuesOf(schema, input).find((i) => i.path === path)!;

describe('errorText', () => {
  it('says a keyed error in the reader’s language, with its parameters', () => {
    const err = new AppError('CONFLICT', 'A user with email bob@example.com already exists', { key: 'conflict.emailTaken', params: { email: 'bob@example.com' } });
    expect(errorText(err, en)).toBe(err.message);
    expect(errorText(err, fr)).toBe('Un utilisateur avec l’adresse bob@example.com existe déjà.');
    expect(errorText(err, i18n.translator('en-XA'))).toMatch(/^\[.*bob@example\.com.*\]$/);
  });

  it('uses plurals in a keyed error', () => {
    const throttled = (minutes: number) => new AppError('RATE_LIMITED', 'x', { key: 'auth.throttled', params: { minutes } });
    expect(errorText(throttled(15), fr)).toContain('Patientez 15 minutes puis réessayez.');
    expect(errorText(throttled(1), fr)).toContain('Patientez 1 minute puis réessayez.');
    expect(errorText(throttled(1), en)).toContain('Please wait 1 minute and try again.');
  });

  it('falls back to the code’s general text, then to the English message', () => {
    expect(errorText(new AppError('NOT_FOUND', 'Widget not found'), fr)).toBe('Introuvable.');
    expect(errorText(new AppError('NOT_FOUND', 'Widget not found', { key: 'no.such.key' }), fr)).toBe('Introuvable.');
    expect(errorText(new AppError('FORBIDDEN', 'Nope'), en)).toBe('You are not allowed to do that.');
    expect(errorText(new AppError('DELIVERY_FAILED', 'SMTP said no'), fr)).toBe('SMTP said no');
  });

  it('names what is missing or refused through the helpers', () => {
    expect(errorText(notFound('Ticket'), fr)).toBe('Demande introuvable.');
    expect(errorText(notFound('Inbox'), en)).toBe('Inbox not found');
    expect(errorText(notFound('Gadget'), fr)).toBe('Introuvable.');
    const agent: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [] };
    expect(errorText(appErrorOf(() => requireAdmin(agent)), fr)).toBe('Seuls les administrateurs peuvent effectuer cette action.');
    const sla = appErrorOf(() => requireInboxManager(agent, new Types.ObjectId(), 'Only admins and managers of this inbox can change its SLA policy'));
    expect(errorText(sla, en)).toBe(sla.message);
    expect(errorText(sla, fr)).toBe('Seuls les administrateurs et les responsables de cette boîte de réception peuvent modifier sa politique de SLA.');
    expect(errorText(appErrorOf(() => requireInboxManager(agent, new Types.ObjectId())), en)).toBe('Only admins and managers of this inbox can do this');
  });

  it('lists a validation error’s issues in the reader’s language, naming the input in it', () => {
    const err = appErrorOf(() => parseInput(createUserSchema, { email: 'nope', password: 'short', role: 'admin' }, 'User update'));
    expect(errorText(err, en)).toBe(err.message);
    expect(errorText(err, fr)).toBe(
      `Certaines informations ne sont pas valides (modification de l’utilisateur)${NNBSP}: email${NNBSP}: doit être une adresse e-mail valide${NNBSP}; password${NNBSP}: doit contenir au moins 12 caractères`,
    );
    const missing = appErrorOf(() => parseInput(createUserSchema, undefined, 'API token'));
    expect(errorText(missing, fr)).toBe(`Aucune donnée reçue (jeton d’API)${NNBSP}: envoyez un objet JSON.`);
    // An input the catalog does not name keeps its English name.
    expect(errorText(invalidInput([inputIssue('x', 'issue.required', 'is required')], 'Gizmo'), fr)).toContain('(Gizmo)');
  });
});

describe('issueText', () => {
  const name = z.strictObject({ name: z.string().min(1).max(5), tags: z.array(z.string()).min(2).max(3), n: z.number().int().gt(0).max(1000), role: z.enum(['agent', 'admin']) });

  it('says length limits with plurals, per kind of value', () => {
    expect(issueText(issueAt(name, { name: '', tags: ['a', 'b'], n: 1, role: 'agent' }, 'name'), en)).toBe('must not be empty');
    expect(issueText(issueAt(name, { name: '', tags: ['a', 'b'], n: 1, role: 'agent' }, 'name'), fr)).toBe('ne doit pas être vide');
    expect(issueText(issueAt(name, { name: 'abcdef', tags: ['a', 'b'], n: 1, role: 'agent' }, 'name'), en)).toBe('must be at most 5 characters');
    expect(issueText(issueAt(name, { name: 'abcdef', tags: ['a', 'b'], n: 1, role: 'agent' }, 'name'), fr)).toBe('ne doit pas dépasser 5 caractères');
    expect(issueText(issueAt(name, { name: 'a', tags: ['a'], n: 1, role: 'agent' }, 'tags'), en)).toBe('must have at least 2 items');
    expect(issueText(issueAt(name, { name: 'a', tags: ['a'], n: 1, role: 'agent' }, 'tags'), fr)).toBe('doit contenir au moins 2 éléments');
    expect(issueText(issueAt(name, { name: 'a', tags: ['a', 'b'], n: 0, role: 'agent' }, 'n'), fr)).toBe('doit être supérieur à 0');
    expect(issueText(issueAt(name, { name: 'a', tags: ['a', 'b'], n: 5000, role: 'agent' }, 'n'), fr)).toBe(`doit être inférieur ou égal à 1${'\u202f'}000`);
    expect(issueText(issueAt(name, { name: 'a', tags: ['a', 'b'], n: 5000, role: 'agent' }, 'n'), en)).toBe('must be at most 1,000');
  });

  it('uses French plural rules: one covers 0 and 1', () => {
    const one = { path: 'x', message: 'x', code: 'too_small', key: 'errors:validation.too_small', params: { origin: 'string', minimum: 1, inclusive: 'true', exact: 'true' } };
    expect(issueText(one, fr)).toBe('doit contenir exactement 1 caractère');
    expect(issueText(one, en)).toBe('must be exactly 1 character');
    const words = (max: number) => ({ path: 'q', message: 'x', key: 'errors:issue.searchTooManyWords', params: { max } });
    expect(issueText(words(1), fr)).toBe('ne doit pas dépasser 1 mot');
    expect(issueText(words(8), fr)).toBe('ne doit pas dépasser 8 mots');
    expect(issueText(words(1), en)).toBe('must have at most 1 word');
  });

  it('says types, formats, allowed values and unknown fields', () => {
    const issues = issuesOf(name, { name: 5, tags: ['a', 'b'], n: 1, role: 'boss', extra: true });
    const text = (path: string, tr = fr) => issueText(issues.find((i) => i.path === path)!, tr);
    expect(text('name')).toBe('doit être du texte');
    expect(text('name', en)).toBe('must be a string');
    expect(text('role')).toBe('doit valoir «\u00a0agent\u00a0» ou «\u00a0admin\u00a0»');
    expect(text('role', en)).toBe('must be "agent" or "admin"');
    expect(text('extra')).toBe('n’est pas un champ reconnu');
    expect(issueText(issueAt(z.object({ url: z.url() }), { url: 'nope' }, 'url'), fr)).toBe('doit être une URL valide');
    expect(issueText(issueAt(createUserSchema, { email: 'nope', role: 'agent' }, 'email'), fr)).toBe('doit être une adresse e-mail valide');
    expect(issueText(issueAt(name, { tags: ['a', 'b'], n: 1, role: 'agent' }, 'name'), fr)).toBe('est obligatoire');
  });

  it('keeps a wording of ours that has no key in English, and says its code’s general text in French', () => {
    const colour = z.object({ colour: z.string().regex(/^#[0-9a-f]{6}$/, 'must be a colour like #1a73e8'), ok: z.string().refine((v) => v === 'ok', 'must say ok') });
    const issues = issuesOf(colour, { colour: 'red', ok: 'no' });
    expect(issues.map((i) => issueText(i, en))).toEqual(['must be a colour like #1a73e8', 'must say ok']);
    expect(issues.map((i) => issueText(i, fr))).toEqual(['n’est pas au format attendu', 'n’est pas valide']);
    // zod's own wording gets a text of ours in English too.
    expect(issueText(issueAt(z.object({ n: z.number() }), { n: 'x' }, 'n'), en)).toBe('must be a number');
  });

  it('keeps the English message of an issue the catalogs do not know, and the English of every issue in English', () => {
    expect(issueText({ path: 'x', message: 'is odd' }, fr)).toBe('is odd');
    expect(issueText({ path: 'x', message: 'is odd', key: 'errors:issue.nope', code: 'weird' }, fr)).toBe('is odd');
    expect(issueText(inputIssue('x', 'issue.notCurrentPassword', 'is not your current password'), fr)).toBe('ne correspond pas à votre mot de passe actuel');
    expect(issueText(inputIssue('x', 'issue.notCurrentPassword', 'is not your current password'), en)).toBe('is not your current password');
  });

  it('gives the SLA policy’s own checks their keys', () => {
    const issues = slaPolicyIssues([
      { path: 'targets', message: 'is required' },
      { path: 'ladder.1.level', message: 'must be 2: levels count up from 1 without gaps' },
      { path: 'businessHours.holidays.0', message: 'must be a date "YYYY-MM-DD"' },
      { path: 'x', message: 'is something new' },
    ]);
    expect(issues.map((i) => issueText(i, fr))).toEqual([
      'est obligatoire',
      `doit valoir 2${NNBSP}: les niveaux se suivent à partir de 1, sans trou`,
      'doit être une date «\u00a0AAAA-MM-JJ\u00a0»',
      'is something new',
    ]);
  });
});
