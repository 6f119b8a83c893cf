import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startPagesWithManager, type startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let manager: Client;
const inboxId = new Types.ObjectId();
const page = () => `/settings/inboxes/${inboxId.toHexString()}/auto-reply`;
const nestedRootEach = (levels: number) => `${'{{#each @root}}'.repeat(levels)}{{@key}}${'{{/each}}'.repeat(levels)}`;

beforeAll(async () => {
  ({ h, manager } = await startPagesWithManager(inboxId));
});
afterAll(async () => h.close());

describe('auto-reply text with nested {{#each @root}} was saved and stalled the preview', () => {
  it('refuses 12 levels on save with a message naming the problem, and keeps the stored text', async () => {
    const csrf = Client.csrf((await manager.get(page())).text);
    const started = performance.now();
    const res = await manager.post(page(), { _csrf: csrf, enabled: 'on', subject: '', template: `Hi\n${nestedRootEach(12)}`, action: 'save' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Text: {{#each @root}} on line 2 is inside another {{#each}}');
    expect((await h.models.Inbox.findById(inboxId).lean())!.autoReply).toMatchObject({ overrides: { en: { template: null } } });
  });

  it('a text stored before the check shows its problem on the settings page at once instead of rendering for seconds', async () => {
    await h.models.Inbox.updateOne({ _id: inboxId }, { $set: { 'autoReply.overrides.en.template': nestedRootEach(8) } });
    const started = performance.now();
    const res = await manager.get(page());
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(200);
    expect(res.text).toContain('{{#each @root}} on line 1 is inside another {{#each}}');
  });
});
