-- The Sovereign Keychain. Key material is only ever stored wrapped (AES-256-GCM); the vault
-- encryption key (VEK) itself exists in process memory only while unsealed.
-- Layout: passphrase --Argon2id--> KEK --wraps--> VEK --wraps--> epoch keys --HKDF--> domain keys
-- --wrap--> one random data key per stored value. Rotation re-wraps data keys, never values.
CREATE TABLE vault_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  format INTEGER NOT NULL,
  kdf TEXT NOT NULL CHECK (kdf = 'argon2id'),
  kdf_memory_kib INTEGER NOT NULL,
  kdf_iterations INTEGER NOT NULL,
  kdf_parallelism INTEGER NOT NULL,
  kdf_salt BLOB NOT NULL,
  wrapped_vek BLOB NOT NULL,
  verifier BLOB NOT NULL,
  shamir_set_id TEXT,
  shamir_shares INTEGER,
  shamir_threshold INTEGER,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  last_failed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- One row per key epoch; wrapped_key is NULL once the epoch is retired (its key is gone for good).
CREATE TABLE vault_epochs (
  epoch INTEGER PRIMARY KEY,
  wrapped_key BLOB,
  state TEXT NOT NULL CHECK (state IN ('active', 'grace', 'retired')),
  created_at TEXT NOT NULL,
  grace_until TEXT,
  retired_at TEXT
);

CREATE TABLE keychain_domains (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE keychain_domain_acls (
  id TEXT PRIMARY KEY,
  domain_id TEXT NOT NULL REFERENCES keychain_domains (id) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  can_read INTEGER NOT NULL DEFAULT 0,
  can_write INTEGER NOT NULL DEFAULT 0,
  can_admin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (domain_id, subject)
);

CREATE TABLE keychain_credentials (
  id TEXT PRIMARY KEY,
  domain_id TEXT NOT NULL REFERENCES keychain_domains (id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  metadata TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL CHECK (state IN ('active', 'archived', 'destroyed')),
  expires_at TEXT,
  current_version INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE INDEX keychain_credentials_domain ON keychain_credentials (domain_id, name);

-- Destroying a credential sets wrapped_dek and ciphertext to NULL in every version.
CREATE TABLE keychain_credential_versions (
  credential_id TEXT NOT NULL REFERENCES keychain_credentials (id),
  version INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  wrapped_dek BLOB,
  ciphertext BLOB,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (credential_id, version)
);

-- `hx secret`: backend says where the value lives (the vault here, or the OS keyring, in which
-- case only the name and metadata are kept).
CREATE TABLE vault_secrets (
  name TEXT PRIMARY KEY,
  backend TEXT NOT NULL CHECK (backend IN ('vault', 'keyring')),
  epoch INTEGER,
  wrapped_dek BLOB,
  ciphertext BLOB,
  metadata TEXT NOT NULL DEFAULT '{}',
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
