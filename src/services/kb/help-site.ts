import type { InboxStore } from '../../store/inbox-store.js';

/** What the help center shows of the instance: its name, logo and where to write. */
export interface HelpSite {
  name: string;
  /** An https or same-site address of the logo; null for none. */
  logoUrl: string | null;
  /** The support address of "Still need help? Write to us"; null when no inbox exists yet. */
  supportAddress: string | null;
}

const safeLogo = (url: string | null | undefined) => (url && (/^https:\/\//i.test(url) || /^\/(?!\/)/.test(url)) ? url : null);

/**
 * The help center's branding: the name (display name, else name), logo and address of the instance's
 * default inbox, the oldest one (as digests use). "Threadline" and no address when there is none.
 */
export async function getHelpSite(deps: { inboxes: Pick<InboxStore, 'findOldest'> }): Promise<HelpSite> {
  const inbox = await deps.inboxes.findOldest();
  if (!inbox) return { name: 'Threadline', logoUrl: null, supportAddress: null };
  return { name: inbox.displayName || inbox.name, logoUrl: safeLogo(inbox.branding?.logoUrl), supportAddress: inbox.address };
}
