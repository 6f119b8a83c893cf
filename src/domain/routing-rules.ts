import { isWithinBusinessHours, type BusinessHours } from './business-hours.js';
import { decodeEncodedWords, headerMap, parseHeaderBlock } from './mail-headers.js';
import type { ImpactLevel, UrgencyLevel } from './priority-matrix.js';
import { foldText, MAX_MESSAGE_TERMS, textTerms, textTokens, tokenTerms } from './ticket-search.js';

/**
 * Routing rules: evaluated in order on a new ticket's first mail (and, per rule, on customer
 * replies), each rule's conditions must all hold (each may be negated); a matching rule's actions
 * are collected, and "stop here" ends the evaluation after it. The first rule that sets a field
 * (team, category, impact/urgency, assignee, auto-assignment) decides it: a later rule does not undo
 * an earlier one, so the order reads as priority. Tags add up.
 *
 * Words are matched the way ticket search matches them (domain/ticket-search.ts): folded (any case,
 * any accents) and stemmed in English and French, so the rule word "facture" holds for "Factures"
 * and "invoice" for "invoices". A rule is compiled once per rule set (stems, lower-case sets), so
 * evaluating fifty rules costs a few set look-ups per mail.
 */

/** The kinds of condition a rule can hold. */
export const ROUTING_CONDITION_KINDS = ['inbox', 'sender', 'subject', 'body', 'header', 'attachment', 'language', 'businessHours'] as const;
export type RoutingConditionKind = (typeof ROUTING_CONDITION_KINDS)[number];

/** How a header condition compares. */
export const HEADER_OPS = ['contains', 'equals', 'exists'] as const;
export type HeaderOp = (typeof HEADER_OPS)[number];

/** The kinds of action a rule can take. */
export const ROUTING_ACTION_KINDS = ['team', 'category', 'impactUrgency', 'tags', 'assignee', 'autoAssign'] as const;
export type RoutingActionKind = (typeof ROUTING_ACTION_KINDS)[number];

/** The longest header name and value a header condition takes. */
export const MAX_HEADER_NAME = 100;
export const MAX_HEADER_VALUE = 200;
/** How many values (inboxes, senders, words, languages, tags) one condition or action lists at most. */
export const MAX_LIST = 50;
/** How many conditions and actions one rule holds at most. */
export const MAX_CONDITIONS = 20;
export const MAX_ACTIONS = 10;

/**
 * One condition (ids as hex strings). `negate` turns it into its opposite: "sender is not one of",
 * "outside business hours", "has no attachment".
 * - `inbox`: the mail reached one of these inboxes.
 * - `sender`: the sender's address is one of `values`; a value without `@` (or starting with `@`)
 *   is a domain, which also covers its subdomains.
 * - `subject` / `body`: one of `words` holds (each a word or a few words, all of which must be there).
 * - `header`: the header `name` exists, or one of its values contains / equals `value` (any case).
 * - `attachment`: the mail has a file that is not an inline image.
 * - `language`: the customer's language as detected from the mail is one of `languages`.
 * - `businessHours`: the mail arrived within the inbox's business hours.
 */
export type RoutingCondition = { negate?: boolean } & (
  | { kind: 'inbox'; inboxIds: string[] }
  | { kind: 'sender'; values: string[] }
  | { kind: 'subject'; words: string[] }
  | { kind: 'body'; words: string[] }
  | { kind: 'header'; name: string; op: HeaderOp; value?: string | null }
  | { kind: 'attachment' }
  | { kind: 'language'; languages: string[] }
  | { kind: 'businessHours' }
);

/**
 * One action. `autoAssign` hands the ticket to a member of `teamId` (null: the ticket's team, as
 * earlier actions left it) through the team's auto-assignment.
 */
export type RoutingAction =
  | { kind: 'team'; teamId: string }
  | { kind: 'category'; categoryId: string }
  | { kind: 'impactUrgency'; impact: ImpactLevel | null; urgency: UrgencyLevel | null }
  | { kind: 'tags'; tags: string[] }
  | { kind: 'assignee'; userId: string }
  | { kind: 'autoAssign'; teamId: string | null };

/** One rule as stored (ids as hex strings). */
export interface RoutingRule {
  id: string;
  name: string;
  enabled: boolean;
  order: number;
  /** Also run on a customer's reply to an existing ticket, not only on a new ticket. */
  onReplies: boolean;
  /** End the evaluation after this rule when it matches. */
  stop: boolean;
  conditions: RoutingCondition[];
  actions: RoutingAction[];
}

/** What a mail offers the conditions; build it with {@link routingMailFacts}. */
export interface RoutingMailFacts {
  inboxId: string;
  /** The sender's address, lower case; null when the mail has none. */
  sender: string | null;
  subjectTerms: ReadonlySet<string>;
  bodyTerms: ReadonlySet<string>;
  /** Header values by lower-case name. */
  headers: ReadonlyMap<string, readonly string[]>;
  hasAttachment: boolean;
  /** The customer's language detected from this mail ('en', 'fr'), or null when unclear. */
  language: string | null;
  /** A reply to an existing ticket (only rules with `onReplies` run). */
  isReply: boolean;
}

/** What the ticket (its inbox) offers the conditions. */
export interface RoutingTicketFacts {
  /** The inbox's business hours; null: 24/7. */
  businessHours: BusinessHours | null;
}

/** One action to apply, with the rule that decided it. */
export interface RoutedAction {
  ruleId: string;
  rule: string;
  action: RoutingAction;
}

/** What a condition reads besides the mail: whether it arrived within business hours, worked out at most once per mail. */
interface Moment {
  withinHours: () => boolean;
}

type Test = (mail: RoutingMailFacts, moment: Moment) => boolean;

/** A rule ready to evaluate: its conditions as closures over precomputed sets. */
export interface CompiledRoutingRule {
  rule: RoutingRule;
  tests: Test[];
}

/** A rule set compiled once, to evaluate against many mails. */
export interface CompiledRoutingRules {
  rules: CompiledRoutingRule[];
  /** Some enabled rule reads headers (the caller then parses the raw mail). */
  needsHeaders: boolean;
  /** Some enabled rule reads the detected language. */
  needsLanguage: boolean;
}

/**
 * The terms a rule word stands for: one list per word of it (a word holds when one of its terms is
 * among the mail's). A word made only of stop words has none; validation refuses it.
 */
export function ruleWordTerms(phrase: string): string[][] {
  return textTokens(phrase).map((token) => [...tokenTerms(token)]);
}

const foldedSet = (values: readonly string[]) => new Set(values.map((v) => foldText(v.trim())));

function senderTest(values: readonly string[]): Test {
  const addresses = new Set<string>();
  const domains: string[] = [];
  for (const raw of values) {
    const v = raw.trim().toLowerCase();
    if (v.startsWith('@')) domains.push(v.slice(1));
    else if (v.includes('@')) addresses.add(v);
    else domains.push(v);
  }
  const domainSet = new Set(domains);
  return (mail) => {
    const s = mail.sender;
    if (!s) return false;
    if (addresses.has(s)) return true;
    let domain = s.slice(s.lastIndexOf('@') + 1);
    // The domain and each parent domain: "eu.example.com" is under "example.com".
    for (;;) {
      if (domainSet.has(domain)) return true;
      const dot = domain.indexOf('.');
      if (dot < 0) return false;
      domain = domain.slice(dot + 1);
    }
  };
}

function wordsTest(words: readonly string[], of: (mail: RoutingMailFacts) => ReadonlySet<string>): Test {
  const phrases = words.map(ruleWordTerms).filter((p) => p.length > 0);
  return (mail) => {
    const terms = of(mail);
    return phrases.some((phrase) => phrase.every((alternatives) => alternatives.some((t) => terms.has(t))));
  };
}

function headerTest(name: string, op: HeaderOp, value: string | null | undefined): Test {
  const key = name.trim().toLowerCase();
  const wanted = foldText((value ?? '').trim());
  return (mail) => {
    const values = mail.headers.get(key);
    if (!values || values.length === 0) return false;
    if (op === 'exists') return true;
    return values.some((v) => {
      const folded = foldText(v.trim());
      return op === 'equals' ? folded === wanted : folded.includes(wanted);
    });
  };
}

function conditionTest(c: RoutingCondition): Test {
  switch (c.kind) {
    case 'inbox': {
      const ids = new Set(c.inboxIds.map((id) => id.toLowerCase()));
      return (mail) => ids.has(mail.inboxId.toLowerCase());
    }
    case 'sender':
      return senderTest(c.values);
    case 'subject':
      return wordsTest(c.words, (mail) => mail.subjectTerms);
    case 'body':
      return wordsTest(c.words, (mail) => mail.bodyTerms);
    case 'header':
      return headerTest(c.name, c.op, c.value);
    case 'attachment':
      return (mail) => mail.hasAttachment;
    case 'language': {
      const languages = foldedSet(c.languages);
      return (mail) => mail.language !== null && languages.has(mail.language);
    }
    case 'businessHours':
      return (_mail, moment) => moment.withinHours();
  }
}

/** Business hours cost most (a calendar): a rule checks them after its other conditions, which all must hold anyway. */
const lastIfHours = (c: RoutingCondition) => (c.kind === 'businessHours' ? 1 : 0);

/** Compiles a rule set once: sorted by order, disabled rules left out, each condition a ready test. */
export function compileRoutingRules(rules: readonly RoutingRule[]): CompiledRoutingRules {
  const enabled = rules.filter((r) => r.enabled).sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  return {
    rules: enabled.map((rule) => ({
      rule,
      tests: [...rule.conditions].sort((a, b) => lastIfHours(a) - lastIfHours(b)).map((c) => {
        const test = conditionTest(c);
        return c.negate ? (m: RoutingMailFacts, moment: Moment) => !test(m, moment) : test;
      }),
    })),
    needsHeaders: enabled.some((r) => r.conditions.some((c) => c.kind === 'header')),
    needsLanguage: enabled.some((r) => r.conditions.some((c) => c.kind === 'language')),
  };
}

/** Whether one compiled rule's conditions all hold for this mail (a rule without conditions always matches). */
export function ruleMatches(compiled: CompiledRoutingRule, mail: RoutingMailFacts, ticket: RoutingTicketFacts, at: Date): boolean {
  return matches(compiled, mail, momentOf(ticket, at));
}

function matches(compiled: CompiledRoutingRule, mail: RoutingMailFacts, moment: Moment): boolean {
  if (mail.isReply && !compiled.rule.onReplies) return false;
  for (const test of compiled.tests) if (!test(mail, moment)) return false;
  return true;
}

/** The business hours of the mail's arrival, read once for all rules (a calendar costs more than every other condition). */
function momentOf(ticket: RoutingTicketFacts, at: Date): Moment {
  let within: boolean | undefined;
  return { withinHours: () => (within ??= isWithinBusinessHours(at, ticket.businessHours)) };
}

/** The field an action decides ("first rule wins"); tags add up, so they have none. */
function fieldOf(action: RoutingAction): string | null {
  switch (action.kind) {
    case 'team':
      return 'team';
    case 'category':
      return 'category';
    case 'impactUrgency':
      return 'impactUrgency';
    case 'assignee':
    case 'autoAssign':
      return 'assignee';
    case 'tags':
      return null;
  }
}

/**
 * Evaluates the rules in order against one mail at `at` (when it arrived, so a rerun decides the
 * same): the actions to apply, each with the rule that decided it, and the names of the rules that
 * matched. Pure; the same inputs give the same list.
 */
export function evaluateRouting(compiled: CompiledRoutingRules, mail: RoutingMailFacts, ticket: RoutingTicketFacts, at: Date): { actions: RoutedAction[]; matched: string[] } {
  const actions: RoutedAction[] = [];
  const matched: string[] = [];
  const decided = new Set<string>();
  const moment = momentOf(ticket, at);
  for (const c of compiled.rules) {
    if (!matches(c, mail, moment)) continue;
    matched.push(c.rule.name);
    for (const action of c.rule.actions) {
      const field = fieldOf(action);
      if (field !== null) {
        if (decided.has(field)) continue;
        decided.add(field);
      }
      actions.push({ ruleId: c.rule.id, rule: c.rule.name, action });
    }
    if (c.rule.stop) break;
  }
  return { actions, matched };
}

/** A mail as routing reads it: the stored message's fields, with the parsed headers when a rule needs them. */
export interface RoutingMailInput {
  inboxId: string;
  from: string | null | undefined;
  subject: string | null | undefined;
  text: string | null | undefined;
  headers?: Readonly<Record<string, readonly string[]>> | null;
  attachments: ReadonlyArray<{ inline?: boolean | null }>;
  language: string | null;
  isReply: boolean;
}

/**
 * The facts of one mail: its subject and body terms as ticket search stores them (the same bound on
 * how much of a long mail counts), its sender, headers, files and language.
 */
export function routingMailFacts(m: RoutingMailInput): RoutingMailFacts {
  const headers = new Map<string, readonly string[]>();
  for (const [name, values] of Object.entries(m.headers ?? {})) headers.set(name.toLowerCase(), values);
  return {
    inboxId: m.inboxId,
    sender: m.from ? m.from.trim().toLowerCase() : null,
    subjectTerms: new Set(textTerms(m.subject ?? '', MAX_MESSAGE_TERMS)),
    bodyTerms: new Set(textTerms(m.text ?? '', MAX_MESSAGE_TERMS)),
    headers,
    hasAttachment: m.attachments.some((a) => !a.inline),
    language: m.language,
    isReply: m.isReply,
  };
}

/** How much of a raw mail its header block is looked for in: a huge or broken mail costs no more. */
const HEAD_BYTES = 64 * 1024;

/**
 * The header fields of a raw mail, read straight from its header block (unfolded, encoded words
 * decoded), by lower-case name: what header conditions need, without parsing the whole mail again.
 */
export function rawHeaders(raw: Buffer): Record<string, string[]> {
  const text = raw.subarray(0, HEAD_BYTES).toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const map = headerMap(parseHeaderBlock(end >= 0 ? text.slice(0, end) : text));
  for (const name of Object.keys(map)) map[name] = map[name]!.map((v) => decodeEncodedWords(v));
  return map;
}
