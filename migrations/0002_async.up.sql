-- Durable asynchronous invocations and schedules (docs/internals.md). Every time here comes
-- from the database's clock, so instances with drifting clocks agree on what is due.

-- One row per accepted event, from 202 until retention purges it. The queue is this table:
-- a delivery takes rows with FOR UPDATE SKIP LOCKED, so instances never take the same one.
CREATE TABLE async_events (
  id               uuid PRIMARY KEY,                -- the invocation id, also awsRequestId
  function_name    text NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
  version          integer CHECK (version >= 1),    -- NULL: the latest at delivery
  payload          text NOT NULL,                   -- the event's exact JSON text, not re-encoded
  state            text NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0), -- deliveries started
  -- Deliveries whose instance vanished (lease expired). The first few are not the
  -- function's failure: queued again at once, attempt not counted (see reclaim).
  lost_deliveries  integer NOT NULL DEFAULT 0 CHECK (lost_deliveries >= 0),
  -- The policy is copied at accept time: a later PATCH does not change events in flight.
  max_retries      integer NOT NULL CHECK (max_retries >= 0),
  retry_delay_ms   integer NOT NULL CHECK (retry_delay_ms >= 0),
  max_event_age_s  integer NOT NULL CHECK (max_event_age_s >= 1),
  depth            integer NOT NULL DEFAULT 0 CHECK (depth >= 0), -- destination hops: bounds loops
  accepted_at      timestamptz NOT NULL DEFAULT now(), -- the age counts from here (redrive resets it)
  created_at       timestamptz NOT NULL DEFAULT now(),
  run_after        timestamptz NOT NULL DEFAULT now(), -- not delivered before (retry delays)
  started_at       timestamptz,                      -- the latest take
  lease_until      timestamptz,                      -- past it, any instance may take it back
  leased_by        text,
  -- A fresh token per take: a completion counts only for the delivery that holds it, even
  -- when the same instance took the event again after losing its lease.
  lease            uuid,
  finished_at      timestamptz,                      -- retention counts from here
  result           text,                             -- JSON text; NULL past 1 MB
  error            jsonb,                            -- {code, message, name?} of the last failure
  -- A running row always has a lease, so a vanished instance's work is always recovered.
  CHECK (state <> 'running' OR (lease_until IS NOT NULL AND leased_by IS NOT NULL AND lease IS NOT NULL))
);
-- Partial indexes stay as small as the backlog, not as the retained history.
CREATE INDEX async_events_ready ON async_events (function_name, run_after) WHERE state = 'queued';
CREATE INDEX async_events_leases ON async_events (lease_until) WHERE state = 'running';
CREATE INDEX async_events_finished ON async_events (finished_at) WHERE finished_at IS NOT NULL;
-- Deleting a function cascades here: without it, that is a scan of every retained event,
-- holding the function's row (and enqueues for it) meanwhile.
CREATE INDEX async_events_function ON async_events (function_name);

-- Events that failed every attempt (or aged out) with no on_failure destination. A copy, not
-- a pointer: the event row may be purged long before the dead letter is.
CREATE TABLE dead_letters (
  invocation_id  uuid PRIMARY KEY,
  function_name  text NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
  payload        text NOT NULL,
  error          jsonb NOT NULL,
  attempts       integer NOT NULL,
  depth          integer NOT NULL DEFAULT 0,         -- restored by a redrive: loops stay bounded
  failed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letters_function ON dead_letters (function_name, failed_at);
CREATE INDEX dead_letters_failed ON dead_letters (failed_at);

CREATE TABLE schedules (
  function_name  text NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
  name           text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  expression     text NOT NULL,
  timezone       text,
  event          text,                               -- JSON text of the detail, or NULL
  enabled        boolean NOT NULL DEFAULT true,
  next_run       timestamptz,                        -- NULL: never fires again
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (function_name, name)
);
CREATE INDEX schedules_due ON schedules (next_run) WHERE enabled;

-- One row per fired tick. Its key makes a tick fire once however many instances claim it,
-- and the newest rows are a schedule's "last runs".
CREATE TABLE schedule_ticks (
  function_name  text NOT NULL,
  schedule       text NOT NULL,
  tick           timestamptz NOT NULL,
  invocation_id  uuid NOT NULL,
  fired_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (function_name, schedule, tick),
  FOREIGN KEY (function_name, schedule) REFERENCES schedules (function_name, name)
    ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX schedule_ticks_tick ON schedule_ticks (tick); -- retention
