//! The demo's real SQLite database: one in-memory connection behind a mutex, with the `products`
//! table. Queries are bounded in time and in value size, so an injected payload cannot hang or
//! exhaust the demo.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::limits::Limit;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ToSql};
use serde_json::{Map, Value};

/// Longest a single query may run before SQLite interrupts it.
const QUERY_DEADLINE: Duration = Duration::from_secs(1);

/// The shared database.
pub struct Db {
    conn: Mutex<Connection>,
}

/// One row, as a JSON object keyed by column name.
pub type Row = Map<String, Value>;

impl Db {
    /// Opens an in-memory database with the seeded `products` table.
    pub fn open() -> rusqlite::Result<Db> {
        let conn = Connection::open_in_memory()?;
        conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, 1_000_000)?;
        conn.execute_batch(
            "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL);
             INSERT INTO products (id, name, price) VALUES
               (1, 'widget', 9.99), (2, 'gadget', 24.5), (3, 'gizmo', 4.25);",
        )?;
        Ok(Db {
            conn: Mutex::new(conn),
        })
    }

    /// Runs one SELECT and returns its rows (at most 100). Errors carry SQLite's own message.
    pub fn query(&self, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<Row>, String> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let deadline = Instant::now() + QUERY_DEADLINE;
        conn.progress_handler(10_000, Some(move || Instant::now() > deadline))
            .map_err(message)?;
        let result = run(&conn, sql, params);
        let _ = conn.progress_handler(0, None::<fn() -> bool>);
        result.map_err(message)
    }
}

fn run(conn: &Connection, sql: &str, params: &[&dyn ToSql]) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare(sql)?;
    let names: Vec<String> = stmt.column_names().iter().map(|n| n.to_string()).collect();
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut obj = Map::new();
        for (i, name) in names.iter().enumerate() {
            let value = match row.get::<_, SqlValue>(i)? {
                SqlValue::Null => Value::Null,
                SqlValue::Integer(n) => Value::from(n),
                SqlValue::Real(f) => Value::from(f),
                SqlValue::Text(s) => Value::from(s),
                SqlValue::Blob(b) => Value::from(String::from_utf8_lossy(&b).into_owned()),
            };
            obj.insert(name.clone(), value);
        }
        out.push(obj);
        if out.len() >= 100 {
            break;
        }
    }
    Ok(out)
}

/// SQLite's own message, as a driver would surface it (`near "x": syntax error`).
fn message(err: rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_injectable_when_concatenated() {
        let db = Db::open().unwrap();
        let rows = db
            .query("SELECT id, name, price FROM products WHERE id = 1", &[])
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["name"], "widget");
        let err = db
            .query("SELECT id FROM products WHERE name = '''", &[])
            .unwrap_err();
        assert!(err.contains("unrecognized token"), "{err}");
        let err = db
            .query("SELECT id FROM products WHERE name = 'a' b'", &[])
            .unwrap_err();
        assert!(err.contains("syntax error"), "{err}");
    }

    #[test]
    fn runaway_queries_are_interrupted() {
        let db = Db::open().unwrap();
        let started = Instant::now();
        let err = db
            .query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
                &[],
            )
            .unwrap_err();
        assert!(err.contains("interrupt"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
