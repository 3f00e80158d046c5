/**
 * A person's input. Browsers mark what a person does as trusted (`event.isTrusted`) and what a
 * script does as not, and the offer card acts only on the former; happy-dom marks nothing, so
 * these helpers mark the events they fire, as Chromium would mark the same input from a person.
 * Plain `fireEvent` or `element.click()` stays what a script on the page could do.
 */
import { createEvent, fireEvent } from '@testing-library/preact';

type EventInit = Parameters<typeof createEvent.click>[1];

function trusted(event: Event): Event {
  Object.defineProperty(event, 'isTrusted', { value: true });
  return event;
}

export const byPerson = {
  click: (element: Element) => fireEvent(element, trusted(createEvent.click(element))),
  change: (element: Element, init?: EventInit) => fireEvent(element, trusted(createEvent.change(element, init))),
  input: (element: Element, init?: EventInit) => fireEvent(element, trusted(createEvent.input(element, init))),
};
