/**
 * The console's pages and their paths (the backend answers each of them with the console page).
 * Pure: a path in, a route out, and back.
 */
export type ApplicationTab = 'overview' | 'api-integration';

export type Route =
  | { page: 'applications' }
  | { page: 'application'; id: string; tab: ApplicationTab }
  | { page: 'devices' }
  | { page: 'people' }
  | { page: 'audit' }
  | { page: 'alerts' }
  | { page: 'sign-in' }
  /** An invite link's page: `/invite#<token>` (the token stays in the fragment, never sent to the server). */
  | { page: 'invite' };

export function routeFor(path: string): Route {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'applications' && parts[1] && /^[A-Za-z0-9_-]+$/.test(parts[1])) {
    return { page: 'application', id: parts[1], tab: parts[2] === 'api-integration' ? 'api-integration' : 'overview' };
  }
  if (parts[0] === 'devices') return { page: 'devices' };
  if (parts[0] === 'people') return { page: 'people' };
  if (parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'alerts') return { page: 'alerts' };
  if (parts[0] === 'sign-in') return { page: 'sign-in' };
  if (parts[0] === 'invite') return { page: 'invite' };
  return { page: 'applications' };
}

export function pathFor(route: Route): string {
  switch (route.page) {
    case 'applications':
      return '/applications';
    case 'application':
      return route.tab === 'overview' ? `/applications/${route.id}` : `/applications/${route.id}/${route.tab}`;
    case 'devices':
      return '/devices';
    case 'people':
      return '/people';
    case 'audit':
      return '/audit';
    case 'alerts':
      return '/alerts';
    case 'sign-in':
      return '/sign-in';
    case 'invite':
      return '/invite';
  }
}
