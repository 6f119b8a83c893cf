import { describe, expect, it } from 'vitest';
import type { BusinessHours } from '../../../src/domain/business-hours.js';
import { compileRoutingRules, evaluateRouting, rawHeaders, routingMailFacts, ruleWordTerms, type RoutingCondition, type RoutingMailInput, type RoutingRule } from '../../../src/domain/routing-rules.js';

const INBOX = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER_INBOX = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const TEAM_A = '0000000000000000000000a1';
const TEAM_B = '0000000000000000000000b1';
// A Monday, 10:00 in Paris (09:00 UTC), and the same Monday at 22:00 in Paris.
const MONDAY_MORNING = new Date('2026-11-23T09:00:00Z');
const MONDAY_NIGHT = new Date('2026-11-23T21:00:00Z');
const PARIS_OFFICE: BusinessHours = { timeZone: 'Europe/Paris', weekly: [1, 2, 3, 4, 5].map((day) => ({ day: day as 1, open: '09:00', close: '18:00' })), holidays: [] };

let seq = 0;
function rule(over: Partial<RoutingRule> & Pick<RoutingRule, 'conditions'>): RoutingRule {
  seq += 1;
  return { id: `r${seq}`, name: `Rule ${seq}`, enabled: true, order: seq, onReplies: false, stop: false, actions: [{ kind: 'tags', tags: [`t${seq}`] }], ...over };
}

function mail(over: Partial<RoutingMailInput> = {}) {
  return routingMailFacts({ inboxId: INBOX, from: 'Jane@Example.com', subject: 'Hello', text: 'Some text', headers: {}, attachments: [], language: null, isReply: false, ...over });
}

/** Whether one condition holds for a mail (at Monday morning, Paris office hours). */
function holds(condition: RoutingCondition, m = mail(), at = MONDAY_MORNING): boolean {
  const compiled = compileRoutingRules([rule({ conditions: [condition] })]);
  return evaluateRouting(compiled, m, { businessHours: PARIS_OFFICE }, at).matched.length === 1;
}

describe('routing conditions', () => {
  it('inbox: the mail reached one of the inboxes', () => {
    expect(holds({ kind: 'inbox', inboxIds: [OTHER_INBOX, INBOX] })).toBe(true);
    expect(holds({ kind: 'inbox', inboxIds: [OTHER_INBOX] })).toBe(false);
  });

  it('sender: an address in any case, a domain, a parent domain, an @domain', () => {
    expect(holds({ kind: 'sender', values: ['jane@example.com'] })).toBe(true);
    expect(holds({ kind: 'sender', values: ['john@example.com'] })).toBe(false);
    expect(holds({ kind: 'sender', values: ['example.com'] })).toBe(true);
    expect(holds({ kind: 'sender', values: ['@example.com'] })).toBe(true);
    expect(holds({ kind: 'sender', values: ['example.com'] }, mail({ from: 'ops@eu.example.com' }))).toBe(true);
    // A domain that only ends the same way is another domain.
    expect(holds({ kind: 'sender', values: ['example.com'] }, mail({ from: 'x@badexample.com' }))).toBe(false);
    expect(holds({ kind: 'sender', values: ['example.com'] }, mail({ from: null }))).toBe(false);
  });

  it('subject words match as search does: stems in English and French, any case, any accents', () => {
    expect(holds({ kind: 'subject', words: ['invoice'] }, mail({ subject: 'Two INVOICES missing' }))).toBe(true);
    expect(holds({ kind: 'subject', words: ['facture'] }, mail({ subject: 'Mes factures de décembre' }))).toBe(true);
    expect(holds({ kind: 'subject', words: ['resolu'] }, mail({ subject: 'Problème résolu ?' }))).toBe(true);
    expect(holds({ kind: 'subject', words: ['Résolues'] }, mail({ subject: 'probleme resolu' }))).toBe(true);
    expect(holds({ kind: 'subject', words: ['refund'] }, mail({ subject: 'Two invoices' }))).toBe(false);
  });

  it('a subject condition lists alternatives; a phrase needs all its words', () => {
    expect(holds({ kind: 'subject', words: ['refund', 'invoice'] }, mail({ subject: 'invoice' }))).toBe(true);
    expect(holds({ kind: 'subject', words: ['invoice missing'] }, mail({ subject: 'invoice paid' }))).toBe(false);
    expect(holds({ kind: 'subject', words: ['invoice missing'] }, mail({ subject: 'missing: the invoice' }))).toBe(true);
  });

  it('body words read the text, not the subject', () => {
    expect(holds({ kind: 'body', words: ['password'] }, mail({ subject: 'password', text: 'hello' }))).toBe(false);
    expect(holds({ kind: 'body', words: ['mot de passe'] }, mail({ text: 'J’ai oublié mon MOT DE PASSE' }))).toBe(true);
  });

  it('a rule word of very common words only has no terms (validation refuses it)', () => {
    expect(ruleWordTerms('the and')).toEqual([]);
    expect(ruleWordTerms('invoices').length).toBe(1);
  });

  it('header: exists, contains, equals, in any case of name and value', () => {
    const m = mail({ headers: { 'x-priority': ['1 (Highest)'], 'X-Mailer': ['Outlook'] } });
    expect(holds({ kind: 'header', name: 'X-Priority', op: 'exists' }, m)).toBe(true);
    expect(holds({ kind: 'header', name: 'X-Spam', op: 'exists' }, m)).toBe(false);
    expect(holds({ kind: 'header', name: 'x-priority', op: 'contains', value: 'highest' }, m)).toBe(true);
    expect(holds({ kind: 'header', name: 'x-mailer', op: 'equals', value: 'outlook' }, m)).toBe(true);
    expect(holds({ kind: 'header', name: 'x-mailer', op: 'equals', value: 'Outlook 16' }, m)).toBe(false);
  });

  it('reads header conditions from the raw header block: unfolded, encoded words decoded, the body left out', () => {
    const raw = Buffer.from('From: a@b.test\r\nX-Priority: 1\r\n (Highest)\r\nX-Team: =?utf-8?q?Facturation_=C3=A9quipe?=\r\nSubject: hi\r\n\r\nX-Fake: in the body\r\n');
    const headers = rawHeaders(raw);
    expect(headers['x-priority']).toEqual(['1 (Highest)']);
    expect(headers['x-team']).toEqual(['Facturation équipe']);
    expect(headers['x-fake']).toBeUndefined();
    expect(holds({ kind: 'header', name: 'x-team', op: 'contains', value: 'equipe' }, mail({ headers }))).toBe(true);
  });

  it('attachment: a file that is not an inline image', () => {
    expect(holds({ kind: 'attachment' }, mail({ attachments: [{ inline: false }] }))).toBe(true);
    expect(holds({ kind: 'attachment' }, mail({ attachments: [{ inline: true }] }))).toBe(false);
    expect(holds({ kind: 'attachment' }, mail())).toBe(false);
  });

  it('language: the detected language; an unclear one matches no language', () => {
    expect(holds({ kind: 'language', languages: ['fr'] }, mail({ language: 'fr' }))).toBe(true);
    expect(holds({ kind: 'language', languages: ['fr'] }, mail({ language: 'en' }))).toBe(false);
    expect(holds({ kind: 'language', languages: ['fr', 'en'] }, mail({ language: null }))).toBe(false);
  });

  it('business hours: the inbox calendar at the mail’s arrival; negated, outside hours', () => {
    expect(holds({ kind: 'businessHours' }, mail(), MONDAY_MORNING)).toBe(true);
    expect(holds({ kind: 'businessHours' }, mail(), MONDAY_NIGHT)).toBe(false);
    expect(holds({ kind: 'businessHours', negate: true }, mail(), MONDAY_NIGHT)).toBe(true);
  });

  it('negation turns any condition into its opposite', () => {
    expect(holds({ kind: 'sender', values: ['example.com'], negate: true })).toBe(false);
    expect(holds({ kind: 'subject', words: ['refund'], negate: true }, mail({ subject: 'invoice' }))).toBe(true);
    expect(holds({ kind: 'attachment', negate: true })).toBe(true);
  });
});

describe('routing evaluation', () => {
  const at = MONDAY_MORNING;
  const hours = { businessHours: null };

  it('needs every condition of a rule; a rule without conditions always matches', () => {
    const both = rule({ name: 'Both', conditions: [{ kind: 'sender', values: ['example.com'] }, { kind: 'subject', words: ['invoice'] }] });
    const none = rule({ name: 'Any', conditions: [] });
    const compiled = compileRoutingRules([both, none]);
    expect(evaluateRouting(compiled, mail({ subject: 'invoice' }), hours, at).matched).toEqual(['Both', 'Any']);
    expect(evaluateRouting(compiled, mail({ subject: 'hello' }), hours, at).matched).toEqual(['Any']);
  });

  it('runs in order; the first rule to set a field decides it, tags add up, each action names its rule', () => {
    const second = rule({ name: 'Second', order: 2, conditions: [], actions: [{ kind: 'team', teamId: TEAM_B }, { kind: 'tags', tags: ['b'] }] });
    const first = rule({ name: 'First', order: 1, conditions: [], actions: [{ kind: 'team', teamId: TEAM_A }, { kind: 'tags', tags: ['a'] }] });
    const { actions } = evaluateRouting(compileRoutingRules([second, first]), mail(), hours, at);
    expect(actions.map((a) => [a.rule, a.action.kind, a.action.kind === 'team' ? a.action.teamId : a.action.kind === 'tags' ? a.action.tags[0] : null])).toEqual([
      ['First', 'team', TEAM_A],
      ['First', 'tags', 'a'],
      ['Second', 'tags', 'b'],
    ]);
  });

  it('"stop here" ends the evaluation after a matching rule, not after one that did not match', () => {
    const stopNoMatch = rule({ name: 'Stop unmatched', order: 1, stop: true, conditions: [{ kind: 'subject', words: ['refund'] }] });
    const stopper = rule({ name: 'Stopper', order: 2, stop: true, conditions: [] });
    const after = rule({ name: 'After', order: 3, conditions: [] });
    expect(evaluateRouting(compileRoutingRules([after, stopper, stopNoMatch]), mail({ subject: 'invoice' }), hours, at).matched).toEqual(['Stopper']);
  });

  it('disabled rules do not run; replies only run rules marked for replies', () => {
    const off = rule({ name: 'Off', enabled: false, conditions: [] });
    const replies = rule({ name: 'Replies too', onReplies: true, conditions: [] });
    const newOnly = rule({ name: 'New only', conditions: [] });
    const compiled = compileRoutingRules([off, replies, newOnly]);
    expect(evaluateRouting(compiled, mail(), hours, at).matched).toEqual(['Replies too', 'New only']);
    expect(evaluateRouting(compiled, mail({ isReply: true }), hours, at).matched).toEqual(['Replies too']);
  });

  it('assignee and auto-assign decide the same field', () => {
    const a = rule({ order: 1, conditions: [], actions: [{ kind: 'autoAssign', teamId: null }] });
    const b = rule({ order: 2, conditions: [], actions: [{ kind: 'assignee', userId: TEAM_B }] });
    expect(evaluateRouting(compileRoutingRules([a, b]), mail(), hours, at).actions.map((x) => x.action.kind)).toEqual(['autoAssign']);
  });

  it('says when a rule set needs the parsed headers or the language', () => {
    expect(compileRoutingRules([rule({ conditions: [{ kind: 'subject', words: ['x1'] }] })])).toMatchObject({ needsHeaders: false, needsLanguage: false });
    expect(compileRoutingRules([rule({ conditions: [{ kind: 'header', name: 'x-a', op: 'exists' }, { kind: 'language', languages: ['fr'] }] })])).toMatchObject({ needsHeaders: true, needsLanguage: true });
    // A disabled rule's needs do not count.
    expect(compileRoutingRules([rule({ enabled: false, conditions: [{ kind: 'header', name: 'x-a', op: 'exists' }] })]).needsHeaders).toBe(false);
  });
});
