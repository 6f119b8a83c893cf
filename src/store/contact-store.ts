import { Types } from 'mongoose';
import type { Models } from './models/index.js';
import type { ContactDoc } from './models/contact.js';
import { inWindows } from './windowed.js';

/** A customer's language as guessed from their mail; `confident` when the mail was long and clear. */
export interface LocaleGuess {
  locale: string;
  confident: boolean;
}

const DUPLICATE_KEY = 11000;

/** What the contact search and the alias forms read of a contact. */
export type ContactSummary = Pick<ContactDoc, '_id' | 'email' | 'name' | 'primaryContactId' | 'createdAt'>;

const SUMMARY = { email: 1, name: 1, primaryContactId: 1, createdAt: 1 } as const;

/**
 * The most matches a filtered search (a manager's) reads: a text most contacts hold, few of them
 * visible, costs a bounded time, and the list is then what was found among them.
 */
export const FILTERED_SEARCH_READ_MAX = 2000;

/** The search's first window of contacts' creation time, before it adapts to the time one takes. */
const SEARCH_FIRST_WINDOW_MS = 30 * 24 * 3_600_000;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The people who write to us, by address, and whether their mail bounces. */
export function createContactStore(models: Pick<Models, 'Contact'>) {
  const { Contact } = models;
  return {
    /**
     * The contact of this address, created with this name if there is none (a concurrent creation wins).
     * With a language guessed from their mail: a new contact takes it; a known one takes a confident
     * guess, or any guess when none was remembered yet.
     */
    async findOrCreate(email: string, name: string | null | undefined, guess?: LocaleGuess | null): Promise<ContactDoc | null> {
      const onInsert = { email, name, ...(guess ? { locale: guess.locale } : {}) };
      const contact = await Contact.findOneAndUpdate({ email }, { $setOnInsert: onInsert }, { upsert: true, returnDocument: 'after', lean: true }).catch(async (err: { code?: number }) => {
        if (err.code !== DUPLICATE_KEY) throw err;
        return Contact.findOne({ email }).lean();
      });
      if (contact && guess && contact.locale !== guess.locale && (guess.confident || !contact.locale)) {
        await Contact.updateOne({ _id: contact._id }, { $set: { locale: guess.locale } });
        return { ...contact, locale: guess.locale };
      }
      return contact;
    },

    /**
     * Remembers the language of this address's contact, if there is one: a confident guess replaces
     * what was remembered, another guess only fills it in. One write, none when nothing changes.
     */
    async rememberLocale(email: string, guess: LocaleGuess): Promise<void> {
      const filter = guess.confident ? { email, locale: { $ne: guess.locale } } : { email, locale: null };
      await Contact.updateOne(filter, { $set: { locale: guess.locale } });
    },

    /** The language remembered for this address's contact; null when none is (or there is no contact). */
    async findLocaleByEmail(email: string): Promise<string | null> {
      const contact = await Contact.findOne({ email }, { locale: 1 }).lean();
      return contact?.locale ?? null;
    },

    /** The bounce state of this address's contact (`bounce` only), if there is one. */
    async findBounceByEmail(email: string): Promise<Pick<ContactDoc, '_id' | 'bounce'> | null> {
      return Contact.findOne({ email }, { bounce: 1 }).lean();
    },

    /** One contact by id (summary fields). */
    async findById(id: Types.ObjectId): Promise<ContactSummary | null> {
      return Contact.findById(id, SUMMARY).lean();
    },

    /** The contact of this (lower-case) address (summary fields). */
    async findByEmail(email: string): Promise<ContactSummary | null> {
      return Contact.findOne({ email }, SUMMARY).lean();
    },

    /**
     * Contacts whose address or name holds this text (any case), by address, at most `limit`. A scan of
     * the contacts: the text may be any part of either, and the caller bounds its length. With `keep`,
     * only the rows it keeps count: each read's rows pass through it before the next read, and at most
     * {@link FILTERED_SEARCH_READ_MAX} matches are read.
     */
    async search(text: string, limit: number, keep?: (rows: ContactSummary[]) => Promise<ContactSummary[]>): Promise<ContactSummary[]> {
      const pattern = escapeRegex(text);
      const matches = { $or: [{ email: { $regex: pattern, $options: 'i' } }, { name: { $regex: pattern, $options: 'i' } }] };
      const oldest = await Contact.findOne({}, { _id: 1 }).sort({ _id: 1 }).lean();
      if (!oldest) return [];
      // A substring match reads every contact it passes: walked as short windows of creation time (the
      // ids' time) so that no single command holds the built-in server, oldest first, until enough match.
      const idAt = (d: Date) => Types.ObjectId.createFromTime(Math.floor(d.getTime() / 1000));
      let kept = 0;
      let read = 0;
      const enough = () => kept >= limit || (keep !== undefined && read >= FILTERED_SEARCH_READ_MAX);
      const found = await inWindows(
        oldest._id.getTimestamp(),
        new Date(Date.now() + 1000),
        SEARCH_FIRST_WINDOW_MS,
        async (w) => {
          const rows: ContactSummary[] = [];
          let after: Types.ObjectId | null = null;
          // A full read may leave matches behind in its window: read on after its last id while kept rows are missing.
          for (;;) {
            const ids = { ...(after ? { $gt: after } : w.from ? { $gte: idAt(w.from) } : {}), ...(w.to ? { $lt: idAt(w.to) } : {}) };
            const batch: ContactSummary[] = await Contact.find({ ...matches, ...(Object.keys(ids).length > 0 ? { _id: ids } : {}) }, SUMMARY)
              .hint({ _id: 1 })
              .sort({ _id: 1 })
              .limit(limit)
              .lean<ContactSummary[]>();
            const passed = keep && batch.length > 0 ? await keep(batch) : batch;
            rows.push(...passed);
            kept += passed.length;
            read += batch.length;
            if (batch.length < limit || enough()) return rows;
            after = batch[batch.length - 1]!._id;
          }
        },
        { openEnds: true, enough },
      );
      return found.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : a._id.toHexString().localeCompare(b._id.toHexString()))).slice(0, limit);
    },

    /** Whether some contact is an alias of this one. */
    async hasAliases(id: Types.ObjectId): Promise<boolean> {
      return (await Contact.exists({ primaryContactId: id })) !== null;
    },

    /**
     * Makes this contact an alias of the primary, unless it already is someone's alias (then false:
     * the caller says why). Never links a contact to itself.
     */
    async linkAlias(aliasId: Types.ObjectId, primaryId: Types.ObjectId): Promise<boolean> {
      if (aliasId.equals(primaryId)) return false;
      const res = await Contact.updateOne({ _id: aliasId, primaryContactId: null }, { $set: { primaryContactId: primaryId } });
      return res.modifiedCount > 0;
    },

    /** Makes this alias of the primary a primary contact again; false when it was not its alias. */
    async unlinkAlias(aliasId: Types.ObjectId, primaryId: Types.ObjectId): Promise<boolean> {
      const res = await Contact.updateOne({ _id: aliasId, primaryContactId: primaryId }, { $unset: { primaryContactId: 1 } });
      return res.modifiedCount > 0;
    },

    /** Those of these addresses whose mail bounces. */
    async listBouncingEmails(emails: string[]): Promise<string[]> {
      const contacts = await Contact.find({ email: { $in: emails }, 'bounce.bouncing': true }, { email: 1 }).lean();
      return contacts.map((c) => c.email);
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type ContactStore = ReturnType<typeof createContactStore>;
