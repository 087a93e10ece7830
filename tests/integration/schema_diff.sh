#!/usr/bin/env bash
# `dbshift diff` on the engine under test, one kind of change per case
# (at least 25 per engine): the migrations build a base schema, desired.sql
# describes the base with one change, and diff must write a migration that
# (1) `up` applies to a fresh database giving exactly the schema desired.sql
# gives, checked by comparing `dbshift dump` of both, and (2) whose down
# gives back the base schema. The ambiguous case (a possible rename) must
# carry the comment asking the author to decide.
source "$(dirname "$0")/helpers.sh"

# quotes inside ${a/b/c} would be removed: quoted text comes from variables
anon="'anon'"
moods="('sad', 'ok')" more_moods="('sad', 'ok', 'happy')" fewer_moods="('sad')"
case $ENGINE in
sqlite)
    base="CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, age INTEGER DEFAULT 0);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), title TEXT NOT NULL, body TEXT);
CREATE INDEX posts_title ON posts (title);
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE TRIGGER posts_touch AFTER INSERT ON posts BEGIN UPDATE posts SET body = 'new' WHERE id = NEW.id; END;"
    users="CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, age INTEGER DEFAULT 0);"
    posts="CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), title TEXT NOT NULL, body TEXT);"
    rest="CREATE INDEX posts_title ON posts (title);
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE TRIGGER posts_touch AFTER INSERT ON posts BEGIN UPDATE posts SET body = 'new' WHERE id = NEW.id; END;"
    cases=(
        "create_table|$base
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT UNIQUE);"
        "drop_table|$users
CREATE VIEW user_emails AS SELECT id, email FROM users;"
        "add_column|${users/age INTEGER DEFAULT 0/age INTEGER DEFAULT 0, nick TEXT}
$posts
$rest"
        "add_column_not_null_default|${users/age INTEGER DEFAULT 0/age INTEGER DEFAULT 0, score INTEGER NOT NULL DEFAULT 5}
$posts
$rest"
        "drop_column|${users/, name TEXT/}
$posts
$rest"
        "change_type|${users/name TEXT/name VARCHAR(80)}
$posts
$rest"
        "set_not_null|${users/name TEXT/name TEXT NOT NULL}
$posts
$rest"
        "drop_not_null|${users/email TEXT NOT NULL/email TEXT}
$posts
$rest"
        "set_default|${users/name TEXT/name TEXT DEFAULT $anon}
$posts
$rest"
        "change_default|${users/DEFAULT 0/DEFAULT 18}
$posts
$rest"
        "drop_default|${users/ DEFAULT 0/}
$posts
$rest"
        "add_index|$base
CREATE INDEX users_name ON users (name);"
        "drop_index|$users
$posts
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE TRIGGER posts_touch AFTER INSERT ON posts BEGIN UPDATE posts SET body = 'new' WHERE id = NEW.id; END;"
        "add_unique_index|$base
CREATE UNIQUE INDEX users_email ON users (email);"
        "change_index|$users
$posts
${rest/posts (title)/posts (title, body)}"
        "add_partial_index|$base
CREATE INDEX posts_body ON posts (body) WHERE body IS NOT NULL;"
        "add_expression_index|$base
CREATE INDEX users_lower_email ON users (lower(email));"
        "add_unique_constraint|${users/age INTEGER DEFAULT 0/age INTEGER DEFAULT 0, UNIQUE (email)}
$posts
$rest"
        "add_check|${users/age INTEGER DEFAULT 0/age INTEGER DEFAULT 0 CHECK (age >= 0)}
$posts
$rest"
        "add_foreign_key|$users
${posts/body TEXT/body TEXT, editor_id INTEGER REFERENCES users (id)}
$rest"
        "drop_foreign_key|$users
${posts/ REFERENCES users (id)/}
$rest"
        "change_foreign_key_action|$users
${posts/REFERENCES users (id)/REFERENCES users (id) ON DELETE CASCADE}
$rest"
        "change_primary_key|$users
${posts/id INTEGER PRIMARY KEY/id INTEGER NOT NULL}
$rest"
        "create_view|$base
CREATE VIEW named AS SELECT name FROM users WHERE name IS NOT NULL;"
        "drop_view|$users
$posts
CREATE INDEX posts_title ON posts (title);
CREATE TRIGGER posts_touch AFTER INSERT ON posts BEGIN UPDATE posts SET body = 'new' WHERE id = NEW.id; END;"
        "change_view|$users
$posts
${rest/SELECT id, email/SELECT id, email, name}"
        "add_trigger|$base
CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET age = 1 WHERE id = NEW.id AND age IS NULL; END;"
        "drop_trigger|$users
$posts
CREATE INDEX posts_title ON posts (title);
CREATE VIEW user_emails AS SELECT id, email FROM users;"
        "collation|${users/name TEXT/name TEXT COLLATE NOCASE}
$posts
$rest"
        "rename_column_ambiguous|${users/name TEXT/full_name TEXT}
$posts
$rest"
    )
    ;;
postgres)
    base="CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text, age integer DEFAULT 0, m mood);
CREATE TABLE posts (id integer PRIMARY KEY, user_id integer CONSTRAINT posts_user_fk REFERENCES users (id), title text NOT NULL, body text);
CREATE INDEX posts_title ON posts (title);
CREATE VIEW user_emails AS SELECT id, email FROM users;"
    cases=(
        "create_table|$base
CREATE TABLE tags (id integer PRIMARY KEY, label text UNIQUE);"
        "drop_table|${base/CREATE TABLE posts*FROM users;/CREATE VIEW user_emails AS SELECT id, email FROM users;}"
        "add_column|${base/m mood)/m mood, nick text)}"
        "add_column_not_null_default|${base/m mood)/m mood, score integer NOT NULL DEFAULT 5)}"
        "drop_column|${base/, name text/}"
        "change_type|${base/name text/name varchar(80)}"
        "set_not_null|${base/name text/name text NOT NULL}"
        "drop_not_null|${base/email text NOT NULL/email text}"
        "set_default|${base/name text/name text DEFAULT $anon}"
        "change_default|${base/DEFAULT 0/DEFAULT 18}"
        "drop_default|${base/ DEFAULT 0/}"
        "add_index|$base
CREATE INDEX users_name ON users (name);"
        "drop_index|${base/CREATE INDEX posts_title ON posts (title);/}"
        "add_unique_index|$base
CREATE UNIQUE INDEX users_email ON users (email);"
        "change_index|${base/posts (title)/posts (title, body)}"
        "add_partial_index|$base
CREATE INDEX posts_body ON posts (body) WHERE body IS NOT NULL;"
        "add_expression_index|$base
CREATE INDEX users_lower_email ON users (lower(email));"
        "add_unique_constraint|$base
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"
        "add_check|$base
ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);"
        "add_foreign_key|${base/body text)/body text, editor_id integer REFERENCES users (id))}"
        "drop_foreign_key|${base/ CONSTRAINT posts_user_fk REFERENCES users (id)/}"
        "change_foreign_key_action|${base/REFERENCES users (id)/REFERENCES users (id) ON DELETE CASCADE}"
        "change_primary_key|${base/posts (id integer PRIMARY KEY/posts (id integer NOT NULL}"
        "create_view|$base
CREATE VIEW named AS SELECT name FROM users WHERE name IS NOT NULL;"
        "drop_view|${base/CREATE VIEW user_emails AS SELECT id, email FROM users;/}"
        "change_view|${base/SELECT id, email FROM/SELECT id, email, name FROM}"
        "add_enum_value|${base/$moods/$more_moods}"
        "remove_enum_value|${base/$moods/$fewer_moods}"
        "create_enum|$base
CREATE TYPE size AS ENUM ('s', 'm', 'l');"
        "create_sequence|$base
CREATE SEQUENCE ticket START 100;"
        "identity|${base/users (id integer PRIMARY KEY/users (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY}"
        "create_function_trigger|$base
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.body := 'x'; RETURN NEW; END \$\$;
CREATE TRIGGER posts_touch BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION touch();"
        "collation|${base/name text/name text COLLATE \"C\"}"
        "rename_column_ambiguous|${base/name text/full_name text}"
    )
    ;;
mysql)
    base="CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(100), age INT DEFAULT 0);
CREATE TABLE posts (id INT PRIMARY KEY, user_id INT, title VARCHAR(200) NOT NULL, body TEXT, CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id));
CREATE INDEX posts_title ON posts (title);
CREATE VIEW user_emails AS SELECT id, email FROM users;"
    cases=(
        "create_table|$base
CREATE TABLE tags (id INT PRIMARY KEY, label VARCHAR(50) UNIQUE);"
        "drop_table|${base/CREATE TABLE posts*FROM users;/CREATE VIEW user_emails AS SELECT id, email FROM users;}"
        "add_column|${base/age INT DEFAULT 0/age INT DEFAULT 0, nick VARCHAR(20)}"
        "add_column_not_null_default|${base/age INT DEFAULT 0/age INT DEFAULT 0, score INT NOT NULL DEFAULT 5}"
        "drop_column|${base/, name VARCHAR(100)/}"
        "change_type|${base/name VARCHAR(100)/name VARCHAR(150)}"
        "set_not_null|${base/name VARCHAR(100)/name VARCHAR(100) NOT NULL}"
        "drop_not_null|${base/email VARCHAR(200) NOT NULL/email VARCHAR(200)}"
        "set_default|${base/name VARCHAR(100)/name VARCHAR(100) DEFAULT $anon}"
        "change_default|${base/DEFAULT 0/DEFAULT 18}"
        "drop_default|${base/ DEFAULT 0/}"
        "add_index|$base
CREATE INDEX users_name ON users (name);"
        "drop_index|${base/CREATE INDEX posts_title ON posts (title);/}"
        "add_unique_index|$base
CREATE UNIQUE INDEX users_email ON users (email);"
        "change_index|${base/posts (title)/posts (title, user_id)}"
        "add_prefix_index|$base
CREATE INDEX posts_body ON posts (body(20));"
        "add_check|$base
ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);"
        "add_foreign_key|${base/body TEXT,/body TEXT, editor_id INT, CONSTRAINT posts_editor_fk FOREIGN KEY (editor_id) REFERENCES users (id),}"
        "change_foreign_key_action|${base/REFERENCES users (id))/REFERENCES users (id) ON DELETE CASCADE)}"
        "change_primary_key|${base/posts (id INT PRIMARY KEY, user_id INT,/posts (id INT NOT NULL, user_id INT NOT NULL, PRIMARY KEY (id, user_id),}"
        "create_view|$base
CREATE VIEW named AS SELECT name FROM users WHERE name IS NOT NULL;"
        "drop_view|${base/CREATE VIEW user_emails AS SELECT id, email FROM users;/}"
        "change_view|${base/SELECT id, email FROM/SELECT id, email, name FROM}"
        "auto_increment|${base/users (id INT PRIMARY KEY/users (id INT AUTO_INCREMENT PRIMARY KEY}"
        "collation|${base/name VARCHAR(100)/name VARCHAR(100) COLLATE utf8mb4_bin}"
        "add_trigger|$base
CREATE TRIGGER posts_touch BEFORE INSERT ON posts FOR EACH ROW SET NEW.body = 'x';"
        "create_function|$base
CREATE FUNCTION plus_one(a INT) RETURNS INT DETERMINISTIC RETURN a + 1;"
        "rename_column_ambiguous|${base/name VARCHAR(100)/full_name VARCHAR(100)}"
    )
    ;;
esac

normalized() {
    "$DBSHIFT" --url "$1" dump | sed 's/,$//' | LC_ALL=C sort
}

ncases=0
for entry in "${cases[@]}"; do
    kind=${entry%%|*}
    desired=${entry#*|}
    m=$T/$kind/m
    mig "$m" "0001_base.sql" "$base" "-"
    printf '%s\n' "$desired" >"$T/$kind/desired.sql"
    url=$(fresh_url)
    assert_status 0 ds "$url" "$m" diff --to "$T/$kind/desired.sql" --sequential change
    assert_contains "$OUT" "created" "$kind: diff writes a migration"
    file=$(ls "$m"/0002_*.sql)
    if [[ $kind == rename_column_ambiguous ]]; then
        assert_contains "$(cat "$file")" "If this is a rename" "$kind: the author is asked to decide"
    fi
    # the generated migration through the real runner
    assert_status 0 ds "$url" "$m" up --yes --no-backup
    want_url=$(fresh_url)
    db_sql "$want_url" "$desired" >/dev/null
    if [[ $kind == rename_column_ambiguous ]]; then
        # the safe form adds the new column last
        got=$(normalized "$url") want=$(normalized "$want_url")
    else
        got=$("$DBSHIFT" --url "$url" dump) want=$("$DBSHIFT" --url "$want_url" dump)
    fi
    assert_eq "$want" "$got" "$kind: up gives the desired schema"$'\n'"$(cat "$file")"
    assert_status 0 ds "$url" "$m" down --yes
    base_url=$(fresh_url)
    db_sql "$base_url" "$base" >/dev/null
    # Postgres cannot put a column back in its place: compare lines, in any order
    assert_eq "$(normalized "$base_url")" "$(normalized "$url")" \
        "$kind: down gives back the base schema"$'\n'"$(cat "$file")"
    ncases=$((ncases + 1))
done
((ncases >= 25)) || fail "only $ncases kinds of change tested"

# nothing to do when the migrations already give the desired schema
m=$T/same/m
mig "$m" "0001_base.sql" "$base" "-"
printf '%s\n' "$base" >"$T/same/desired.sql"
assert_status 0 ds "$(fresh_url)" "$m" diff --to "$T/same/desired.sql" --sequential nothing
assert_contains "$OUT" "nothing to do" "no migration when nothing differs"
assert_eq "0001_base.sql" "$(ls "$m")" "no file written"
pass
