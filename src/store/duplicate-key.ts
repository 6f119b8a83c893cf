/** Whether a write failed on a unique index (MongoDB error 11000), the store's sign that the document already exists. */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}
