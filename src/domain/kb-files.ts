/**
 * The knowledge base as files (`npm run kb -- export DIR` / `import DIR`): one Markdown file per
 * article at `<language>/<slug>.md`, its fields in a front matter block between `---` lines, and the
 * categories in `categories.json`. The front matter is a small YAML-like subset: one `key: value` a
 * line, strings written as JSON strings (so any title survives), tags as a JSON array. Pure: reading
 * and writing the files is the CLI's.
 */

/** The fields an article file's front matter carries, in the order they are written. */
export const FRONT_MATTER_KEYS = ['title', 'slug', 'language', 'category', 'tags', 'visibility', 'status'] as const;
export type FrontMatterKey = (typeof FRONT_MATTER_KEYS)[number];

/** The name of the categories' index file in an export's folder. */
export const CATEGORIES_FILE = 'categories.json';

/** An article as its file says it. */
export interface ArticleFile {
  title: string;
  slug: string;
  language: string;
  /** The slug of its category (of the same language); null for none. */
  category: string | null;
  tags: string[];
  visibility: string;
  status: string;
  body: string;
}

/** A category as the index file says it. */
export interface CategoryEntry {
  language: string;
  slug: string;
  name: string;
  description: string | null;
  position: number;
}

/** A file that cannot be read: which field (or `front matter`) and what is wrong. */
export class KbFileError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** The relative path of an article's file. */
export const articleFilePath = (a: { language: string; slug: string }) => `${a.language}/${a.slug}.md`;

/** An article's file: the front matter, an empty line, then its Markdown. */
export function formatArticleFile(a: ArticleFile): string {
  const lines = [
    '---',
    `title: ${JSON.stringify(a.title)}`,
    `slug: ${a.slug}`,
    `language: ${a.language}`,
    `category: ${a.category ?? ''}`,
    `tags: ${JSON.stringify(a.tags)}`,
    `visibility: ${a.visibility}`,
    `status: ${a.status}`,
    '---',
    '',
  ];
  return `${lines.join('\n')}\n${a.body.replace(/\r\n?/g, '\n').trimEnd()}\n`;
}

/* A value as written: a JSON string, a JSON array, or bare text (trimmed). */
function valueOf(key: FrontMatterKey, raw: string): string | string[] {
  const text = raw.trim();
  if (key === 'tags') {
    if (text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new KbFileError('tags', 'is not a list like ["billing", "account"]');
      }
      if (!Array.isArray(parsed) || parsed.some((t) => typeof t !== 'string')) throw new KbFileError('tags', 'must be a list of strings');
      return parsed as string[];
    }
    return text.split(',').map((t) => t.trim()).filter(Boolean);
  }
  if (text.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // reported below
    }
    throw new KbFileError(key, 'has a quoted value that is not closed or not a string (write it as "…", with \\" inside)');
  }
  return text;
}

/**
 * Reads an article file. Refused with a {@link KbFileError} naming the field: no front matter, an
 * unknown or repeated key, a line that is not `key: value`, a missing title, slug or language, a bad
 * quoted value. The values themselves (a known language, status…) are checked by the import.
 */
export function parseArticleFile(text: string): ArticleFile {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!src.startsWith('---\n')) throw new KbFileError('front matter', 'the file must start with a line "---", then the fields, then "---"');
  const end = src.indexOf('\n---', 3);
  if (end < 0 || (src[end + 4] !== undefined && src[end + 4] !== '\n')) throw new KbFileError('front matter', 'has no closing "---" line');
  const seen = new Map<FrontMatterKey, string | string[]>();
  for (const line of src.slice(4, end).split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z]+)\s*:(.*)$/.exec(line);
    if (!m) throw new KbFileError('front matter', `"${line.slice(0, 60)}" is not a "key: value" line`);
    const key = m[1]!.toLowerCase() as FrontMatterKey;
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) throw new KbFileError(m[1]!, `is not a field (use ${FRONT_MATTER_KEYS.join(', ')})`);
    if (seen.has(key)) throw new KbFileError(key, 'is given twice');
    seen.set(key, valueOf(key, m[2]!));
  }
  const str = (key: FrontMatterKey) => {
    const v = seen.get(key);
    return typeof v === 'string' ? v : '';
  };
  for (const key of ['title', 'slug', 'language'] as const) if (!str(key)) throw new KbFileError(key, 'is required');
  return {
    title: str('title'),
    slug: str('slug'),
    language: str('language'),
    category: str('category') || null,
    tags: (seen.get('tags') as string[] | undefined) ?? [],
    visibility: str('visibility') || 'public',
    status: str('status') || 'draft',
    // The empty line after the front matter and the file's final line break are the format's, not the text's.
    body: src.slice(src[end + 4] === undefined ? end + 4 : end + 5).replace(/^\n/, '').replace(/\n$/, ''),
  };
}

/** The categories' index file: a JSON list, by language and position. */
export function formatCategories(entries: readonly CategoryEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}

/** Reads the categories' index file; a {@link KbFileError} names the entry and field that is wrong. */
export function parseCategories(text: string): CategoryEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new KbFileError('categories', `is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new KbFileError('categories', 'must be a list of {language, slug, name, description, position}');
  return parsed.map((raw: unknown, i) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const field = (name: string) => `[${i}].${name}`;
    for (const name of ['language', 'slug', 'name'] as const) if (typeof e[name] !== 'string' || !e[name]) throw new KbFileError(field(name), 'is required (a string)');
    if (e.description !== undefined && e.description !== null && typeof e.description !== 'string') throw new KbFileError(field('description'), 'must be a string or null');
    if (e.position !== undefined && !(Number.isInteger(e.position) && (e.position as number) >= 0)) throw new KbFileError(field('position'), 'must be a whole number from 0');
    return { language: e.language as string, slug: e.slug as string, name: e.name as string, description: (e.description as string | null | undefined) ?? null, position: (e.position as number | undefined) ?? 0 };
  });
}
