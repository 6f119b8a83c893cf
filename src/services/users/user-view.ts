import type { UserRole } from '../../domain/user-roles.js';
import type { UserDoc } from '../../store/models/user.js';

/** A user as callers see them: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: UserRole;
  inboxIds: string[];
  disabled: boolean;
  /** Marked themself away, and since when. */
  away: boolean;
  awaySince: Date | null;
  /** May write knowledge base articles as an agent (admins and managers always may). */
  kbEditor: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Maps a stored user field by field, so the hash cannot leak through a new schema field. */
export function toUserView(doc: Omit<UserDoc, 'passwordHash'> & { passwordHash?: string }): UserView {
  return {
    id: doc._id.toHexString(),
    email: doc.email,
    name: doc.name ?? null,
    role: doc.role,
    inboxIds: (doc.inboxIds ?? []).map((id) => id.toHexString()),
    disabled: doc.disabled ?? false,
    away: doc.away === true,
    awaySince: doc.awaySince ?? null,
    kbEditor: doc.kbEditor === true,
    lastLoginAt: doc.lastLoginAt ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
