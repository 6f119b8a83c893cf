import type { AddressHeader } from '../../domain/participants.js';
import { hasRemoteImages } from '../../mail/sanitize-html.js';
import type { TicketDetailView } from '../../services/tickets/get-ticket.js';
import type { MessageView, TicketEventView } from '../../services/tickets/ticket-view.js';
import { englishText, type TextI18n } from './sla-badge.js';

/** One entry of the conversation as the ticket page shows it. */
export type TimelineEntry =
  | {
      kind: 'message';
      /** When it arrived or was written here: the order of the conversation. */
      at: Date;
      /** The date shown: the mail's own `Date` header, else when it arrived. */
      mailDate: Date;
      message: MessageView;
      author: string;
      isNote: boolean;
      isInbound: boolean;
      isOutbound: boolean;
      htmlUrl: string | null;
      /** Set when the HTML holds back remote images: the ticket page URL that loads them for this message. */
      loadImagesUrl: string | null;
      imagesLoaded: boolean;
    }
  | { kind: 'event'; at: Date; text: string; link: { url: string; label: string } | null };

// Messages already appear in full, so the events that only announce them are left out.
const SHOWN_AS_MESSAGE = new Set(['created', 'message_received', 'reply_queued', 'note_added']);

/** The reasons services record for a merge or a link, as trail words (`null`: the sentence says it already). */
const REASON_KEYS: Record<string, string | null> = {
  'merged by an agent': null,
  'a message links both conversations': 'tickets:trail.reason.messageLinks',
  'a received mail links both conversations': 'tickets:trail.reason.messageLinks',
  'reply to a closed ticket': 'tickets:trail.reason.replyToClosed',
};

/** The auto-reply policy's reasons (`window`, `list-header:list-id`, …) by their kind. */
const SUPPRESS_KINDS: Record<string, string> = {
  disabled: 'disabled',
  'x-loop': 'loop',
  bounce: 'bounce',
  'forwarded-bounce': 'bounce',
  'no-return-path': 'noReturnPath',
  'null-return-path': 'automated',
  'no-recipient': 'noRecipient',
  'own-address': 'ownAddress',
  'recipient-bouncing': 'recipientBouncing',
  window: 'window',
  'hourly-cap': 'hourlyCap',
  'old-mail': 'oldMail',
  spam: 'spam',
  'multipart-report': 'automated',
  'auto-submitted': 'automated',
  precedence: 'automated',
  'list-header': 'automated',
  'x-auto-response-suppress': 'automated',
  header: 'automated',
  sender: 'systemSender',
};

const CLOCKS = new Set(['firstResponse', 'nextResponse', 'resolution']);
const HEADERS: readonly AddressHeader[] = ['from', 'to', 'cc'];

/** A block-list entry as a Spam trail entry records it, or null. */
function spamBlockOf(v: unknown): { kind: 'sender' | 'domain'; value: string } | null {
  const b = v as { kind?: unknown; value?: unknown } | null | undefined;
  return b && (b.kind === 'sender' || b.kind === 'domain') && typeof b.value === 'string' ? { kind: b.kind, value: b.value } : null;
}

/** The trail's sentence for one event, in the page's language. */
function describe(e: TicketEventView, who: string, users: Map<string, string>, i18n: TextI18n): string {
  const { t } = i18n.tr;
  const d = e.data;
  const word = (ns: 'status' | 'priority', v: unknown) => (typeof v === 'string' && v !== '' ? t(`common:${ns}.${v}`) : t('tickets:trail.none'));
  const withReason = (text: string) => {
    const reason = typeof d.reason === 'string' ? d.reason : '';
    const key = Object.hasOwn(REASON_KEYS, reason) ? REASON_KEYS[reason] : reason ? undefined : null;
    if (key === null) return text;
    // A reason recorded before the catalogs knew it shows as it was recorded.
    return `${text} (${key ? t(key) : reason})`;
  };
  const clock = typeof d.clock === 'string' && CLOCKS.has(d.clock) ? t(`tickets:trail.clock.${d.clock}`) : null;
  switch (e.type) {
    case 'status_changed': return t('tickets:trail.statusChanged', { who, from: word('status', d.from), to: word('status', d.to) });
    case 'priority_changed': {
      const key = d.source === 'manual' ? 'tickets:trail.priorityChangedByHand' : d.source === 'matrix' ? 'tickets:trail.priorityFromMatrix' : 'tickets:trail.priorityChanged';
      return t(key, { who, from: word('priority', d.from), to: word('priority', d.to) });
    }
    case 'priority_follows_matrix': return t('tickets:trail.priorityFollowsMatrix', { who });
    case 'impact_urgency_changed': {
      const to = (d.to ?? {}) as { impact?: unknown; urgency?: unknown };
      const level = (ns: 'impact' | 'urgency', v: unknown) => (typeof v === 'string' && v !== '' ? t(`common:${ns}.${v}`) : t('tickets:trail.notAssessed'));
      return t('tickets:trail.impactUrgencyChanged', { who, impact: level('impact', to.impact), urgency: level('urgency', to.urgency) });
    }
    case 'category_changed':
      return d.to ? t('tickets:trail.categoryChanged', { who, name: typeof d.name === 'string' ? d.name : t('tickets:trail.someCategory') }) : t('tickets:trail.categoryCleared', { who });
    case 'team_changed':
      return d.to
        ? t('tickets:trail.teamChanged', { who, name: typeof d.name === 'string' ? d.name : t('tickets:trail.someTeam'), level: t('common:level', { level: typeof d.level === 'string' ? d.level : '?' }) })
        : t('tickets:trail.teamCleared', { who });
    case 'level_escalated': {
      const ref = (v: unknown, fallback: unknown) => {
        const team = v && typeof v === 'object' ? (v as { name?: unknown; level?: unknown }) : null;
        const level = t('common:level', { level: typeof team?.level === 'string' ? team.level : typeof fallback === 'string' ? fallback : '?' });
        return team && typeof team.name === 'string' ? t('tickets:trail.teamRef', { name: team.name, level }) : t('tickets:trail.noTeamRef', { level });
      };
      const from = ref(d.from, d.fromLevel);
      const to = ref(d.to, null);
      return d.reason === 'sla'
        ? t('tickets:trail.levelEscalatedSla', { step: typeof d.ladderName === 'string' ? d.ladderName : '?', from, to, clock: clock ?? '?' })
        : t('tickets:trail.levelEscalated', { who, from, to });
    }
    case 'sla_level_applied': return t('tickets:trail.slaLevelApplied', { level: t('common:level', { level: typeof d.level === 'string' ? d.level : '?' }) });
    case 'inbox_moved':
      return t('tickets:trail.inboxMoved', { from: typeof d.fromName === 'string' ? d.fromName : '?', to: typeof d.toName === 'string' ? d.toName : '?', who });
    case 'assigned':
      return d.to ? t('tickets:trail.assigned', { who, assignee: users.get(String(d.to)) ?? t('tickets:trail.someone') }) : t('tickets:trail.unassigned', { who });
    case 'auto_assigned':
      return t('tickets:trail.autoAssigned', { assignee: users.get(String(d.to)) ?? t('tickets:trail.someone'), team: typeof d.name === 'string' ? d.name : t('tickets:trail.someTeam') });
    case 'assignment_waiting': return t('tickets:trail.assignmentWaiting', { team: typeof d.name === 'string' ? d.name : t('tickets:trail.someTeam') });
    case 'tags_changed': return t('tickets:trail.tagsChanged', { who });
    case 'routed': {
      // A routing rule's action, named by the rule (names as they were when it applied).
      const rule = typeof d.rule === 'string' ? d.rule : '?';
      const name = typeof d.name === 'string' ? d.name : null;
      const level = (ns: 'impact' | 'urgency', v: unknown) => (typeof v === 'string' && v !== '' ? t(`common:${ns}.${v}`) : t('tickets:trail.notAssessed'));
      switch (d.action) {
        case 'team': return t('tickets:trail.routed.team', { rule, name: name ?? t('tickets:trail.someTeam') });
        case 'category': return t('tickets:trail.routed.category', { rule, name: name ?? t('tickets:trail.someCategory') });
        case 'impactUrgency': return t('tickets:trail.routed.impactUrgency', { rule, impact: level('impact', d.impact), urgency: level('urgency', d.urgency) });
        case 'tags': return t('tickets:trail.routed.tags', { rule, tags: Array.isArray(d.added) ? d.added.map(String).join(', ') : '' });
        case 'assignee': return t('tickets:trail.routed.assignee', { rule, assignee: name ?? users.get(String(d.to)) ?? t('tickets:trail.someone') });
        case 'autoAssign': return t('tickets:trail.routed.autoAssign', { rule, name: name ?? t('tickets:trail.someTeam') });
        default: return t('tickets:trail.routed.other', { rule });
      }
    }
    case 'conversation_started': return t('tickets:trail.conversationStarted', { who });
    case 'reply_sent': return t('tickets:trail.replySent');
    case 'side_message_sent': {
      const to = Array.isArray(d.to) ? d.to.map(String).join(', ') : '';
      return t(d.opened ? 'tickets:trail.sideConversationOpened' : 'tickets:trail.sideMessageSent', { who, to });
    }
    case 'side_message_received': return t('tickets:trail.sideMessageReceived', { from: typeof d.from === 'string' ? d.from : t('tickets:trail.someone') });
    case 'reply_failed': {
      const error = typeof d.error === 'string' ? d.error : d.error && typeof d.error === 'object' && typeof (d.error as { message?: unknown }).message === 'string' ? (d.error as { message: string }).message : '';
      const kind = d.kind === 'auto-reply' ? 'autoReply' : d.kind === 'side-conversation' ? 'side' : d.kind === 'agent-reply' || d.kind === undefined ? 'reply' : 'notification';
      return error ? t('tickets:trail.replyFailedBecause', { kind, error }) : t('tickets:trail.replyFailed', { kind });
    }
    case 'auto_reply_sent': return t('tickets:trail.autoReplySent');
    case 'auto_reply_suppressed': {
      const code = typeof d.reason === 'string' ? d.reason : '';
      const kind = SUPPRESS_KINDS[code] ?? SUPPRESS_KINDS[code.split(':')[0] ?? ''] ?? 'other';
      return t('tickets:trail.autoReplySuppressed', { reason: t(`tickets:trail.suppressed.${kind}`, { code }) });
    }
    case 'sla_reminder': return clock ? t('tickets:trail.slaReminderClock', { clock }) : t('tickets:trail.slaReminder');
    case 'sla_breached': return clock ? t('tickets:trail.slaBreachedClock', { clock }) : t('tickets:trail.slaBreached');
    case 'escalated': {
      if (!d.level) return t('tickets:trail.escalated');
      const level = String(d.level);
      return typeof d.levelName === 'string' && d.levelName !== '' ? t('tickets:trail.escalatedNamed', { level, name: d.levelName }) : t('tickets:trail.escalatedLevel', { level });
    }
    case 'bounce_received': return t('tickets:trail.bounceReceived');
    case 'auto_reply_received': return d.from ? t('tickets:trail.autoReplyReceivedFrom', { from: String(d.from) }) : t('tickets:trail.autoReplyReceived');
    case 'reopened': return t('tickets:trail.reopened');
    case 'participants_capped': {
      const headers = (Array.isArray(d.headers) ? d.headers : []).filter((h): h is AddressHeader => HEADERS.includes(h as AddressHeader));
      const names = headers.map((h) => t(`tickets:trail.header.${h}`));
      // "To and Cc", "From, To and Cc": the last two joined by the language's "and".
      const list = names.length < 2 ? names.join('') : t('tickets:trail.and', { first: names.slice(0, -1).join(', '), last: names.at(-1) });
      return t('tickets:trail.participantsCapped', { addresses: Number(d.addresses), added: Number(d.added), headers: list });
    }
    case 'merged':
      // Ticket numbers go in as text: a number parameter would be grouped ("#1,234").
      if (d.fromNumber !== undefined) return withReason(t('tickets:trail.mergedFrom', { who, number: String(d.fromNumber) }));
      return d.intoNumber !== undefined ? withReason(t('tickets:trail.mergedInto', { who, number: String(d.intoNumber) })) : t('tickets:trail.merged');
    case 'auto_closed': return t('tickets:trail.autoClosed', { days: Number(d.days) || 0 });
    case 'anonymised': return t('tickets:trail.anonymised', { months: Number(d.months) || 0 });
    case 'pending_reminder': {
      const days = Number(d.days) || 0;
      return d.notified ? t('tickets:trail.pendingReminder', { days, assignee: users.get(String(d.notified)) ?? t('tickets:trail.someone') }) : t('tickets:trail.pendingReminderNobody', { days });
    }
    case 'snoozed': {
      const until = d.until instanceof Date || typeof d.until === 'string' ? new Date(d.until) : null;
      if (!until || Number.isNaN(until.getTime())) return t('tickets:trail.snoozedUntilReply', { who });
      const when = i18n.formats.dateTime(until);
      return t(d.untilReply ? 'tickets:trail.snoozedUntilOrReply' : 'tickets:trail.snoozedUntil', { who, when });
    }
    case 'unsnoozed': return t('tickets:trail.unsnoozed', { who });
    case 'snooze_woke': return t(d.reason === 'customer_replied' ? 'tickets:trail.snoozeWokeReplied' : 'tickets:trail.snoozeWokeTime');
    case 'marked_spam': {
      const block = spamBlockOf(d.block);
      if (e.actor.kind === 'system') return block ? t(`tickets:trail.spamBlocked.${block.kind}`, { value: block.value }) : t('tickets:trail.markedSpam', { who });
      return block ? t(`tickets:trail.markedSpamBlocking.${block.kind}`, { who, value: block.value }) : t('tickets:trail.markedSpam', { who });
    }
    case 'not_spam': {
      const block = spamBlockOf(d.unblocked);
      const to = word('status', d.to);
      return block ? t(`tickets:trail.notSpamUnblocking.${block.kind}`, { who, value: block.value, to }) : t('tickets:trail.notSpam', { who, to });
    }
    case 'linked': return withReason(t('tickets:trail.linked'));
    case 'related': return t('tickets:trail.related');
    case 'kb_article_drafted': return t('tickets:trail.kbArticleDrafted', { who });
    case 'satisfaction_survey_sent': return t('tickets:trail.satisfactionSurveySent', { to: String(d.to ?? '') });
    case 'satisfaction_survey_skipped': return t(`tickets:trail.satisfactionSkipped.${({ 'asked-recently': 'askedRecently', 'not-surveyable': 'notSurveyable', 'no-public-url': 'noPublicUrl' } as Record<string, string>)[String(d.reason)] ?? 'other'}`);
    case 'satisfaction_rated': {
      const rating = t(`tickets:satisfaction.rating.${['good', 'okay', 'bad'].includes(String(d.rating)) ? String(d.rating) : 'okay'}`);
      const said = typeof d.comment === 'string' && d.comment ? d.comment : null;
      const text = t(d.changed ? 'tickets:trail.satisfactionChanged' : 'tickets:trail.satisfactionRated', { rating });
      return said ? t('tickets:trail.satisfactionComment', { text, comment: said }) : text;
    }
    default: return e.type.replace(/_/g, ' ');
  }
}

/** The ticket an event names, when the viewer may open it (get-ticket leaves the id out otherwise), or the article drafted from this one. */
function otherTicketLink(e: TicketEventView): { url: string; label: string } | null {
  if (e.type === 'kb_article_drafted') {
    // The article drafted from the ticket (agents may open it; a deleted or hidden one says so there).
    const { articleId, title } = e.data;
    return typeof articleId === 'string' && /^[0-9a-f]{24}$/.test(articleId) ? { url: `/kb/${articleId}`, label: typeof title === 'string' ? title : articleId } : null;
  }
  if (e.type !== 'linked' && e.type !== 'related') return null;
  const { ticketId, number } = e.data;
  return typeof ticketId === 'string' && typeof number === 'number' ? { url: `/tickets/${ticketId}`, label: `#${number}` } : null;
}

/** What the timeline is built with besides the ticket. */
export interface TimelineOptions {
  /** The message whose remote images the agent asked to load (`?images=`). */
  loadImagesFor?: string | undefined;
  /** Each message's own `Date` header, by message id (ticket-page-data's `mailDates`). */
  mailDates?: ReadonlyMap<string, Date>;
  /** The page's language; English when not given. */
  i18n?: TextI18n;
}

/**
 * Merges messages and events into one chronological list. Customer HTML is never inlined: an entry
 * only carries the URL of its sandboxed body route, which loads remote images only for the message
 * named by `loadImagesFor` (the agent followed its "Load images" link). Messages keep their arrival
 * order but show the date their mail carries.
 */
export function buildTimeline(ticket: TicketDetailView, users: Map<string, string>, authors: Map<string, string>, opts: TimelineOptions = {}): TimelineEntry[] {
  const i18n = opts.i18n ?? englishText();
  const { t } = i18n.tr;
  const agent = (m: MessageView) => users.get(authors.get(m.id) ?? '') ?? m.from?.name ?? m.from?.address ?? t('tickets:message.agent');
  const entries: TimelineEntry[] = ticket.messages.map((m) => {
    const framed = m.direction === 'inbound' && Boolean(m.html);
    const remote = framed && hasRemoteImages(m.html ?? '');
    const imagesLoaded = remote && opts.loadImagesFor === m.id;
    return {
      kind: 'message' as const,
      at: m.createdAt,
      mailDate: opts.mailDates?.get(m.id) ?? m.createdAt,
      message: m,
      author: m.direction === 'inbound' ? (m.from?.name ? `${m.from.name} <${m.from.address}>` : m.from?.address ?? t('tickets:message.unknownSender')) : agent(m),
      isNote: m.direction === 'note',
      isInbound: m.direction === 'inbound',
      isOutbound: m.direction === 'outbound',
      htmlUrl: framed ? `/tickets/${ticket.id}/messages/${m.id}/body${imagesLoaded ? '?images=1' : ''}` : null,
      loadImagesUrl: remote && !imagesLoaded ? `/tickets/${ticket.id}?images=${m.id}#msg-${m.id}` : null,
      imagesLoaded,
    };
  });
  for (const e of ticket.events) {
    if (SHOWN_AS_MESSAGE.has(e.type)) continue;
    const who =
      e.actor.kind === 'user'
        ? users.get(e.actor.id ?? '') ?? t('tickets:trail.anAgent')
        : e.actor.kind === 'system'
          ? 'Threadline'
          : e.actor.label ?? t('tickets:trail.theCustomer');
    entries.push({ kind: 'event', at: e.at, text: describe(e, who, users, i18n), link: otherTicketLink(e) });
  }
  // Stable sort: a message and an event at the same instant keep messages first.
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}
