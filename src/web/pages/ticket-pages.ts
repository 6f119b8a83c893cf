import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { IMPACT_LEVELS, URGENCY_LEVELS } from '../../domain/priority-matrix.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../domain/ticket-status.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { listBulkAssignees, userLabels } from '../../services/tickets/list-assignees.js';
import { countViews, filtersOf, viewOfFilters, type ListFilters } from '../../services/tickets/count-views.js';
import { listTickets } from '../../services/tickets/list-tickets.js';
import { listFilterTeams } from '../../services/tickets/list-filter-teams.js';
import { listSavedViews } from '../../services/views/saved-views.js';
import { loadTicketPage } from '../../services/tickets/ticket-page-data.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { slaBadge } from './sla-badge.js';
import { snoozePanel, snoozeText } from './snooze-panel.js';
import { SPAM_FORM_ERRORS, spamPanel } from './spam-pages.js';
import { ticketCollision, type HeldReply } from './ticket-collision.js';
import { ESCALATE_FORM_ERRORS, escalationPanel } from './ticket-escalation.js';
import { SIDE_FORM_ERRORS, sideConversationPanel } from './side-conversation-panel.js';
import { ticketExtras } from './ticket-extras.js';
import { ticketKbPanel } from './ticket-kb-panel.js';
import { ticketMetricsPanel } from './ticket-metrics-panel.js';
import { listFilterFields, listPageQuery } from './ticket-list-filters.js';
import { bulkForm, bulkNotice } from './ticket-bulk-pages.js';
import { buildTimeline } from './timeline.js';
import { queryText } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { parseObjectId } from '../../services/access.js';
import { draftTicketIds } from '../../services/drafts/draft-markers.js';
import { DRAFTS_SCRIPT_URL, replyBoxOf } from './draft-pages.js';
import { replyAttachmentsBox } from './upload-pages.js';
import { recipientsForm } from './reply-recipients-form.js';
import { assetUrl } from './static-assets.js';

/** The `?error=` codes after a form post; each names a `tickets:ticket.error.*` message, the query never carries text. */
export const FORM_ERRORS: ReadonlySet<string> = new Set(['reply-empty', 'reply-unsendable', 'reply-recipients', 'note-empty', 'invalid', 'team', 'merged', 'snooze-invalid', ...SPAM_FORM_ERRORS, ...ESCALATE_FORM_ERRORS, ...SIDE_FORM_ERRORS]);

/** `GET /tickets` (filtered, keyset-paged) and `GET /tickets/:id` (its mail bodies: mail-body-page.ts). */
export function ticketPages(ctx: PageContext): Router {
  const router = Router();

  router.get('/tickets', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const filters = listPageQuery(req.query);
    const listed = filtersOf(filters);
    const [page, inboxes, views, saved, teams] = await Promise.all([
      listTickets({ ...ctx, ...ctx.stores }, session.actor, filters),
      listInboxes(ctx.stores, session.actor),
      countViews({ ...ctx, ...ctx.stores }, session.actor, listed.inbox ? { inbox: listed.inbox } : {}),
      listSavedViews(ctx.stores, session.actor),
      listFilterTeams(ctx.stores, session.actor, { include: filters.team }),
    ]);
    const names = new Map(inboxes.map((i) => [i.id, i.name]));
    const [users, assignees, drafts] = await Promise.all([
      userLabels(ctx.stores, [...page.items.map((t) => t.assigneeId), filters.assignee]),
      listBulkAssignees(ctx.stores, inboxes.map((i) => i.id)),
      // The rows this agent left a reply draft on, in one query for the page.
      draftTicketIds(ctx.stores, session.actor, page.items.flatMap((t) => parseObjectId(t.id) ?? [])),
    ]);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const now = i18n.now;
    const keep = new URLSearchParams(Object.entries({ ...filters, cursor: undefined }).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const listUrl = (f: ListFilters) => { const qs = new URLSearchParams(f as Record<string, string>).toString(); return qs ? `/tickets?${qs}` : '/tickets'; };
    const sameFilters = (a: ListFilters, b: ListFilters) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
    // A tag in a row narrows the current list to that tag.
    const tagUrl = (tag: string) => `/tickets?${new URLSearchParams([...[...keep].filter(([k]) => k !== 'tag'), ['tag', tag]]).toString()}`;
    const tickets = page.items.map((t) => ({
      ...t, inboxName: names.get(t.inboxId) ?? '', assignee: t.assigneeId ? users.get(t.assigneeId) ?? '' : null, sla: slaBadge(t, now, i18n),
      tagLinks: t.tags.map((tag) => ({ tag, url: tagUrl(tag) })),
      snoozeText: snoozeText(t.snooze, i18n),
      hasDraft: drafts.has(t.id),
    }));
    const nextUrl = page.nextCursor ? `/tickets?${new URLSearchParams([...keep, ['cursor', page.nextCursor]]).toString()}` : null;
    const current = listed.inbox ? inboxes.find((i) => i.id === listed.inbox) : undefined;
    // The built-in view these filters are (Mine, Unassigned, All, Breaching), if any: it titles the page.
    const view = viewOfFilters(listed);
    const savedCurrent = saved.find((v) => sameFilters(v.filters, listed));
    const inboxName = current?.name ?? '';
    const viewTitle = savedCurrent && !view ? savedCurrent.name : t(`tickets:views.${view ?? 'filtered'}`);
    const title = current ? t('tickets:views.inInbox', { view: viewTitle, inbox: inboxName }) : viewTitle;
    res.type('html').send(
      ctx.views.render('tickets', {
        title,
        session,
        nav: view === 'mine' && !current ? 'mine' : 'tickets',
        // The skip link lands just before the first ticket rather than on the views and filters.
        skipTo: tickets.length > 0 ? 'results' : null,
        heading: title,
        tickets,
        nextUrl,
        firstUrl: filters.cursor ? `/tickets?${keep.toString()}` : null,
        filters,
        viewBar: views.map((v) => ({ label: t(`tickets:views.${v.name}`), count: v.count, more: v.more, url: listUrl(v.filters), current: v.name === view })),
        savedViews: saved.map((v) => ({ ...v, url: listUrl(v.filters), current: v.id === savedCurrent?.id })),
        savedFilters: Object.entries(listed).map(([name, value]) => ({ name, value })),
        canSave: Boolean(session.actor.userId) && !view && !savedCurrent && Object.keys(listed).some((k) => k !== 'inbox'),
        csrf: session.csrfToken,
        ...listFilterFields(filters, { inboxes, teams, users }, t),
        // The bulk bar around the table, and the notice of the change just made (`?updated=`, `?bulkError=`).
        bulk: bulkForm(filters, { tickets: page.items, assignees, teams }, t),
        bulkNotice: bulkNotice(req.query, t),
      }, i18n),
    );
  });

  router.get('/tickets/:id', requireLogin, (req, res) => renderTicketPage(ctx, req, res));

  return router;
}

/**
 * Renders the ticket page. The reply route calls it too, with `held` set and status 409, when the
 * ticket changed while the agent wrote (see ticket-collision.ts).
 */
export async function renderTicketPage(ctx: PageContext, req: Request, res: Response, held: HeldReply | null = null): Promise<void> {
  const session = requireSession(res);
  const data = await loadTicketPage({ ...ctx, ...ctx.stores }, session.actor, String(req.params.id), {
    cannedId: queryText(req.query.canned) ?? null,
    presence: held ? 'replying' : 'viewing',
    alsoName: held?.items.map((i) => i.authorId) ?? [],
  });
  const { ticket } = data;
  const i18n = pageI18n(res);
  const { t } = i18n.tr;
  const error = queryText(req.query.error);
  const escalation = escalationPanel(data, t);
  // Side conversations with partners: agents only, beside (never in) the customer's conversation.
  const canWriteSide = !data.merged && !data.inboxDeleted && ticket.status !== 'spam' && !escalation?.readOnly;
  const side = await sideConversationPanel(ctx, session.actor, ticket, i18n, canWriteSide);
  const extras = ticketExtras(session.actor, data, req.query, t);
  // Matching knowledge base articles; "Insert link" (`?kbArticle=`) adds its line like a canned reply.
  const kb = await ticketKbPanel(ctx, req, session.actor, data, !data.merged && !data.inboxDeleted && ticket.status !== 'spam' && !escalation?.readOnly);
  const inserted = [extras.cannedText, kb?.insertText ?? ''].filter((text) => text !== '').join('\n\n');
  // The reply box starts from the agent's saved draft (a held reply shows what was posted instead).
  const draft = await replyBoxOf(ctx, session.actor, ticket.id, inserted);
  res.type('html').send(
    ctx.views.render('ticket', {
      title: `#${ticket.number} ${ticket.subject || t('tickets:noSubject')}`,
      session,
      nav: 'tickets',
      ticket,
      inboxName: data.inboxName,
      inboxDeleted: data.inboxDeleted,
      requesterName: ticket.requester.name || ticket.requester.email,
      // The requester's contact page (services/contacts): admins and managers only, as agents are refused there.
      requesterContactUrl: session.actor.role === 'agent' ? null : `/contacts/lookup?email=${encodeURIComponent(ticket.requester.email)}`,
      sla: slaBadge(ticket, i18n.now, i18n),
      timeline: buildTimeline(ticket, data.users, data.authors, { loadImagesFor: queryText(req.query.images), mailDates: data.mailDates, i18n }),
      error: error && FORM_ERRORS.has(error) && !error.startsWith('reply-') ? t(`tickets:ticket.error.${error}`) : null,
      // A refused reply is said in the reply area, above the form.
      replyError: held?.error ?? (error && FORM_ERRORS.has(error) && error.startsWith('reply-') ? t(`tickets:ticket.error.${error}`) : null),
      csrf: session.csrfToken,
      downloads: Boolean(ctx.blobs),
      // A fresh key per rendered form: a double submit queues one reply (send-reply's requestKey).
      requestKey: randomBytes(12).toString('base64url'),
      // Spam is entered and left through its own card: a spam ticket's select holds only that, the others' never.
      statusOptions: TICKET_STATUSES.filter((s) => (ticket.status === 'spam') === (s === 'spam')).map((s) => ({ value: s, selected: s === ticket.status })),
      priorityOptions: TICKET_PRIORITIES.map((p) => ({ value: p, selected: p === ticket.priority })),
      impactOptions: IMPACT_LEVELS.map((v) => ({ value: v, selected: v === ticket.impact })),
      urgencyOptions: URGENCY_LEVELS.map((v) => ({ value: v, selected: v === ticket.urgency })),
      categoryOptions: data.categories.map((c) => ({
        id: c.id, selected: c.id === ticket.categoryId, label: c.archived ? t('tickets:ticket.form.archivedCategory', { name: c.name }) : c.name,
      })),
      teamOptions: [
        ...data.teams.map((team) => ({ id: team.id, selected: team.id === ticket.teamId, label: `${team.name} (${t('common:level', { level: team.level })})` })),
        // A deleted team stays chosen: otherwise the browser would pick "No team" and a save would clear it unasked.
        ...(ticket.teamId && !data.teams.some((team) => team.id === ticket.teamId) ? [{ id: ticket.teamId, selected: true, label: t('tickets:ticket.form.deletedTeam') }] : []),
      ],
      assigneeOptions: data.assignees.map((a) => ({ ...a, selected: a.id === ticket.assigneeId })),
      // The note box's `@` suggestions (templates/web/ticket.js), also listed for browsers without script.
      mentionable: data.mentionable,
      unassigned: ticket.assigneeId === null,
      merged: data.merged,
      extras,
      replyBox: {
        text: draft.text,
        // The editor's starting HTML: what a held reply posted, else the draft's (the editor starts from the text when null).
        html: held ? (held.html ?? null) : draft.html,
        scriptUrl: DRAFTS_SCRIPT_URL,
        editorUrl: assetUrl('editor.js'),
        savedNow: draft.saved && queryText(req.query.draft) === 'saved',
      },
      // The reply box's files: the limits in words, where uploads go (upload-pages.ts).
      attachments: replyAttachmentsBox(ctx, `/tickets/${ticket.id}/uploads`, held?.uploads ?? draft.uploads),
      collision: ticketCollision(data, held, t),
      recipients: data.recipients && recipientsForm(data.recipients, t, data.addressBook, held ? null : draft.cc, held?.recipients ?? null, held ? null : draft),
      snooze: snoozePanel(ticket, i18n),
      spam: data.merged ? null : spamPanel(session.actor, ticket),
      escalation,
      side,
      kb,
      // The stored first response, resolution and reopens (domain/ticket-metrics.ts), in a small card.
      metrics: ticketMetricsPanel(ticket.metrics, i18n.tr),
    }, i18n),
  );
}
