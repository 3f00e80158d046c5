/** The console's header: the navigation (what the person's role can use), who is signed in, Sign out. */
import type { Person } from '../../shared/api.js';
import { allows } from '../../shared/roles.js';
import { roleLabel } from '../../ui/labels';
import { Link } from './navigation';
import type { Route } from './routes';

type Section = 'applications' | 'devices' | 'people' | 'audit' | 'alerts';

export function sectionOf(route: Route): Section {
  return route.page === 'devices' || route.page === 'people' || route.page === 'audit' || route.page === 'alerts' ? route.page : 'applications';
}

export function Header({ person, route, onSignOut }: { person: Person; route: Route; onSignOut: () => void }) {
  const section = sectionOf(route);
  const admin = allows(person.role, 'administer');
  const item = (to: Route & { page: Section }, label: string) => (
    <li>
      <Link to={to} current={section === to.page}>
        {label}
      </Link>
    </li>
  );
  return (
    <header class="top">
      <span class="brand">Serval</span>
      <nav aria-label="Console">
        <ul>
          {item({ page: 'applications' }, 'Applications')}
          {item({ page: 'devices' }, 'Devices')}
          {admin && item({ page: 'people' }, 'People')}
          {admin && item({ page: 'audit' }, 'Audit log')}
          {admin && item({ page: 'alerts' }, 'Alerts')}
        </ul>
      </nav>
      <p class="who">
        <span class="visually-hidden">Signed in as </span>
        <span class="who-name">{person.name}</span> <span class="pill role">{roleLabel(person.role)}</span>
      </p>
      <button type="button" class="secondary" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}
