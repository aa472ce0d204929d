import { encodeId, encodeOptional } from './ids';
import { countryName, industryChoice } from './fields';
import type { UserInfo } from './core';

/**
 * Django-CRM's response shapes (DJANGO-CRM.md 4, 6, 9) from the core's plain data, with the CLASSIC
 * aliases added (10.1): `billing_*` copies and `status` open/close on every account.
 */
export interface Lookups {
  org: { id: number; name: string };
  users: Map<number, UserInfo>;
  teams: Map<number, { id: number; name: string; description: string | null; created: Date }>;
  tagIdByName: Map<string, number>;
  creators: Map<number, number | null>;
  contacts: Map<number, Record<string, unknown>[]>;
}

/** A date-time with its offset: v2's wire date-times are UTC without one (`2026-12-01T09:00:00`). */
const iso = (d: unknown): string | null => {
  if (d === null || d === undefined) return null;
  if (d instanceof Date) return d.toISOString();
  const s = String(d);
  return /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`;
};
const slug = (s: string) => s.toLowerCase().trim().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function profile(u: UserInfo) {
  return {
    id: encodeId('profile', u.id),
    user_details: { id: encodeId('profile', u.id), email: u.email, profile_pic: null },
    role: u.role === 'admin' ? 'ADMIN' : 'USER',
    address: null,
    has_marketing_access: u.role === 'admin',
    has_sales_access: true,
    phone: null,
    date_of_joining: iso(u.created)?.slice(0, 10) ?? null,
    is_active: u.isActive,
    created_at: iso(u.created),
  };
}

export function team(t: { id: number; name: string; description: string | null; created: Date }, members: number[] = []) {
  return { id: encodeId('team', t.id), name: t.name, description: t.description, users: members.map((m) => encodeId('profile', m)), created_at: iso(t.created) };
}

export function tag(id: number, name: string) {
  return { id: encodeId('tag', id), name, slug: slug(name), color: null, description: null, is_active: true, created_at: null };
}

/** A v2crm contact (its v2 shape) as Django-CRM's Contact. */
export function contact(c: Record<string, unknown>) {
  return {
    id: encodeId('contact', c.id as number),
    first_name: c.first_name ?? null,
    last_name: c.last_name ?? null,
    email: c.email ?? null,
    phone: c.tel ?? c.mobile ?? null,
    primary_email: c.email ?? null,
    title: c.job_title ?? null,
    account: encodeOptional('account', c.account_id as number | null),
  };
}

/** A v2crm account (its v2 shape) as Django-CRM's Account object. */
export function account(a: Record<string, unknown>, l: Lookups) {
  const id = a.id as number;
  const industries = (a.industries as { name: string }[] | undefined) ?? [];
  const industry = industries.length ? (industryChoice(industries[0].name)?.value ?? industries[0].name.toUpperCase()) : null;
  const creatorId = l.creators.get(id) ?? null;
  const creator = creatorId !== null ? l.users.get(creatorId) : undefined;
  const country = (a.address_country as string | null) ?? null;
  const open = a.status !== 'closed';
  const users = ((a.assigned_to as number[] | undefined) ?? []).map((u) => l.users.get(u)).filter((u): u is UserInfo => u !== undefined);
  const teams = ((a.teams as number[] | undefined) ?? []).flatMap((t) => {
    const row = l.teams.get(t);
    return row ? [team(row)] : [];
  });
  const tags = ((a.tags as string[] | null) ?? []).map((name) => tag(l.tagIdByName.get(name) ?? 0, name));
  return {
    id: encodeId('account', id),
    name: a.name,
    email: a.email ?? null,
    phone: a.tel ?? null,
    website: a.url ?? null,
    industry,
    number_of_employees: null,
    annual_revenue: null,
    currency: null,
    address_line: a.address_street ?? null,
    city: a.address_town ?? null,
    state: a.address_region ?? null,
    postcode: a.address_postcode ?? null,
    country,
    country_display: countryName(country),
    assigned_to: users.map(profile),
    teams,
    contacts: (l.contacts.get(id) ?? []).map(contact),
    tags,
    description: a.description ?? null,
    cases: [],
    tasks: [],
    opportunities: [],
    rollups: null,
    created_by: creator ? { id: encodeId('profile', creator.id), email: creator.email, name: creator.name ?? creator.email, profile_pic: null } : null,
    created_at: iso(a.created),
    is_active: open,
    org: { id: encodeId('org', l.org.id), name: l.org.name },
    custom_fields: a.custom_fields ?? {},
    // CLASSIC / seed aliases (additive).
    billing_address_line: a.address_street ?? null,
    billing_street: a.address_street ?? null,
    billing_city: a.address_town ?? null,
    billing_state: a.address_region ?? null,
    billing_postcode: a.address_postcode ?? null,
    billing_country: country,
    status: open ? 'open' : 'close',
    created_on: iso(a.created),
  };
}

/** A v2crm comment as Django-CRM's Comment. */
export function comment(c: Record<string, unknown>, l: Pick<Lookups, 'users' | 'org'>) {
  const author = l.users.get(c.commented_by as number);
  return {
    id: encodeId('comment', c.id as number),
    comment: c.comment,
    commented_on: iso(c.commented_on),
    commented_by: author ? { id: encodeId('profile', author.id), user_details: { email: author.email, profile_pic: null } } : null,
    content_type: 'account',
    object_id: encodeId('account', c.account_id as number),
    org: encodeId('org', l.org.id),
    is_internal: false,
  };
}

/** A v2crm attachment as Django-CRM's Attachment. */
export function attachment(a: Record<string, unknown>, l: Pick<Lookups, 'users' | 'org'>) {
  const by = l.users.get(a.uploaded_by as number);
  const id = encodeId('attachment', a.id as number);
  return {
    id,
    created_by: by ? { id: encodeId('profile', by.id), email: by.email } : null,
    file_name: a.file_name,
    created_at: iso(a.created_on),
    file_path: `/api/attachments/${id}/download/`,
    content_type: 'account',
    object_id: encodeId('account', a.account_id as number),
    org: encodeId('org', l.org.id),
  };
}

/** A v2crm outbox e-mail as the `emails` items of the detail. */
export function email(e: Record<string, unknown>) {
  return {
    id: encodeId('email', e.id as number),
    message_subject: e.subject,
    message_body: e.html,
    timezone: 'UTC',
    scheduled_date_time: iso(e.scheduled_date_time),
    scheduled_later: e.scheduled_later,
    created_at: iso(e.created_on),
    from_email: e.from_account,
    rendered_message_body: e.html,
  };
}
