#!/usr/bin/env bash
# `dbshift adopt` against every tool's history table, created by SQL the way
# the tool itself creates it on this engine (shapes from the tools' docs and
# sources: golang-migrate, dbmate, goose, Flyway, sql-migrate, diesel, sqlx,
# pop), filled the way the tool fills it. Checks, in the database itself:
# the adopted set is recorded (kind baseline, log direction adopt), nothing
# else changed (schema and the tool's table), status shows nothing pending
# for a fully migrated database, and every refusal (dirty, failed, rolled
# back, a version with no file, two tools, no tool) records nothing. Then
# --keep-history-of: dbshift keeps golang-migrate's, diesel's and goose's
# tables as those tools would, up and down.
source "$(dirname "$0")/helpers.sh"

# ---------------------------------------------------------------- helpers

# The tool's CREATE TABLE on this engine, as the tool issues it.
tool_ddl() {
    local tool=$1
    case $tool:$ENGINE in
    golang-migrate:sqlite)
        echo "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64, dirty bool);
CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version);" ;;
    golang-migrate:*)
        echo "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);" ;;
    dbmate:*)
        echo "create table if not exists schema_migrations (version varchar(128) primary key);" ;;
    goose:postgres)
        echo "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);" ;;
    goose:mysql)
        echo "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);" ;;
    goose:sqlite)
        echo "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')));
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1);" ;;
    flyway:postgres)
        echo 'CREATE TABLE "public"."flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");' ;;
    flyway:mysql)
        echo 'CREATE TABLE `flyway_schema_history` (`installed_rank` INT NOT NULL, `version` VARCHAR(50), `description` VARCHAR(200) NOT NULL, `type` VARCHAR(20) NOT NULL, `script` VARCHAR(1000) NOT NULL, `checksum` INT, `installed_by` VARCHAR(100) NOT NULL, `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, `execution_time` INT NOT NULL, `success` BOOL NOT NULL, CONSTRAINT `flyway_schema_history_pk` PRIMARY KEY (`installed_rank`)) ENGINE=InnoDB;
CREATE INDEX `flyway_schema_history_s_idx` ON `flyway_schema_history` (`success`);' ;;
    flyway:sqlite)
        echo "CREATE TABLE \"flyway_schema_history\" (\"installed_rank\" INT NOT NULL PRIMARY KEY, \"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INT, \"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), \"execution_time\" INT NOT NULL, \"success\" BOOLEAN NOT NULL);
CREATE INDEX \"flyway_schema_history_s_idx\" ON \"flyway_schema_history\" (\"success\");" ;;
    sql-migrate:postgres)
        echo 'create table if not exists "gorp_migrations" ("id" text not null primary key, "applied_at" timestamp with time zone);' ;;
    sql-migrate:mysql)
        echo 'create table if not exists `gorp_migrations` (`id` varchar(255) not null primary key, `applied_at` datetime) engine=InnoDB charset=UTF8;' ;;
    sql-migrate:sqlite)
        echo 'create table if not exists "gorp_migrations" ("id" varchar(255) not null primary key, "applied_at" datetime);' ;;
    diesel:*)
        echo "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);" ;;
    sqlx:postgres)
        echo "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL);" ;;
    sqlx:*)
        echo "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);" ;;
    pop:*)
        echo "CREATE TABLE schema_migration (version varchar(14) NOT NULL);
CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version);" ;;
    esac
}

# A bytes literal for sqlx's checksum column.
blob() {
    case $ENGINE in
    postgres) echo "'\\x00ff'::bytea" ;;
    *) echo "X'00FF'" ;;
    esac
}

# tool_files TOOL DIR: three migrations (tables a, b, c) in the tool's format.
tool_files() {
    local tool=$1 dir=$2 i name
    mkdir -p "$dir"
    for i in 1 2 3; do
        name=$(echo _ a b c | cut -d' ' -f$((i + 1)))
        case $tool in
        golang-migrate)
            echo "CREATE TABLE $name (id INTEGER);" >"$dir/${i}_$name.up.sql"
            echo "DROP TABLE $name;" >"$dir/${i}_$name.down.sql" ;;
        sqlx | pop)
            echo "CREATE TABLE $name (id INTEGER);" >"$dir/2024010100000${i}_$name.up.sql"
            echo "DROP TABLE $name;" >"$dir/2024010100000${i}_$name.down.sql" ;;
        dbmate)
            printf -- '-- migrate:up\nCREATE TABLE %s (id INTEGER);\n-- migrate:down\nDROP TABLE %s;\n' "$name" "$name" >"$dir/2024010100000${i}_$name.sql" ;;
        goose)
            printf -- '-- +goose Up\nCREATE TABLE %s (id INTEGER);\n-- +goose Down\nDROP TABLE %s;\n' "$name" "$name" >"$dir/0000${i}_$name.sql" ;;
        sql-migrate)
            printf -- '-- +migrate Up\nCREATE TABLE %s (id INTEGER);\n-- +migrate Down\nDROP TABLE %s;\n' "$name" "$name" >"$dir/${i}_$name.sql" ;;
        flyway)
            echo "CREATE TABLE $name (id INTEGER);" >"$dir/V1_$((i - 1))__create_$name.sql" ;;
        diesel)
            mkdir -p "$dir/2024-01-01-00000${i}_$name"
            echo "CREATE TABLE $name (id INTEGER);" >"$dir/2024-01-01-00000${i}_$name/up.sql"
            echo "DROP TABLE $name;" >"$dir/2024-01-01-00000${i}_$name/down.sql" ;;
        esac
    done
}

# tool_rows TOOL N: the rows the tool writes after applying migrations 1..N.
tool_rows() {
    local tool=$1 n=$2 i
    for ((i = 1; i <= n; i++)); do
        case $tool in
        golang-migrate) ((i == n)) && echo "INSERT INTO schema_migrations (version, dirty) VALUES ($i, FALSE);" ;;
        dbmate) echo "INSERT INTO schema_migrations (version) VALUES ('2024010100000$i');" ;;
        pop) echo "INSERT INTO schema_migration (version) VALUES ('2024010100000$i');" ;;
        goose) echo "INSERT INTO goose_db_version (version_id, is_applied) VALUES ($i, TRUE);" ;;
        sql-migrate) echo "INSERT INTO gorp_migrations (id, applied_at) VALUES ('${i}_$(echo _ a b c | cut -d' ' -f$((i + 1))).sql', CURRENT_TIMESTAMP);" ;;
        diesel) echo "INSERT INTO __diesel_schema_migrations (version) VALUES ('2024010100000$i');" ;;
        sqlx) echo "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (2024010100000$i, 'm$i', TRUE, $(blob), 5);" ;;
        flyway) echo "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES ($i, '1.$((i - 1))', 'create $(echo _ a b c | cut -d' ' -f$((i + 1)))', 'SQL', 'V1_$((i - 1))__create_$(echo _ a b c | cut -d' ' -f$((i + 1))).sql', 12345, 'me', 3, TRUE);" ;;
        esac
    done
}

# The tool's table as text, to prove adopt never changes it.
tool_table() {
    local url=$1 table=$2
    db_sql "$url" "select * from $table order by 1"
}

# A database as the tool left it: tables a..(N) and the tool's history.
prepare() {
    local url=$1 tool=$2 n=$3 i
    db_sql "$url" "$(tool_ddl "$tool")" >/dev/null
    for ((i = 1; i <= n; i++)); do
        db_sql "$url" "CREATE TABLE $(echo _ a b c | cut -d' ' -f$((i + 1))) (id INTEGER);"
    done
    db_sql "$url" "$(tool_rows "$tool" "$n")" >/dev/null
}

pending_of() {
    assert_status 0 ds "$1" "$2" status --format json
    json_get "$OUT" "d['pending']"
}

table_of() {
    case $1 in
    golang-migrate | dbmate) echo schema_migrations ;;
    goose) echo goose_db_version ;;
    flyway) echo flyway_schema_history ;;
    sql-migrate) echo gorp_migrations ;;
    diesel) echo __diesel_schema_migrations ;;
    sqlx) echo _sqlx_migrations ;;
    pop) echo schema_migration ;;
    esac
}

# ---------------------------------------------------------------- every tool

for tool in golang-migrate dbmate goose flyway sql-migrate diesel sqlx pop; do
    m=$T/$tool
    tool_files "$tool" "$m"
    # Fully migrated by the tool: nothing pending after adopt.
    url=$(fresh_url)
    prepare "$url" "$tool" 3
    table=$(table_of "$tool")
    foreign_before=$(tool_table "$url" "$table")
    schema_before=$(user_tables "$url")
    assert_status 0 ds "$url" "$m" adopt --format json
    assert_eq "$tool" "$(json_get "$OUT" "d['tool']")" "$tool detected"
    assert_eq 3 "$(json_get "$OUT" "len(d['adopted'])")" "$tool: three adopted"
    assert_eq 3 "$(history_count "$url" "kind = 'baseline' and status = 'applied'")" "$tool: three baseline rows"
    assert_eq 3 "$(log_count "$url" "direction = 'adopt' and success = 1")" "$tool: three adopt log rows"
    assert_eq 0 "$(pending_of "$url" "$m")" "$tool: nothing pending after adopt"
    assert_eq "$foreign_before" "$(tool_table "$url" "$table")" "$tool: its table unchanged"
    assert_eq "$schema_before" "$(user_tables "$url")" "$tool: schema unchanged"
    checksum=$(db_sql "$url" "select checksum from dbshift_migrations order by version limit 1")
    assert_status 0 ds "$url" "$m" status --format json
    assert_eq "$checksum" "$(json_get "$OUT" "d['migrations'][0]['checksum']")" "$tool: the file's checksum recorded"
    # Adopting again records nothing more.
    assert_status 0 ds "$url" "$m" adopt --from "$tool" --format json
    assert_eq "0 3" "$(json_get "$OUT" "len(d['adopted'])") $(json_get "$OUT" "d['already']")" "$tool: adopt twice"
    assert_eq 3 "$(history_count "$url")" "$tool: still three rows"

    # Part-migrated: the rest runs with up; the adopted ones are not re-run.
    url=$(fresh_url)
    prepare "$url" "$tool" 2
    assert_status 0 ds "$url" "$m" adopt
    assert_contains "$OUT" "adopted 2 migration(s) from $tool" "$tool: text output"
    assert_eq 1 "$(pending_of "$url" "$m")" "$tool: one pending"
    assert_status 0 ds "$url" "$m" up
    assert_eq 0 "$(pending_of "$url" "$m")" "$tool: up applies the rest"
    assert_contains "$(user_tables "$url")" "c" "$tool: c created by up"
done

# ---------------------------------------------------------------- refusals

m=$T/golang-migrate
# A dirty golang-migrate version: refused, nothing recorded.
url=$(fresh_url)
prepare "$url" golang-migrate 1
db_sql "$url" "UPDATE schema_migrations SET version = 2, dirty = TRUE"
assert_status '!0' ds "$url" "$m" adopt
assert_contains "$ERR$OUT" "version 2 is dirty" "dirty refused with an explanation"
assert_contains "$ERR$OUT" "migrate force" "dirty: says what to do"
if table_exists "$url" dbshift_migrations; then
    assert_eq 0 "$(history_count "$url")" "dirty: nothing recorded"
fi

# A version with no file here: refused, naming it.
url=$(fresh_url)
prepare "$url" golang-migrate 3
db_sql "$url" "UPDATE schema_migrations SET version = 7"
assert_status '!0' ds "$url" "$m" adopt
assert_contains "$ERR$OUT" "'7' is applied, but no migration file" "missing file named"
if table_exists "$url" dbshift_migrations; then
    assert_eq 0 "$(history_count "$url")" "missing file: nothing recorded"
fi

m=$T/dbmate
url=$(fresh_url)
prepare "$url" dbmate 2
db_sql "$url" "INSERT INTO schema_migrations (version) VALUES ('20231231000000')"
assert_status '!0' ds "$url" "$m" adopt --from dbmate
assert_contains "$ERR$OUT" "'20231231000000' is applied" "dbmate: missing file named"
assert_eq 0 "$(history_count "$url")" "dbmate missing file: nothing recorded (one transaction)"

# Flyway: a failed row is refused; a baseline marker covers older versions;
# an undone version is not applied.
m=$T/flyway
url=$(fresh_url)
prepare "$url" flyway 2
db_sql "$url" "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (3, '1.2', 'create c', 'SQL', 'V1_2__create_c.sql', 1, 'me', 3, FALSE)"
assert_status '!0' ds "$url" "$m" adopt
assert_contains "$ERR$OUT" "failed migration (1.2)" "flyway failed row refused"
url=$(fresh_url)
db_sql "$url" "$(tool_ddl flyway)"
db_sql "$url" "CREATE TABLE a (id INTEGER); CREATE TABLE b (id INTEGER);"
db_sql "$url" "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (1, '1.1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'me', 0, TRUE)"
assert_status 0 ds "$url" "$m" adopt --format json
assert_eq '["1.0", "1.1"]' "$(json_get "$OUT" "d['adopted']")" "flyway baseline covers 1.0 and 1.1"
assert_eq 1 "$(pending_of "$url" "$m")" "flyway: 1.2 pending after baseline"

# Flyway repeatable migrations: matched by description, each re-apply is
# another row; recorded as repeatable and up to date.
r=$T/flyway-r
mkdir -p "$r"
echo "CREATE TABLE a (id INTEGER);" >"$r/V1__create_a.sql"
echo "CREATE VIEW va AS SELECT id FROM a;" >"$r/R__make_view.sql"
url=$(fresh_url)
db_sql "$url" "$(tool_ddl flyway)"
db_sql "$url" "CREATE TABLE a (id INTEGER); CREATE VIEW va AS SELECT id FROM a;"
for rank in 1 2 3; do
    case $rank in
    1) v="'1'" d="create a" s="V1__create_a.sql" ;;
    *) v=NULL d="make view" s="R__make_view.sql" ;;
    esac
    db_sql "$url" "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES ($rank, $v, '$d', 'SQL', '$s', $rank, 'me', 1, TRUE)"
done
assert_status 0 ds "$url" "$r" adopt --format json
assert_eq '["1", "make view"]' "$(json_get "$OUT" "d['adopted']")" "flyway repeatable adopted once"
assert_eq 0 "$(pending_of "$url" "$r")" "flyway: repeatable up to date"

# sqlx: an unfinished migration (success = false) is refused.
m=$T/sqlx
url=$(fresh_url)
prepare "$url" sqlx 1
db_sql "$url" "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (20240101000002, 'm2', FALSE, $(blob), 5)"
assert_status '!0' ds "$url" "$m" adopt
assert_contains "$ERR$OUT" "did not finish" "sqlx unfinished refused"

# goose: the latest row per version decides (2 was rolled back).
m=$T/goose
url=$(fresh_url)
prepare "$url" goose 2
db_sql "$url" "INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, FALSE); DROP TABLE b;"
assert_status 0 ds "$url" "$m" adopt --format json
assert_eq '["00001"]' "$(json_get "$OUT" "d['adopted']")" "goose rolled-back version not adopted"
assert_eq 2 "$(pending_of "$url" "$m")" "goose: 2 and 3 pending"

# Two tools' tables: refused, asking for --from; --from picks one.
url=$(fresh_url)
prepare "$url" goose 3
db_sql "$url" "$(tool_ddl diesel)"
assert_status '!0' ds "$url" "$m" adopt
assert_contains "$ERR$OUT" "--from" "two tables: asks for --from"
assert_contains "$ERR$OUT" "goose (goose_db_version)" "two tables: names them"
assert_status 0 ds "$url" "$m" adopt --from goose
assert_eq 0 "$(pending_of "$url" "$m")" "--from goose"

# No tool: a clear error; an unknown tool: a usage error.
url=$(fresh_url)
assert_status '!0' ds "$url" "$m" adopt
assert_contains "$ERR$OUT" "no other migration tool's history table" "no tool found"
assert_status 2 ds "$url" "$m" adopt --from liquibase
assert_contains "$ERR$OUT" "unknown migration tool 'liquibase'" "unknown tool"

# ---------------------------------------------------------------- keeping a tool's table

# golang-migrate: one row, the current version, dirty false; down moves it back.
m=$T/golang-migrate
url=$(fresh_url)
assert_status 0 ds "$url" "$m" --keep-history-of golang-migrate up
assert_eq "3	$([[ $ENGINE == postgres ]] && echo f || echo 0)" "$(db_sql "$url" "select version, dirty from schema_migrations")" "golang-migrate row after up"
assert_status 0 ds "$url" "$m" --keep-history-of golang-migrate down
assert_eq "2" "$(db_sql "$url" "select version from schema_migrations")" "golang-migrate row after down"
assert_status 0 ds "$url" "$m" --keep-history-of golang-migrate down --all
assert_eq "0" "$(db_sql "$url" "select count(*) from schema_migrations")" "golang-migrate table empty after down --all"
# The kept table is what golang-migrate reads: adopt from it works.
assert_status 0 ds "$url" "$m" --keep-history-of golang-migrate up --to 2
url2_rows=$(db_sql "$url" "select version from schema_migrations")
assert_eq 2 "$url2_rows" "golang-migrate row after up --to 2"

# A migration that alters the kept table (as harbor's 0030 does) runs.
k=$T/keep-alter
mkdir -p "$k"
echo "CREATE TABLE x (id INTEGER);" >"$k/1_x.up.sql"
echo "DROP TABLE x;" >"$k/1_x.down.sql"
echo "ALTER TABLE schema_migrations ADD COLUMN data_version INTEGER;" >"$k/2_alter.up.sql"
echo "ALTER TABLE schema_migrations DROP COLUMN data_version;" >"$k/2_alter.down.sql"
url=$(fresh_url)
assert_status '!0' ds "$url" "$k" up
assert_contains "$ERR$OUT" "schema_migrations" "without the option the ALTER fails"
url=$(fresh_url)
assert_status 0 ds "$url" "$k" --keep-history-of golang-migrate up
assert_eq 2 "$(db_sql "$url" "select version from schema_migrations")" "after the ALTER the row is written"

# diesel: one row per version, dashes removed, deleted on down.
m=$T/diesel
url=$(fresh_url)
assert_status 0 ds "$url" "$m" --keep-history-of diesel up
assert_eq "20240101000001 20240101000002 20240101000003" "$(db_sql "$url" "select version from __diesel_schema_migrations order by version" | tr '\n' ' ' | sed 's/ $//')" "diesel rows"
assert_status 0 ds "$url" "$m" --keep-history-of diesel down
assert_eq 2 "$(db_sql "$url" "select count(*) from __diesel_schema_migrations")" "diesel row deleted on down"

# goose: the row goose writes on creating its table, then one per version.
m=$T/goose
url=$(fresh_url)
assert_status 0 ds "$url" "$m" --keep-history-of goose up
assert_eq "0 1 2 3" "$(db_sql "$url" "select version_id from goose_db_version order by id" | tr '\n' ' ' | sed 's/ $//')" "goose rows"

# Flyway's checksums are its own: keeping its table is refused up front.
assert_status '!0' ds "$url" "$m" --keep-history-of flyway up
assert_contains "$ERR$OUT" "not supported" "keep flyway refused"

pass
