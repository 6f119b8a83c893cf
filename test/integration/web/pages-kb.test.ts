import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let manager: Client;
let agent: Client;
let agentId: string;
const inbox = new Types.ObjectId();

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  ({ admin, manager, agent, agentId } = await signInEveryRole(h, inbox));
});
afterAll(async () => h.close());

const idFrom = (location: string | null) => /^\/kb\/([0-9a-f]{24})\?saved=/.exec(location ?? '')?.[1] ?? '';

describe('/kb for editors', () => {
  let articleId = '';

  it('links the knowledge base in the top navigation for every role', async () => {
    for (const client of [admin, manager, agent]) expect((await client.get('/tickets')).text).toContain('<a href="/kb" title="Knowledge base" ');
  });

  it('previews without saving, then saves a draft and shows it', async () => {
    const form = await manager.get('/kb/new');
    expect(form.status).toBe(200);
    const csrf = Client.csrf(form.text);
    const fields = { _csrf: csrf, title: 'Reset your password', body: '## Steps\r\n\r\nOpen **Account** <script>alert(1)</script>', language: 'en', visibility: 'public', status: 'draft', categoryId: '', tags: 'account, Password' };
    const preview = await manager.post('/kb', { ...fields, action: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('<h2>Steps</h2>');
    expect(preview.text).toContain('Open <strong>Account</strong>');
    expect(preview.text).not.toContain('<script>alert');
    expect(await h.models.KbArticle.countDocuments()).toBe(0);
    const saved = await manager.post('/kb', { ...fields, action: 'save' });
    expect(saved.status).toBe(303);
    articleId = idFrom(saved.headers.get('location'));
    const stored = (await h.models.KbArticle.findById(articleId).lean())!;
    expect(stored).toMatchObject({ slug: 'reset-your-password', status: 'draft', tags: ['account', 'password'], body: '## Steps\n\nOpen **Account** <script>alert(1)</script>' });
    const page = await manager.get(`/kb/${articleId}?saved=created`);
    expect(page.text).toContain('Article created.');
    expect(page.text).toContain(`href="/kb/${articleId}/edit"`);
  });

  it('keeps what was typed and names the field when a save is refused', async () => {
    const form = await manager.get(`/kb/${articleId}/edit`);
    const refused = await manager.post(`/kb/${articleId}`, { _csrf: Client.csrf(form.text), title: '   ', body: 'Changed text', visibility: 'public', status: 'published', categoryId: '', tags: '', action: 'save' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('>Changed text</textarea>');
    expect(refused.text).toMatch(/name="title" value=" {3}" required maxlength="200" aria-invalid="true"/);
  });

  it('publishes with a new revision, lists revisions and restores one', async () => {
    const form = await manager.get(`/kb/${articleId}/edit`);
    const csrf = Client.csrf(form.text);
    const saved = await manager.post(`/kb/${articleId}`, { _csrf: csrf, title: 'Reset your password', body: 'New steps.', visibility: 'public', status: 'published', categoryId: '', tags: 'account', action: 'save' });
    expect(saved.headers.get('location')).toBe(`/kb/${articleId}?saved=updated`);
    const history = await manager.get(`/kb/${articleId}/revisions`);
    expect(history.status).toBe(200);
    expect(history.text).toContain(`action="/kb/${articleId}/revisions/1/restore"`);
    expect(history.text).not.toContain(`action="/kb/${articleId}/revisions/2/restore"`);
    const restored = await manager.post(`/kb/${articleId}/revisions/1/restore`, { _csrf: Client.csrf(history.text) });
    expect(restored.headers.get('location')).toBe(`/kb/${articleId}?saved=restored`);
    expect((await h.models.KbArticle.findById(articleId).lean())!).toMatchObject({ revision: 3, status: 'published', body: '## Steps\n\nOpen **Account** <script>alert(1)</script>' });
    const page = await agent.get(`/kb/${articleId}`);
    // Marked as a preview, so an agent following it is not counted as a reader.
    expect(page.text).toContain('href="/help/en/reset-your-password?preview"');
  });

  it('lists and filters articles, and searches them by words', async () => {
    const list = await agent.get('/kb?q=passwords');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`<a href="/kb/${articleId}">Reset your password</a>`);
    expect((await agent.get('/kb?q=printer')).text).toContain('No article matches.');
    expect((await manager.get('/kb?status=draft')).text).not.toContain(`/kb/${articleId}"`);
  });
});

describe('/kb for agents', () => {
  it('lets agents read but not write, until an admin allows them', async () => {
    expect((await agent.get('/kb')).text).not.toContain('href="/kb/new"');
    expect((await agent.get('/kb/new')).status).toBe(403);
    const userPage = await admin.get(`/settings/users/${agentId}`);
    expect(userPage.text).toContain(`action="/settings/users/${agentId}/kb-editor"`);
    const granted = await admin.post(`/settings/users/${agentId}/kb-editor`, { _csrf: Client.csrf(userPage.text) });
    expect(granted.headers.get('location')).toBe(`/settings/users/${agentId}?saved=kb-editor`);
    expect((await h.models.User.findById(agentId).lean())!.kbEditor).toBe(true);
    expect((await agent.get('/kb/new')).status).toBe(200);
    expect((await agent.get('/kb')).text).toContain('href="/kb/new"');
  });
});

describe('/settings/kb-categories', () => {
  it('lets managers add, rename and delete empty categories, and is refused to agents', async () => {
    expect((await manager.get('/settings')).text).toContain('href="/settings/kb-categories"');
    const page = await manager.get('/settings/kb-categories');
    expect(page.status).toBe(200);
    const csrf = Client.csrf(page.text);
    expect((await manager.post('/settings/kb-categories', { _csrf: csrf, name: 'Compte et accès', language: 'fr', description: '', position: '1' })).headers.get('location')).toBe('/settings/kb-categories?saved=created');
    expect((await manager.post('/settings/kb-categories', { _csrf: csrf, name: 'compte et acces', language: 'fr', description: '', position: '' })).headers.get('location')).toBe('/settings/kb-categories?error=taken');
    const category = (await h.models.KbCategory.findOne({ name: 'Compte et accès' }).lean())!;
    expect(category.slug).toBe('compte-et-acces');
    await manager.post(`/settings/kb-categories/${category._id.toHexString()}`, { _csrf: csrf, name: 'Compte', description: 'Mots de passe, accès', position: '2' });
    expect((await h.models.KbCategory.findById(category._id).lean())!).toMatchObject({ name: 'Compte', slug: 'compte', position: 2 });
    expect((await manager.post(`/settings/kb-categories/${category._id.toHexString()}/delete`, { _csrf: csrf })).headers.get('location')).toBe('/settings/kb-categories?saved=deleted');
    expect((await agent.get('/settings/kb-categories')).status).toBe(403);
  });
});
