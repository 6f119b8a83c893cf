import { ObjectId } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { SEARCH_INDEX_VERSION, wordTerms } from '../../../src/domain/ticket-search.js';
import { ticketSearch } from '../../../src/store/migrations/0006-ticket-search.js';
import { testLogger } from '../../helpers/db.js';
import { previousRelease } from '../../helpers/migrations.js';

let old: Awaited<ReturnType<typeof previousRelease>> | undefined;
afterAll(() => old?.drop());

describe('migration 6: ticket search', () => {
  it('indexes every ticket from its subject, requester and messages, adds merged tickets’ terms to theirs, and drops the replaced indexes, once', async () => {
    old = await previousRelease('ticket_search', 5);
    const tickets = old.db.collection('tickets');
    await tickets.createIndex({ searchTerms: 1, inboxId: 1, lastActivityAt: -1, _id: -1 });
    await tickets.createIndex({ access: 1, 'sla.nextDueAt': 1 });
    const inboxId = new ObjectId();
    const ids = { main: new ObjectId(), merged: new ObjectId(), quiet: new ObjectId() };
    const base = { inboxId, status: 'open', mergedIntoId: null, lastActivityAt: new Date('2026-11-01T10:00:00Z') };
    await tickets.insertMany([
      { _id: ids.main, number: 1, subject: 'Imprimantes en panne', requester: { email: 'olga@legacy.test', name: 'Olga' }, searchTerms: ['imprimantes', 'olga'], ...base },
      { _id: ids.merged, number: 2, subject: 'Same issue', requester: { email: 'olga@legacy.test' }, ...base, mergedIntoId: ids.main },
      { _id: ids.quiet, number: 3, subject: 'Nothing else', requester: { email: 'pat@legacy.test' }, ...base },
    ]);
    const msg = (ticketId: ObjectId, direction: string, text: string, flags: Record<string, boolean> = {}) => ({
      _id: new ObjectId(), ticketId, inboxId, direction, text, from: { address: 'olga@legacy.test' }, to: [{ address: 'help@acme.test' }], cc: [], flags, createdAt: new Date(),
    });
    await old.db.collection('messages').insertMany([
      msg(ids.main, 'inbound', 'Le toner est vide, erreur 502.'),
      msg(ids.main, 'note', 'Commande passée chez Lyreco.'),
      msg(ids.main, 'outbound', 'We received your request.', { autoSubmitted: true }),
      msg(ids.merged, 'inbound', 'Thermostat broken too.'),
    ]);
    await old.upgrade();

    const termsOf = async (id: ObjectId) => (await tickets.findOne({ _id: id }))!.searchTerms as string[];
    const main = await termsOf(ids.main);
    expect(main).toEqual(expect.arrayContaining([...wordTerms('imprimantes'), `s:${wordTerms('imprimantes')[0]}`, ...wordTerms('toner'), '502', ...wordTerms('lyreco'), 'f:olga@legacy.test', 't:help@acme.test']));
    expect(main).toEqual(expect.arrayContaining([...wordTerms('thermostat')]));
    expect(main).not.toContain(wordTerms('received')[0]);
    expect((await tickets.findOne({ _id: ids.quiet }))!.searchVersion).toBe(SEARCH_INDEX_VERSION);
    const indexes = (await tickets.listIndexes().toArray()).map((ix) => ix.name as string);
    expect(indexes).toContain('searchTerms_1');
    expect(indexes).not.toContain('searchTerms_1_inboxId_1_lastActivityAt_-1__id_-1');
    expect(indexes).not.toContain('access_1_sla.nextDueAt_1');

    // A second run (a crash before it was recorded) leaves the terms as they are.
    await ticketSearch.up({ db: old.db, logger: testLogger });
    expect(new Set(await termsOf(ids.main))).toEqual(new Set(main));
  });
});
