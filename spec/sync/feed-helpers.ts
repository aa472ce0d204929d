import { TestApp, Login } from '../support/test-app';

export interface Change {
  cursor: string;
  resource: string;
  id: number;
  action: string;
  version: number;
  changed_at: string;
  changed_by: number | null;
}

/** Pages through the feed from `after` until it is empty; every page's status must be 200. */
export async function readAll(t: TestApp, after?: string, login?: Login, extra = '', limit = 50): Promise<Change[]> {
  const out: Change[] = [];
  let cursor = after;
  for (;;) {
    const res = await t.as(login).get(`/api/v2/changes?_limit=${limit}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}${extra}`);
    if (res.status !== 200) throw new Error(`feed answered ${res.status}: ${JSON.stringify(res.body)}`);
    const page = res.body as Change[];
    if (!page.length) return out;
    out.push(...page);
    cursor = page[page.length - 1].cursor;
  }
}

/** The cursor of the feed's newest entry now (what a sync job that is caught up holds). */
export async function tail(t: TestApp, login?: Login): Promise<string | undefined> {
  const all = await readAll(t, undefined, login, '', 1000);
  return all.length ? all[all.length - 1].cursor : undefined;
}
