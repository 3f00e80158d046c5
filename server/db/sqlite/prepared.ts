/** A statement prepared at its first use, and kept: the tables exist only once the migrations have run. */
export function preparedOnFirstUse<S>(prepare: () => S): () => S {
  let statement: S | undefined;
  return () => {
    statement ??= prepare();
    return statement;
  };
}
