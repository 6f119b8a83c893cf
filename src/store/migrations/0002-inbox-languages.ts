import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { isLocale, LOCALES } from '../../i18n/locales.js';
import type { Migration } from './migration.js';

const BATCH = 500;

interface OldInbox extends Document {
  defaultLocale?: unknown;
  autoReply?: { subject?: string | null; template?: string | null; overrides?: Record<string, { subject?: string | null; template?: string | null } | null> | null } | null;
}

/**
 * Inboxes learn languages: each gets a default language (`defaultLocale`, English unless it has
 * one), and its one auto-reply subject/text override becomes the override of that language
 * (`autoReply.overrides.<locale>`), every other language starting without one. Inboxes already in
 * the new shape are left as they are, so a second run changes nothing.
 */
export const inboxLanguages: Migration = {
  version: 2,
  name: 'inbox-languages',
  async up({ db, logger }) {
    const inboxes = db.collection<OldInbox>('inboxes');
    const stale = {
      $or: [
        { defaultLocale: { $exists: false } },
        { 'autoReply.overrides': { $exists: false } },
        { 'autoReply.overrides': null },
        { 'autoReply.subject': { $exists: true } },
        { 'autoReply.template': { $exists: true } },
      ],
    };
    let ops: AnyBulkWriteOperation<OldInbox>[] = [];
    let moved = 0;
    const flush = async () => {
      if (ops.length > 0) await inboxes.bulkWrite(ops, { ordered: false });
      ops = [];
    };
    for await (const inbox of inboxes.find(stale, { projection: { defaultLocale: 1, autoReply: 1 } })) {
      const locale = isLocale(inbox.defaultLocale) ? inbox.defaultLocale : 'en';
      const old = { subject: inbox.autoReply?.subject ?? null, template: inbox.autoReply?.template ?? null };
      const overrides = Object.fromEntries(
        LOCALES.map((l) => {
          const kept = inbox.autoReply?.overrides?.[l];
          const given = l === locale ? old : { subject: null, template: null };
          return [l, { subject: kept?.subject ?? given.subject, template: kept?.template ?? given.template }];
        }),
      );
      if (old.subject !== null || old.template !== null) moved++;
      ops.push({
        updateOne: {
          filter: { _id: inbox._id },
          update: { $set: { defaultLocale: locale, 'autoReply.overrides': overrides }, $unset: { 'autoReply.subject': '', 'autoReply.template': '' } },
        },
      });
      if (ops.length >= BATCH) await flush();
    }
    await flush();
    if (moved > 0) logger.info({ inboxes: moved }, 'moved auto-reply overrides to each inbox’s default language');
  },
};
