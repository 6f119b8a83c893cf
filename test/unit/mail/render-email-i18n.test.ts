import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogs } from '../../../src/i18n/catalog.js';
import { LOCALES, PSEUDO_LOCALE } from '../../../src/i18n/locales.js';
import type { DigestData } from '../../../src/mail/digest-data.js';
import { EMAIL_SAMPLES, sampleOptions, type EmailSample } from '../../../src/mail/email-samples.js';
import { EMAIL_TEMPLATE_NAMES, renderEmail } from '../../../src/mail/render-email.js';

const TEMPLATE_DIR = path.resolve(import.meta.dirname, '../../../templates/email');

/** Every key of the `mail` catalog (`autoReply.subject`, …). */
function keysOf(node: unknown, prefix = ''): string[] {
  if (!node || typeof node !== 'object') return [prefix];
  return Object.entries(node).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}
const MAIL_KEYS = keysOf(loadCatalogs().en!.mail);

function sample(id: string): EmailSample {
  return structuredClone(EMAIL_SAMPLES.find((s) => s.id === id)!);
}

/** Words each French mail shows that are not user data (the sample data is English). */
const FRENCH_WORDS: Record<string, string[]> = {
  'auto-reply': ['Bonjour Maria Lopez,', 'Nous avons bien reçu votre message «\u00a0Invoice 2026-031 charged twice\u00a0»', 'demande n°\u00a01234', 'l’objet'],
  'auto-reply-inbox-override': ['[Acme Facturation] Nous avons bien reçu votre message', 'Nous répondons aux questions de facturation'],
  'agent-reply': ['demande [#1234]', 'Messages précédents', 'Le 2 mars 2026, 09:12, Maria Lopez'],
  'sla-reminder': ['Demande n°\u00a0123\u00a0: le délai de première réponse expire dans 15\u00a0min', 'Échéance', '3 mars 2026, 14:30 (fuseau Europe/Berlin)', 'Non attribuée', 'Ouvrir la demande'],
  escalation: ['Escalade niveau 2 (Team leads)\u00a0: demande n°\u00a0118', 'Bonjour Dana, cette demande vous a été transmise par escalade.', 'dépassé le 3 mars 2026, 13:00', 'Responsable'],
  digest: ['Récapitulatif du support\u00a0: 2–8 mars 2026', 'Demandes en cours par ancienneté', 'Dépassements de SLA', '2\u00a0h\u00a015\u00a0min', '1\u00a0j\u00a04\u00a0h', '< 1\u00a0jour', 'Activité des agents'],
  'digest-empty': ['Rien à signaler (2–8 mars 2026)\u00a0: aucune demande nouvelle, résolue ou rouverte'],
  notification: ['Sam Patel vous a mentionné sur la demande n°\u00a01234\u00a0: Invoice', 'Bonjour Lee Wong, voici ce qui s’est passé sur cette demande.', 'Répondez à cet e-mail pour ajouter une note interne', 'Ouvrir la demande', 'Demandeur'],
  'notification-summary': ['3 demandes arrivent bientôt au bout d’un délai de SLA', 'Échéance (fuseau Europe/Berlin)', 'Délai de première réponse\u00a0: échéance dans 30\u00a0min'],
  'notification-summary-assigned': ['2 demandes vous ont été attribuées', 'Vous a été attribuée par Sam Patel'],
  'password-link': ['Vous êtes invité sur Acme Support', 'Bonjour Lee Wong, un compte vous a été créé', 'Choisir mon mot de passe', 'jusqu’au 6 mars 2026, 14:05'],
};

describe('every email in every language', () => {
  const cases = EMAIL_SAMPLES.flatMap((s) => [...LOCALES, PSEUDO_LOCALE].map((locale) => [s.id, locale, s] as const));

  it.each(cases)('%s in %s: worded by the catalog, no key left raw, lang set', async (_id, locale, s) => {
    const email = await renderEmail(s.template, s.data, sampleOptions(s, locale));
    for (const part of [email.subject, email.html, email.text]) {
      expect(part).not.toContain('mail:');
      expect(part).not.toContain('{{');
      // i18next answers a key it cannot find with the key itself.
      for (const key of MAIL_KEYS) expect(part.includes(key) && /^[a-z]+[A-Z.]/.test(key) ? key : null).toBeNull();
    }
    expect(email.html).toMatch(new RegExp(`^<!doctype html>\\s*<html lang="${locale}"`, 'i'));
  });

  it.each(Object.entries(FRENCH_WORDS))('%s in French says it the way a French support team does', async (id, words) => {
    const s = sample(id);
    const email = await renderEmail(s.template, s.data, sampleOptions(s, 'fr'));
    const all = `${email.subject}\n${email.text}\n${email.html}`;
    for (const w of words) expect(all).toContain(w);
    // None of the English template wording is left over.
    expect(all).not.toMatch(/\b(?:Thanks for getting in touch|will breach|has been escalated|Open backlog|Nothing to report|Unassigned|Median|Hi Dana|Hi Sam|Earlier in this conversation|wrote:)/);
  });

  it('keeps the English wording in English', async () => {
    const s = sample('auto-reply');
    const email = await renderEmail(s.template, s.data, sampleOptions(s, 'en'));
    expect(email.subject).toBe('We received your request: Invoice 2026-031 charged twice [#1234]');
    expect(email.text).toContain('Thanks for getting in touch. We have received your message “Invoice 2026-031 charged twice” and opened ticket #1234.');
  });

  it('takes every word of the templates from the catalog (the pseudo-locale brackets all of them)', async () => {
    for (const s of EMAIL_SAMPLES.filter((x) => !x.opts?.template)) {
      const email = await renderEmail(s.template, s.data, sampleOptions(s, PSEUDO_LOCALE));
      const templateWords = /\b(?:Hi|Hello|Thanks|Ticket|ticket|Due|Assignee|Customer|Unassigned|Escalation|level|None|Agents?|Solved|Replies|Median|breached|due|created|Inboxes|times in|digest|Open)\b/;
      // User data is English too: only the sentences around it must be accented.
      const withoutData = email.text
        .split('\n')
        .filter((line) => !/^(?:>| {2}(?:#|\S+ \S* *#)|-- |Kind regards|The Acme|https?:|Sorry|I have|Let me|Level 1|First response is|Hi Maria)/.test(line))
        .join('\n')
        .replace(/Invoice 2026-031 charged twice|Cannot log in after password reset|Checkout returns error 500|Team leads|Dana Kim|Support, Billing|Europe\/Berlin|Jon Berg <jon@example.org>|Shop GmbH <ops@shop\.example>|Lee Wong|Sam Patel|Maria Lopez <maria@example\.com>|Acme Support|https:\/\/\S+/g, '');
      expect(`${s.id}: ${withoutData.match(templateWords)?.[0] ?? 'none'}`).toBe(`${s.id}: none`);
    }
  });

  it('writes dates in the reader’s language and time zone', async () => {
    const digest = { ...(sample('digest').data as DigestData) };
    const paris = await renderEmail('digest', digest, { locale: 'fr', timeZone: 'Europe/Paris' });
    expect(paris.text).toContain('dépassé le 3 mars 2026, 13:00');
    expect(paris.text).toContain('heures du fuseau Europe/Paris');
    const tokyo = await renderEmail('digest', digest, { locale: 'en', timeZone: 'Asia/Tokyo' });
    expect(tokyo.text).toContain('breached Mar 3, 2026, 9:00 PM');
    // A zone that does not exist falls back to the data's.
    const unknownZone = await renderEmail('digest', digest, { locale: 'fr', timeZone: 'Mars/Olympus' });
    expect(unknownZone.text).toContain('heures du fuseau Europe/Berlin');
  });

  it('writes an unknown language in English', async () => {
    const s = sample('sla-reminder');
    const email = await renderEmail('sla-reminder', s.data, { locale: 'de' });
    expect(email.subject).toBe('Ticket #123 will breach first response in 15 min');
    expect(email.html).toMatch(/<html lang="en"/);
  });

  it('words an escalation without a reason of its own from its clock and the ticket priority', async () => {
    const { reason: _reason, ...data } = sample('escalation').data as Record<string, unknown>;
    const fr = await renderEmail('escalation', { ...data, priority: 'high' }, { locale: 'fr' });
    expect(fr.text).toContain('Le délai de première réponse de cette demande de priorité haute a été dépassé.');
    const en = await renderEmail('escalation', { ...data, priority: 'urgent' }, { locale: 'en' });
    expect(en.text).toContain('The first response target of this urgent-priority ticket was missed.');
  });

  it('has one template per email, not one per language', () => {
    for (const name of EMAIL_TEMPLATE_NAMES) {
      const source = readFileSync(path.join(TEMPLATE_DIR, `${name}.mjml`), 'utf8');
      expect(source).toContain('<mjml lang="{{lang}}">');
      expect(source).toMatch(/\{\{t "mail:/);
    }
  });
});
