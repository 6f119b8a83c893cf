import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb } from '../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;

beforeAll(async () => {
  db = await openTestDb('mailbox_state_store');
});
afterAll(() => db.drop());

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('mailbox leases', () => {
  it('is taken when free, renewed by its owner, refused to others while live, and taken over once expired', async () => {
    const { mailboxState } = db.stores;
    const id = new Types.ObjectId().toHexString();
    expect(await mailboxState.acquireLease(id, 'a', at(0), at(10))).toBe(true);
    expect(await mailboxState.acquireLease(id, 'a', at(5), at(15))).toBe(true);
    expect(await mailboxState.acquireLease(id, 'b', at(10), at(20))).toBe(false);
    expect(await db.models.MailboxLease.findById(id).lean()).toMatchObject({ owner: 'a', expiresAt: at(15), acquiredAt: at(0) });
    expect(await mailboxState.acquireLease(id, 'b', at(15), at(25))).toBe(true);
    expect(await db.models.MailboxLease.findById(id).lean()).toMatchObject({ owner: 'b', expiresAt: at(25) });
  });

  it('releases only the leases of the given owner', async () => {
    const { mailboxState } = db.stores;
    const [mine, theirs] = [new Types.ObjectId().toHexString(), new Types.ObjectId().toHexString()];
    await mailboxState.acquireLease(mine, 'leaving', at(0), at(10));
    await mailboxState.acquireLease(theirs, 'staying', at(0), at(10));
    await mailboxState.releaseLeases('leaving');
    expect(await db.models.MailboxLease.findById(mine).lean()).toBeNull();
    expect(await db.models.MailboxLease.findById(theirs).lean()).toMatchObject({ owner: 'staying' });
  });
});

describe('mailbox cursors', () => {
  it('starts over on reset, only moves forward, and ignores an advance under another UIDVALIDITY', async () => {
    const { mailboxState } = db.stores;
    const inboxId = new Types.ObjectId();
    const id = `${inboxId.toHexString()}:INBOX`;
    expect(await mailboxState.findCursor(id)).toBeNull();
    await mailboxState.resetCursor(id, { inboxId, folder: 'INBOX', uidValidity: '1', updatedAt: at(0) });
    await mailboxState.advanceCursor(id, '1', 7, at(1));
    await mailboxState.advanceCursor(id, '1', 3, at(2));
    await mailboxState.advanceCursor(id, '2', 99, at(3));
    expect(await mailboxState.findCursor(id)).toMatchObject({ inboxId, folder: 'INBOX', uidValidity: '1', lastUid: 7, updatedAt: at(2) });
    await mailboxState.resetCursor(id, { inboxId, folder: 'INBOX', uidValidity: '2', updatedAt: at(4) });
    expect(await mailboxState.findCursor(id)).toMatchObject({ uidValidity: '2', lastUid: 0 });
  });
});
