# The seed's "Getting Accounts" Python snippet, ported to Python 3 (print is a function;
# response.json is a method) and given the URL and credentials from the environment.
import json
import os
import requests

base = os.environ['V2CRM_BASE']
user, password = os.environ['V2CRM_CREDENTIALS'].split(':', 1)

response = requests.get(base + '/api/v2/crm/accounts/4',
                         auth=(user, password))

print(json.dumps(response.json()))
