# The seed's "Updating Accounts" Python snippet, ported to Python 3.
import json
import os
import requests

base = os.environ['V2CRM_BASE']
user, password = os.environ['V2CRM_CREDENTIALS'].split(':', 1)

data = {u'name': u'My new value for name'}

response = requests.put(base + '/api/v2/crm/accounts/6',
                        data=json.dumps(data),
                        headers={'content-type': 'application/json'},
                        auth=(user, password))

print(json.dumps(response.json()))
