import { idParam } from '../../http/params';

/** The `:id` of the parent account route (sub-resources are mounted with mergeParams). */
export const accountIdOf = (params: object): number => idParam(String((params as Record<string, string>).id));

/** The `:id` of the route itself. */
export const recordIdOf = (params: object): number => idParam(String((params as Record<string, string>).id));
