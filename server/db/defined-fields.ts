/** A patch without its undefined fields: drizzle refuses an empty SET, so an empty patch is the caller's to skip. */
export function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
