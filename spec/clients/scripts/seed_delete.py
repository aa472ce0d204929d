# The seed's "Deleting Accounts" Python snippet, ported to Python 3.
import json
import os
import requests

base = os.environ['V2CRM_BASE']
user, password = os.environ['V2CRM_CREDENTIALS'].split(':', 1)

response = requests.delete(base + '/api/v2/crm/accounts/1',
                         auth=(user, password))

print(json.dumps(response.json()))
