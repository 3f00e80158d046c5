/** What the card says while it is not seen whole (seen-whole.ts); its own module so that tests outside the DOM can read it. */
export const NOT_SEEN_WHOLE = 'Something on this page covers Serval or makes it see-through: Send is off until Serval can be seen whole.';
