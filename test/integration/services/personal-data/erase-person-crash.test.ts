import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { erasePerson, type ErasePersonDeps } from '../../../../src/services/personal-data/erase-person.js';
import { openTestDb } from '../../../helpers/db.js';
import { seedPeople } from '../contacts/person-fixture.js';
import { traces } from './trace-scan.js';

// An erasure cut short at any step is finished by asking again, with one access-log entry and nothing left behind.
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
const NEEDLES = ['jane@customer.test', 'jane.roe@work.test', 'jane roe', 'my printer', 'printer a'];

describe('an erasure cut short', () => {
  it.each(['messages', 'trail', 'outbox', 'tickets', 'contacts'])('after the %s step is finished by confirming again', async (crashAt) => {
    const db = await openTestDb(`erase_crash_${crashAt}`);
    try {
      const s = await seedPeople(db.models);
      const deps: ErasePersonDeps = { ...db.stores, now: () => new Date() };
      const before = JSON.stringify(await db.models.Ticket.find({}, { number: 1, status: 1, createdAt: 1, closedAt: 1, messageCount: 1 }).sort({ number: 1 }).lean());
      const crashing = { ...deps, onStep: (step: string) => { if (step === crashAt) throw new Error(`crash after ${step}`); } };
      const jane = s.contacts.jane.toHexString();
      await expect(erasePerson(crashing, admin, jane, { confirmAddress: 'jane@customer.test', confirm: true })).rejects.toThrow(`crash after ${crashAt}`);
      expect(await db.models.AccessLog.countDocuments({ action: 'person_erased' })).toBe(0);

      // The admin confirms again (the contacts may already show placeholders: the recorded addresses count).
      const done = await erasePerson(deps, admin, jane, { confirmAddress: 'jane.roe@work.test', confirm: true });
      expect(done).toMatchObject({ state: 'done', counts: { tickets: 3, messages: 3, attachments: 1, contacts: 2 } });
      expect(await traces(db.connection.db!, NEEDLES, ['printer'])).toEqual([]);
      expect(await db.models.AccessLog.countDocuments({ action: 'person_erased' })).toBe(1);
      expect(JSON.stringify(await db.models.Ticket.find({}, { number: 1, status: 1, createdAt: 1, closedAt: 1, messageCount: 1 }).sort({ number: 1 }).lean())).toBe(before);
      // Bob's own words stay.
      expect((await db.models.Message.findById(s.messages.bobInB).lean())!.text).toBe('alone');
    } finally {
      await db.drop();
    }
  });
});
