/** What an admin-issued password link is for: a first password (invite) or a new one (reset). */
export const PASSWORD_TOKEN_PURPOSES = ['invite', 'reset'] as const;
export type PasswordTokenPurpose = (typeof PASSWORD_TOKEN_PURPOSES)[number];
