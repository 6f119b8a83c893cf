import type { Models } from './models/index.js';
import type { ContactDoc } from './models/contact.js';

const DUPLICATE_KEY = 11000;

/** The people who write to us, by address, and whether their mail bounces. */
export function createContactStore(models: Pick<Models, 'Contact'>) {
  const { Contact } = models;
  return {
    /** The contact of this address, created with this name if there is none (a concurrent creation wins). */
    async findOrCreate(email: string, name: string | null | undefined): Promise<ContactDoc | null> {
      return Contact.findOneAndUpdate({ email }, { $setOnInsert: { email, name } }, { upsert: true, returnDocument: 'after', lean: true }).catch(async (err: { code?: number }) => {
        if (err.code !== DUPLICATE_KEY) throw err;
        return Contact.findOne({ email }).lean();
      });
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
