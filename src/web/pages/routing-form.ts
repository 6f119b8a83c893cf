import type { RoutingAction, RoutingCondition, RoutingConditionKind } from '../../domain/routing-rules.js';
import { checked, field, fields, type FormBody } from './form-fields.js';

/**
 * The routing rule form without script: one row per kind of condition (left empty: not used), each
 * with its own "not" box, and one control per kind of action. A rule made through the API with two
 * conditions of one kind does not fit it: the page then shows it read-only ({@link fitsForm}).
 */
export interface RuleForm {
  name: string;
  enabled: boolean;
  onReplies: boolean;
  stop: boolean;
  inboxIds: string[];
  inboxNot: boolean;
  senders: string;
  senderNot: boolean;
  subjectWords: string;
  subjectNot: boolean;
  bodyWords: string;
  bodyNot: boolean;
  headerName: string;
  headerOp: string;
  headerValue: string;
  headerNot: boolean;
  /** '' any, 'yes' has a file, 'no' has none. */
  attachment: string;
  languages: string[];
  languageNot: boolean;
  /** '' any time, 'within' business hours, 'outside'. */
  hours: string;
  teamId: string;
  categoryId: string;
  impact: string;
  urgency: string;
  tags: string;
  /** '' nobody, 'auto' the team's auto-assignment, else a user id. */
  assignee: string;
}

/** Comma- or line-separated values of a text field, trimmed, empty ones dropped. */
const listOf = (text: string) => text.split(/[,\n;]/).map((v) => v.trim()).filter(Boolean);

/** The form as posted. */
export function postedRuleForm(body: FormBody): RuleForm {
  return {
    name: field(body, 'name'),
    enabled: checked(body, 'enabled'),
    onReplies: checked(body, 'onReplies'),
    stop: checked(body, 'stop'),
    inboxIds: fields(body, 'inboxIds'),
    inboxNot: checked(body, 'inboxNot'),
    senders: field(body, 'senders'),
    senderNot: checked(body, 'senderNot'),
    subjectWords: field(body, 'subjectWords'),
    subjectNot: checked(body, 'subjectNot'),
    bodyWords: field(body, 'bodyWords'),
    bodyNot: checked(body, 'bodyNot'),
    headerName: field(body, 'headerName'),
    headerOp: field(body, 'headerOp') || 'contains',
    headerValue: field(body, 'headerValue'),
    headerNot: checked(body, 'headerNot'),
    attachment: field(body, 'attachment'),
    languages: fields(body, 'languages'),
    languageNot: checked(body, 'languageNot'),
    hours: field(body, 'hours'),
    teamId: field(body, 'teamId'),
    categoryId: field(body, 'categoryId'),
    impact: field(body, 'impact'),
    urgency: field(body, 'urgency'),
    tags: field(body, 'tags'),
    assignee: field(body, 'assignee'),
  };
}

/** The use case's input for a posted form: a filled row is a condition, a chosen control an action. */
export function ruleInput(f: RuleForm): { name: string; enabled: boolean; onReplies: boolean; stop: boolean; conditions: RoutingCondition[]; actions: RoutingAction[] } {
  const conditions: RoutingCondition[] = [];
  const not = (negate: boolean) => (negate ? { negate: true } : {});
  if (f.inboxIds.length > 0) conditions.push({ kind: 'inbox', inboxIds: f.inboxIds, ...not(f.inboxNot) });
  if (listOf(f.senders).length > 0) conditions.push({ kind: 'sender', values: listOf(f.senders), ...not(f.senderNot) });
  if (listOf(f.subjectWords).length > 0) conditions.push({ kind: 'subject', words: listOf(f.subjectWords), ...not(f.subjectNot) });
  if (listOf(f.bodyWords).length > 0) conditions.push({ kind: 'body', words: listOf(f.bodyWords), ...not(f.bodyNot) });
  if (f.headerName.trim()) conditions.push({ kind: 'header', name: f.headerName.trim(), op: f.headerOp as 'contains', value: f.headerValue, ...not(f.headerNot) });
  if (f.attachment === 'yes' || f.attachment === 'no') conditions.push({ kind: 'attachment', ...not(f.attachment === 'no') });
  if (f.languages.length > 0) conditions.push({ kind: 'language', languages: f.languages, ...not(f.languageNot) });
  if (f.hours === 'within' || f.hours === 'outside') conditions.push({ kind: 'businessHours', ...not(f.hours === 'outside') });
  const actions: RoutingAction[] = [];
  if (f.teamId) actions.push({ kind: 'team', teamId: f.teamId });
  if (f.categoryId) actions.push({ kind: 'category', categoryId: f.categoryId });
  if (f.impact || f.urgency) actions.push({ kind: 'impactUrgency', impact: (f.impact || null) as 'high' | null, urgency: (f.urgency || null) as 'high' | null });
  if (listOf(f.tags).length > 0) actions.push({ kind: 'tags', tags: listOf(f.tags) });
  if (f.assignee === 'auto') actions.push({ kind: 'autoAssign', teamId: null });
  else if (f.assignee) actions.push({ kind: 'assignee', userId: f.assignee });
  return { name: f.name, enabled: f.enabled, onReplies: f.onReplies, stop: f.stop, conditions, actions };
}

/** Whether a stored rule fits the form: at most one condition of each kind, and one action of each. */
export function fitsForm(rule: { conditions: readonly RoutingCondition[]; actions: readonly RoutingAction[] }): boolean {
  const kinds = rule.conditions.map((c) => c.kind);
  const actionKinds = rule.actions.map((a) => (a.kind === 'autoAssign' ? 'assignee' : a.kind));
  const autoWithTeam = rule.actions.some((a) => a.kind === 'autoAssign' && a.teamId !== null);
  return new Set(kinds).size === kinds.length && new Set(actionKinds).size === actionKinds.length && !autoWithTeam;
}

/** A stored rule (or a new one) as the form shows it. */
export function ruleForm(rule: { name: string; enabled: boolean; onReplies: boolean; stop: boolean; conditions: readonly RoutingCondition[]; actions: readonly RoutingAction[] } | null): RuleForm {
  const f: RuleForm = {
    name: rule?.name ?? '', enabled: rule?.enabled ?? true, onReplies: rule?.onReplies ?? false, stop: rule?.stop ?? false,
    inboxIds: [], inboxNot: false, senders: '', senderNot: false, subjectWords: '', subjectNot: false, bodyWords: '', bodyNot: false,
    headerName: '', headerOp: 'contains', headerValue: '', headerNot: false, attachment: '', languages: [], languageNot: false, hours: '',
    teamId: '', categoryId: '', impact: '', urgency: '', tags: '', assignee: '',
  };
  const seen = new Set<RoutingConditionKind>();
  for (const c of rule?.conditions ?? []) {
    if (seen.has(c.kind)) continue;
    seen.add(c.kind);
    const neg = c.negate === true;
    if (c.kind === 'inbox') Object.assign(f, { inboxIds: c.inboxIds, inboxNot: neg });
    if (c.kind === 'sender') Object.assign(f, { senders: c.values.join(', '), senderNot: neg });
    if (c.kind === 'subject') Object.assign(f, { subjectWords: c.words.join(', '), subjectNot: neg });
    if (c.kind === 'body') Object.assign(f, { bodyWords: c.words.join(', '), bodyNot: neg });
    if (c.kind === 'header') Object.assign(f, { headerName: c.name, headerOp: c.op, headerValue: c.value ?? '', headerNot: neg });
    if (c.kind === 'attachment') f.attachment = neg ? 'no' : 'yes';
    if (c.kind === 'language') Object.assign(f, { languages: c.languages, languageNot: neg });
    if (c.kind === 'businessHours') f.hours = neg ? 'outside' : 'within';
  }
  for (const a of rule?.actions ?? []) {
    if (a.kind === 'team' && !f.teamId) f.teamId = a.teamId;
    if (a.kind === 'category' && !f.categoryId) f.categoryId = a.categoryId;
    if (a.kind === 'impactUrgency' && !f.impact && !f.urgency) Object.assign(f, { impact: a.impact ?? '', urgency: a.urgency ?? '' });
    if (a.kind === 'tags' && !f.tags) f.tags = a.tags.join(', ');
    if (a.kind === 'assignee' && !f.assignee) f.assignee = a.userId;
    if (a.kind === 'autoAssign' && !f.assignee) f.assignee = 'auto';
  }
  return f;
}
