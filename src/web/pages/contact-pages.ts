import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { notFound, parseObjectId } from '../../services/access.js';
import { requireContactReader } from '../../services/contacts/contact-access.js';
import { getPerson } from '../../services/contacts/get-person.js';
import { linkAlias } from '../../services/contacts/link-alias.js';
import { CONTACT_QUERY_MAX, CONTACT_SEARCH_LIMIT, searchContacts } from '../../services/contacts/search-contacts.js';
import { unlinkAlias } from '../../services/contacts/unlink-alias.js';
import { listPersonalDataExports } from '../../services/personal-data/list-exports.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedMessage, postedText, queryText } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';

/** The catalog keys of the alias form's errors and of the `?done=` notices. */
const ALIAS_ERRORS: Record<string, string> = {
  invalid: 'tickets:contacts.alias.error.invalid',
  own: 'tickets:contacts.alias.error.own',
  other: 'tickets:contacts.alias.error.other',
  nested: 'tickets:contacts.alias.error.nested',
  race: 'tickets:contacts.alias.error.race',
};
const NOTICES: Record<string, string> = {
  linked: 'tickets:contacts.alias.notice.linked',
  unlinked: 'tickets:contacts.alias.notice.unlinked',
  gone: 'tickets:contacts.alias.notice.gone',
};

function aliasErrorCode(err: unknown): string | null {
  if (isAppError(err, 'VALIDATION_FAILED')) {
    const issues = (err.details?.issues ?? []) as Array<{ key?: string }>;
    return issues.some((i) => i.key === 'errors:issue.contactOwnAddress') ? 'own' : 'invalid';
  }
  if (isAppError(err, 'CONFLICT')) return err.key === 'conflict.aliasHasAliases' ? 'nested' : err.key === 'conflict.aliasRace' ? 'race' : 'other';
  return null;
}

const contactUrl = (id: string, query = '') => `/contacts/${encodeURIComponent(id)}${query}`;

/**
 * `/contacts`: search people by address or name; `/contacts/:id`: one person's addresses, tickets,
 * messages and attachments (admins; managers see those of their inboxes), where admins link and
 * unlink aliases and reach the export and erasure of the person. Agents get 403.
 */
export function contactPages(ctx: PageContext): Router {
  const router = Router();
  const post = [requireLogin, requireCsrf(ctx.publicUrl)];
  const personDeps = () => ({ ...ctx.stores, now: ctx.now });

  router.get('/contacts', requireLogin, async (req, res) => {
    const session = requireSession(res);
    requireContactReader(session.actor);
    const q = queryText(req.query.q) ?? '';
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    let items: Awaited<ReturnType<typeof searchContacts>> = [];
    let searchProblem: string | null = null;
    try {
      items = await searchContacts(ctx.stores, session.actor, q);
    } catch (err) {
      if (!isAppError(err, 'VALIDATION_FAILED')) throw err;
      searchProblem = t('tickets:contacts.search.tooLong', { max: CONTACT_QUERY_MAX });
    }
    res.status(searchProblem ? 400 : 200).type('html').send(
      ctx.views.render('contacts', { title: t('tickets:contacts.title'), session, nav: 'contacts', q: q.slice(0, CONTACT_QUERY_MAX), maxQuery: CONTACT_QUERY_MAX, items, searchProblem, limit: CONTACT_SEARCH_LIMIT, full: items.length >= CONTACT_SEARCH_LIMIT }, i18n),
    );
  });

  // The ticket page links a requester by address: their contact's page, when they have one.
  router.get('/contacts/lookup', requireLogin, async (req, res) => {
    requireContactReader(requireSession(res).actor);
    const email = (queryText(req.query.email) ?? '').trim().toLowerCase();
    const contact = email && email.length <= 254 ? await ctx.stores.contacts.findByEmail(email) : null;
    if (!contact) throw notFound('Contact');
    res.redirect(303, contactUrl((contact.primaryContactId ?? contact._id).toHexString()));
  });

  const renderPerson = async (req: Request, res: Response, failed: { code: string; email: string } | null) => {
    const session = requireSession(res);
    const id = String(req.params.id);
    // An alias's page is its person's: one address per person, so the export and erasure links are one too.
    const own = parseObjectId(id);
    const contact = own ? await ctx.stores.contacts.findById(own) : null;
    if (contact?.primaryContactId && !failed) return res.redirect(303, contactUrl(contact.primaryContactId.toHexString()));
    const person = await getPerson(personDeps(), session.actor, id);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    // The person's exports (services/personal-data): admins only, an empty list for anyone else.
    const exports = await listPersonalDataExports(personDeps(), session.actor, person.id);
    res.status(failed ? 400 : 200).type('html').send(
      ctx.views.render(
        'contact',
        {
          title: t('tickets:contacts.personTitle', { name: person.name ?? person.email }),
          session,
          nav: 'contacts',
          csrf: session.csrfToken,
          isAdmin: session.actor.role === 'admin',
          downloads: Boolean(ctx.blobs),
          person,
          exports,
          ticketsCut: person.ticketTotal > person.tickets.length,
          messagesCut: person.messageTotal > person.messages.length,
          aliasEmail: failed?.email ?? '',
          aliasError: failed ? fixedMessage(ALIAS_ERRORS, failed.code, t, { email: failed.email }) : null,
          notice: fixedMessage(NOTICES, queryText(req.query.done), t),
        },
        i18n,
      ),
    );
  };

  router.get('/contacts/:id', requireLogin, (req, res) => renderPerson(req, res, null));

  router.post('/contacts/:id/aliases', ...post, async (req, res) => {
    const id = String(req.params.id);
    const email = postedText(req, 'email');
    try {
      await linkAlias(ctx.stores, requireSession(res).actor, id, { email });
    } catch (err) {
      const code = aliasErrorCode(err);
      if (!code) throw err;
      return renderPerson(req, res, { code, email: email.slice(0, 254) });
    }
    res.redirect(303, contactUrl(id, '?done=linked#addresses'));
  });

  router.post('/contacts/:id/aliases/:aliasId/unlink', ...post, async (req, res) => {
    const id = String(req.params.id);
    let done = 'unlinked';
    try {
      await unlinkAlias(ctx.stores, requireSession(res).actor, id, String(req.params.aliasId));
    } catch (err) {
      // Already unlinked (a second click, another admin): the page says so.
      if (!isAppError(err, 'NOT_FOUND')) throw err;
      done = 'gone';
    }
    res.redirect(303, contactUrl(id, `?done=${done}#addresses`));
  });
  return router;
}
