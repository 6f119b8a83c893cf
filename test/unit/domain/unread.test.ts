import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isUnread, newsOf } from '../../../src/domain/unread.js';

const ann = new Types.ObjectId();
const bob = new Types.ObjectId();
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));

describe('newsOf', () => {
  it('takes the stored news, and an older ticket\'s last activity by nobody in particular', () => {
    expect(newsOf({ newsAt: at(5), newsBy: ann, lastActivityAt: at(1) })).toEqual({ at: at(5), by: ann.toHexString() });
    expect(newsOf({ newsAt: at(5), newsBy: null, lastActivityAt: at(1) })).toEqual({ at: at(5), by: null });
    expect(newsOf({ lastActivityAt: at(1) })).toEqual({ at: at(1), by: null });
  });
});

describe('isUnread', () => {
  const mail = { at: at(10), by: null };
  const annsNote = { at: at(10), by: ann.toHexString() };

  it('is unread until opened, and again once news comes after the opening', () => {
    expect(isUnread(mail, null, bob.toHexString())).toBe(true);
    expect(isUnread(mail, { readAt: at(9) }, bob.toHexString())).toBe(true);
    expect(isUnread(mail, { readAt: at(11) }, bob.toHexString())).toBe(false);
  });

  it('counts news stored in the millisecond of the opening as unread', () => {
    expect(isUnread(mail, { readAt: at(10) }, bob.toHexString())).toBe(true);
  });

  it("never makes a reader's own news unread for them, but does for others", () => {
    expect(isUnread(annsNote, { readAt: at(9) }, ann.toHexString())).toBe(false);
    expect(isUnread(annsNote, null, ann.toHexString())).toBe(false);
    expect(isUnread(annsNote, { readAt: at(9) }, bob.toHexString())).toBe(true);
  });

  it('keeps a ticket marked unread by hand unread, whoever made the news', () => {
    expect(isUnread(annsNote, { readAt: null }, ann.toHexString())).toBe(true);
    expect(isUnread({ at: at(1), by: null }, { readAt: null }, bob.toHexString())).toBe(true);
  });
});
