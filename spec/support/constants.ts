/** Credentials of the admin seeded into every test database. */
export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct-horse-battery';
export const TEMPLATE_FILE_ENV = 'V2CRM_TEST_TEMPLATE_FILE';
export const TEMPLATE_DB_ENV = 'V2CRM_TEST_TEMPLATE_DB';
export const TEMPLATE_DATA_DIR_ENV = 'V2CRM_TEST_TEMPLATE_DATA_DIR';
export const TEMPLATE_INITDB_DIR_ENV = 'V2CRM_TEST_TEMPLATE_INITDB_DIR';
