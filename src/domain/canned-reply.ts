/** The placeholders a canned reply may use, each filled with plain text when the reply is inserted. */
export const CANNED_PLACEHOLDERS = ['customer.name', 'customer.email', 'ticket.number', 'ticket.subject', 'agent.name'] as const;
export type CannedPlaceholder = (typeof CANNED_PLACEHOLDERS)[number];

/** Limits that keep a canned reply list usable in a select and an inbox's set small. */
export const CANNED_REPLY_LIMITS = { perInbox: 200, title: 100, body: 20_000 } as const;

// `{{ name }}` with optional inner spaces; anything else in braces is ordinary text.
const PLACEHOLDER = /\{\{\s*([A-Za-z]+(?:\.[A-Za-z]+)*)\s*\}\}/g;

const isKnown = (name: string): name is CannedPlaceholder => (CANNED_PLACEHOLDERS as readonly string[]).includes(name);

/** The placeholder names in a body that Threadline cannot fill (so a typo is refused on save). */
export function unknownPlaceholders(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((name) => !isKnown(name)))];
}

/** What the placeholders stand for on one ticket, for one agent. */
export interface CannedReplyContext {
  customer: { name: string | null; email: string };
  ticket: { number: number; subject: string };
  agent: { name: string | null; email: string };
}

function valueOf(name: CannedPlaceholder, ctx: CannedReplyContext): string {
  switch (name) {
    // A customer or agent without a display name is still addressed by their address.
    case 'customer.name': return ctx.customer.name?.trim() || ctx.customer.email;
    case 'customer.email': return ctx.customer.email;
    case 'ticket.number': return String(ctx.ticket.number);
    case 'ticket.subject': return ctx.ticket.subject;
    case 'agent.name': return ctx.agent.name?.trim() || ctx.agent.email;
  }
}

/**
 * Fills a canned reply's placeholders. The result is plain text: values are inserted verbatim (no
 * markup is interpreted), and escaping is left to wherever the text is shown. Unknown placeholders
 * stay as written.
 */
export function fillPlaceholders(body: string, ctx: CannedReplyContext): string {
  return body.replace(PLACEHOLDER, (whole, name: string) => (isKnown(name) ? valueOf(name, ctx) : whole));
}
