import type { Models } from './models/index.js';
import type { ContactDoc } from './models/contact.js';

/** A customer's language as guessed from their mail; `confident` when the mail was long and clear. */
export interface LocaleGuess {
  locale: string;
  confident: boolean;
}

const DUPLICATE_KEY = 11000;

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

    /** Those of these addresses whose mail bounces. */
    async listBouncingEmails(emails: string[]): Promise<string[]> {
      const contacts = await Contact.find({ email: { $in: emails }, 'bounce.bouncing': true }, { email: 1 }).lean();
      return contacts.map((c) => c.email);
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type ContactStore = ReturnType<typeof createContactStore>;
