import { ObjectId } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { blindCopyAddresses } from '../../../src/store/migrations/0009-blind-copy-addresses.js';
import { testLogger } from '../../helpers/db.js';
import { previousRelease } from '../../helpers/migrations.js';

let old: Awaited<ReturnType<typeof previousRelease>> | undefined;
afterAll(() => old?.drop());

describe('migration 9: blind copies lower-cased', () => {
  it('lower-cases the Bcc addresses older replies kept as typed, leaves the rest, once', async () => {
    old = await previousRelease('blind_copy_addresses', 8);
    const ticketId = new ObjectId();
    const inboxId = new ObjectId();
    const message = (fields: Record<string, unknown>) => ({ _id: new ObjectId(), ticketId, inboxId, direction: 'outbound', to: [{ address: 'Ann@Customer.test', name: 'Ann' }], cc: [], ...fields });
    const rows = [
      message({ bcc: [{ address: 'Boss@Customer.TEST', name: null }, { address: 'audit@customer.test', name: 'Audit' }] }),
      message({ bcc: [{ address: 'audit@customer.test', name: null }] }),
      message({}),
    ];
    await old.db.collection('messages').insertMany(rows);
    await old.upgrade();

    const messages = old.db.collection('messages');
    const stored = await messages.find({}, { sort: { _id: 1 } }).toArray();
    expect(stored.map((m) => m.bcc)).toEqual([
      [{ address: 'boss@customer.test', name: null }, { address: 'audit@customer.test', name: 'Audit' }],
      [{ address: 'audit@customer.test', name: null }],
      undefined,
    ]);
    // To and Cc keep the case the mail was written with (participants are lower-cased on the ticket).
    expect(stored[0]!.to).toEqual([{ address: 'Ann@Customer.test', name: 'Ann' }]);
    // A Bcc'd person's ticket is found by the lower-case address.
    expect(await messages.countDocuments({ 'bcc.address': 'boss@customer.test' })).toBe(1);

    // A second run (a crash before it was recorded) changes nothing.
    await blindCopyAddresses.up({ db: old.db, logger: testLogger });
    expect(await messages.find({}, { sort: { _id: 1 } }).toArray()).toEqual(stored);
  });
});
