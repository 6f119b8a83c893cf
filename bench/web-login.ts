/** Signs in through the login form (session cookie) and the token route (bearer token), as a person and a script would. */
export async function logIn(base: string, email: string, password: string): Promise<{ cookie: string; token: string }> {
  const form = await fetch(`${base}/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const jar = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const posted = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar(form) },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/' }).toString(),
  });
  if (posted.status !== 303) throw new Error(`login answered ${posted.status}`);
  const issued = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return { cookie: jar(posted), token: ((await issued.json()) as { token: string }).token };
}
