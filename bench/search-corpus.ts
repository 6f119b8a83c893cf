/**
 * Realistic text for the web bench's tickets, so searches meet what a help desk holds: a Zipf-distributed
 * vocabulary of 20k words per language (real English and French support words at the head, generated
 * word-like tokens in the tail), ~70% English / 25% French / 5% CJK conversations, error codes and
 * order numbers, messages of 20–300 words. Every ticket's `searchTerms` are what the live writes
 * store (see {@link liveSearchTerms}). Deterministic: everything comes from a generator seeded by the
 * ticket's number, so runs compare.
 */
import {
  addressTokens,
  cjkTerms,
  FROM_PREFIX,
  MAX_INDEXED_CHARS,
  MAX_MESSAGE_TERMS,
  MAX_TICKET_TERMS,
  messageSearchTerms,
  textTokens,
  ticketSearchTerms,
  TO_PREFIX,
  wordTerms,
} from '../src/domain/ticket-search.js';

/** A seeded generator of numbers in [0, 1) (mulberry32). */
export function rngFor(seed: number): () => number {
  let a = (seed * 2654435761) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** The words of a language, most frequent first. */
const VOCABULARY_SIZE = 20_000;
/** The Zipf exponent of word ranks (natural text is close to 1). */
const ZIPF_S = 1.05;

/* The head of each language, roughly by frequency in support mail (stop words included: a real text has them). */
const EN_HEAD = (
  'the to and you i a for is it of my on in this that with we please have not be can your are thanks but ' +
  'me was our at if as will do from hello hi regards thank help order account error issue problem invoice ' +
  'working still again today email login password customer support team reply send sent received attached ' +
  'number page screen time payment refund update app server question need would could just know when get ' +
  'new since yesterday able access change check fix ticket message link click button settings version browser ' +
  'report data file export upload download shipping delivery package tracking address phone mobile card credit_card ' +
  'charge charged subscription plan cancel renewal price discount billing invoices refunds orders errors failed ' +
  'failing crash crashed slow timeout connection network install installed reset locked blocked resolved solved ' +
  'urgent asap manager colleague customers users user admin administrator sync calendar printer warranty replacement ' +
  'damaged broken missing wrong duplicate late delay delayed confirm confirmation attachment screenshot log logs ' +
  'gateway database backup restore migration integration api key token expired renew certificate domain dns'
).split(' ');
const FR_HEAD = (
  'de la le et je les des est pas vous en un une pour que du il nous mais sur avec ne ce merci bonjour cordialement ' +
  'demande commande compte erreur problème facture factures mot_de_passe toujours encore aujourd’hui depuis hier client ' +
  'support équipe réponse envoyé reçu reçue pièce_jointe numéro écran paiement remboursement mise_à_jour application ' +
  'serveur question besoin pourriez pouvez savoir quand accès modifier vérifier corriger message lien cliquer bouton ' +
  'paramètres version navigateur rapport données fichier exporter télécharger livraison colis suivi adresse téléphone ' +
  'carte_bancaire prélèvement abonnement annuler résiliation prix remise facturation commandes erreurs échec échoué ' +
  'plantage lent délai connexion réseau installer installé réinitialiser bloqué bloquée résolu résolue réglé urgent ' +
  'rapidement responsable collègue clients utilisateurs utilisateur administrateur synchronisation calendrier ' +
  'imprimante garantie remplacement endommagé cassé manquant incorrect doublon retard retardée confirmer confirmation ' +
  'capture journal passerelle base_de_données sauvegarde restauration intégration clé jeton expiré renouveler certificat domaine ' +
  'relance attente impayée avoir créditée débité identifiant identifiants sécurité désolé désolée souhaite souhaiterais'
).split(' ');
/* Chinese support words; a message is written without spaces, so the search reads it as bigrams. */
const CJK_HEAD = (
  '您好 请 谢谢 问题 无法 登录 密码 发票 退款 订单 账户 错误 服务器 服务器错误 支付 付款 客户 支持 帮助 ' +
  '已经 还是 今天 昨天 邮件 附件 号码 页面 更新 应用 系统 网络 连接 超时 安装 重置 锁定 解决 紧急 ' +
  '管理员 用户 同步 日历 打印机 保修 更换 损坏 丢失 延迟 确认 截图 日志 数据库 备份 恢复 接口 密钥 证书 ' +
  '域名 订阅 取消 价格 折扣 账单 配送 快递 地址 电话 手机 银行卡 信用卡 扣款 重复 失败 崩溃 很慢 版本 浏览器'
).split(' ');

const EN_SYLLABLES = 'ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo za ze zi ar er in on or an en ex st tr pl gr'.split(' ');
const FR_SYLLABLES = 'ba bé bi bo da dé di do ga gé gi la lé li lo ma mé mi mo na né ni no pa pé pi po ra ré ri ro sa sé si so ta té ti to va vé vi vo an en on ou eu ai oi ch qu gn'.split(' ');
const EN_ENDINGS = ['', '', 'ing', 'ed', 's', 'er', 'tion', 'ly'];
const FR_ENDINGS = ['', '', 'ent', 'er', 'é', 'ée', 'tion', 'ment', 'eux'];

/* Word-like tokens for the tail: syllables from a number, so each rank has one token. */
function tailWords(syllables: readonly string[], endings: readonly string[], count: number, taken: Set<string>, seed: number): string[] {
  const r = rngFor(seed);
  const out: string[] = [];
  while (out.length < count) {
    const n = 2 + Math.floor(r() * 3);
    let w = '';
    for (let k = 0; k < n; k++) w += pick(r, syllables);
    w += pick(r, endings);
    if (!taken.has(w)) {
      taken.add(w);
      out.push(w);
    }
  }
  return out;
}

/** One language's words, most frequent first, and the cumulative Zipf distribution over them. */
interface Vocabulary {
  words: string[];
  cdf: Float64Array;
}

function vocabulary(head: readonly string[], tail: readonly string[]): Vocabulary {
  const words = [...head, ...tail];
  const cdf = new Float64Array(words.length);
  let sum = 0;
  for (let k = 0; k < words.length; k++) cdf[k] = sum += 1 / (k + 1) ** ZIPF_S;
  for (let k = 0; k < words.length; k++) cdf[k]! /= sum;
  return { words, cdf };
}

function draw(r: () => number, v: Vocabulary): string {
  const x = r();
  let lo = 0;
  let hi = v.cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v.cdf[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return v.words[lo]!;
}

/** The three vocabularies of the corpus. */
export interface Corpus {
  en: Vocabulary;
  fr: Vocabulary;
  cjk: Vocabulary;
}

/** Builds the corpus (the same every time). */
export function buildCorpus(): Corpus {
  const taken = new Set([...EN_HEAD, ...FR_HEAD]);
  return {
    en: vocabulary(EN_HEAD, tailWords(EN_SYLLABLES, EN_ENDINGS, VOCABULARY_SIZE - EN_HEAD.length, taken, 11)),
    fr: vocabulary(FR_HEAD, tailWords(FR_SYLLABLES, FR_ENDINGS, VOCABULARY_SIZE - FR_HEAD.length, taken, 13)),
    cjk: vocabulary(CJK_HEAD, []),
  };
}

/** The word at a rank of the English vocabulary (a rare word for a search: rank in the thousands). */
export function englishWordAt(corpus: Corpus, rank: number): string {
  return corpus.en.words[rank]!;
}

/** The language a conversation is written in. */
export type CorpusLanguage = 'en' | 'fr' | 'cjk';

/** ~70% English, 25% French, 5% CJK. */
export function conversationLanguage(r: () => number): CorpusLanguage {
  const x = r();
  return x < 0.7 ? 'en' : x < 0.95 ? 'fr' : 'cjk';
}

const ERROR_CODES = ['404', '500', '502', '503', '401', '403', '429', '504'];

/* A number as mail has them: mostly HTTP error codes, else an order or reference number. */
function numberWord(r: () => number): string {
  return r() < 0.7 ? pick(r, ERROR_CODES) : String(100_000 + Math.floor(r() * 9_900_000));
}

/** The text of one message: 20–300 words (most short), sentences, some numbers. */
export function messageText(r: () => number, corpus: Corpus, lang: CorpusLanguage): string {
  const length = 20 + Math.floor(280 * r() ** 2.2);
  const parts: string[] = [];
  let sentence = 0;
  for (let k = 0; k < length; k++) {
    // Multi-word entries ("mot_de_passe") are one word of the vocabulary.
    const word = r() < 0.015 ? numberWord(r) : draw(r, corpus[lang]).replace(/_/g, ' ');
    sentence++;
    const end = sentence > 6 && r() < 0.15;
    if (end) sentence = 0;
    if (lang === 'cjk') {
      // Chinese is written without spaces: a word of another script keeps its spaces around it.
      parts.push(/^[0-9]/.test(word) ? ` ${word} ` : word, end ? '。' : r() < 0.08 ? '，' : '');
    } else {
      parts.push(word + (end ? '.' : r() < 0.05 ? ',' : ''), ' ');
    }
  }
  return parts.join('').trim();
}

const SUBJECTS: Record<CorpusLanguage, { templates: string[]; topics: string[] }> = {
  en: { templates: [], topics: [] }, // English subjects come from the web bench's own generator.
  fr: {
    templates: ['Problème avec ma {t}', '{t} ne fonctionne plus depuis hier', 'Question sur la {t}', 'Urgent : échec de {t}', 'Re: {t} encore', 'Pouvez-vous m’aider pour {t} ?', 'Erreur sur {t}'],
    topics: ['facture', 'remboursement', 'connexion', 'mot de passe', 'livraison', 'commande', 'abonnement', 'export', 'imprimante', 'paiement', 'garantie', 'synchronisation'],
  },
  cjk: {
    templates: ['关于{t}的问题', '{t}无法使用', '紧急：{t}失败', '请帮忙处理{t}'],
    topics: ['发票', '退款', '登录', '密码', '订单', '账户', '支付', '服务器'],
  },
};

/** A subject in the conversation's language (English: the one given, from the bench's generator). */
export function subjectIn(r: () => number, lang: CorpusLanguage, english: string): string {
  if (lang === 'en') return english;
  const s = SUBJECTS[lang];
  return pick(r, s.templates).replace('{t}', pick(r, s.topics));
}

/** A stored message as far as its ticket's search terms go. */
export interface TermSource {
  direction: 'inbound' | 'outbound' | 'note';
  text: string;
  from: { address: string };
  to: Array<{ address: string }>;
  cc: Array<{ address: string }>;
}

/*
 * The domain's stem cache holds 20k words; a 40k-word corpus misses it often, and seeding a million
 * messages through it takes most of the seeding time. The same terms, from the same exported
 * functions, with every word's terms remembered: {@link liveSearchTerms} checks them against
 * `messageSearchTerms` itself on every 200th message, so they cannot drift from what live writes store.
 */
const wordMemo = new Map<string, readonly string[]>();

function memoTextTerms(text: string, max: number): string[] {
  const terms = new Set<string>();
  for (const token of textTokens(text.slice(0, MAX_INDEXED_CHARS))) {
    let of = token.kind === 'cjk' ? cjkTerms(token.text) : wordMemo.get(token.text);
    if (!of) wordMemo.set(token.text, (of = wordTerms(token.text)));
    for (const t of of) {
      terms.add(t);
      if (terms.size >= max) return [...terms];
    }
  }
  return [...terms];
}

/* `messageSearchTerms`, word terms remembered (same order, same bounds). */
function memoMessageTerms(m: { text: string; from?: { address: string }; recipients?: ReadonlyArray<{ address: string }> }): string[] {
  const terms = new Set<string>();
  if (m.from?.address) for (const token of addressTokens(FROM_PREFIX, m.from.address)) terms.add(token);
  for (const r of (m.recipients ?? []).slice(0, 20)) if (r.address) for (const token of addressTokens(TO_PREFIX, r.address)) terms.add(token);
  for (const term of memoTextTerms(m.text, MAX_MESSAGE_TERMS)) {
    if (terms.size >= MAX_MESSAGE_TERMS + 63) break;
    terms.add(term);
  }
  return [...terms];
}

let checked = 0;

/**
 * A ticket's `searchTerms` as the live writes leave them: its subject and requester's terms (ticket
 * creation), then each message's in order, added whole while the ticket holds fewer than
 * MAX_TICKET_TERMS (the `$addToSet` under the cap filter): customer mail with its sender and
 * recipients, agents' replies and notes with their text only.
 */
export function liveSearchTerms(ticket: { subject: string; requester: { email: string; name: string } }, messages: readonly TermSource[]): string[] {
  const terms = new Set(ticketSearchTerms(ticket));
  for (const m of messages) {
    if (terms.size >= MAX_TICKET_TERMS) break;
    const input = m.direction === 'inbound' ? { text: m.text, from: m.from, recipients: [...m.to, ...m.cc] } : { text: m.text };
    const add = memoMessageTerms(input);
    if (checked++ % 200 === 0 && JSON.stringify(add) !== JSON.stringify(messageSearchTerms(input))) {
      throw new Error(`the bench's message terms differ from messageSearchTerms for: ${m.text.slice(0, 200)}`);
    }
    for (const t of add) terms.add(t);
  }
  return [...terms];
}
