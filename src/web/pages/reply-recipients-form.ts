import type { Request } from 'express';
import type { MailAddress } from '../../domain/mail.js';
import { isMailAddress, type RecipientChoice, type ReplyRecipients, type SuggestionReason } from '../../domain/reply-recipients.js';
import type { Translator } from '../../i18n/catalog.js';
import { fields, formOf, postedText, validationIssues, issueText } from './form-fields.js';

/** The reply form's recipient fields as posted, shown again when the reply is refused. */
export interface PostedRecipients {
  /** The To field as typed. */
  to: string;
  /** Every Cc address posted (ticked boxes and the typed field), each once. */
  cc: string[];
  /** The Bcc field as typed. */
  bcc: string;
}

/** A refused reply's recipients: what was posted, and the localized problem naming the field and the address. */
export interface RecipientsState {
  posted: PostedRecipients;
  error: string | null;
  /** The field the problem is in ('to', 'cc' or 'bcc'). */
  errorField: string | null;
}

const SUGGESTION_REASONS: Record<SuggestionReason, string> = {
  'reply-to': 'tickets:recipients.reason.replyTo',
  'new-address': 'tickets:recipients.reason.newAddress',
  bouncing: 'tickets:recipients.reason.bouncing',
};

/** A typed list of addresses: separated by commas, semicolons or white space. */
export function addressList(value: string): string[] {
  return value.split(/[\s,;]+/).map((a) => a.trim()).filter((a) => a !== '');
}

const unique = (list: string[]) => [...new Map(list.map((a) => [a.toLowerCase(), a])).values()];

/**
 * The recipient fields of a posted reply form, or null for a form without them (an older page: the
 * proposal stands). `to` replaces the proposed To when posted; the Cc boxes and the typed Cc field
 * together are the Cc; the Bcc field adds blind copies.
 */
export function postedRecipients(req: Request): { choice: RecipientChoice; posted: PostedRecipients } | null {
  if (!postedText(req, 'recipientsShown')) return null;
  const body = formOf(req);
  const hasTo = typeof body.to === 'string';
  const to = postedText(req, 'to').slice(0, 5000);
  const cc = unique(fields(body, 'cc').slice(0, 200).flatMap((v) => addressList(v.slice(0, 5000)))).slice(0, 200);
  const bcc = postedText(req, 'bcc').slice(0, 5000);
  return {
    choice: { ...(hasTo ? { to: addressList(to).slice(0, 200) } : {}), cc, bcc: addressList(bcc).slice(0, 200) },
    posted: { to, cc, bcc },
  };
}

/**
 * The Cc a draft keeps from a posted reply form: the ticked boxes and the typed addresses that are
 * mail addresses (one still being typed is left out rather than failing the autosave).
 */
export function draftCc(req: Request): string[] {
  return (postedRecipients(req)?.posted.cc ?? []).filter(isMailAddress).slice(0, 100);
}

/**
 * The recipients a draft keeps from a posted reply form: the Cc as {@link draftCc}, the To typed (null
 * when it holds no complete address: the draft then keeps the proposed To) and the Bcc typed, each
 * without an address still being typed.
 */
export function draftRecipients(req: Request): { cc: string[]; to: string[] | null; bcc: string[] } {
  const posted = postedRecipients(req);
  const complete = (list: string[]) => list.filter(isMailAddress).slice(0, 100);
  const to = posted && typeof formOf(req).to === 'string' ? complete(addressList(posted.posted.to)) : [];
  return { cc: complete(posted?.posted.cc ?? []), to: to.length > 0 ? to : null, bcc: complete(addressList(posted?.posted.bcc ?? '')) };
}

/**
 * The localized problem with a refused reply's recipients ("Bcc: x is not an email address"), or
 * null when the error is not about them.
 */
export function recipientsProblem(err: unknown, tr: Translator): { field: string; message: string } | null {
  const issue = validationIssues(err)?.find((i) => i.path === 'to' || i.path === 'cc' || i.path === 'bcc');
  if (!issue) return null;
  const label = tr.t(`tickets:recipients.${issue.path}`);
  return { field: issue.path, message: tr.t('tickets:recipients.problem', { field: label, problem: issueText(issue, tr) }) };
}

const labelOf = (a: MailAddress) => (a.name ? `${a.name} <${a.address}>` : a.address);

/**
 * The reply form's recipients: To (the requester, editable), the proposed Cc ticked, suggestions
 * unticked with why they are only suggested, a field for more Cc and one for Bcc, and the ticket's
 * address book offered on each. A saved draft's Cc choice (`chosen`) ticks exactly the addresses it
 * names, and its To and Bcc (`draft`) fill those fields; a refused post (`state`) shows what was
 * posted, with its problem.
 */
export function recipientsForm(
  r: ReplyRecipients,
  t: Translator['t'],
  book: readonly MailAddress[],
  chosen: string[] | null = null,
  state: RecipientsState | null = null,
  draft: { to: string[] | null; bcc: string[] | null } | null = null,
) {
  const ticks = state ? state.posted.cc.map((a) => a.toLowerCase()) : chosen;
  const ticked = (address: string) => ticks?.includes(address.toLowerCase());
  const offered = new Set([...r.cc, ...r.suggested].map((a) => a.address.toLowerCase()));
  // A saved draft's To and Bcc (when it chose them) come back as typed.
  const toText = state ? state.posted.to : draft?.to ? draft.to.join(', ') : r.to.map((a) => a.address).join(', ');
  return {
    to: r.to.map((a) => ({ address: a.address, label: labelOf(a) })),
    toText,
    cc: r.cc.map((a) => ({ address: a.address, label: labelOf(a), unchecked: ticks !== null && !ticked(a.address) })),
    suggested: r.suggested.map((a) => ({ address: a.address, label: labelOf(a), reason: t(SUGGESTION_REASONS[a.reason]), checked: ticks !== null && ticked(a.address) })),
    // Typed Cc addresses (and a draft's chosen ones the boxes do not offer) go back into the field.
    ccMore: (state ? state.posted.cc : chosen ?? []).filter((a) => !offered.has(a.toLowerCase())).join(', '),
    bcc: state?.posted.bcc ?? draft?.bcc?.join(', ') ?? '',
    book: book.map((a) => ({ address: a.address, label: labelOf(a) })),
    error: state?.error ?? null,
    errorField: state?.errorField ?? null,
  };
}
