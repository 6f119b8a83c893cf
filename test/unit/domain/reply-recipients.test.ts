import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/domain/errors.js';
import { addressBook, chosenRecipients, replyRecipients, type ConversationMail, type ReplyRecipientsInput } from '../../../src/domain/reply-recipients.js';

const a = (address: string, name: string | null = null) => ({ address, name });
const own = new Set(['support@example.test']);
const requester = a('ann@customer.test', 'Ann');

const inbound = (from: string, more: Partial<ConversationMail> = {}): ConversationMail => ({
  direction: 'inbound', automated: false, from: a(from), to: [a('support@example.test')], cc: [], replyTo: [], ...more,
});
const outbound = (to: string[], cc: string[] = []): ConversationMail => ({
  direction: 'outbound', automated: false, from: a('support@example.test'), to: to.map((x) => a(x)), cc: cc.map((x) => a(x)), replyTo: [],
});

function input(history: ConversationMail[], participants: string[], more: Partial<ReplyRecipientsInput> = {}): ReplyRecipientsInput {
  return { requester, participants, history, own, ...more };
}

describe('replyRecipients', () => {
  it('goes To the requester alone when the ticket has no customer mail', () => {
    expect(replyRecipients(input([], ['ann@customer.test']))).toEqual({ to: [requester], cc: [], suggested: [] });
  });

  it('Cc the known colleague on the latest customer mail, not our inbox and not the requester twice', () => {
    const first = inbound('ann@customer.test', { cc: [a('bob@customer.test', 'Bob')] });
    const latest = inbound('Ann@Customer.test', { to: [a('support@example.test'), a('ann@customer.test')], cc: [a('Bob@customer.test', 'Bob')] });
    const r = replyRecipients(input([first, outbound(['ann@customer.test']), latest], ['ann@customer.test', 'bob@customer.test']));
    expect(r).toEqual({ to: [requester], cc: [a('Bob@customer.test', 'Bob')], suggested: [] });
  });

  it('Cc the colleague who wrote the latest mail, with the requester To', () => {
    const first = inbound('ann@customer.test', { cc: [a('bob@customer.test')] });
    const latest = inbound('bob@customer.test', { cc: [a('ann@customer.test')] });
    const r = replyRecipients(input([first, latest], ['ann@customer.test', 'bob@customer.test']));
    expect(r.to).toEqual([requester]);
    expect(r.cc).toEqual([a('bob@customer.test')]);
  });

  it('only suggests a Reply-To the ticket has not seen (spoofed From of the requester)', () => {
    const latest = inbound('ann@customer.test', { replyTo: [a('attacker@evil.test', 'Ann')] });
    const r = replyRecipients(input([inbound('ann@customer.test'), latest], ['ann@customer.test']));
    expect(r).toEqual({ to: [requester], cc: [], suggested: [{ address: 'attacker@evil.test', name: 'Ann', reason: 'reply-to' }] });
  });

  it('only suggests an outsider who threaded in with a reused Message-ID, even after a second mail', () => {
    const outsider = inbound('attacker@evil.test', { cc: [a('friend@evil.test')] });
    const participants = ['ann@customer.test', 'attacker@evil.test', 'friend@evil.test'];
    for (const history of [[inbound('ann@customer.test'), outsider], [inbound('ann@customer.test'), outsider, outsider]]) {
      const r = replyRecipients(input(history, participants));
      expect(r.to).toEqual([requester]);
      expect(r.cc).toEqual([]);
      expect(r.suggested.map((s) => [s.address, s.reason])).toEqual([['attacker@evil.test', 'new-address'], ['friend@evil.test', 'new-address']]);
    }
  });

  it('suggests a Cc that is new with the latest mail; once we wrote to it, it is known', () => {
    const latest = inbound('ann@customer.test', { cc: [a('cleo@customer.test')] });
    const participants = ['ann@customer.test', 'cleo@customer.test'];
    expect(replyRecipients(input([inbound('ann@customer.test'), latest], participants)).suggested).toEqual([{ address: 'cleo@customer.test', name: null, reason: 'new-address' }]);
    const later = replyRecipients(input([inbound('ann@customer.test'), outbound(['ann@customer.test'], ['cleo@customer.test']), latest], participants));
    expect(later.cc).toEqual([a('cleo@customer.test')]);
    expect(later.suggested).toEqual([]);
  });

  it('answers the latest mail that is neither a bounce nor an automatic reply, which vouch for nobody', () => {
    const first = inbound('ann@customer.test', { cc: [a('bob@customer.test')] });
    const bounce = inbound('mailer-daemon@customer.test', { automated: true, cc: [a('bob@customer.test')] });
    const r = replyRecipients(input([first, inbound('ann@customer.test', { cc: [a('bob@customer.test')] }), bounce], ['ann@customer.test', 'bob@customer.test', 'mailer-daemon@customer.test']));
    expect(r.cc).toEqual([a('bob@customer.test')]);
    expect(r.suggested).toEqual([]);
  });

  it('offers a known but bouncing participant instead of sending to it', () => {
    const first = inbound('ann@customer.test', { cc: [a('bob@customer.test')] });
    const r = replyRecipients(input([first, first], ['ann@customer.test', 'bob@customer.test'], { bouncing: new Set(['bob@customer.test']) }));
    expect(r.cc).toEqual([]);
    expect(r.suggested).toEqual([{ address: 'bob@customer.test', name: null, reason: 'bouncing' }]);
  });

  it('does not Cc an address that is no participant of the ticket (over the participant cap)', () => {
    const first = inbound('ann@customer.test', { cc: [a('bob@customer.test')] });
    expect(replyRecipients(input([first, first], ['ann@customer.test'])).cc).toEqual([]);
  });

  it('offers at most 50 new addresses', () => {
    const latest = inbound('ann@customer.test', { cc: Array.from({ length: 500 }, (_, i) => a(`m${i}@list.example`)) });
    expect(replyRecipients(input([latest], ['ann@customer.test'])).suggested).toHaveLength(50);
  });
});

describe('chosenRecipients', () => {
  const proposal = { to: [requester], cc: [a('bob@customer.test', 'Bob')], suggested: [{ address: 'attacker@evil.test', name: 'Eve', reason: 'reply-to' as const }] };

  it('keeps the proposal (never the suggestions) when nothing is chosen', () => {
    expect(chosenRecipients(proposal, {}, own)).toEqual({ to: [requester], cc: [a('bob@customer.test', 'Bob')], bcc: [] });
  });

  it('takes the chosen lists, names from the proposal, without repeating To in Cc', () => {
    expect(chosenRecipients(proposal, { cc: ['Attacker@evil.test', 'ann@customer.test', 'new@x.test'] }, own)).toEqual({
      to: [requester],
      cc: [a('Attacker@evil.test', 'Eve'), a('new@x.test')],
      bcc: [],
    });
    expect(chosenRecipients(proposal, { to: ['bob@customer.test'], cc: [] }, own)).toEqual({ to: [a('bob@customer.test', 'Bob')], cc: [], bcc: [] });
  });

  it('refuses our own address, an empty To and too many recipients', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
        return null;
      } catch (err) {
        return isAppError(err, 'VALIDATION_FAILED') ? (err.details?.issues as Array<{ path: string }>)[0]!.path : 'other';
      }
    };
    expect(code(() => chosenRecipients(proposal, { cc: ['Support@example.test'] }, own))).toBe('cc');
    expect(code(() => chosenRecipients(proposal, { to: [] }, own))).toBe('to');
    expect(code(() => chosenRecipients(proposal, { cc: Array.from({ length: 50 }, (_, i) => `m${i}@x.test`) }, own))).toBe('cc');
  });

  it('takes typed To, Cc and Bcc addresses, each once, Bcc never proposed', () => {
    const r = chosenRecipients(proposal, { to: ['ann@customer.test', 'carol@customer.test'], cc: ['bob@customer.test', 'Carol@customer.test'], bcc: ['boss@customer.test', 'BOB@customer.test'] }, own);
    expect(r).toEqual({ to: [a('ann@customer.test', 'Ann'), a('carol@customer.test')], cc: [a('bob@customer.test', 'Bob')], bcc: [a('boss@customer.test')] });
    // A new address goes out only when named: the suggestion stays out, and no Bcc is invented.
    expect(chosenRecipients(proposal, { bcc: [] }, own)).toEqual({ to: [requester], cc: [a('bob@customer.test', 'Bob')], bcc: [] });
    // A blind copy is kept lower-cased: the only trace that the person was copied, looked up by address.
    expect(chosenRecipients(proposal, { bcc: ['Boss@Customer.TEST'] }, own).bcc).toEqual([a('boss@customer.test')]);
  });

  it('refuses a typed address that is no mail address, or our own in Bcc, naming it', () => {
    const issue = (fn: () => unknown) => {
      try {
        fn();
        return null;
      } catch (err) {
        return isAppError(err, 'VALIDATION_FAILED') ? (err.details?.issues as Array<{ path: string; params?: { address?: string }; key: string }>)[0]! : null;
      }
    };
    expect(issue(() => chosenRecipients(proposal, { cc: ['not an address'] }, own))).toMatchObject({ path: 'cc', key: 'errors:issue.recipients.notAnAddress', params: { address: 'not an address' } });
    expect(issue(() => chosenRecipients(proposal, { bcc: ['Support@Example.test'] }, own))).toMatchObject({ path: 'bcc', key: 'errors:issue.recipients.ownAddress', params: { address: 'Support@Example.test' } });
    expect(issue(() => chosenRecipients(proposal, { to: ['ann@'] }, own))).toMatchObject({ path: 'to', params: { address: 'ann@' } });
    // Bcc counts towards the limit.
    expect(issue(() => chosenRecipients(proposal, { bcc: Array.from({ length: 49 }, (_, i) => `m${i}@x.test`) }, own))).toMatchObject({ path: 'bcc', key: 'errors:issue.recipients.tooMany' });
    expect(chosenRecipients(proposal, { bcc: Array.from({ length: 48 }, (_, i) => `m${i}@x.test`) }, own).bcc).toHaveLength(48);
  });
});

describe('addressBook', () => {
  it('lists each known address once, in the order given, with a name when one is known, never ours or a malformed one', () => {
    const book = addressBook([[requester], [a('bob@customer.test'), a('support@example.test')], [a('BOB@customer.test', 'Bob'), a('not an address'), a('carol@customer.test')]], own);
    expect(book).toEqual([requester, a('bob@customer.test', 'Bob'), a('carol@customer.test')]);
    expect(addressBook([Array.from({ length: 5 }, (_, i) => a(`p${i}@x.test`))], own, 3)).toHaveLength(3);
  });
});
