-- 0001_init: the baseline. PostgresMigrator itself creates the schema and {schema}.schema_migrations
-- (it needs that table before it can record this migration); later issues add the tables for runs,
-- feedback and deployments as 0002, 0003, ... Never edit a migration once it is applied anywhere:
-- the migrator refuses a changed checksum. Add a new file instead.
COMMENT ON SCHEMA {schema} IS 'Spotify Buddies relational store; changes only through numbered migrations (PostgresMigrator).';
COMMENT ON TABLE {schema}.schema_migrations IS 'Applied migrations: version, file name part, SHA-256 of the script (LF line endings), time applied.';
