# The Django-CRM accounts API as its documentation (the second seed) shows it, with Python requests:
# login, create, list with filters, get, update, comment, attachment, e-mail, delete; then the same
# accounts read back through v2crm's own /api/v2/crm/accounts with HTTP Basic. Prints one JSON object.
import json
import os
import sys
import requests

base = os.environ['V2CRM_BASE']
user, password = os.environ['V2CRM_CREDENTIALS'].split(':', 1)
recipient = sys.argv[1]
out = {}

# Login (email + password) -> access and refresh tokens, current org.
r = requests.post(base + '/api/auth/login/', json={'email': user, 'password': password})
r.raise_for_status()
login = r.json()
org = login['current_org']['id']
headers = {'Authorization': 'Bearer ' + login['access_token'], 'organization-id': org}

# create_account(account_data): the seed's example body.
account_data = {
    'name': 'New Company Inc',
    'email': 'info@newcompany.com',
    'phone': '+1555123456',
    'industry': 'Manufacturing',
    'description': 'Leading manufacturer of widgets',
    'website': 'https://newcompany.com',
    'billing_address_line': '456 Industrial Blvd',
    'billing_street': 'Suite 100',
    'billing_city': 'Chicago',
    'billing_state': 'IL',
    'billing_postcode': '60601',
    'billing_country': 'USA',
    'tags': ['manufacturing', 'enterprise'],
}
r = requests.post(base + '/api/accounts/', json=account_data, headers=headers)
out['create'] = r.json()
pk = out['create']['id']
requests.post(base + '/api/accounts/', json={'name': 'ACME Corporation', 'billing_city': 'New York'}, headers=headers).raise_for_status()

# list_accounts(name=..., city=..., limit=5)
r = requests.get(base + '/api/accounts/', params={'name': 'new', 'city': 'chicago', 'limit': 5}, headers=headers)
listed = r.json()
out['list_names'] = [a['name'] for a in listed['active_accounts']['open_accounts']]
out['list_count'] = listed['active_accounts']['open_accounts_count']

# get_account(pk)
r = requests.get(base + '/api/accounts/' + pk + '/', headers=headers)
detail = r.json()
out['get'] = {k: detail['account_obj'][k] for k in ('id', 'name', 'industry', 'billing_city', 'billing_country', 'status')}

# update_account(pk, ...): the seed's PUT.
r = requests.put(base + '/api/accounts/' + pk + '/', json={'name': 'ACME Corporation Ltd', 'phone': '+1234567891', 'website': 'https://acme.com'}, headers=headers)
out['update'] = r.json()

# add_account_comment_or_attachment(pk, comment, attachment): JSON, then multipart with a file.
r = requests.post(base + '/api/accounts/' + pk + '/', json={'comment': 'Follow-up meeting scheduled for next week'}, headers=headers)
out['comment'] = r.json()['comments'][0]['comment']
r = requests.post(base + '/api/accounts/' + pk + '/', data={'comment': 'Contract document attached'},
                  files={'attachment': ('contract.pdf', b'%PDF-1.4 contract', 'application/pdf')}, headers=headers)
body = r.json()
out['attachments'] = [a['file_name'] for a in body['attachments']]
comment_id = body['comments'][0]['id']
attachment_id = body['attachments'][0]['id']

# edit_account_comment / delete_account_comment / delete_account_attachment
out['edit_comment'] = requests.put(base + '/api/accounts/comment/' + comment_id + '/', json={'comment': 'Updated comment text'}, headers=headers).json()
out['delete_attachment'] = requests.delete(base + '/api/accounts/attachment/' + attachment_id + '/', headers=headers).json()

# create_account_email(pk, email_data): the seed's body.
email_data = {
    'recipients': [recipient],
    'subject': 'Quarterly Business Review',
    'html': '<p>Dear valued client...</p>',
    'scheduled_later': False,
    'scheduled_date_time': None,
    'from_account': user,
}
out['mail'] = requests.post(base + '/api/accounts/' + pk + '/create_mail/', json=email_data, headers=headers).json()

# A refreshed token works the same.
r = requests.post(base + '/api/auth/refresh-token/', json={'refresh': login['refresh_token']})
headers['Authorization'] = 'Bearer ' + r.json()['access']

# delete_account(pk): a second account.
other = requests.post(base + '/api/accounts/', json={'name': 'Short-lived'}, headers=headers).json()['id']
out['delete'] = requests.delete(base + '/api/accounts/' + other + '/', headers=headers).json()
out['get_deleted_status'] = requests.get(base + '/api/accounts/' + other + '/', headers=headers).status_code

# The same store through the v2 vocabulary.
v2 = requests.get(base + '/api/v2/crm/accounts', params={'_order': 'id', 'is_deleted__in': 'true,false'}, auth=(user, password)).json()
out['v2'] = [{k: a[k] for k in ('id', 'name', 'tel', 'url', 'address_town', 'address_country', 'is_deleted', 'tags')} for a in v2]
out['uuid_of_first'] = pk
print(json.dumps(out))
