// Password hashing is the users domain's (src/domain/users); the kernel's login check reads it from there.
export * from '../domain/users/password';
