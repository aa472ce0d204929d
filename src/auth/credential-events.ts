// Credential events belong to the users domain (src/domain/users); re-exported for the kernel.
export * from '../domain/users/credential-events';
