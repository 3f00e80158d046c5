/**
 * oidc-provider's storage, in memory, per provider instance: what its built-in development
 * adapter does, without its warning on every start. A test provider lives as long as its test file.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

type Entry = { payload: AdapterPayload; expiresAt: number | null };

export function memoryAdapter(): { Adapter: new (name: string) => Adapter; put(model: string, id: string, payload: AdapterPayload): void } {
  const store = new Map<string, Entry>();
  const live = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  class MemoryAdapter implements Adapter {
    constructor(readonly name: string) {}
    private key = (id: string) => `${this.name}:${id}`;
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
      if (payload.grantId) store.set(`grant:${payload.grantId}:${this.key(id)}`, { payload: { id: this.key(id) } as AdapterPayload, expiresAt: null });
      if (payload.uid) store.set(`uid:${this.name}:${payload.uid}`, { payload: { jti: id } as AdapterPayload, expiresAt: null });
      if (payload.userCode) store.set(`userCode:${this.name}:${payload.userCode}`, { payload: { jti: id } as AdapterPayload, expiresAt: null });
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUid(uid: string) {
      const ref = live(`uid:${this.name}:${uid}`);
      return ref ? live(this.key(ref.jti as string)) : undefined;
    }
    async findByUserCode(userCode: string) {
      const ref = live(`userCode:${this.name}:${userCode}`);
      return ref ? live(this.key(ref.jti as string)) : undefined;
    }
    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of [...store.keys()]) {
        if (!key.startsWith(`grant:${grantId}:`)) continue;
        store.delete((store.get(key)!.payload as { id: string }).id);
        store.delete(key);
      }
    }
  }
  return {
    Adapter: MemoryAdapter,
    /** Stores a model outside the provider's own flows (a client registered after the start). */
    put: (model, id, payload) => store.set(`${model}:${id}`, { payload, expiresAt: null }),
  };
}
