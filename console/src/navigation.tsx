/** Links that move between the console's pages without reloading it. */
import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { pathFor, type Route } from './routes';

export const NavigateContext = createContext<(route: Route) => void>(() => {});

export function useNavigate(): (route: Route) => void {
  return useContext(NavigateContext);
}

export function Link({ to, children, current = false }: { to: Route; children: ComponentChildren; current?: boolean }) {
  const navigate = useNavigate();
  return (
    <a
      href={pathFor(to)}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
