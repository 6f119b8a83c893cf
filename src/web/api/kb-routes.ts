import { Router } from 'express';
import { archiveKbArticle } from '../../services/kb/archive-kb-article.js';
import { createKbArticle } from '../../services/kb/create-kb-article.js';
import { createKbCategory } from '../../services/kb/create-kb-category.js';
import { deleteKbCategory } from '../../services/kb/delete-kb-category.js';
import { getKbArticle } from '../../services/kb/get-kb-article.js';
import { listKbArticles } from '../../services/kb/list-kb-articles.js';
import { listKbCategories } from '../../services/kb/list-kb-categories.js';
import { listKbRevisions } from '../../services/kb/list-kb-revisions.js';
import { getKbStats } from '../../services/kb/kb-stats.js';
import { restoreKbRevision } from '../../services/kb/restore-kb-revision.js';
import { updateKbArticle } from '../../services/kb/update-kb-article.js';
import { updateKbCategory } from '../../services/kb/update-kb-category.js';
import type { Stores } from '../../store/stores.js';
import { principalOf } from './authenticate.js';

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** `/kb/articles` and `/kb/categories`: the knowledge base for API users (the same use cases as the pages). */
export function kbRoutes(routeDeps: { stores: Stores; now: () => Date }): Router {
  const deps = { ...routeDeps.stores, now: routeDeps.now };
  const router = Router();
  router.get('/kb/articles', async (req, res) => {
    const limit = text(req.query.limit);
    const page = await listKbArticles(deps, principalOf(res).actor, {
      status: text(req.query.status),
      language: text(req.query.language),
      category: text(req.query.category),
      q: text(req.query.q),
      cursor: text(req.query.cursor),
      ...(limit && /^\d{1,4}$/.test(limit) ? { limit: Number(limit) } : {}),
    });
    res.json(page);
  });
  router.post('/kb/articles', async (req, res) => {
    res.status(201).json(await createKbArticle(deps, principalOf(res).actor, req.body));
  });
  router.get('/kb/articles/:id', async (req, res) => {
    res.json(await getKbArticle(deps, principalOf(res).actor, req.params.id));
  });
  router.patch('/kb/articles/:id', async (req, res) => {
    res.json(await updateKbArticle(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/kb/articles/:id/archive', async (req, res) => {
    res.json(await archiveKbArticle(deps, principalOf(res).actor, req.params.id));
  });
  router.get('/kb/articles/:id/revisions', async (req, res) => {
    const { items } = await listKbRevisions(deps, principalOf(res).actor, req.params.id);
    res.json({ items });
  });
  router.post('/kb/articles/:id/revisions/:number/restore', async (req, res) => {
    res.json(await restoreKbRevision(deps, principalOf(res).actor, req.params.id, req.params.number));
  });
  router.get('/kb/stats', async (req, res) => {
    const from = text(req.query.from);
    const to = text(req.query.to);
    res.json(await getKbStats(deps, principalOf(res).actor, { ...(from ? { from } : {}), ...(to ? { to } : {}) }));
  });
  router.get('/kb/categories', async (req, res) => {
    res.json({ items: await listKbCategories(deps, principalOf(res).actor, text(req.query.language)) });
  });
  router.post('/kb/categories', async (req, res) => {
    res.status(201).json(await createKbCategory(deps, principalOf(res).actor, req.body));
  });
  router.patch('/kb/categories/:id', async (req, res) => {
    res.json(await updateKbCategory(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.delete('/kb/categories/:id', async (req, res) => {
    await deleteKbCategory(deps, principalOf(res).actor, req.params.id);
    res.status(204).end();
  });
  return router;
}
