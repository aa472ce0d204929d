import supertest from 'supertest';
import { encodeId } from '../../src/dialects/djangocrm/ids';
import { Login, TestApp } from '../support/test-app';

export { encodeId };

export interface Session {
  access: string;
  refresh: string;
  org: string;
  body: Record<string, any>;
}

/** POST /api/auth/login/ as a Django-CRM client does. */
export async function login(t: TestApp, who: Login = t.admin): Promise<Session> {
  const res = await supertest(t.app).post('/api/auth/login/').send({ email: who.email, password: who.password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { access: res.body.access_token, refresh: res.body.refresh_token, org: res.body.current_org.id, body: res.body };
}

/** Requests with `Authorization: Bearer <access>`, as Django-CRM's web and mobile clients send them. */
export function bearer(t: TestApp, s: Session) {
  const st = supertest(t.app);
  const h = (r: supertest.Test) => r.set('Authorization', `Bearer ${s.access}`);
  return {
    get: (u: string) => h(st.get(u)),
    post: (u: string) => h(st.post(u)),
    put: (u: string) => h(st.put(u)),
    patch: (u: string) => h(st.patch(u)),
    delete: (u: string) => h(st.delete(u)),
  };
}

/** Creates an account through the facade and returns its UUID. */
export async function createAccount(t: TestApp, s: Session, body: Record<string, unknown>): Promise<string> {
  const res = await bearer(t, s).post('/api/accounts/').send(body);
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}
