import { clientAvailable } from '../support/clients';
import { seedSnippetSuite } from './seed-snippets';

// Debian's python3-requests installs for /usr/bin/python3, which a pyenv shim on PATH may shadow.
const candidates = [process.env.V2CRM_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
const python = candidates.find((c) => clientAvailable(`${c} with requests`, [c, '-c', 'import requests'], true)) ?? 'python3';

seedSnippetSuite('Python', python, 'py', clientAvailable('python3 with requests', [python, '-c', 'import requests']));
