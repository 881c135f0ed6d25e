//! The audit log: one writer, append-only, hash-chained.

use crate::{exec, with_conn, Page, Result, StoreError, Tx};
use baken_domain::audit::{canonical_time, ChainBreak, ChainVerifier, StoredEntry};
use baken_domain::AuditEntry;
use chrono::{DateTime, Utc};

/// Appends one entry inside the caller's transaction. Taking the head row's lock
/// first serialises appenders, so the chain never forks.
pub async fn append(tx: &mut Tx, entry: &AuditEntry) -> Result<i64> {
    append_many(tx, std::slice::from_ref(entry)).await
}

/// Appends `entry` as a read of every object shown — `object_type` with the
/// ids comma-separated, so a search for one of them finds it — in the caller's
/// transaction; nothing when nothing was shown.
pub async fn append_shown(
    tx: &mut Tx,
    entry: &AuditEntry,
    object_type: &str,
    ids: impl IntoIterator<Item = i64>,
) -> Result<()> {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut entry = entry.clone();
    entry.object_type = Some(object_type.to_owned());
    entry.object_id = Some(ids.join(","));
    append(tx, &entry).await?;
    Ok(())
}

/// Rows per INSERT statement: 14 parameters each, well inside both backends'
/// limits on bound parameters.
const ROWS_PER_INSERT: usize = 64;

/// Appends entries, in order, inside the caller's transaction, with one update of
/// the head for all of them; returns the sequence number of the last (0 when
/// `entries` is empty). Taking the head row's lock first serialises appenders,
/// so the chain never forks.
pub async fn append_many(tx: &mut Tx, entries: &[AuditEntry]) -> Result<i64> {
    if entries.is_empty() {
        return Ok(0);
    }
    let n = i64::try_from(entries.len())
        .map_err(|_| StoreError::Corrupt("too many audit entries".into()))?;
    let (last, mut prev): (i64, String) = with_conn!(tx, |c| {
        sqlx::query_as("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(n)
            .fetch_one(&mut *c)
            .await
    })?;
    let first = last - n + 1;
    let mut stored = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let s = entry.to_stored(first + i as i64, &prev);
        prev.clone_from(&s.hash);
        stored.push((entry.at, s));
    }
    for chunk in stored.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, user_id, username, role, client_addr, route, action, \
             outcome, object_type, object_id, detail, prev_hash, hash) VALUES ",
        );
        for r in 0..chunk.len() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..14 {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&(r * 14 + c + 1).to_string());
            }
            sql.push(')');
        }
        exec!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for (at, s) in chunk {
                q = q
                    .bind(s.seq)
                    .bind(*at)
                    .bind(s.user_id)
                    .bind(&s.username)
                    .bind(&s.role)
                    .bind(&s.client_addr)
                    .bind(&s.route)
                    .bind(&s.action)
                    .bind(&s.outcome)
                    .bind(&s.object_type)
                    .bind(&s.object_id)
                    .bind(&s.detail)
                    .bind(&s.prev_hash)
                    .bind(&s.hash);
            }
            q.execute(&mut *c).await
        })?;
    }
    exec!(tx, |c| {
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(&mut *c)
            .await
    })?;
    Ok(last)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub client_addr: String,
    pub route: String,
    pub action: String,
    pub outcome: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    fn to_stored(&self) -> StoredEntry {
        StoredEntry {
            seq: self.seq,
            at: canonical_time(&self.at),
            user_id: self.user_id,
            username: self.username.clone(),
            role: self.role.clone(),
            client_addr: self.client_addr.clone(),
            route: self.route.clone(),
            action: self.action.clone(),
            outcome: self.outcome.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            detail: self.detail.clone(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}

/// The outcome of [`verify`].
#[derive(Debug)]
pub enum Verification {
    Intact { entries: i64 },
    Broken(ChainBreak),
}

const SELECT: &str =
    "SELECT seq, at, user_id, username, role, client_addr, route, action, outcome, \
                      object_type, object_id, detail, prev_hash, hash FROM audit_log";

/// Walks the whole chain in batches (constant memory) and checks it against the head.
pub async fn verify(tx: &mut Tx) -> Result<Verification> {
    const BATCH: i64 = 5_000;
    let mut verifier = ChainVerifier::default();
    let mut after = 0i64;
    loop {
        let sql = format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows: Vec<AuditRow> = with_conn!(tx, |c| {
            sqlx::query_as(&sql)
                .bind(after)
                .bind(BATCH)
                .fetch_all(&mut *c)
                .await
        })?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for row in &rows {
            if let Err(b) = verifier.push(&row.to_stored()) {
                return Ok(Verification::Broken(b));
            }
        }
    }
    let (head_seq, head_hash) = head(tx).await?;
    Ok(match verifier.finish(head_seq, &head_hash) {
        Ok(entries) => Verification::Intact { entries },
        Err(b) => Verification::Broken(b),
    })
}

/// The head: the last sequence number appended and its hash (0 and the genesis
/// hash before any entry). What a signed checkpoint records.
pub async fn head(tx: &mut Tx) -> Result<(i64, String)> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *c)
            .await
    })?)
}

/// The hash stored with entry `seq`, if the log holds it; and the log's last
/// sequence number (0 when empty). What a checkpoint is checked against.
pub async fn hash_at(tx: &mut Tx, seq: i64) -> Result<(Option<String>, i64)> {
    let found: Option<(String,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&mut *c)
            .await
    })?;
    let (last,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM audit_log")
            .fetch_one(&mut *c)
            .await
    })?;
    Ok((found.map(|f| f.0), last))
}

/// Filters for the administrator's search. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Newest first, paginated.
pub async fn search(
    tx: &mut Tx,
    f: &AuditFilter,
    page: i64,
    page_size: i64,
) -> Result<Page<AuditRow>> {
    // Each filter is always bound; a NULL parameter switches it off. That keeps one
    // static statement per query, with no SQL built from input.
    // An object id also matches inside a list entry ("3,7,12": the households a
    // list view showed), when it is a plain number — never a LIKE pattern from input.
    let conds = "($1 IS NULL OR username = $1) AND ($2 IS NULL OR action = $2) AND \
                 ($3 IS NULL OR outcome = $3) AND ($4 IS NULL OR object_type = $4) AND \
                 ($5 IS NULL OR object_id = $5 OR (',' || object_id || ',') LIKE $8) AND \
                 ($6 IS NULL OR at >= $6) AND ($7 IS NULL OR at < $7)";
    let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {conds}");
    let list_sql = format!("{SELECT} WHERE {conds} ORDER BY seq DESC LIMIT $9 OFFSET $10");
    let in_list = in_list_pattern(f.object_id.as_deref());
    let offset = (page.max(1) - 1) * page_size;
    let (total, items) = with_conn!(tx, |c| {
        let total: (i64,) = sqlx::query_as(&count_sql)
            .bind(&f.username)
            .bind(&f.action)
            .bind(&f.outcome)
            .bind(&f.object_type)
            .bind(&f.object_id)
            .bind(f.from)
            .bind(f.until)
            .bind(&in_list)
            .fetch_one(&mut *c)
            .await?;
        let items: Vec<AuditRow> = sqlx::query_as(&list_sql)
            .bind(&f.username)
            .bind(&f.action)
            .bind(&f.outcome)
            .bind(&f.object_type)
            .bind(&f.object_id)
            .bind(f.from)
            .bind(f.until)
            .bind(&in_list)
            .bind(page_size)
            .bind(offset)
            .fetch_all(&mut *c)
            .await?;
        Ok::<_, sqlx::Error>((total.0, items))
    })?;
    Ok(Page {
        items,
        total,
        page: page.max(1),
        page_size,
    })
}

/// The LIKE pattern that finds `id` inside a list of ids (`%,7,%` against
/// `,3,7,12,`); None unless `id` is a plain number.
fn in_list_pattern(id: Option<&str>) -> Option<String> {
    id.filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .map(|id| format!("%,{id},%"))
}

/// Who looked at this household's data (the household itself or any member),
/// newest first. Only successful reads, searches, changes and exports by others.
pub async fn accesses_to_household(
    tx: &mut Tx,
    household_id: i64,
    exclude_user: i64,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let sql = format!(
        "{SELECT} WHERE outcome = 'success' AND action IN ('read', 'search', 'update', 'create', 'export', 'delete') \
         AND (user_id IS NULL OR user_id <> $2) AND ( (object_type = 'household' AND (object_id = $1 OR (',' || object_id || ',') LIKE $5)) \
         OR (object_type = 'resident' AND object_id IN (SELECT CAST(id AS TEXT) FROM residents WHERE household_id = $3)) ) \
         ORDER BY seq DESC LIMIT $4"
    );
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(household_id.to_string())
            .bind(exclude_user)
            .bind(household_id)
            .bind(limit)
            .bind(format!("%,{household_id},%"))
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

/// Number of entries (for tests and the admin page).
pub async fn count(tx: &mut Tx) -> Result<i64> {
    let n: (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(n.0)
}

impl From<ChainBreak> for StoreError {
    fn from(b: ChainBreak) -> Self {
        StoreError::Corrupt(b.to_string())
    }
}
