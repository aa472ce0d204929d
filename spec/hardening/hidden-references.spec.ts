import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const A = '/api/v2/crm/accounts';
type Login = Awaited<ReturnType<TestApp['addUser']>>;

describe('references to records the caller cannot see (issue 13, item 12)', () => {
  let owner: Login, stranger: Login;
  let hiddenAccount: number, hiddenContact: number, ownAccount: number;
  const unknown = 2_000_000_000;

  beforeAll(async () => {
    [owner, stranger] = [await t.addUser(), await t.addUser()];
    hiddenAccount = (await t.as(owner).post(A).send({ company_id: 1, name: 'hidden parent' })).body.id;
    hiddenContact = (await t.as(owner).post('/api/v2/crm/contacts').send({ company_id: 1, account_id: hiddenAccount, last_name: 'Hidden' })).body.id;
    ownAccount = (await t.as(stranger).post(A).send({ company_id: 1, name: 'stranger own' })).body.id;
  });

  const strip = (body: { error: { message: string; details: { field: string; message: string }[] } }, id: number) =>
    JSON.stringify(body).split(String(id)).join('<id>');

  it.each(['parent_id', 'primary_contact_id', 'initial_contact_id'])(
    'when a user sets %s to a hidden record, then the answer is the one an unknown id gets',
    async (field) => {
      const hidden = field === 'parent_id' ? hiddenAccount : hiddenContact;
      const withHidden = await t.as(stranger).put(`${A}/${ownAccount}`).send({ [field]: hidden });
      const withUnknown = await t.as(stranger).put(`${A}/${ownAccount}`).send({ [field]: unknown });
      expect(withUnknown.status).toBe(400);
      expect(withHidden.status).toBe(withUnknown.status);
      expect(strip(withHidden.body, hidden)).toBe(strip(withUnknown.body, unknown));
    },
  );

  it('when the owner sets the same parent, then it is accepted', async () => {
    const child = (await t.as(owner).post(A).send({ company_id: 1, name: 'child', parent_id: hiddenAccount, primary_contact_id: hiddenContact })).body;
    expect(child.parent_id).toBe(hiddenAccount);
  });
});
