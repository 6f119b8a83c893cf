/** Who a user is to Threadline: admins see everything, managers and agents their inboxes. */
export const USER_ROLES = ['admin', 'manager', 'agent'] as const;
export type UserRole = (typeof USER_ROLES)[number];
