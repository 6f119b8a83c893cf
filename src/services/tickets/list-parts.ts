import { holdsPhrase } from '../../domain/search-query.js';
import type { MessageStore } from '../../store/message-store.js';
import type { TicketListFilter, TicketListSort, TicketStore, TicketSummaryRow } from '../../store/ticket-store.js';
import type { TicketCursor } from './ticket-cursor.js';

/** One part of a list: its filter and order. A list is one part, or several listed one after another. */
export interface ListPart {
  filter: TicketListFilter;
  sort: TicketListSort;
}

/** Phrases a searched list checks on each ticket's text (the terms only say the words are there). */
export interface PhraseCheck {
  phrases: string[][];
  excludedPhrases: string[][];
}

/** The sort key of a list row in an order (null: a row without a due time). */
export function sortKeyOf(row: Pick<TicketSummaryRow, 'lastActivityAt' | 'createdAt' | 'sla'>, sort: TicketListSort): Date | null {
  if (sort === 'activity') return row.lastActivityAt;
  if (sort === 'created') return row.createdAt;
  return row.sla?.nextDueAt ?? null;
}

/* A phrase search reads more rows than it shows (some have the words, not the phrase), for at most
 * this many rounds a page: a page may then come short, with a cursor to go on from. */
const PHRASE_SLACK = 25;
const MAX_PHRASE_ROUNDS = 8;

export type ListPartsDeps = {
  tickets: Pick<TicketStore, 'listPage'>;
  messages: Pick<MessageStore, 'listTextsOfTickets'>;
};

/**
 * One page of a list made of parts, from a cursor: each part keyset-paged in its order, the next
 * part started when one runs out. With phrases, only the rows whose subject or one message holds
 * each phrase (and none of the excluded ones) are kept.
 */
export async function listParts(
  deps: ListPartsDeps,
  parts: readonly ListPart[],
  opts: { cursor?: TicketCursor; limit: number; phrases?: PhraseCheck },
): Promise<{ rows: TicketSummaryRow[]; next: TicketCursor | null }> {
  const { limit } = opts;
  const rows: TicketSummaryRow[] = [];
  let part = Math.min(opts.cursor?.part ?? 0, parts.length);
  let after = opts.cursor ? { key: opts.cursor.key, id: opts.cursor.id } : undefined;
  let rounds = 0;
  const cursorAt = (p: number, row: TicketSummaryRow): TicketCursor => ({ part: p, key: sortKeyOf(row, parts[p]!.sort) ?? new Date(0), id: row._id });
  while (part < parts.length) {
    const { filter, sort } = parts[part]!;
    const want = limit - rows.length;
    const page = await deps.tickets.listPage({ ...filter, sort, ...(after ? { after } : {}), limit: opts.phrases ? want + PHRASE_SLACK : want });
    const kept = opts.phrases ? await withPhrases(deps, page.items, opts.phrases) : page.items;
    const taken = kept.slice(0, want);
    rows.push(...taken);
    const lastTaken = taken[taken.length - 1];
    if (rows.length === limit && lastTaken) {
      const more = page.hasMore || page.items[page.items.length - 1] !== lastTaken || part < parts.length - 1;
      return { rows, next: more ? cursorAt(part, lastTaken) : null };
    }
    const lastRead = page.items[page.items.length - 1];
    if (page.hasMore && lastRead) {
      // Rows were read but dropped by the phrase check: go on after them, within bounds.
      if (++rounds >= MAX_PHRASE_ROUNDS) return { rows, next: cursorAt(part, lastRead) };
      const key = sortKeyOf(lastRead, sort);
      after = { key: key ?? new Date(0), id: lastRead._id };
      continue;
    }
    part++;
    after = undefined;
  }
  return { rows, next: null };
}

async function withPhrases(deps: ListPartsDeps, rows: TicketSummaryRow[], check: PhraseCheck): Promise<TicketSummaryRow[]> {
  if (rows.length === 0) return rows;
  const texts = new Map<string, string[]>(rows.map((r) => [r._id.toHexString(), [r.subject]]));
  for (const m of await deps.messages.listTextsOfTickets(rows.map((r) => r._id))) texts.get(m.ticketId.toHexString())?.push(m.text);
  return rows.filter((r) => {
    const own = texts.get(r._id.toHexString()) ?? [];
    const holds = (phrase: string[]) => own.some((text) => holdsPhrase(text, phrase));
    return check.phrases.every(holds) && !check.excludedPhrases.some(holds);
  });
}
