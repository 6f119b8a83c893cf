import { describe, expect, it } from 'vitest';
import { anonymiseText, articleDraftOf, looksLikePhone } from '../../../src/domain/kb-from-ticket.js';

const LABELS = { name: '[nom]', email: '[adresse e-mail]', phone: '[téléphone]' };
const WORDS = { ...LABELS, question: 'Question', answer: 'Réponse', untitled: 'Sans titre' };
const customer = { name: 'Claire Martin', email: 'claire.martin@client.test' };

describe('phone numbers', () => {
  it('finds French and international numbers in their usual spellings', () => {
    const numbers = [
      '06 12 34 56 78',
      '06.12.34.56.78',
      '06-12-34-56-78',
      '0612345678',
      '01 23 45 67 89',
      '+33 6 12 34 56 78',
      '+33 (0)6 12 34 56 78',
      '+33612345678',
      '0033 6 12 34 56 78',
      '+1 (555) 123-4567',
      '(555) 123-4567',
      '555-123-4567',
      '+44 20 7946 0958',
      '020 7946 0958',
      '+49 30 12345678',
      '+41 44 668 18 00',
    ];
    for (const n of numbers) {
      expect(anonymiseText(`Appelez-moi au ${n}, merci.`, {}, LABELS), n).toBe('Appelez-moi au [téléphone], merci.');
    }
  });

  it('leaves dates, amounts, ticket and short order numbers alone', () => {
    for (const text of ['le 2026-03-04', 'le 04/03/2026', 'commande 12345', 'montant 1 234,50 €', 'ticket [#1042]', 'version 10.2.3', 'réf. 12 345 678']) {
      expect(anonymiseText(text, {}, LABELS), text).toBe(text);
    }
    expect(looksLikePhone('2026-03-04')).toBe(false);
    expect(looksLikePhone('12345678')).toBe(false);
  });
});

describe('anonymising', () => {
  it('removes the customer’s name (whole, or a part of it, any case), every address and every phone number', () => {
    const text = 'Bonjour, je suis Claire Martin (claire.martin@client.test), ma collègue jean@autre.test aussi.\nCLAIRE — tél. 06 12 34 56 78\nMme Martin';
    const out = anonymiseText(text, customer, LABELS);
    expect(out).toBe('Bonjour, je suis [nom] ([adresse e-mail]), ma collègue [adresse e-mail] aussi.\n[nom] — tél. [téléphone]\nMme [nom]');
  });

  it('does not take parts of other words, nor short name parts', () => {
    const out = anonymiseText('Martinique et Clairefontaine, Li a écrit', { name: 'Li Martin' }, LABELS);
    expect(out).toBe('Martinique et Clairefontaine, Li a écrit');
  });
});

describe('the draft of a conversation', () => {
  it('takes the question and the answers, without quotes, signatures, notes or the customer’s details', () => {
    const draft = articleDraftOf(
      { subject: 'RE: Mot de passe oublié [#1042]', requester: customer },
      [
        { direction: 'inbound', text: 'Bonjour,\nJe ne peux plus me connecter. Rappelez-moi au +33 6 12 34 56 78.\nClaire Martin\n-- \nClaire Martin, Acme, 01 23 45 67 89', html: null },
        { direction: 'note', text: 'Note interne : cliente VIP', html: null },
        {
          direction: 'outbound',
          text: 'Bonjour Claire,\nCliquez sur « Mot de passe oublié » sur la page de connexion.\n\nLe 3 mars 2026, Claire Martin <claire.martin@client.test> a écrit :\n> Je ne peux plus me connecter.',
          html: null,
        },
      ],
      WORDS,
    );
    expect(draft.title).toBe('Mot de passe oublié');
    expect(draft.body).toBe(
      '## Question\n\nBonjour,\nJe ne peux plus me connecter. Rappelez-moi au [téléphone].\n[nom]\n\n## Réponse\n\nBonjour [nom],\nCliquez sur « Mot de passe oublié » sur la page de connexion.',
    );
    expect(draft.body).not.toMatch(/VIP|Acme|01 23|a écrit/);
  });

  it('reads an HTML-only mail and names an untitled draft', () => {
    const draft = articleDraftOf({ subject: '', requester: { email: 'x@y.test' } }, [{ direction: 'inbound', text: null, html: '<p>Le VPN ne marche pas.</p><blockquote>old</blockquote>' }], WORDS);
    expect(draft.title).toBe('Sans titre');
    expect(draft.body).toBe('## Question\n\nLe VPN ne marche pas.');
  });
});
