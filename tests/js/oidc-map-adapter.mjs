// An unbounded in-memory adapter for oidc-provider (the interface of its documented Adapter: upsert, find,
// findByUid, findByUserCode, consume, destroy, revokeByGrantId). The built-in memory adapter is an LRU of 1,000
// entries, so a test that holds thousands of live grants (the 3-gateway test: 2,000) would see live refresh tokens
// evicted. One Map per provider instance (one process per fixture); entries expire at their expiresIn.

export function createMapAdapter() {
  const entries = new Map(); // `${model}:${id}` -> { payload, expiresAt }
  const sessionsByUid = new Map();
  const byUserCode = new Map();
  const grants = new Map(); // grantId -> Set of keys

  const live = (key) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  };

  return class MapAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
      entries.set(key, { payload, expiresAt });
      if (this.model === 'Session' && payload.uid) sessionsByUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
      if (payload.grantId) {
        if (!grants.has(payload.grantId)) grants.set(payload.grantId, new Set());
        grants.get(payload.grantId).add(key);
      }
    }

    async find(id) {
      return live(this.key(id));
    }

    async findByUid(uid) {
      const id = sessionsByUid.get(uid);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode) {
      const id = byUserCode.get(userCode);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id) {
      entries.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      for (const key of grants.get(grantId) ?? []) entries.delete(key);
      grants.delete(grantId);
    }
  };
}
