/**
 * The web bench's full-text search rows: the searches a support team types (bench/search-corpus.ts
 * writes the text they search), timed through the API and one page like the list's other rows, and
 * each explained at the large size (which index each part of the query used, documents examined).
 */
import { performance } from 'node:perf_hooks';
import type { Connection, Types } from 'mongoose';
import { listTickets } from '../src/services/tickets/list-tickets.js';
import type { Models } from '../src/store/models/index.js';
import { createStores } from '../src/store/stores.js';
import { percentile, printTable } from './stats.js';

/** One search (or search-free order) of the list, as its query string. */
export interface SearchScenario {
  name: string;
  query: Record<string, string>;
  /** Timed on the page rather than the API. */
  page?: boolean;
  /** Timed on the list's second page (the first page's cursor). */
  secondPage?: boolean;
}

/** The searches timed: `rare` is a word of the corpus's tail, `inbox` one of the agent's inboxes. */
export function searchScenarios(inbox: string, rare: string): SearchScenario[] {
  return [
    { name: `api ?q=${rare} (rare word)`, query: { q: rare } },
    { name: 'api ?q=error (common word)', query: { q: 'error' } },
    { name: 'api ?q=invoices (stemmed)', query: { q: 'invoices' } },
    { name: 'api ?q=resolu (accents)', query: { q: 'resolu' } },
    { name: 'api ?q=invo (prefix)', query: { q: 'invo' } },
    { name: 'api ?q=server 502 (two words)', query: { q: 'server 502' } },
    { name: 'api ?q="mot de passe"', query: { q: '"mot de passe"' } },
    { name: 'api ?q=refund -invoice', query: { q: 'refund -invoice' } },
    { name: 'api ?q=from:shop.example.net', query: { q: 'from:shop.example.net' } },
    { name: 'api ?q=tag:billing status:open card', query: { q: 'tag:billing status:open card' } },
    { name: 'api ?q=服务器错误 (CJK bigrams)', query: { q: '服务器错误' } },
    { name: 'api ?q=error&status=open&inbox=…', query: { q: 'error', status: 'open', inbox } },
    { name: 'api ?q=password, 2nd page', query: { q: 'password' }, secondPage: true },
    { name: 'api ?sort=created', query: { sort: 'created' } },
    { name: 'api ?sort=due', query: { sort: 'due' } },
    { name: 'page ?q=invoices', query: { q: 'invoices' }, page: true },
  ];
}

/** The query string of a scenario (and of its second page, given the first page's cursor). */
export function queryString(s: SearchScenario, cursor?: string | null): string {
  return new URLSearchParams({ ...s.query, ...(cursor ? { cursor } : {}) }).toString();
}

interface Issued {
  collection: string;
  filter: Record<string, unknown>;
  options: Record<string, unknown>;
}

/**
 * Each search through the use case at the large size (no HTTP): every ticket query it issued (a
 * ranked search issues one per part, subject matches first) with the plan the database chose,
 * keys and documents examined, and the median of 7 calls.
 */
export async function explainSearches(
  models: Models,
  conn: Connection,
  actor: { userId: Types.ObjectId; role: 'agent'; inboxIds: Types.ObjectId[]; teamIds: Types.ObjectId[] },
  scenarios: readonly SearchScenario[],
): Promise<void> {
  const deps = { ...createStores(models), now: () => new Date() };
  let issued: Issued[] = [];
  conn.set('debug', (collection: string, method: string, filter: Record<string, unknown>, options: Record<string, unknown>) => {
    if (method === 'find') issued.push({ collection, filter, options });
  });
  const rows: string[][] = [];
  for (const s of scenarios) {
    const first = s.secondPage ? await listTickets(deps, actor, s.query) : null;
    const query = first?.nextCursor ? { ...s.query, cursor: first.nextCursor } : s.query;
    const ms: number[] = [];
    for (let k = 0; k < 7; k++) {
      issued = [];
      const t = performance.now();
      await listTickets(deps, actor, query);
      ms.push(performance.now() - t);
    }
    const calls = issued;
    const ticketFinds = calls.filter((c) => c.collection === 'tickets');
    const others = calls.length - ticketFinds.length;
    for (const [k, q] of ticketFinds.entries()) {
      const explained = await conn.db!.collection('tickets').find(q.filter, { sort: q.options.sort as never, limit: q.options.limit as number }).explain('executionStats');
      const plan = JSON.stringify(explained.queryPlanner.winningPlan);
      const named = (explained.queryPlanner as { devdbPlan?: string }).devdbPlan ?? (/IXSCAN/.test(plan) ? `IXSCAN ${/"indexName":"([^"]+)"/.exec(plan)?.[1] ?? ''}` : 'COLLSCAN');
      const stats = explained.executionStats as { totalKeysExamined?: number; totalDocsExamined: number; nReturned: number };
      rows.push([
        k === 0 ? s.name.replace(/^(api|page) /, '') : '',
        `${k + 1}/${ticketFinds.length}`,
        named,
        String(stats.totalKeysExamined ?? ''),
        String(stats.totalDocsExamined),
        String(stats.nReturned),
        k === 0 ? percentile(ms, 50).toFixed(2) : '',
        k === 0 && others ? String(others) : '',
      ]);
    }
  }
  conn.set('debug', false);
  console.log('\nsearches through the use case at the large size: each ticket query issued (ranked searches: subject matches, then the rest) and its plan');
  printTable(['search', 'query', 'plan', 'keys examined', 'docs examined', 'returned', 'p50 ms (7 calls)', 'other finds'], rows);
}
