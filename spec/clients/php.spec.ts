import { clientAvailable } from '../support/clients';
import { seedSnippetSuite } from './seed-snippets';

seedSnippetSuite('PHP', 'php', 'php', clientAvailable('php-cli with php-curl', ['php', '-r', 'exit(function_exists("curl_init") ? 0 : 1);']));
