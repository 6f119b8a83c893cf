/**
 * Routing rules benchmark: 10,000 tickets' first mails through 50 rules of every kind of condition.
 * Prints the CPU per mail of evaluating the rules (compiled once) and of the routing job's whole pure
 * work (the mail's facts: header block, subject and body terms; then the evaluation),
 * each against a baseline measured in the same run: the CPU per mail of ingest's own pure work on
 * the same mails (parsing with mailparser, language detection, search terms). That baseline leaves
 * out threading, HTML cleaning and every database round trip, so it is smaller than ingest's real
 * cost and the ratios printed are upper bounds. Target: rule evaluation ≤ 10% of ingest per mail.
 *
 * Run: `npm run bench -- routing`. BENCH_N (default 10000) and BENCH_RULES (default 50) change the sizes.
 */
import { performance } from 'node:perf_hooks';
import { compileRoutingRules, evaluateRouting, rawHeaders, routingMailFacts, type RoutingCondition, type RoutingMailFacts, type RoutingRule } from '../src/domain/routing-rules.js';
import { messageSearchTerms, ticketSearchTerms } from '../src/domain/ticket-search.js';
import { parseMail } from '../src/mail/parse-mail.js';
import { detectLocale, ownWords } from '../src/services/ingest/customer-locale.js';
import { printTable } from './stats.js';
import { seededRandom } from '../test/helpers/random.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const RULES = Number(process.env.BENCH_RULES ?? 50);
const INBOXES = ['aaaaaaaaaaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaaaaaaaaaa2', 'aaaaaaaaaaaaaaaaaaaaaaa3'];
const TEAM = 'bbbbbbbbbbbbbbbbbbbbbbb1';
const OFFICE = { timeZone: 'Europe/Paris', weekly: [1, 2, 3, 4, 5].map((day) => ({ day: day as 1, open: '09:00', close: '18:00' })), holidays: [] };

const rnd = seededRandom(17);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

const EN = 'invoice payment refund account password login error crash printer network delivery order shipping contract renewal license upgrade server outage slow email calendar report export import billing receipt subscription cancel access permission'.split(' ');
const FR = 'facture paiement remboursement compte motdepasse connexion erreur panne imprimante réseau livraison commande expédition contrat renouvellement licence serveur lenteur courriel agenda rapport exportation abonnement résiliation accès droits relance devis'.split(' ');
const FILL_EN = 'hello please could you help we have a problem since yesterday with the thanks regards our team cannot when trying to it says again after update'.split(' ');
const FILL_FR = 'bonjour pourriez-vous nous aider depuis hier avec le la les merci cordialement notre équipe ne peut pas quand on essaie de il indique encore après mise à jour'.split(' ');
const DOMAINS = ['example.com', 'client.fr', 'acme.io', 'mail.example.org', 'gmail.com', 'orange.fr', 'partner.de', 'big-corp.com'];

/** One customer's first mail: a subject and a body of 80–250 words in English or French, sometimes with a priority header or a file. */
function mail(i: number): { raw: Buffer; inboxId: string } {
  const french = rnd() < 0.4;
  const [topic, fill] = french ? [FR, FILL_FR] : [EN, FILL_EN];
  const words = (n: number) => Array.from({ length: n }, () => (rnd() < 0.2 ? pick(topic) : pick(fill))).join(' ');
  const subject = `${pick(topic)} ${words(4)}`;
  const body = `${words(20 + Math.floor(rnd() * 60))}.\n\n${words(60 + Math.floor(rnd() * 170))}.\n\n-- \nJ. Doe`;
  const headers = [
    `From: Customer ${i} <c${i}@${pick(DOMAINS)}>`,
    'To: support@example.test',
    `Subject: ${subject}`,
    `Date: ${new Date(Date.UTC(2026, 10, 2 + (i % 28), i % 24, i % 60)).toUTCString()}`,
    `Message-ID: <m${i}@bench.test>`,
    'MIME-Version: 1.0',
    ...(rnd() < 0.1 ? ['X-Priority: 1 (Highest)'] : []),
  ];
  const withFile = rnd() < 0.15;
  const text = withFile
    ? ['Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, '--b', 'Content-Type: application/pdf; name="scan.pdf"', 'Content-Disposition: attachment; filename="scan.pdf"', 'Content-Transfer-Encoding: base64', '', Buffer.alloc(600, i % 251).toString('base64'), '--b--', '']
    : ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, ''];
  return { raw: Buffer.from([...headers, ...text].join('\r\n')), inboxId: pick(INBOXES) };
}

/** 50 rules of every kind, some negated, a few stopping, spread so that most mails match a few. */
function rules(n: number): RoutingRule[] {
  const kinds: Array<() => RoutingCondition[]> = [
    () => [{ kind: 'subject', words: [pick(EN), pick(FR)] }],
    () => [{ kind: 'body', words: [pick(EN), `${pick(FR)} ${pick(FR)}`] }],
    () => [{ kind: 'sender', values: [pick(DOMAINS), `c${Math.floor(rnd() * N)}@example.com`] }],
    () => [{ kind: 'inbox', inboxIds: [pick(INBOXES)] }, { kind: 'subject', words: [pick(EN)], negate: rnd() < 0.3 }],
    () => [{ kind: 'header', name: 'X-Priority', op: 'contains', value: '1' }],
    () => [{ kind: 'language', languages: ['fr'] }, { kind: 'body', words: [pick(FR)] }],
    () => [{ kind: 'businessHours', negate: rnd() < 0.5 }, { kind: 'subject', words: [pick(EN), pick(FR)] }],
    () => [{ kind: 'attachment' }, { kind: 'sender', values: [pick(DOMAINS)], negate: true }],
  ];
  return Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    name: `Rule ${i + 1}`,
    enabled: true,
    order: i + 1,
    onReplies: false,
    stop: i % 17 === 16,
    conditions: kinds[i % kinds.length]!(),
    actions: [i % 3 === 0 ? { kind: 'team', teamId: TEAM } : i % 3 === 1 ? { kind: 'tags', tags: [`t${i}`] } : { kind: 'impactUrgency', impact: 'high', urgency: 'medium' }],
  }));
}

/** CPU microseconds (user + system) spent by `fn`. */
function cpu(fn: () => void | Promise<void>): Promise<number> | number {
  const start = process.cpuUsage();
  const done = () => {
    const d = process.cpuUsage(start);
    return d.user + d.system;
  };
  const out = fn();
  return out instanceof Promise ? out.then(done) : done();
}

async function main(): Promise<void> {
  console.log(`routing: ${N} tickets' first mails through ${RULES} rules`);
  const mails = Array.from({ length: N }, (_, i) => mail(i));
  const started = performance.now();
  const compiled = compileRoutingRules(rules(RULES));
  const compileMs = performance.now() - started;

  // Ingest's own pure work per mail: parse, language, search terms (kept for the routing passes).
  const parsed: Array<{ subject: string; text: string; from: string | null; attachments: Array<{ inline: boolean }>; language: string | null }> = [];
  const ingestPass = async () => {
    parsed.length = 0;
    for (const m of mails) {
      const p = await parseMail(m.raw, { maxBytes: 30 * 1024 * 1024 });
      const guess = detectLocale(ownWords(p));
      messageSearchTerms({ text: p.text, from: p.from, recipients: [...p.to, ...p.cc] });
      ticketSearchTerms({ subject: p.subject, requester: { email: p.from?.address ?? '', name: p.from?.name ?? null } });
      parsed.push({ subject: p.subject, text: p.text ?? '', from: p.from?.address ?? null, attachments: p.attachments.map((a) => ({ inline: a.inline ?? false })), language: guess?.locale ?? null });
    }
  };
  // The routing job's pure work per mail: the header block when a rule reads headers, terms, language when a rule reads it; then the rules.
  const facts: RoutingMailFacts[] = [];
  const factsPass = () => {
    facts.length = 0;
    for (let i = 0; i < N; i++) {
      const m = mails[i]!;
      const p = parsed[i]!;
      facts.push(
        routingMailFacts({
          inboxId: m.inboxId,
          from: p.from,
          subject: p.subject,
          text: p.text,
          headers: compiled.needsHeaders ? rawHeaders(m.raw) : null,
          attachments: p.attachments,
          // The job reads the language ingest detected and remembered for the customer (one look-up, no CPU here).
          language: compiled.needsLanguage ? p.language : null,
          isReply: false,
        }),
      );
    }
  };
  let matchedRules = 0;
  let actions = 0;
  const evaluatePass = () => {
    matchedRules = 0;
    actions = 0;
    for (let i = 0; i < N; i++) {
      const out = evaluateRouting(compiled, facts[i]!, { businessHours: OFFICE }, new Date(Date.UTC(2026, 10, 2 + (i % 28), i % 24)));
      matchedRules += out.matched.length;
      actions += out.actions.length;
    }
  };

  // One warm-up round of each (JIT, stem cache), then the measured rounds.
  await ingestPass();
  factsPass();
  evaluatePass();
  const ROUNDS = 3;
  const ingestUs: number[] = [];
  const factsUs: number[] = [];
  const evalUs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ingestUs.push(await cpu(ingestPass));
    factsUs.push(await cpu(factsPass));
    evalUs.push(await cpu(evaluatePass));
  }
  const perMail = (values: number[]) => Math.min(...values) / N;
  const ingest = perMail(ingestUs);
  const evaluation = perMail(evalUs);
  const job = perMail(factsUs) + evaluation;
  console.log(`rule set compiled once in ${compileMs.toFixed(1)} ms; per mail ${(matchedRules / N).toFixed(2)} rules matched, ${(actions / N).toFixed(2)} actions`);
  console.log(`best of ${ROUNDS} rounds, CPU per mail (user + system):`);
  printTable(
    ['work per mail', 'CPU µs', 'vs ingest'],
    [
      ['ingest baseline (parse, language, search terms)', ingest.toFixed(1), '100%'],
      [`rule evaluation (${RULES} rules, compiled)`, evaluation.toFixed(2), `${((evaluation / ingest) * 100).toFixed(2)}%`],
      ['routing job, pure work (facts + evaluation)', job.toFixed(1), `${((job / ingest) * 100).toFixed(1)}%`],
    ],
  );
  const ok = evaluation / ingest <= 0.1;
  console.log(`rule evaluation adds ${((evaluation / ingest) * 100).toFixed(2)}% to ingest CPU per mail: ${ok ? 'within' : 'OVER'} the 10% target`);
  if (!ok) process.exitCode = 1;
}

await main();
