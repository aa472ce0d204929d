# The seed's "Getting more than one Account" Python snippet, ported to Python 3.
import json
import os
import requests

base = os.environ['V2CRM_BASE']
user, password = os.environ['V2CRM_CREDENTIALS'].split(':', 1)

response = requests.get(base + '/api/v2/crm/accounts',
                         auth=(user, password))

print(json.dumps(response.json()))
