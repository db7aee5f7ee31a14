import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';

describe('services: global, read by every token, changed by admins', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => closeStarted(h));

  it('creates a service, lists it and reads it', async () => {
    const created = await h.api('POST', '/api/services', { body: { name: 'Billing API', description: 'Invoices' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Billing API', description: 'Invoices' });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const fetched = await h.api('GET', `/api/services/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);
    const listed = await h.api('GET', '/api/services');
    expect(listed.body.items.map((s: any) => s.name)).toContain('Billing API');
  });

  it('refuses a name already taken, whatever its case, with 409', async () => {
    const res = await h.api('POST', '/api/services', { body: { name: 'billing api' } });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/A service named "Billing API" already exists/);
  });

  it('refuses bad input with 400 and a sentence naming the field', async () => {
    const empty = await h.api('POST', '/api/services', { body: { name: '  ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^Invalid request body: name: /);
    const unknown = await h.api('POST', '/api/services', { body: { name: 'X', owner: 'me' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/unknown field\(s\) owner/);
    const hidden = await h.api('POST', '/api/services', { body: { name: 'evil\u202Ename' } });
    expect(hidden.status).toBe(400);
    expect((await h.api('GET', '/api/services/not-an-id')).status).toBe(400);
  });

  it('renames and describes a service with PATCH; a taken name is a 409, an empty patch a 400', async () => {
    const { body: created } = await h.api('POST', '/api/services', { body: { name: 'Checkout' } });
    const patched = await h.api('PATCH', `/api/services/${created.id}`, {
      body: { name: 'Checkout Web', description: 'The storefront' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.id, name: 'Checkout Web', description: 'The storefront' });
    // Its own name in another case is not a conflict.
    expect((await h.api('PATCH', `/api/services/${created.id}`, { body: { name: 'CHECKOUT WEB' } })).status).toBe(200);
    expect((await h.api('PATCH', `/api/services/${created.id}`, { body: { name: 'Billing api' } })).status).toBe(409);
    expect((await h.api('PATCH', `/api/services/${created.id}`, { body: {} })).status).toBe(400);
  });

  it('deletes a service: 404 afterwards, gone from the list, its name free again', async () => {
    const { body: created } = await h.api('POST', '/api/services', { body: { name: 'Temporary' } });
    expect((await h.api('DELETE', `/api/services/${created.id}`)).status).toBe(200);
    const gone = await h.api('GET', `/api/services/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe(`Service ${created.id} does not exist.`);
    expect((await h.api('PATCH', `/api/services/${created.id}`, { body: { name: 'Again' } })).status).toBe(404);
    expect((await h.api('GET', '/api/services')).body.items.map((s: any) => s.id)).not.toContain(created.id);
    expect((await h.api('POST', '/api/services', { body: { name: 'Temporary' } })).status).toBe(201);
  });

  it('shows services to a token limited to one environment, and lets only admins change them', async () => {
    const devReader = await createToken(h, ['read'], ['dev']);
    const listed = await h.api('GET', '/api/services', { token: devReader.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((s: any) => s.name)).toContain('Billing API');
    const created = await h.api('POST', '/api/services', { body: { name: 'Not mine' }, token: devReader.token });
    expect(created.status).toBe(403);
    const billing = listed.body.items.find((s: any) => s.name === 'Billing API');
    expect((await h.api('DELETE', `/api/services/${billing.id}`, { token: devReader.token })).status).toBe(403);
    expect((await h.api('GET', '/api/services', { token: null })).status).toBe(401);
  });

  it('lists the services and infrastructures routes in the OpenAPI document under their tags', async () => {
    const doc = (await h.api('GET', '/api/docs/openapi.json', { token: null })).body as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(Object.keys(doc.paths['/api/services/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/api/services']?.post?.tags).toEqual(['services']);
    expect(Object.keys(doc.paths['/api/infrastructures/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/api/infrastructures']?.get?.tags).toEqual(['infrastructures']);
  });
});
