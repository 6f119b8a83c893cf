/** The suite's MongoDB URI pointed at a named database (keeps any query string). */
export function withDbName(uri: string, dbName: string): string {
  const [base, query] = uri.split('?', 2) as [string, string | undefined];
  const hostPart = base.replace(/^(mongodb(?:\+srv)?:\/\/[^/]+).*$/, '$1');
  return `${hostPart}/${dbName}${query ? `?${query}` : ''}`;
}
