import { Types } from 'mongoose';
import type { NotificationInput } from '../../src/store/notification-store.js';

/**
 * Makes notifications as the producers record them, for tests of the list and the API: each on a
 * ticket of its own, numbered `firstNumber`, `firstNumber + 1`… (`number()` tells the last one).
 */
export function notificationFactory(inboxId: Types.ObjectId, opts: { firstNumber?: number; subject?: (n: number) => string; mail?: NotificationInput['mail'] } = {}) {
  let seq = 0;
  const numberOf = (n: number) => (opts.firstNumber ?? 1) + n - 1;
  return {
    /** A notification for a user, `minutesAgo` old. */
    note(userId: Types.ObjectId, minutesAgo: number, extra: Partial<NotificationInput> = {}): NotificationInput {
      seq += 1;
      return {
        userId, kind: 'assigned', key: `${userId.toHexString()}:event-${seq}`,
        ticketId: new Types.ObjectId(), ticketNumber: numberOf(seq), ticketSubject: opts.subject?.(seq) ?? `Ticket ${seq}`, inboxId,
        at: new Date(Date.now() - minutesAgo * 60_000), data: {}, mail: opts.mail ?? 'pending', ...extra,
      };
    },
    /** The ticket number of the last notification made. */
    number: () => numberOf(seq),
  };
}
