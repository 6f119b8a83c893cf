import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { inputIssue, invalidInput, parseInput } from '../validate.js';
import { toContactView, type ContactView } from './contact-views.js';

/** `{ email }`: the address to link to the person as an alias. */
export const linkAliasSchema = z.strictObject({ email: z.string().trim().toLowerCase().pipe(z.email().max(254)) });

/** What linking an alias reads and writes. */
export interface LinkAliasDeps {
  contacts: Pick<ContactStore, 'findByEmail' | 'findOrCreate' | 'findById' | 'hasAliases' | 'linkAlias' | 'unlinkAlias'>;
  personData: Pick<PersonDataStore, 'findPerson'>;
}

const aliasConflict = (english: string, key: string, email: string) => new AppError('CONFLICT', english, { key, params: { email } });

/**
 * Links an address to the person of this contact as an alias (admins; FORBIDDEN otherwise): its
 * contact, created when the address has none yet, joins the person's primary contact. Linking an
 * alias of this person again changes nothing. CONFLICT when the address is another person's alias or
 * has aliases of its own (an alias never has aliases); VALIDATION_FAILED naming `email` for the
 * person's own primary address. Answers the alias.
 */
export async function linkAlias(deps: LinkAliasDeps, actor: Actor, contactId: string, input: unknown): Promise<ContactView> {
  requireAdmin(actor);
  const { email } = parseInput(linkAliasSchema, input, 'Alias');
  const id = parseObjectId(contactId);
  const person = id ? await deps.personData.findPerson(id) : null;
  if (!person) throw notFound('Contact');
  const primaryId = person.primary._id;
  if (person.primary.email === email) throw invalidInput([inputIssue('email', 'issue.contactOwnAddress', 'is this person’s own address')], 'Alias');
  const alias = (await deps.contacts.findByEmail(email)) ?? (await deps.contacts.findOrCreate(email, null));
  if (!alias) throw notFound('Contact');
  if (alias.primaryContactId?.equals(primaryId)) return toContactView(alias);
  if (alias.primaryContactId) throw aliasConflict(`${email} is already an alias of another contact: unlink it there first`, 'conflict.aliasOfAnother', email);
  if (await deps.contacts.hasAliases(alias._id)) throw aliasConflict(`${email} has aliases of its own: unlink them first`, 'conflict.aliasHasAliases', email);
  if (!(await deps.contacts.linkAlias(alias._id, primaryId))) {
    const now = await deps.contacts.findById(alias._id);
    if (now?.primaryContactId?.equals(primaryId)) return toContactView(now);
    throw aliasConflict(`${email} is already an alias of another contact: unlink it there first`, 'conflict.aliasOfAnother', email);
  }
  // Another admin may have linked to this alias, or made the primary an alias, meanwhile: undo rather than nest.
  const primaryNow = await deps.contacts.findById(primaryId);
  if ((await deps.contacts.hasAliases(alias._id)) || primaryNow?.primaryContactId) {
    await deps.contacts.unlinkAlias(alias._id, primaryId);
    throw new AppError('CONFLICT', 'The contacts changed meanwhile; reload and try again', { key: 'conflict.aliasRace' });
  }
  return toContactView({ ...alias, primaryContactId: primaryId });
}
