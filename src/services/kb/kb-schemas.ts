import { z } from 'zod';
import { KB_LANGUAGES, KB_LIMITS, KB_STATUSES, KB_VISIBILITIES } from '../../domain/kb-articles.js';
import { issueMessage } from '../validate.js';

const REQUIRED = issueMessage('issue.required', 'is required');

// Browsers submit textarea line breaks as CRLF; the stored text uses plain LF.
const text = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n'))
    .pipe(z.string().trim().min(1, REQUIRED).max(max, `is longer than ${max} characters`));

const objectIdOrNull = z
  .string()
  .regex(/^[0-9a-f]{24}$/i, issueMessage('issue.kbCategoryId', 'must be a category id'))
  .nullable();

const tags = z.array(z.string().max(KB_LIMITS.tag)).max(KB_LIMITS.tags);

/** `POST /kb/articles`: a new article (a draft unless `status` says otherwise). */
export const createKbArticleSchema = z.strictObject({
  title: text(KB_LIMITS.title),
  body: text(KB_LIMITS.body),
  language: z.enum(KB_LANGUAGES),
  visibility: z.enum(KB_VISIBILITIES).default('public'),
  status: z.enum(KB_STATUSES).default('draft'),
  categoryId: objectIdOrNull.optional(),
  tags: tags.optional(),
});

/** `PATCH /kb/articles/:id`: only the fields given change; the language and the address stay. */
export const updateKbArticleSchema = z.strictObject({
  title: text(KB_LIMITS.title).optional(),
  body: text(KB_LIMITS.body).optional(),
  visibility: z.enum(KB_VISIBILITIES).optional(),
  status: z.enum(KB_STATUSES).optional(),
  categoryId: objectIdOrNull.optional(),
  tags: tags.optional(),
});

/** `POST /kb/categories`. */
export const createKbCategorySchema = z.strictObject({
  name: text(KB_LIMITS.categoryName),
  description: z.string().trim().max(KB_LIMITS.categoryDescription).nullable().optional(),
  language: z.enum(KB_LANGUAGES),
  position: z.number().int().min(0).max(10_000).optional(),
});

/** `PATCH /kb/categories/:id`. */
export const updateKbCategorySchema = z.strictObject({
  name: text(KB_LIMITS.categoryName).optional(),
  description: z.string().trim().max(KB_LIMITS.categoryDescription).nullable().optional(),
  position: z.number().int().min(0).max(10_000).optional(),
});
