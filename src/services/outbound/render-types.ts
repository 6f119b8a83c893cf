/** The emails Threadline sends; each is a template in templates/email/. */
export type EmailName = 'auto-reply' | 'agent-reply' | 'sla-reminder' | 'escalation' | 'digest';

/** An inbox's look in its emails; anything missing or invalid falls back to the defaults. */
export interface EmailBranding {
  brandName?: string;
  signature?: string;
  primaryColor?: string;
  logoUrl?: string | null;
}

/** Renders an email to subject, HTML and text (src/mail/render-email.ts), passed in by the composition root. */
export type RenderEmailFn = (
  name: EmailName,
  data: Record<string, unknown>,
  opts?: { branding?: EmailBranding; subject?: string | null; template?: string | null },
) => Promise<{ subject: string; html: string; text: string }>;

/** The branding an inbox's emails carry. */
export function brandingOf(inbox: { name: string; displayName?: string | null; branding?: { signature?: string | null; primaryColor?: string | null; logoUrl?: string | null } | null }): EmailBranding {
  return {
    brandName: inbox.displayName ?? inbox.name,
    ...(inbox.branding?.signature ? { signature: inbox.branding.signature } : {}),
    ...(inbox.branding?.primaryColor ? { primaryColor: inbox.branding.primaryColor } : {}),
    logoUrl: inbox.branding?.logoUrl ?? null,
  };
}
