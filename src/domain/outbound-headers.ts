import { isValidMessageId } from './mail-headers.js';
import { looksLikeReply, subjectWithToken } from './threading.js';

/** Ids kept after the thread root in References; clients cope with far more, but nobody needs them. */
const RECENT_REFERENCES = 20;

const TICKET_TOKENS = /\s*\[#\d{1,12}\]\s*/g;

/** The message a reply answers, as far as threading is concerned. Ids may carry angle brackets. */
export interface ReplyParent {
  messageId: string | null;
  references: string[];
  inReplyTo: string | null;
}

/** A stored or header id without its angle brackets, or null when it cannot be written into a header. */
function emittable(id: string | null | undefined): string | null {
  const bare = id?.trim().replace(/^<([^<>]*)>$/, '$1');
  return bare && isValidMessageId(bare) ? bare : null;
}

/**
 * In-Reply-To and References for a reply (RFC 5322 §3.6.4): References is the parent's References
 * (or, when it has none, its In-Reply-To if that names exactly one id) followed by the parent's
 * Message-ID. Ids come back without angle brackets, deduplicated (case-insensitively, the first
 * spelling wins), and capped to the thread root plus the 20 most recent, so the chain stays
 * anchored to the conversation's first message while the header stays short. An id that fails
 * {@link isValidMessageId} (stored before that rule, or from a bad header) is left out: the reply
 * threads a little less well rather than not going out at all.
 */
export function replyThreading(parent: ReplyParent): { inReplyTo: string | null; references: string[] } {
  const own = emittable(parent.messageId);
  let chain = parent.references.map(emittable).filter((id): id is string => id !== null);
  if (chain.length === 0 && parent.inReplyTo !== null) {
    const single = emittable(parent.inReplyTo);
    if (single) chain = [single];
  }

  const seen = new Set<string>(own ? [own.toLowerCase()] : []);
  const unique: string[] = [];
  for (const id of chain) {
    const key = id.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(id);
  }
  if (own) unique.push(own);

  const references = unique.length > RECENT_REFERENCES + 1 ? [unique[0]!, ...unique.slice(-RECENT_REFERENCES)] : unique;
  return { inReplyTo: own, references };
}

/**
 * Headers that mark a message we send without a person: `Auto-Submitted` (RFC 3834 §5),
 * `X-Auto-Response-Suppress: All` (Exchange/Outlook stop their out-of-office replies),
 * `Precedence: bulk` (older vacation programs honour only this) and our `X-Loop`, which our own
 * policy recognises when the message comes back.
 */
export function automatedHeaders(kind: 'auto-replied' | 'auto-generated', loopId: string): Record<string, string> {
  return {
    'Auto-Submitted': kind,
    'X-Auto-Response-Suppress': 'All',
    Precedence: 'bulk',
    'X-Loop': loopId,
  };
}

/**
 * The subject of our reply: the original with one `Re: ` in front unless it already starts with a
 * reply or forward prefix in any language (`Re:`, `AW:`, `SV:`, `Fwd:` …, see looksLikeReply), and
 * exactly one ticket token `[#n]` at the end, replacing any token it carried.
 */
export function replySubject(original: string, ticketNumber: number): string {
  const bare = original.replace(TICKET_TOKENS, ' ').replace(/\s+/g, ' ').trim();
  return subjectWithToken(looksLikeReply(bare) ? bare : `Re: ${bare}`, ticketNumber);
}
