import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signInEveryRole, startPages } from './pages-harness.js';
import { seedTeamLoad } from './team-load-fixture.js';

let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let manager: Client;
let agent: Client;
let fx: Awaited<ReturnType<typeof seedTeamLoad>>;
const helpdesk = new Types.ObjectId();

const COLUMNS = ['Total', 'Urgent', 'High', 'Normal', 'Low', 'Under 1 day', '1 to 3 days', '3 to 7 days', 'Over 7 days'];

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=');

/** The HTML of the section of a team (its id) or of the tickets without a team (`none`); undefined when absent. */
function sectionOf(html: string, id: string): string | undefined {
  const start = html.indexOf(`<section class="team-load" aria-labelledby="team-${id}">`);
  return start < 0 ? undefined : html.slice(start, html.indexOf('</section>', start));
}

/** The rows of a section, by their first cell's text: each cell's number and link, by column name. */
function rowsOf(section: string): Map<string, Record<string, { n: number; url: string | null }>> {
  const rows = new Map<string, Record<string, { n: number; url: string | null }>>();
  for (const [, tr] of section.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)) {
    const first = /<td class="subject"[^>]*>([\s\S]*?)<\/td>/.exec(tr!);
    if (!first) continue;
    // The name, then its badges (away, not a member), without the email address under it.
    const name = first[1]!.replace(/<span class="address">[^<]*<\/span>/, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    const cells: Record<string, { n: number; url: string | null }> = {};
    for (const [, label, inner] of tr!.matchAll(/<td class="load-num[^"]*" data-label="([^"]*)">([\s\S]*?)<\/td>/g)) {
      const link = /<a href="([^"]+)"[^>]*>(\d+)<\/a>/.exec(inner!);
      cells[decode(label!)] = link ? { n: Number(link[2]), url: decode(link[1]!) } : { n: Number(inner), url: null };
    }
    rows.set(name, cells);
  }
  return rows;
}

/** A row's numbers in column order (Total, urgent … low, the four age buckets). */
const numbers = (row: Record<string, { n: number }> | undefined) => COLUMNS.map((c) => row?.[c]?.n);

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: helpdesk, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  const signed = await signInEveryRole(h, helpdesk);
  ({ admin, manager, agent } = signed);
  const max = (await h.models.User.findOne({ email: 'max@example.test' }).lean())!._id.toHexString();
  fx = await seedTeamLoad(h.models, helpdesk, { max, gina: signed.agentId });
});
afterAll(async () => h.close());

describe('/team-load', () => {
  it('shows an admin every team, by level then name, with each row’s numbers per priority and age', async () => {
    const page = await admin.get('/team-load');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Team load</h1>');
    expect(page.text).toMatch(/<a href="\/team-load" aria-current="page">Team load<\/a>/);
    const order = [...page.text.matchAll(/aria-labelledby="team-([0-9a-f]{24}|none)"/g)].map((m) => m[1]);
    expect(order).toEqual([fx.teams.accueil, fx.teams.facturation, fx.teams.reseau, 'none']);
    expect(sectionOf(page.text, fx.teams.reseau)).toContain('<span class="badge">L2</span>');

    const accueil = rowsOf(sectionOf(page.text, fx.teams.accueil)!);
    // Members first (Jules is disabled and has nothing open: not shown), then Iris who is not a member.
    expect([...accueil.keys()]).toEqual(['Gina', 'Hugo Away', 'Iris Away not a member', 'Unassigned', 'Whole team']);
    //                                      total urg high norm low  <1d 1-3 3-7 >7
    expect(numbers(accueil.get('Gina'))).toEqual([3, 1, 1, 1, 0, 1, 1, 0, 1]);
    expect(numbers(accueil.get('Hugo Away'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(numbers(accueil.get('Iris Away not a member'))).toEqual([1, 0, 0, 1, 0, 1, 0, 0, 0]);
    expect(numbers(accueil.get('Unassigned'))).toEqual([1, 0, 0, 0, 1, 0, 0, 1, 0]);
    expect(numbers(accueil.get('Whole team'))).toEqual([5, 1, 1, 2, 1, 2, 1, 1, 1]);

    expect(numbers(rowsOf(sectionOf(page.text, fx.teams.facturation)!).get('Iris Away'))).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 0]);
    const reseau = rowsOf(sectionOf(page.text, fx.teams.reseau)!);
    expect([...reseau.keys()]).toEqual(['Unassigned', 'Whole team']);
    expect(numbers(reseau.get('Unassigned'))).toEqual([1, 0, 1, 0, 0, 1, 0, 0, 0]);

    const none = rowsOf(sectionOf(page.text, 'none')!);
    expect([...none.keys()]).toEqual(['Gina', 'Unassigned', 'All without a team']);
    expect(numbers(none.get('Gina'))).toEqual([1, 0, 0, 0, 1, 0, 1, 0, 0]);
    expect(numbers(none.get('Unassigned'))).toEqual([2, 1, 0, 1, 0, 1, 0, 0, 1]);
    expect(numbers(none.get('All without a team'))).toEqual([3, 1, 0, 1, 1, 1, 1, 0, 1]);
  });

  it('links every number to the ticket list with the row’s filters', async () => {
    const page = await admin.get('/team-load');
    const accueil = rowsOf(sectionOf(page.text, fx.teams.accueil)!);
    const team = fx.teams.accueil;
    expect(accueil.get('Gina')!.Total!.url).toBe(`/tickets?assignee=${fx.users.gina}&team=${team}&status=active`);
    expect(accueil.get('Gina')!.Urgent!.url).toBe(`/tickets?assignee=${fx.users.gina}&team=${team}&status=active&priority=urgent`);
    expect(accueil.get('Gina')!['Over 7 days']!.url).toBe(`/tickets?assignee=${fx.users.gina}&team=${team}&status=active&age=over-7d`);
    expect(accueil.get('Hugo Away')!.Total!.url).toBe(`/tickets?assignee=${fx.users.hugo}&team=${team}&status=active`);
    expect(accueil.get('Unassigned')!['3 to 7 days']!.url).toBe(`/tickets?assignee=unassigned&team=${team}&status=active&age=3-7d`);
    expect(accueil.get('Whole team')!.Low!.url).toBe(`/tickets?team=${team}&status=active&priority=low`);
    const none = rowsOf(sectionOf(page.text, 'none')!);
    expect(none.get('Gina')!.Total!.url).toBe(`/tickets?assignee=${fx.users.gina}&team=none&status=active`);
    expect(none.get('Unassigned')!['Under 1 day']!.url).toBe('/tickets?assignee=unassigned&team=none&status=active&age=under-1d');
    expect(none.get('All without a team')!.Total).toEqual({ n: 3, url: '/tickets?team=none&status=active' });
  });

  it('counts in each team exactly the tickets its links list, for an admin and a manager', async () => {
    for (const client of [admin, manager]) {
      const page = await client.get('/team-load');
      const checked: string[] = [];
      for (const team of [fx.teams.accueil, fx.teams.reseau, 'none']) {
        for (const [row, cells] of rowsOf(sectionOf(page.text, team)!)) {
          for (const [column, { n, url }] of Object.entries(cells)) {
            const list = await client.get(url!);
            expect(list.status, url!).toBe(200);
            const listed = [...list.text.matchAll(/<td class="subject" data-label="[^"]*"><a href="\/tickets\/[0-9a-f]{24}">/g)].length;
            expect(listed, `${row} × ${column}: ${url}`).toBe(n);
            checked.push(url!);
          }
        }
      }
      // Seven team rows and three without a team, nine numbers each.
      expect(checked.length).toBe(10 * 9);
    }
  });

  it('shows a manager only their inboxes’ tickets and the teams that work them', async () => {
    const page = await manager.get('/team-load');
    expect(page.status).toBe(200);
    const order = [...page.text.matchAll(/aria-labelledby="team-([0-9a-f]{24}|none)"/g)].map((m) => m[1]);
    // Facturation works Billing only, which Max does not manage.
    expect(order).toEqual([fx.teams.accueil, fx.teams.reseau, 'none']);
    expect(numbers(rowsOf(sectionOf(page.text, fx.teams.accueil)!).get('Whole team'))).toEqual([5, 1, 1, 2, 1, 2, 1, 1, 1]);
    const none = rowsOf(sectionOf(page.text, 'none')!);
    expect(numbers(none.get('Unassigned'))).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(numbers(none.get('All without a team'))).toEqual([2, 1, 0, 0, 1, 0, 1, 0, 1]);
    expect(page.text).not.toContain('Facturation');
  });

  it('refuses an agent with 403 and gives them no link to it', async () => {
    const page = await agent.get('/team-load');
    expect(page.status).toBe(403);
    expect(page.text).toContain('Team load is for managers and admins');
    expect((await agent.get('/')).text).not.toContain('href="/team-load"');
    expect((await manager.get('/')).text).toContain('href="/team-load"');
  });

  it('sends a visitor to sign in', async () => {
    const res = await new Client(h.base).get('/team-load');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fteam-load');
  });

  it('is in French for a French user', async () => {
    await h.models.User.updateOne({ email: 'ada@example.test' }, { $set: { locale: 'fr' } });
    const page = await admin.get('/team-load');
    await h.models.User.updateOne({ email: 'ada@example.test' }, { $set: { locale: null } });
    expect(page.text).toContain('<h1>Charge des équipes</h1>');
    const accueil = rowsOf(sectionOf(page.text, fx.teams.accueil)!);
    expect([...accueil.keys()]).toEqual(['Gina', 'Hugo Absent', 'Iris Absent hors équipe', 'Non attribuées', 'Toute l’équipe']);
    expect(accueil.get('Gina')!['Plus de 7 jours']!.n).toBe(1);
    expect(sectionOf(page.text, fx.teams.reseau)).toContain('<span class="badge">N2</span>');
  });
});
