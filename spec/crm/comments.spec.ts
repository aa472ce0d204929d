import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

type Login = Awaited<ReturnType<TestApp['addUser']>>;

describe('comments on accounts', () => {
  let author: Login, colleague: Login, otherAdmin: Login, stranger: Login;
  let account: number;
  beforeAll(async () => {
    [author, colleague, stranger] = [await t.addUser(), await t.addUser(), await t.addUser()];
    otherAdmin = (await t.addOrg()).admin;
    account = (await t.as(author).post('/api/v2/crm/accounts').send({ company_id: 1, name: 'Commented', assigned_to: [colleague.id] })).body.id;
  });

  it('when a comment is added, then it records author and time and is listed', async () => {
    const res = await t.as(author).post(`/api/v2/crm/accounts/${account}/comments`).send({ comment: 'Follow-up meeting scheduled for next week' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ account_id: account, comment: 'Follow-up meeting scheduled for next week', commented_by: author.id });
    expect(res.body.commented_on).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const form = await t.as(colleague).post(`/api/v2/crm/accounts/${account}/comments`).type('form').send('comment=From+PHP');
    expect(form.body.commented_by).toBe(colleague.id);
    const list = await t.as(colleague).get(`/api/v2/crm/accounts/${account}/comments`);
    expect(list.body.map((c: { comment: string }) => c.comment)).toEqual(['Follow-up meeting scheduled for next week', 'From PHP']);
  });

  it('when a comment is empty or blank, then 400 names the field', async () => {
    for (const comment of ['', '   ', undefined]) {
      const res = await t.as(author).post(`/api/v2/crm/accounts/${account}/comments`).send(comment === undefined ? {} : { comment });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('comment');
    }
  });

  it.each([
    ['the author', () => author, 200, 204],
    ['an admin', () => undefined, 200, 204],
    ['another user who sees the account', () => colleague, 403, 403],
    ['a user who cannot see the account', () => stranger, 404, 404],
    ['an admin of another organisation', () => otherAdmin, 404, 404],
  ] as [string, () => Login | undefined, number, number][])('when %s edits and deletes a comment, then %i / %i', async (_who, login, edit, del) => {
    const c = (await t.as(author).post(`/api/v2/crm/accounts/${account}/comments`).send({ comment: 'to change' })).body.id;
    const put = await t.as(login()).put(`/api/v2/crm/comments/${c}`).send({ comment: 'changed' });
    expect(put.status).toBe(edit);
    if (edit === 200) expect(put.body).toMatchObject({ comment: 'changed', commented_by: author.id });
    expect((await t.as(login()).delete(`/api/v2/crm/comments/${c}`)).status).toBe(del);
    const still = (await t.as().get(`/api/v2/crm/accounts/${account}/comments`)).body.some((x: { id: number }) => x.id === c);
    expect(still).toBe(del !== 204);
  });

  it('when the account cannot be seen, then its comments cannot be read or added', async () => {
    expect((await t.as(stranger).get(`/api/v2/crm/accounts/${account}/comments`)).status).toBe(404);
    expect((await t.as(stranger).post(`/api/v2/crm/accounts/${account}/comments`).send({ comment: 'hi' })).status).toBe(404);
    expect((await t.as().get('/api/v2/crm/accounts/999999/comments')).status).toBe(404);
    expect((await t.as().put('/api/v2/crm/comments/999999').send({ comment: 'x' })).status).toBe(404);
  });
});
