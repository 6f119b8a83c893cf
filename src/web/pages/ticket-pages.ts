import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import { getTicket } from '../../services/get-ticket.js';
import { listInboxes } from '../../services/list-inboxes.js';
import { listAssignees, messageAuthorIds, userLabels } from '../../services/list-assignees.js';
import { listTickets } from '../../services/list-tickets.js';
import { notFound, parseObjectId } from '../../services/access.js';
import { visibleTicket } from '../../services/update-ticket.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { MAIL_BODY_CSP, pageHeaders } from './security-headers.js';
import { slaBadge } from './sla-badge.js';
import { buildTimeline } from './timeline.js';

/** Fixed texts for `?error=` after a form post; the query names one, it never carries the text itself. */
export const FORM_ERRORS: Record<string, string> = {
  'reply-empty': 'A reply needs some text.',
  'note-empty': 'A note needs some text.',
  invalid: 'That change was not accepted. Check the form and try again.',
  merged: 'This ticket was merged into another one and can no longer change.',
};

const one = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** `GET /tickets` (filtered, keyset-paged), `GET /tickets/:id`, and the sandboxed mail body route. */
export function ticketPages(ctx: PageContext): Router {
  const router = Router();

  router.get('/tickets', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const filters = { inbox: one(req.query.inbox), status: one(req.query.status), assignee: one(req.query.assignee), cursor: one(req.query.cursor) };
    const [page, inboxes] = await Promise.all([listTickets(ctx, session.actor, filters), listInboxes(ctx, session.actor)]);
    const names = new Map(inboxes.map((i) => [i.id, i.name]));
    const users = await userLabels(ctx, page.items.map((t) => t.assigneeId));
    const now = ctx.now();
    const tickets = page.items.map((t) => ({ ...t, inboxName: names.get(t.inboxId) ?? '', assignee: t.assigneeId ? users.get(t.assigneeId) ?? '' : null, sla: slaBadge(t, now) }));
    const keep = new URLSearchParams(Object.entries({ ...filters, cursor: undefined }).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const nextUrl = page.nextCursor ? `/tickets?${new URLSearchParams([...keep, ['cursor', page.nextCursor]]).toString()}` : null;
    const current = filters.inbox ? inboxes.find((i) => i.id === filters.inbox) : undefined;
    res.type('html').send(
      ctx.views.render('tickets', {
        title: current ? `${current.name} · Tickets` : 'All tickets',
        session,
        nav: 'tickets',
        heading: current ? current.name : 'All inboxes',
        tickets,
        nextUrl,
        firstUrl: filters.cursor ? `/tickets?${keep.toString()}` : null,
        filters,
        inboxOptions: inboxes.map((i) => ({ id: i.id, name: i.name, selected: i.id === filters.inbox })),
        statusOptions: TICKET_STATUSES.map((s) => ({ value: s, selected: s === filters.status })),
        assigneeOptions: [{ value: 'me', label: 'Assigned to me' }, { value: 'unassigned', label: 'Unassigned' }].map((o) => ({ ...o, selected: o.value === filters.assignee })),
      }),
    );
  });

  router.get('/tickets/:id', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const ticket = await getTicket(ctx, session.actor, String(req.params.id));
    const ticketId = parseObjectId(ticket.id)!;
    const inboxId = parseObjectId(ticket.inboxId)!;
    const [authors, assignees, inbox, merged] = await Promise.all([
      messageAuthorIds(ctx, ticketId),
      listAssignees(ctx, inboxId),
      ctx.models.Inbox.findById(inboxId).select({ name: 1 }).lean(),
      // Merged tickets take no more changes; mergedInto alone is null when the target is hidden.
      ctx.models.Ticket.exists({ _id: ticketId, mergedIntoId: { $ne: null } }),
    ]);
    const users = await userLabels(ctx, [...authors.values(), ...ticket.events.flatMap((e) => [e.actor.id, typeof e.data.to === 'string' ? e.data.to : e.data.to ? String(e.data.to) : null])]);
    const error = one(req.query.error);
    res.type('html').send(
      ctx.views.render('ticket', {
        title: `#${ticket.number} ${ticket.subject}`,
        session,
        nav: 'tickets',
        ticket,
        inboxName: inbox?.name ?? '',
        sla: slaBadge(ticket, ctx.now()),
        timeline: buildTimeline(ticket, users, authors),
        error: error ? FORM_ERRORS[error] ?? null : null,
        csrf: session.csrfToken,
        downloads: Boolean(ctx.blobs),
        // A fresh key per rendered form: a double submit queues one reply (send-reply's requestKey).
        requestKey: randomBytes(12).toString('base64url'),
        statusOptions: TICKET_STATUSES.map((s) => ({ value: s, selected: s === ticket.status })),
        priorityOptions: TICKET_PRIORITIES.map((p) => ({ value: p, selected: p === ticket.priority })),
        assigneeOptions: assignees.map((a) => ({ ...a, selected: a.id === ticket.assigneeId })),
        unassigned: ticket.assigneeId === null,
        merged: Boolean(merged),
      }),
    );
  });

  // Customer HTML lives on its own response with a CSP of its own, framed by the ticket page.
  router.get('/tickets/:id/messages/:messageId/body', requireLogin, pageHeaders(MAIL_BODY_CSP), async (req, res) => {
    const session = requireSession(res);
    const ticket = await visibleTicket(ctx.models, session.actor, String(req.params.id));
    const messageId = parseObjectId(req.params.messageId);
    const message = messageId ? await ctx.models.Message.findOne({ _id: messageId, ticketId: ticket._id }).select({ html: 1 }).lean() : null;
    if (!message?.html) throw notFound('Message');
    res.set('Referrer-Policy', 'no-referrer');
    // Links open outside the frame; the sandbox still gives the new page no access to us.
    res.type('html').send(`<!doctype html><html><head><meta charset="utf-8"><base target="_blank"></head><body>${message.html}</body></html>`);
  });
  return router;
}
