//! Audited reads, several to a transaction.
//!
//! Every read of a person's or household's data is audited in the same
//! transaction as the read. Done one request at a time, that costs a write
//! transaction per page view: on SQLite the single writer's lock is handed from
//! request to request, and on PostgreSQL every view waits for the audit head's
//! row lock and a commit (a WAL flush) of its own. Page views are the most
//! frequent thing Baken does, so they share transactions instead — group commit:
//!
//! - a request hands its read to [`Db::audited`] as a job and waits;
//! - a task takes the jobs that are waiting, opens one write transaction, runs
//!   each job in it (each inside its own savepoint, so a failing job is rolled
//!   back alone), appends all their audit entries with one update of the chain's
//!   head, and commits. SQLite has one such task (it has one writer anyway);
//!   PostgreSQL has several, so that reads still run side by side on several
//!   connections and only the appends, at the very end of each transaction,
//!   take turns on the head's row lock;
//! - only then does each request get its result. A read whose transaction did
//!   not commit gets an error, never its data.
//!
//! So the invariant holds unchanged — a read and its audit entry are in one
//! transaction, and no data leaves without its entry committed — while the
//! fixed cost of a transaction is paid once per batch.

use crate::{audit, exec, Db, Pool, Result, StoreError, Tx};
use baken_domain::AuditEntry;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// A boxed future borrowing the shared transaction.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a job leaves behind: its result for the caller (type-erased), and its
/// audit entries — `None` when the job failed and its savepoint must be rolled back.
type Outcome = (Box<dyn Any + Send>, Option<Vec<AuditEntry>>);

type Run = Box<dyn for<'a> FnOnce(&'a mut Tx) -> BoxFuture<'a, Outcome> + Send>;

struct Job {
    run: Run,
    reply: oneshot::Sender<Result<Box<dyn Any + Send>>>,
}

/// How many tasks run batches, and how many reads at most share one transaction
/// (so that one batch cannot keep the writer's lock, or its callers, waiting long).
///
/// PostgreSQL's shape was measured with `bench/casework/run.sh` (household page,
/// 32 connections, 2 cores): 8 tasks of at most 8 reads gave 2,340 pages/s at a
/// p99 of 40 ms, 4 × 16 gave 2,820–3,020/s at 21–23 ms, 2 × 32 gave 2,690/s at
/// 23 ms. More tasks mean more transactions queueing for the audit head's row
/// lock and more backends sharing the cores; fewer leave connections idle.
fn shape(pool: &Pool) -> (usize, usize) {
    match pool {
        Pool::Sqlite(..) => (1, 64),
        Pool::Postgres(..) => (4, 16),
    }
}

/// The sending side of a database's audited-read queue.
#[derive(Debug, Clone)]
pub(crate) struct Reads(mpsc::UnboundedSender<JobBox>);

/// `Job` is not `Debug`; the channel carries it in this wrapper.
pub(crate) struct JobBox(Job);

impl std::fmt::Debug for JobBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("audited read")
    }
}

impl Reads {
    /// Starts the task that runs the jobs on `pool`. It ends when every clone of
    /// the sender (every clone of the `Db`) is gone.
    pub(crate) fn start(pool: Pool) -> Reads {
        let (tx, rx) = mpsc::unbounded_channel();
        let (tasks, max_batch) = shape(&pool);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..tasks {
            tokio::spawn(run_batches(pool.clone(), rx.clone(), max_batch));
        }
        Reads(tx)
    }
}

type Queue = Arc<Mutex<mpsc::UnboundedReceiver<JobBox>>>;

async fn run_batches(pool: Pool, rx: Queue, max_batch: usize) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    loop {
        {
            // One task at a time takes what is waiting; the others run their batches.
            let mut rx = rx.lock().await;
            let Some(JobBox(first)) = rx.recv().await else {
                return;
            };
            batch.push(first);
            while batch.len() < max_batch {
                match rx.try_recv() {
                    Ok(JobBox(job)) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        run_batch(&pool, &mut batch).await;
        batch.clear();
    }
}

/// Runs one batch. Every job's caller gets an answer, whatever fails.
async fn run_batch(pool: &Pool, batch: &mut Vec<Job>) {
    let mut tx = match pool.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            for job in batch.drain(..) {
                let _ = job.reply.send(Err(e.shared()));
            }
            return;
        }
    };
    let mut entries: Vec<AuditEntry> = Vec::with_capacity(batch.len());
    let mut results: Vec<(oneshot::Sender<_>, Result<Box<dyn Any + Send>>)> =
        Vec::with_capacity(batch.len());
    let mut broken: Option<StoreError> = None;
    // Job `i` runs after `SAVEPOINT r{i}`. A job that succeeded leaves its savepoint
    // in place — the next one nests inside it — and one `RELEASE SAVEPOINT r0` at the
    // end folds them all into the transaction: one round trip per batch instead of
    // one per read, and the audit append below runs outside every savepoint (on
    // PostgreSQL a write inside nested savepoints takes a transaction id per level).
    let mut savepoints = 0usize;
    for job in batch.drain(..) {
        if let Some(e) = &broken {
            let _ = job.reply.send(Err(e.shared()));
            continue;
        }
        let name = savepoints;
        if let Err(e) = savepoint(&mut tx, &format!("SAVEPOINT r{name}")).await {
            let _ = job.reply.send(Err(e.shared()));
            broken = Some(e);
            continue;
        }
        savepoints += 1;
        let (value, audit) = (job.run)(&mut tx).await;
        match audit {
            Some(mut e) => {
                entries.append(&mut e);
                results.push((job.reply, Ok(value)));
            }
            None => {
                // The job failed: undo whatever it did, back to its own savepoint
                // (which stays, empty); its caller gets its own error.
                if let Err(e) = savepoint(&mut tx, &format!("ROLLBACK TO SAVEPOINT r{name}")).await
                {
                    broken = Some(e);
                }
                let _ = job.reply.send(Ok(value));
            }
        }
    }
    if broken.is_none() && savepoints > 0 {
        if let Err(e) = savepoint(&mut tx, "RELEASE SAVEPOINT r0").await {
            broken = Some(e);
        }
    }
    let committed = match broken {
        Some(e) => Err(e),
        None => match audit::append_many(&mut tx, &entries).await {
            Ok(_) => tx.commit().await,
            Err(e) => Err(e),
        },
    };
    match committed {
        Ok(()) => {
            for (reply, value) in results {
                let _ = reply.send(value);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, reads = results.len(), "a batch of audited reads did not commit");
            for (reply, _) in results {
                let _ = reply.send(Err(e.shared()));
            }
        }
    }
}

async fn savepoint(tx: &mut Tx, sql: &str) -> Result<()> {
    exec!(tx, |c| sqlx::query(sql).execute(&mut *c).await)?;
    Ok(())
}

impl Db {
    /// Runs `read` in a transaction it shares with other audited reads, appends the
    /// audit entries it returns in that same transaction, and hands back its value
    /// once the transaction has committed. An `Err` from `read` is returned as it
    /// is, with everything the read did rolled back and no audit entry of its own
    /// (so a job that must record a refusal returns `Ok` with that entry).
    ///
    /// `read` must not start a transaction of its own (it would wait for the one
    /// it runs in).
    pub async fn audited<T, E, F>(&self, read: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'a> FnOnce(&'a mut Tx) -> BoxFuture<'a, Result<(T, Vec<AuditEntry>), E>>
            + Send
            + 'static,
    {
        let run: Run = Box::new(move |tx: &mut Tx| -> BoxFuture<'_, Outcome> {
            Box::pin(async move {
                match read(tx).await {
                    Ok((value, entries)) => {
                        let value: Result<T, E> = Ok(value);
                        (Box::new(value) as Box<dyn Any + Send>, Some(entries))
                    }
                    Err(e) => {
                        let value: Result<T, E> = Err(e);
                        (Box::new(value) as Box<dyn Any + Send>, None)
                    }
                }
            })
        });
        let (reply, answer) = oneshot::channel();
        self.reads
            .0
            .send(JobBox(Job { run, reply }))
            .map_err(|_| StoreError::Batch("the audited-read task has stopped".into()))?;
        let value = answer
            .await
            .map_err(|_| StoreError::Batch("the audited-read task has stopped".into()))??;
        match value.downcast::<Result<T, E>>() {
            Ok(v) => *v,
            Err(_) => {
                Err(StoreError::Batch("an audited read returned the wrong type".into()).into())
            }
        }
    }
}
