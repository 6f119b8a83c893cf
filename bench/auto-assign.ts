/**
 * Auto-assignment benchmark: 10,000 tickets handed out round-robin across a team of 8, on the built-in
 * database (in memory), through the real use case (lease, open counts read from the tickets,
 * conditional write, trail entry, notification). Agents go away and come back now and then; after each
 * assignment an available agent solves one of their tickets at random 95% of the time, so the backlog
 * grows slowly and unevenly. An agent away solves nothing and gets nothing.
 *
 * Prints max − min open tickets per agent (target ≤ 1) among the agents available after each
 * assignment: over the whole run, and outside the catch-up of an agent back from away (who then gets
 * every ticket until level with the others); the spread at the end; and the time per assignment against
 * a baseline measured in the same run: assigning by hand (one ticket write with its trail entry).
 *
 * Run: `npm run bench -- auto-assign`. BENCH_N (default 10000) and BENCH_AGENTS (default 8) change the sizes.
 */
import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import { openSpread } from '../src/domain/auto-assign.js';
import { startDevDb } from '../src/devdb/server.js';
import { refillTeamsOfMember } from '../src/services/teams/assignment-refill.js';
import { autoAssignTicket } from '../src/services/teams/auto-assign-ticket.js';
import type { JobScheduler } from '../src/services/ports.js';
import { connectMongo } from '../src/store/database.js';
import { createModels, ensureIndexes } from '../src/store/models/index.js';
import { createStores } from '../src/store/stores.js';
import { percentile, printTable } from './stats.js';
import { seededRandom } from '../test/helpers/random.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 8);
const BASELINE = 1000;

const rnd = seededRandom(7);
const noJobs: JobScheduler = { schedule: async () => {}, cancel: async () => {}, cancelMatching: async () => {}, replaceMatching: async () => {}, scheduleRecurring: async () => {} };

const server = await startDevDb({ host: '127.0.0.1', port: 0 });
const pino = (await import('pino')).default;
const conn = await connectMongo(server.uri, { serverSelectionTimeoutMs: 5000, dbName: 'auto_assign_bench' }, pino({ level: 'silent' }));
const models = createModels(conn);
await ensureIndexes(models);
const stores = createStores(models);
const deps = { ...stores, scheduler: noJobs };

try {
  const inboxId = new Types.ObjectId();
  await models.Inbox.create({ _id: inboxId, name: 'Helpdesk', address: 'help@bench.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  const agents = await models.User.insertMany(Array.from({ length: AGENTS }, (_, i) => ({ email: `agent${i}@bench.test`, name: `Agent ${i}`, role: 'agent', passwordHash: 'x', inboxIds: [inboxId] })));
  const ids = agents.map((a) => a._id as Types.ObjectId);
  const team = await models.Team.create({ name: 'L1', level: 'L1', inboxIds: [inboxId], memberIds: ids, assignment: { mode: 'round_robin', cap: null, pointer: 0 } });
  let number = 0;
  const newTicket = async () => (await models.Ticket.create({ number: ++number, inboxId, teamId: team._id, subject: `Ticket ${number}`, requester: { email: `c${number % 500}@customer.test` }, status: 'new' }))._id;

  // Baseline: the same tickets assigned by hand, in turns (one write and its trail entry each).
  const base: number[] = [];
  for (let i = 0; i < BASELINE; i++) {
    const id = await newTicket();
    const t = performance.now();
    await stores.tickets.write(id, { changes: { assigneeId: ids[i % AGENTS]! } }, [{ ticketId: id, type: 'assigned', actor: { kind: 'user', id: ids[0]! }, at: new Date(), data: { to: ids[i % AGENTS]! } }]);
    base.push(performance.now() - t);
  }
  await models.Ticket.updateMany({ teamId: team._id }, { $set: { status: 'closed' } });

  const open = new Map(ids.map((id) => [id.toHexString(), [] as Types.ObjectId[]]));
  const away = new Set<string>();
  const times: number[] = [];
  let maxSpread = 0;
  let maxSteady = 0;
  let steadyAssignments = 0;
  let steadyWithinOne = 0;
  // After an agent comes back, until the available agents are within one of each other again: the one
  // back (fewer open) gets every ticket, or (more open) waits while the others catch up.
  let catchingUp = false;
  let waited = 0;
  let toggles = 0;
  const counts = (only: 'available' | 'all') => ids.filter((id) => only === 'all' || !away.has(id.toHexString())).map((id) => ({ open: open.get(id.toHexString())!.length }));

  for (let i = 0; i < N; i++) {
    // Now and then an agent goes away, or one away comes back (the refill assigns what waited).
    if (i > 0 && i % 400 === 0) {
      const agent = ids[Math.floor(rnd() * AGENTS)]!;
      const key = agent.toHexString();
      toggles++;
      if (away.has(key)) {
        away.delete(key);
        await stores.users.setAway(agent, false, new Date());
        await refillTeamsOfMember(deps, agent, { now: new Date() });
        catchingUp = true;
      } else if (away.size < AGENTS - 1) {
        away.add(key);
        await stores.users.setAway(agent, true, new Date());
      }
    }
    if (i > 0 && i % 1000 === 0) console.error(`… ${i} assigned, p50 so far ${percentile(times, 50).toFixed(1)} ms`);
    const id = await newTicket();
    const t = performance.now();
    const res = await autoAssignTicket(deps, id, team._id, { now: new Date(), by: 'bench' });
    times.push(performance.now() - t);
    if (res.waiting) waited++;
    if (res.assigneeId) open.get(res.assigneeId.toHexString())!.push(id);

    const available = counts('available');
    const spread = openSpread(available);
    maxSpread = Math.max(maxSpread, spread);
    if (catchingUp && spread <= 1) catchingUp = false;
    if (!catchingUp) {
      steadyAssignments++;
      if (spread <= 1) steadyWithinOne++;
      maxSteady = Math.max(maxSteady, spread);
    }

    // An available agent solves one of their tickets, picked at random, most of the time.
    if (rnd() < 0.95) {
      const solvers = ids.filter((a) => !away.has(a.toHexString()) && open.get(a.toHexString())!.length > 0);
      if (solvers.length > 0) {
        const list = open.get(solvers[Math.floor(rnd() * solvers.length)]!.toHexString())!;
        const [solved] = list.splice(Math.floor(rnd() * list.length), 1);
        await stores.tickets.write(solved!, { changes: { status: 'solved', solvedAt: new Date() } });
      }
    }
  }
  // Everyone back, then one more round each: where the team ends.
  for (const key of [...away]) {
    const agent = new Types.ObjectId(key);
    away.delete(key);
    await stores.users.setAway(agent, false, new Date());
    await refillTeamsOfMember(deps, agent, { now: new Date() });
  }
  for (let i = 0; i < AGENTS * 20; i++) {
    const id = await newTicket();
    const res = await autoAssignTicket(deps, id, team._id, { now: new Date(), by: 'bench' });
    if (res.assigneeId) open.get(res.assigneeId.toHexString())!.push(id);
  }
  // What the database says, not the bench's own bookkeeping.
  const stored = await stores.tickets.countOpenOfTeamByAssignee(team._id);
  const finalSpread = openSpread(ids.map((id) => ({ open: stored.get(id.toHexString()) ?? 0 })));

  console.log(`${N} tickets round-robin across ${AGENTS} agents, ${toggles} away toggles, ${waited} waited (all away), solves at random by available agents`);
  printTable(['figure', 'value'], [
    ['max − min open, available agents, after each assignment (whole run)', String(maxSpread)],
    ['max − min open, outside the catch-up after an agent comes back', String(maxSteady)],
    ['assignments with max − min ≤ 1 (outside catch-up)', `${steadyWithinOne} / ${steadyAssignments}`],
    ['max − min open at the end, all agents (from the tickets)', String(finalSpread)],
    ['open per agent at the end', ids.map((id) => String(stored.get(id.toHexString()) ?? 0)).join(' ')],
    ['auto-assign p50 / p95 (ms)', `${percentile(times, 50).toFixed(2)} / ${percentile(times, 95).toFixed(2)}`],
    ['auto-assign mean (ms)', (times.reduce((a, b) => a + b, 0) / times.length).toFixed(2)],
    ['baseline: assign by hand p50 / p95 (ms)', `${percentile(base, 50).toFixed(2)} / ${percentile(base, 95).toFixed(2)}`],
    ['auto-assign p50 ÷ by hand p50', (percentile(times, 50) / percentile(base, 50)).toFixed(1)],
  ]);
  if (maxSteady > 1 || finalSpread > 1) process.exitCode = 1;
} finally {
  await conn.close();
  await server.close();
}
