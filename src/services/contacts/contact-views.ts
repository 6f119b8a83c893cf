import type { ContactSummary } from '../../store/contact-store.js';
import type { ContactDoc } from '../../store/models/contact.js';

/** A contact as the pages and the API show it in lists: its address and name, and the person it belongs to. */
export interface ContactView {
  id: string;
  email: string;
  name: string | null;
  /** The primary contact of the person (its own id for a primary). */
  personId: string;
  isAlias: boolean;
}

/** The view of a stored contact. */
export function toContactView(c: ContactSummary | ContactDoc): ContactView {
  const primary = c.primaryContactId ?? null;
  return { id: c._id.toHexString(), email: c.email, name: c.name ?? null, personId: (primary ?? c._id).toHexString(), isAlias: primary !== null };
}
