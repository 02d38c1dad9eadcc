-- 0002_workflow_runs: the workflow engine's runs, step executions and webhook trigger claims
-- (PostgresWorkflowRunStore; the SQLite store of the Local profile has the same tables).
-- Statuses are lower-case names: run pending/running/succeeded/failed/cancelled; step adds skipped, timed_out.
-- Timestamps are UTC instants (microseconds). JSON columns hold JSON objects (jsonb: key order is not kept).
CREATE TABLE {schema}.workflow_runs (
    id                uuid        PRIMARY KEY,
    workflow          text        NOT NULL,
    definition_hash   text        NOT NULL,
    definition_source text        NOT NULL,
    definition_file   text        NOT NULL,
    parameters        jsonb       NOT NULL,
    trigger_kind      text        NOT NULL,
    trigger_actor     text,
    trigger_detail    text,
    trigger_dedup_key text,
    status            text        NOT NULL
        CONSTRAINT workflow_runs_status_check CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    created_at        timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    error             text
);

-- Newest first, per workflow and overall (ListRunsAsync orders by created_at desc, then id desc).
CREATE INDEX workflow_runs_workflow_created_at_idx ON {schema}.workflow_runs (workflow, created_at DESC, id DESC);
CREATE INDEX workflow_runs_created_at_idx ON {schema}.workflow_runs (created_at DESC, id DESC);
-- The few runs that are not finished (what a restarted orchestrator looks for).
CREATE INDEX workflow_runs_unfinished_idx ON {schema}.workflow_runs (status) WHERE status IN ('pending', 'running');

CREATE TABLE {schema}.workflow_step_executions (
    run_id      uuid        NOT NULL REFERENCES {schema}.workflow_runs (id) ON DELETE CASCADE,
    -- Byte order, so the primary key's order is the order GetStepsAsync returns (the same as SQLite's).
    step_id     text        COLLATE "C" NOT NULL,
    -- -1: the step's own row; 0, 1, ...: a foreach item's row.
    item        integer     NOT NULL,
    status      text        NOT NULL
        CONSTRAINT workflow_step_executions_status_check
        CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled', 'timed_out')),
    attempt     integer     NOT NULL,
    dispatch_id uuid,
    job_id      text,
    queue       text,
    item_count  integer,
    inputs      jsonb,
    outputs     jsonb,
    error       text,
    logs        text        NOT NULL DEFAULT '',
    queued_at   timestamptz,
    started_at  timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (run_id, step_id, item)
);

-- A claim may precede its run (claim first, then create the run), so run_id has no foreign key.
CREATE TABLE {schema}.workflow_trigger_claims (
    dedup_key  text        PRIMARY KEY,
    run_id     uuid        NOT NULL,
    claimed_at timestamptz NOT NULL
);

COMMENT ON TABLE {schema}.workflow_runs IS 'Workflow runs: definition text and hash, parameters, trigger, status and timestamps.';
COMMENT ON TABLE {schema}.workflow_step_executions IS 'One row per step (item -1) and per foreach item of a run; updated by compare-and-set on (status, dispatch_id).';
COMMENT ON TABLE {schema}.workflow_trigger_claims IS 'De-duplication keys of triggers (e.g. webhook notifications) and the run each one started.';
