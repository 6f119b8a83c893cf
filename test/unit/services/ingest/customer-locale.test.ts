import { describe, expect, it } from 'vitest';
import { customerLocale, DETECT_MAX_CHARS, detectLocale, ownWords } from '../../../../src/services/ingest/customer-locale.js';

const guess = (text: string) => detectLocale(ownWords({ text }));

const FRENCH = 'Bonjour,\n\nma carte a été débitée deux fois pour la facture de mars. Pouvez-vous vérifier et me rembourser ?\n\nCordialement,\nMarie Dupont';
const ENGLISH = 'Hello,\n\nmy card was charged twice for the March invoice. Could you please check and refund the second charge?\n\nKind regards,\nMary Smith';

describe('the language of a customer mail', () => {
  it('recognises a French mail, clearly', () => {
    expect(guess(FRENCH)).toEqual({ locale: 'fr', confident: true });
  });

  it('recognises an English mail, clearly', () => {
    expect(guess(ENGLISH)).toEqual({ locale: 'en', confident: true });
  });

  it('gives no answer for a mail too short to tell, or empty', () => {
    for (const text of ['Merci', 'Thanks!', 'OK merci beaucoup', 'Hello, it does not work.', '', '   \n  ']) expect(guess(text)).toBeNull();
    expect(detectLocale(null)).toBeNull();
  });

  it('reads only what the customer wrote: not the quoted mail they answer, nor their signature', () => {
    const frenchAnswerToEnglish = `${FRENCH}\n\nOn Mon, 2 Mar 2026 at 09:12, Acme Support <help@acme.test> wrote:\n> ${ENGLISH.replaceAll('\n', '\n> ')}`;
    expect(guess(frenchAnswerToEnglish)?.locale).toBe('fr');
    const englishAnswerToFrench = `${ENGLISH}\n\nLe lun. 2 mars 2026 à 09:12, Support Acme <aide@acme.test> a écrit :\n> ${FRENCH.replaceAll('\n', '\n> ')}`;
    expect(guess(englishAnswerToFrench)?.locale).toBe('en');
    // A short thank-you above a long quoted French mail says nothing: the remembered language decides.
    expect(guess(`Thanks, that works now.\n\n-----Original Message-----\nFrom: Support\n${FRENCH}`)).toBeNull();
    expect(ownWords({ text: `Bonjour\n-- \nMarie Dupont\nDirectrice commerciale, https://example.test` })).toBe('Bonjour');
  });

  it('reads the HTML of a mail without plain text, leaving out quoted blocks', () => {
    const html = `<div><p>${FRENCH.replaceAll('\n', '<br>')}</p><blockquote>${ENGLISH} ${ENGLISH}</blockquote></div>`;
    expect(detectLocale(ownWords({ text: null, html }))?.locale).toBe('fr');
  });

  it('is not misled by a mixed mail whose words contradict the letter statistics', () => {
    // English words, French-looking letters: no answer rather than a French reply.
    expect(guess('Did you receive my last message? Please call me back at the office.')?.locale ?? 'none').not.toBe('fr');
  });

  it('reads at most the first 2,000 characters', () => {
    expect(ownWords({ text: `${'a '.repeat(DETECT_MAX_CHARS)}${FRENCH}` }).length).toBeLessThanOrEqual(DETECT_MAX_CHARS);
    expect(guess(`${'1234 '.repeat(DETECT_MAX_CHARS / 5)}${FRENCH}`)).toBeNull();
  });
});

describe('the language to write to a customer in', () => {
  it('is the mail’s own, else the remembered one, else the inbox’s default, else English', () => {
    expect(customerLocale({ locale: 'fr', confident: false }, 'en', 'en')).toBe('fr');
    expect(customerLocale(null, 'fr', 'en')).toBe('fr');
    expect(customerLocale(null, null, 'fr')).toBe('fr');
    expect(customerLocale(null, 'de', 'xx')).toBe('en');
  });
});
