import type { MatchedOperation } from './openapi-validator.js';

/**
 * Places where Discord's OpenAPI description is stricter than Discord itself, for bodies discord.js really
 * sends. Each allowance rewrites just the one value into the form the spec describes (on a copy), so the
 * rest of the body is still checked.
 */
interface SpecAllowance {
  routes: RegExp;
  normalize(body: unknown): unknown;
}

const COMMAND_ROUTES = /^(PUT|POST|PATCH) \/applications\/\{application_id\}(\/guilds\/\{guild_id\})?\/commands(\/\{command_id\})?$/;

const ALLOWANCES: SpecAllowance[] = [
  {
    // The spec types `default_member_permissions` as an integer; Discord documents (and discord.js sends)
    // the permission bit set as a decimal string, e.g. "8".
    routes: COMMAND_ROUTES,
    normalize: (body) => {
      const permissionsAsNumber = (command: unknown) => {
        const permissions = (command as { default_member_permissions?: unknown } | null)?.default_member_permissions;
        return typeof permissions === 'string' && /^\d+$/.test(permissions)
          ? { ...(command as object), default_member_permissions: Number(permissions) }
          : command;
      };
      return Array.isArray(body) ? body.map(permissionsAsNumber) : permissionsAsNumber(body);
    },
  },
];

export function applySpecAllowances(matched: MatchedOperation, body: unknown): unknown {
  const route = `${matched.method} ${matched.template}`;
  return ALLOWANCES.filter((allowance) => allowance.routes.test(route)).reduce((normalized, allowance) => allowance.normalize(normalized), body);
}
