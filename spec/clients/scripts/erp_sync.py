# A nightly ERP sync job of the kind partners ran against Administrate v2: page through every
# account with id__gt/_order/_limit, push new accounts, update them, delete some, page again.
# Prints a JSON summary the test checks.
import json
import os
import sys
import requests

base = os.environ['V2CRM_BASE'] + '/api/v2/crm/accounts'
auth = tuple(os.environ['V2CRM_CREDENTIALS'].split(':', 1))
page_size = int(sys.argv[1]) if len(sys.argv) > 1 else 100
new_count = int(sys.argv[2]) if len(sys.argv) > 2 else 10


def all_accounts():
    seen, last = [], 0
    while True:
        r = requests.get(base, params={'id__gt': last, '_order': 'id', '_limit': page_size}, auth=auth)
        r.raise_for_status()
        page = r.json()
        if not page:
            return seen
        seen.extend(page)
        last = page[-1]['id']


before = all_accounts()
created = []
for i in range(new_count):
    r = requests.post(base, data=json.dumps({'name': 'ERP %d' % i, 'company_id': 1, 'external_id': 'ERP-%d' % i,
                                             'is_customer': True}),
                      headers={'content-type': 'application/json'}, auth=auth)
    r.raise_for_status()
    created.append(r.json()['id'])
updated = []
for i, account_id in enumerate(created):
    r = requests.put('%s/%d' % (base, account_id), data=json.dumps({'name': 'ERP %d (synced)' % i, 'tel': str(i)}),
                     headers={'content-type': 'application/json'}, auth=auth)
    r.raise_for_status()
    updated.append(r.json()['name'])
deleted = []
for account_id in created[::2]:
    r = requests.delete('%s/%d' % (base, account_id), auth=auth)
    r.raise_for_status()
    if r.json()['is_deleted']:
        deleted.append(account_id)
after = all_accounts()
print(json.dumps({
    'before': [a['id'] for a in before],
    'created': created,
    'updated': updated,
    'deleted': deleted,
    'after': [a['id'] for a in after],
    'after_names': {a['id']: a['name'] for a in after},
}))
