import { describe, expect, it } from 'vitest';
import { kbSearchTerms } from '../../../src/domain/kb-articles.js';
import { mailWords, pickSuggestions, SUGGESTION_LIMITS, SUGGESTION_THRESHOLD, suggestionRelevance, suggestionTerms } from '../../../src/domain/kb-suggestions.js';

const article = (title: string, body: string) => ({ title, searchTerms: kbSearchTerms({ title, body }) });

const PASSWORD_FR = article(
  'Réinitialisation du mot de passe',
  'Pour réinitialiser votre mot de passe, ouvrez la page de connexion et choisissez « Mot de passe oublié ». Vous recevrez un lien par e-mail, valable une heure.',
);
const INVOICE_FR = article('Télécharger vos factures', 'Vos factures sont dans votre espace client, rubrique Facturation. Chaque facture est au format PDF.');
const VPN_EN = article('Connecting to the VPN', 'Install the VPN client, sign in with your company account and pick the nearest gateway.');

const relevance = (subject: string, body: string, a: { searchTerms: string[] }) => suggestionRelevance(mailWords(subject, body), new Set(a.searchTerms));

describe('the words of a mail', () => {
  it('reads the subject first, leaves out greetings, thanks and stop words, and keeps each word once', () => {
    const words = mailWords('Mot de passe oublié', 'Bonjour,\n\nje ne retrouve plus mon mot de passe. Merci d’avance !\nCordialement');
    expect(words.filter((w) => w.subject)).toHaveLength(3);
    const all = words.flatMap((w) => w.terms);
    for (const noise of ['bonjour', 'merci', 'cordial', 'cordialement', 'de', 'je']) expect(all).not.toContain(noise);
    // "mot" and "passe" are in the subject: the body does not add them again.
    expect(words.filter((w) => !w.subject).map((w) => w.terms[0])).toEqual(expect.arrayContaining([expect.stringMatching(/^retrouv/)]));
    expect(words.length).toBe(new Set(words.map((w) => w.terms.join('|'))).size);
  });

  it('reads at most the first words and the start of a long body', () => {
    const many = Array.from({ length: 100 }, (_, i) => `mot${i}x`).join(' ');
    expect(mailWords('', many)).toHaveLength(SUGGESTION_LIMITS.words);
    const late = mailWords('', `${'a '.repeat(SUGGESTION_LIMITS.bodyChars)} zebre`);
    expect(late.flatMap((w) => w.terms)).not.toContain('zebr');
  });

  it('asks for any of its terms, and for the same in titles', () => {
    const terms = suggestionTerms(mailWords('VPN', 'gateway'));
    expect(terms.any).toEqual(expect.arrayContaining(['vpn', 'gateway']));
    expect(terms.title).toEqual(terms.any.map((t) => `s:${t}`));
  });
});

describe('relevance', () => {
  it('scores a matching French mail above the threshold, an inflected word ("réinitialiser") matching the title', () => {
    const score = relevance('Mot de passe oublié', 'Bonjour, je n’arrive pas à réinitialiser mon mot de passe. Pouvez-vous m’aider ? Claire', PASSWORD_FR);
    expect(score).toBeGreaterThanOrEqual(SUGGESTION_THRESHOLD);
    expect(score).toBeGreaterThan(1);
  });

  it('gives an unrelated mail nothing', () => {
    const subject = 'Livraison en retard';
    const body = 'Bonjour, ma commande de chaises passée lundi n’est toujours pas livrée. Où en est le colis ? Merci';
    for (const a of [PASSWORD_FR, INVOICE_FR, VPN_EN]) expect(relevance(subject, body, a)).toBeLessThan(SUGGESTION_THRESHOLD);
    expect(pickSuggestions(mailWords(subject, body), [PASSWORD_FR, INVOICE_FR, VPN_EN])).toEqual([]);
  });

  it('counts a title match twice a body match, and a subject word twice a body word', () => {
    const inTitle = article('Gateway settings', 'Nothing else here.');
    const inBody = article('Settings', 'The gateway is chosen here.');
    expect(relevance('', 'gateway', inTitle)).toBe(2);
    expect(relevance('', 'gateway', inBody)).toBe(1);
    // Subject "gateway" (weight 2) held, body "printer" (weight 1) not: 2/3 in the body, 4/3 in the title.
    expect(relevance('gateway', 'printer', inBody)).toBeCloseTo(2 / 3);
    expect(relevance('gateway', 'printer', inTitle)).toBeCloseTo(4 / 3);
    expect(relevance('', '', inTitle)).toBe(0);
  });

  it('a long mail mentioning one matching word in passing stays under the threshold', () => {
    const body = 'Our warehouse printer jams every morning, the labels come out blank and the courier leaves without parcels; we use the company account.';
    expect(relevance('Printer jams', body, VPN_EN)).toBeLessThan(SUGGESTION_THRESHOLD);
  });
});

describe('picking suggestions', () => {
  it('keeps those above the threshold, best first, at most three', () => {
    const words = mailWords('VPN gateway', 'cannot connect to the VPN client');
    const weak = article('Company account', 'Your account, and the VPN too.');
    const strong = article('VPN gateway', 'Connect to the VPN gateway with the client.');
    const picked = pickSuggestions(words, [weak, VPN_EN, strong, INVOICE_FR, { ...strong, title: 'copy 1' }, { ...strong, title: 'copy 2' }]);
    expect(picked).toHaveLength(3);
    expect(picked[0]!.title).toBe('VPN gateway');
    expect(picked.map((p) => p.title)).not.toContain('Télécharger vos factures');
    for (const p of picked) expect(p.relevance).toBeGreaterThanOrEqual(SUGGESTION_THRESHOLD);
    expect(picked[0]!.relevance).toBeGreaterThanOrEqual(picked[2]!.relevance);
  });
});

describe('what a mail is not about', () => {
  it('leaves out numbers, links, addresses, the ticket token and the writer’s name', () => {
    const words = mailWords('Re: VPN [#1042]', 'Call 06 12 34 56 78, see https://vpn.example.test/help or write to claire.martin@client.test.\nClaire Martin', 16, ['Claire Martin']);
    const terms = words.flatMap((w) => w.terms);
    expect(terms).toEqual(expect.arrayContaining(['vpn', 'call', 'see', 'write']));
    for (const noise of ['06', '12', '1042', 'https', 'claire', 'martin', 'client', 'test', 're']) expect(terms).not.toContain(noise);
  });
});
