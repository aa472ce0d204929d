# The seed's "Creating Accounts" Python snippet, ported to Python 3.
import json
import os
import requests

base = os.environ['V2CRM_BASE']
user, password = os.environ['V2CRM_CREDENTIALS'].split(':', 1)

data = {u'is_customer': True, u'name': u'My account', u'company_id': 1}

response = requests.post(base + '/api/v2/crm/accounts',
                        data=json.dumps(data),
                        headers={'content-type': 'application/json'},
                        auth=(user, password))

print(json.dumps(response.json()))
