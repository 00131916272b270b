-- Functions and their immutable versions (docs/internals.md).
CREATE TABLE functions (
  name            text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$'),
  latest_version  integer NOT NULL CHECK (latest_version >= 1),
  config          jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE function_versions (
  name        text NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
  version     integer NOT NULL CHECK (version >= 1),
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size        integer NOT NULL CHECK (size >= 0),
  handler     text NOT NULL CHECK (handler IN ('event', 'fetch')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

CREATE INDEX function_versions_sha256 ON function_versions (sha256);
